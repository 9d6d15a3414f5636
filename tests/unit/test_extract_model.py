"""The extract stage with the real English model on the seed article (no services needed)."""

from __future__ import annotations

from itertools import pairwise

import pytest

from tasks.clean import clean_article
from tasks.extract import extract_articles
from tasks.models import ExtractedArticle, parse_record
from worker.nlp import load_pipeline
from worker.settings import Settings


@pytest.fixture(scope="module")
def seed_extracted(seed_text: str) -> ExtractedArticle:
    nlp = load_pipeline(Settings().spacy_model)
    return extract_articles(nlp, [clean_article(parse_record({"text": seed_text}))])[0]


def test_the_model_runs_only_ner_and_sentence_boundaries() -> None:
    assert load_pipeline(Settings().spacy_model).pipe_names == ["senter", "ner"]


def test_seed_people_and_places_are_found(seed_extracted: ExtractedArticle) -> None:
    names = {entity.name for entity in seed_extracted.canonical_entities}
    for expected in (
        "Susan Rice",
        "Raheel Sharif",
        "Lloyd Austin",
        "Yousaf al-Salafi",
        "Hafiz Saeed Khan Orakzai",
        "Pakistan",
        "Afghanistan",
        "Lahore",
        "Rawalpindi",
    ):
        assert expected in names


def test_seed_mentions_point_into_the_cleaned_text(seed_extracted: ExtractedArticle) -> None:
    for mention in seed_extracted.entities:
        assert seed_extracted.text[mention.start : mention.end] == mention.text


def test_seed_canonical_entities_merge_names_once(seed_extracted: ExtractedArticle) -> None:
    people = [e for e in seed_extracted.canonical_entities if e.label == "PERSON"]
    assert sum(1 for e in people if "Rice" in e.name) == 1
    assert sum(1 for e in people if "Austin" in e.name) == 1
    assert next(e for e in people if e.name == "Susan Rice").count == 2
    assert sum(1 for e in seed_extracted.canonical_entities if e.name == "United States") == 1
    assert seed_extracted.dateline_place == "Islamabad"


def test_seed_sentences_cover_the_text_in_order(seed_extracted: ExtractedArticle) -> None:
    spans = [(s.start, s.end) for s in seed_extracted.sentences]
    assert spans == sorted(spans) and len(spans) >= 15
    assert all(end <= next_start for (_, end), (next_start, _) in pairwise(spans))


def test_unsupported_language_is_skipped_with_a_reason() -> None:
    article = clean_article(
        parse_record(
            {
                "text": "O presidente visitou Lisboa na segunda-feira e falou com jornalistas.",
                "language": "pt",
            }
        )
    )
    (result,) = extract_articles(
        None, [article], skipped_reason="no spaCy model configured for language 'pt'"
    )
    assert result.entities == [] and result.entities_skipped and "pt" in result.entities_skipped
    assert result.sentences
