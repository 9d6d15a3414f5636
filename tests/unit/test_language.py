from __future__ import annotations

import pytest

from tasks.clean import choose_language, clean_article
from tasks.language import detect_language
from tasks.models import parse_record
from worker.settings import Settings
from worker.stages import run_clean, run_extract

PORTUGUESE = (
    "O presidente Luiz Inácio Lula da Silva visitou Brasília na terça-feira para discutir o orçamento "
    "com os governadores do Nordeste. A reunião durou quatro horas e terminou sem acordo, segundo "
    "assessores do Palácio do Planalto."
)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (PORTUGUESE, "pt"),
        ("The council voted on Tuesday to build a new bridge across the river, officials said.", "en"),
        ("Der Stadtrat hat am Dienstag beschlossen, eine neue Brücke über den Fluss zu bauen.", "de"),
        ("Il consiglio comunale ha deciso martedì di costruire un nuovo ponte sul fiume.", "it"),
    ],
)
def test_detect_language_names_the_language(text: str, code: str) -> None:
    detected = detect_language(text)
    assert detected is not None and detected.code == code


def test_detect_language_is_deterministic() -> None:
    assert len({detect_language(PORTUGUESE) for _ in range(5)}) == 1


def test_detect_language_gives_up_on_text_without_letters() -> None:
    assert detect_language("12 34 56 -- 78 !!") is None


def test_choose_language_prefers_a_sure_detection_over_the_declared_one() -> None:
    assert choose_language(PORTUGUESE, "en") == "pt"
    assert choose_language("1 2 3", "pt-BR") == "pt"


def test_clean_article_sets_the_detected_language() -> None:
    assert clean_article(parse_record({"text": PORTUGUESE})).language == "pt"


def test_the_english_model_never_runs_on_portuguese_text() -> None:
    settings = Settings()
    cleaned = run_clean(settings, {"text": PORTUGUESE, "language": "en"})
    [extracted] = run_extract(settings, [cleaned])
    assert extracted.language == "pt"
    # The English model would find "Luiz Inácio Lula da Silva" and "Brasília" here.
    assert extracted.entities == [] and extracted.canonical_entities == []
    assert extracted.entities_skipped and "'pt'" in extracted.entities_skipped
