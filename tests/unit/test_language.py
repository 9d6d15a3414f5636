from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tasks.clean.language import (
    _ENOUGH_LETTERS,
    MAX_CHARS,
    MIN_LETTERS,
    QUICK_CHARS,
    QUICK_PROBABILITY,
    _model,
    detect_language,
    known_languages,
)
from tasks.clean.stage import choose_language, clean_article
from tasks.models import parse_record
from tests.multilingual import SAMPLES, Sample
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


@pytest.mark.parametrize(
    ("declared", "code"),
    [
        ("pt-BR", "pt"),
        ("EN_us", "en"),
        (" de ", "de"),
        ("eng", "en"),  # ISO 639-2 for a language that has a 639-1 code
        ("iw", "he"),  # a deprecated code, as its current one
        ("english", None),
        ("xx", None),
        ("und", None),
        ("evil\nlabel" * 3, None),
        ("en\x1b]0;x\x07", None),
        ("x" * 10_000, None),
        ("", None),
    ],
)
def test_a_declared_language_is_published_only_as_a_valid_code(declared: str, code: str | None) -> None:
    # Digits only: the detector cannot tell, so the declared language is all there is.
    assert choose_language("1 2 3", declared) == code


def test_the_language_label_is_a_code_the_detector_knows_or_unknown() -> None:
    from worker import metrics

    assert metrics.language_label("pt") == "pt"
    for odd in (None, "", "qaa", "evil\nlabel", 42):
        assert metrics.language_label(odd) == "unknown"


def test_the_languages_metric_gets_a_bounded_label_whatever_the_record_says() -> None:
    from worker import metrics
    from worker.runtime import signals

    def samples() -> dict[str, float]:
        return {
            s.labels["language"]: s.value
            for family in metrics.ARTICLE_LANGUAGES.collect()
            for s in family.samples
            if s.name.endswith("_total")
        }

    before = samples().get("unknown", 0.0)
    signals._record("clean", {"ok": 1}, None, [{}], [{"language": "evil\nlabel", "text": "x"}])
    after = samples()
    assert after["unknown"] == before + 1
    assert set(after) <= known_languages() | {"unknown"}


def _read_whole_head(text: str) -> str:
    code, _ = _model().classify(text[:MAX_CHARS])
    return str(code)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda sample: sample.key)
def test_a_sure_first_400_characters_give_the_language_the_whole_head_gives(sample: Sample) -> None:
    text = "\n\n".join(sample.paragraphs * 8)  # past the quick head, in every language of the set
    detected = detect_language(text)
    assert len(text) > QUICK_CHARS and detected is not None
    assert detected.code == _read_whole_head(text) == sample.language


def test_a_head_the_model_is_unsure_of_is_read_on_to_1500_characters() -> None:
    # 400 characters of English and Portuguese words mixed, then Portuguese prose.
    head = ("The council said " + PORTUGUESE[:60] + " ") * 8
    text = head[:QUICK_CHARS] + " ".join([PORTUGUESE] * 6)
    _, probability = _model().classify(text[:QUICK_CHARS])
    assert probability < QUICK_PROBABILITY  # the case under test: the quick head is not enough
    detected = detect_language(text)
    assert detected is not None and detected.code == _read_whole_head(text) == "pt"
    assert detected.probability == pytest.approx(float(_model().classify(text[:MAX_CHARS])[1]))


_LETTER = re.compile(r"[^\W\d_]")


_LETTERS_ANY_SCRIPT = st.sampled_from("ab\u00e9\u0416\u4e2d\u05d0\u0915")
_NOT_LETTERS = st.text(alphabet=st.sampled_from(" 1_.\n-\u0301\u200c\u0660\u3002"), max_size=3)


@given(st.lists(st.tuples(_NOT_LETTERS, _LETTERS_ANY_SCRIPT), max_size=2 * MIN_LETTERS), st.text(max_size=40))
def test_enough_letters_is_a_count_of_letters_stopped_early(runs: list[tuple[str, str]], noise: str) -> None:
    for text in ("".join(gap + letter for gap, letter in runs), noise):
        assert bool(_ENOUGH_LETTERS.search(text)) == (len(_LETTER.findall(text)) >= MIN_LETTERS)


def test_a_text_with_too_few_letters_gets_no_language() -> None:
    assert detect_language("12 34 -- 56 ... " * 50 + "a b c") is None
    assert detect_language("x" * (MIN_LETTERS - 1) + " 1" * 2000) is None
    assert detect_language("1 " * 2000 + "The port authority said on Tuesday") is None  # past the head
