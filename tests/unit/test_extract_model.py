"""The extract stage with the real English model on seed-shaped articles (no services needed)."""

from __future__ import annotations

from itertools import pairwise

import pytest

from tasks.clean.stage import clean_article
from tasks.extract.stage import ExtractOptions, extract_articles, split_pieces
from tasks.models import ExtractedArticle, parse_record
from tests.conftest import SAMPLES, SeedCase
from worker.nlp import load_pipeline
from worker.settings import Settings


@pytest.fixture(scope="module")
def seed_extracted(seed_text: str) -> ExtractedArticle:
    nlp = load_pipeline(Settings().spacy_model)
    return extract_articles(nlp, [clean_article(parse_record({"text": seed_text}))])[0]


def test_the_model_runs_only_ner_and_sentence_boundaries() -> None:
    assert load_pipeline(Settings().spacy_model).pipe_names == ["senter", "ner"]


def test_seed_people_and_places_are_found(seed_case: SeedCase, seed_extracted: ExtractedArticle) -> None:
    names = {entity.name for entity in seed_extracted.canonical_entities}
    for expected in seed_case.people_and_places:
        assert expected in names


def test_seed_mentions_point_into_the_cleaned_text(seed_extracted: ExtractedArticle) -> None:
    for mention in seed_extracted.entities:
        assert seed_extracted.text[mention.start : mention.end] == mention.text


def test_seed_canonical_entities_merge_names_once(
    seed_case: SeedCase, seed_extracted: ExtractedArticle
) -> None:
    canonical = seed_extracted.canonical_entities
    for target, forms in seed_case.one_entity_each.items():
        holders = [e.name for e in canonical if set(e.aliases) & forms]
        assert holders == [target], f"{target}: {holders}"
    person, count = seed_case.twice_named
    assert next(e for e in canonical if e.name == person and e.label == "PERSON").count == count
    assert seed_extracted.dateline_place == seed_case.dateline_place


def test_seed_titles_are_not_organisations_and_acronyms_join_their_long_forms(
    seed_case: SeedCase, seed_extracted: ExtractedArticle
) -> None:
    by_name = {e.name: e for e in seed_extracted.canonical_entities}
    assert not seed_case.titles & set(by_name)
    assert not any(e.label == "PERSON" and e.name == "Headquarters" for e in by_name.values())
    for long_form, acronym in seed_case.acronyms.items():
        assert {long_form, acronym} <= set(by_name[long_form].aliases)
    place = by_name[seed_case.dateline_place]
    assert place.in_dateline and place.label == "GPE"
    assert not any("said" in k.text.split() for k in seed_extracted.keyphrases)
    assert 5 <= len(seed_extracted.keyphrases) <= 10


def test_a_lone_surname_the_model_calls_an_organisation_joins_the_person() -> None:
    text = (SAMPLES / "vaccine-trial-results.txt").read_text(encoding="utf-8")
    (result,) = extract_articles(
        load_pipeline(Settings().spacy_model), [clean_article(parse_record({"text": text}))]
    )
    kamau = [e for e in result.canonical_entities if "Kamau" in e.aliases or "Wanjiru Kamau" in e.aliases]
    assert [(e.name, e.label) for e in kamau] == [("Wanjiru Kamau", "PERSON")]
    assert kamau[0].count == 3


def test_title_author_and_published_date_are_carried_through() -> None:
    record = {
        "text": "PARIS – The museum reopened on Monday after a year of repairs, its director said.",
        "title": "Museum reopens",
        "author": "Jane Doe",
        "published": "2026-03-01",
    }
    (result,) = extract_articles(load_pipeline(Settings().spacy_model), [clean_article(parse_record(record))])
    assert (result.title, result.author, result.published) == ("Museum reopens", "Jane Doe", "2026-03-01")
    assert result.dateline_place == "Paris"
    assert any(e.name == "Paris" and e.label == "GPE" and e.in_dateline for e in result.canonical_entities)


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


def test_an_article_in_pieces_gets_what_it_gets_whole_with_offsets_into_the_whole_text(
    seed_text: str, seed_extracted: ExtractedArticle
) -> None:
    nlp = load_pipeline(Settings().spacy_model)
    article = clean_article(parse_record({"text": seed_text}))
    options = ExtractOptions(max_piece_chars=700, max_batch_chars=1500)
    assert len(split_pieces(article.text, 700)) >= 4
    (pieces,) = extract_articles(nlp, [article], options)
    assert pieces.entities == seed_extracted.entities
    assert pieces.sentences == seed_extracted.sentences
    assert pieces.keyphrases == seed_extracted.keyphrases
    assert pieces.canonical_entities == seed_extracted.canonical_entities
    assert all(article.text[m.start : m.end] == m.text for m in pieces.entities)


def test_seed_quotes_have_their_speakers(seed_case: SeedCase, seed_extracted: ExtractedArticle) -> None:
    quotes = seed_extracted.quotes
    official = [q for q in quotes if q.speaker and "government official" in q.speaker]
    assert len(official) == 2
    assert all(q.speaker_entity is None and q.kind == "direct" for q in official)
    person, first_words = seed_case.quoted
    assert next(q for q in quotes if q.text.startswith(first_words)).speaker_entity == person
    assert next(q for q in quotes if q.text == seed_case.scare_term).kind == "scare"
    for quote in quotes:
        assert seed_extracted.text[quote.start : quote.end] == quote.text
