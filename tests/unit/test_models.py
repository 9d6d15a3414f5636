from __future__ import annotations

import pytest

from tasks.errors import InvalidRecord
from tasks.models import (
    CanonicalEntity,
    EntityMention,
    ExtractedArticle,
    PublishedArticle,
    Quote,
    Span,
    SummarisedArticle,
    parse_record,
    rebuild,
)
from tasks.summarise.stage import READS, SummaryOptions, summarise_article


def test_parse_record_derives_an_id_from_the_url() -> None:
    record = parse_record({"url": "https://example.com/a", "text": "Body."})
    assert record.id and record.id == parse_record({"url": "https://example.com/a", "html": "<p>x</p>"}).id


def test_parse_record_keeps_a_given_id() -> None:
    assert parse_record({"id": "abc-1", "text": "Body."}).id == "abc-1"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([1, 2], "must be a JSON object"),
        ({"title": "no body"}, "needs a non-empty 'text' or 'html'"),
        ({"text": "   "}, "needs a non-empty 'text' or 'html'"),
        ({"text": 42}, "text"),
        ({"id": "has space", "text": "x"}, "id"),
        ({"id": "x" * 201, "text": "x"}, "id"),
        ({"id": "lone-\ud800", "text": "x"}, "id: .*lone surrogates"),
        ({"id": "esc\x1b]0;x\x07", "text": "x"}, "id: .*control characters"),
        ({"url": "https://example.com/a\ud800", "text": "x"}, "url: .*lone surrogates"),
        ({"url": "https://example.com/\x1b[2J", "text": "x"}, "url: .*control characters"),
        ({"url": "https://example.com/\x9b31m", "text": "x"}, "url: .*control characters"),
    ],
)
def test_parse_record_rejects_invalid_records_with_a_reason(raw: object, message: str) -> None:
    with pytest.raises(InvalidRecord, match=message):
        parse_record(raw)


def test_parse_record_ignores_unknown_fields() -> None:
    assert parse_record({"text": "Body.", "extra": {"a": 1}}).text == "Body."


def test_parse_record_repairs_lone_surrogates_in_the_other_fields_and_still_derives_an_id() -> None:
    record = parse_record({"text": "Body \ud800 here.", "title": "T\udfff", "author": "A\ud83d"})
    assert (record.text, record.title, record.author) == ("Body \ufffd here.", "T\ufffd", "A\ufffd")
    assert record.id == parse_record({"text": "Body \ufffd here."}).id


def _extracted() -> ExtractedArticle:
    text = "Ann Lee said \u201cyes\u201d. Police came. It rained all day long."
    return ExtractedArticle(
        id="a-1",
        text=text,
        title="T\u00e9st",
        timings={"clean": 0.001},
        entities=[EntityMention(start=0, end=7, text="Ann Lee", label="PERSON")],
        canonical_entities=[
            CanonicalEntity(name="Ann Lee", label="PERSON", count=1, mentions=[Span(start=0, end=7)])
        ],
        sentences=[Span(start=0, end=19), Span(start=20, end=32), Span(start=33, end=len(text))],
        quotes=[Quote(start=14, end=17, text="yes", speaker="Ann Lee", speaker_start=0, speaker_end=7)],
    )


def test_rebuild_from_json_text_or_object_dumps_the_same_json_as_the_validated_record() -> None:
    article = _extracted()
    for data in (article.model_dump_json(), article.model_dump(mode="json")):
        rebuilt = rebuild(ExtractedArticle, data, validated=READS)
        assert rebuilt.model_dump_json(warnings=False) == article.model_dump_json()
        assert all(isinstance(span, Span) for span in rebuilt.sentences)  # what the next stage reads


def test_a_summary_of_a_rebuilt_record_is_the_summary_of_the_validated_one() -> None:
    article = _extracted()
    options = SummaryOptions(max_sentences=2)
    validated = summarise_article(ExtractedArticle.model_validate_json(article.model_dump_json()), options)
    rebuilt = summarise_article(
        rebuild(ExtractedArticle, article.model_dump_json(), validated=READS), options
    )
    assert rebuilt.model_dump_json(warnings=False) == validated.model_dump_json()
    published = rebuild(SummarisedArticle, rebuilt.model_dump_json(warnings=False))
    assert (
        published.model_dump_json(warnings=False)
        == SummarisedArticle.model_validate_json(validated.model_dump_json()).model_dump_json()
    )


def test_rebuild_drops_unknown_fields_and_fills_defaults() -> None:
    rebuilt = rebuild(
        PublishedArticle, {"id": "a", "text": "b", "published_at": "t", "pipeline_version": "1", "x": 1}
    )
    assert "x" not in rebuilt.model_dump() and rebuilt.quotes == [] and rebuilt.duplicate_of is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{not json", "must be JSON"),
        ("[1, 2]", "must be a JSON object, not list"),
        (7, "must be a JSON object, not int"),
        ({"id": "a"}, "needs text"),
        ({"text": "b"}, "needs id"),
        ({"id": 3, "text": "b"}, "id: Input should be a valid string"),
        ({"id": "a", "text": "b", "sentences": [{"start": "x", "end": 1}]}, "sentences: .*integer"),
        ({"id": "a", "text": "b", "sentences": "all"}, "sentences: .*list"),
    ],
)
def test_rebuild_refuses_what_is_not_such_a_record_with_a_reason(data: object, message: str) -> None:
    with pytest.raises(InvalidRecord, match=message):
        rebuild(ExtractedArticle, data, validated=READS)
