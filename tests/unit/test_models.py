from __future__ import annotations

import pytest

from tasks.errors import InvalidRecord
from tasks.models import parse_record


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
