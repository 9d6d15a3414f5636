"""The results page's pure parts: cards, safe links, the text's marks and runs, the bounded store,
server-sent event encoding and the hub's cut-off of a viewer that falls behind."""

from __future__ import annotations

import asyncio
import json

import pytest

from worker.web.cards import card, clean_label, dead_row, safe_url
from worker.web.hub import VIEWER_QUEUE_EVENTS, Hub, sse
from worker.web.markup import Mark, marks_of, quotes_of, segments
from worker.web.recent import RecentArticles

TEXT = "Ada Lovelace met Charles Babbage in London. “It works,” Ada said. Nothing else."


def _article(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "a1",
        "title": "A meeting",
        "text": TEXT,
        "entities": [
            {"start": 0, "end": 12, "text": "Ada Lovelace", "label": "PERSON"},
            {"start": 17, "end": 32, "text": "Charles Babbage", "label": "PERSON"},
            {"start": 36, "end": 42, "text": "London", "label": "GPE"},
            {"start": 56, "end": 59, "text": "Ada", "label": "PERSON"},
        ],
        "summary_sentences": [{"start": 0, "end": 43, "text": TEXT[:43]}],
        "canonical_entities": [{"name": "Ada Lovelace", "label": "PERSON", "count": 2}],
    }
    return {**base, **fields}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a?b=1", "https://example.org/a?b=1"),
        ("HTTP://example.org/", "HTTP://example.org/"),
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("//example.org/x", None),
        ("/relative", None),
        ("http:///nohost", None),
        (None, None),
        (42, None),
    ],
)
def test_safe_url_allows_only_absolute_http_links(url: object, expected: str | None) -> None:
    assert safe_url(url) == expected


def test_clean_label_keeps_only_class_name_characters() -> None:
    assert clean_label("WORK_OF_ART") == "WORK_OF_ART"
    assert clean_label('PERSON" onmouseover="x') == "PERSONonmouseoverx"
    assert clean_label("") == "OTHER"


def test_card_is_bounded_and_drops_unsafe_links() -> None:
    made = card("1-0", _article(url="javascript:alert(1)", summary="s" * 5000, site_name="Site"))
    assert made["url"] is None and made["source"] == "Site"
    assert len(made["summary"]) == 600
    assert made["entities"] == [{"name": "Ada Lovelace", "label": "PERSON", "count": 2}]


def test_every_mention_is_one_run_or_more_holding_exactly_its_text() -> None:
    article = _article()
    runs = segments(TEXT, marks_of(article))
    assert "".join(run.text for run in runs) == TEXT
    for index, mention in enumerate(article["entities"]):  # type: ignore[arg-type]
        pieces = [r.text for r in runs if any(m.kind == "entity" and m.index == index for m in r.marks)]
        assert "".join(pieces) == TEXT[mention["start"] : mention["end"]] == mention["text"]
    london = next(r for r in runs if r.text == "London")
    assert london.classes == "ent ent-GPE sum" and london.data == {"entity": "2", "summary": "0"}


def test_quotes_and_speakers_are_marked_when_present() -> None:
    start = TEXT.index("“")
    quote = {"text": "It works,", "start": start, "end": start + 11, "speaker": "Ada", "speaker_start": 56,
             "speaker_end": 59, "cue": "said", "kind": "direct"}  # fmt: skip
    runs = segments(TEXT, marks_of(_article(quotes=[quote])))
    quoted = "".join(r.text for r in runs if "quote" in r.classes.split())
    assert quoted == TEXT[start : start + 11]
    speaker = next(r for r in runs if "speaker" in r.classes.split())
    assert speaker.text == "Ada" and speaker.data["entity"] == "3"
    assert quotes_of(_article(quotes=[quote]))[0]["speaker"] == "Ada"
    assert quotes_of(_article()) == []


@pytest.mark.parametrize(
    "bad",
    [{"start": -1, "end": 3}, {"start": 5, "end": 5}, {"start": 0, "end": 10_000}, {"start": "0", "end": 3},
     {"start": True, "end": 3}, "not a span"],
)  # fmt: skip
def test_spans_that_do_not_fit_the_text_are_dropped(bad: object) -> None:
    assert marks_of(_article(entities=[bad], summary_sentences=[])) == []


def test_overlapping_marks_keep_their_own_index_in_every_run() -> None:
    runs = segments("abcdef", [Mark(0, 4, "quote", 0), Mark(2, 6, "summary", 1)])
    assert [(r.text, r.classes) for r in runs] == [("ab", "quote"), ("cd", "quote sum"), ("ef", "sum")]


def test_dead_row_formats_the_time_and_survives_garbage() -> None:
    row = dead_row("5-0", {"stage": "clean", "failed_at": "0", "error": "x" * 5000})
    assert row["failed_at"] == "1970-01-01T00:00:00+00:00" and len(row["error"]) == 2000
    assert dead_row("5-1", {"failed_at": "soon"})["failed_at"] is None


def test_recent_articles_keep_only_the_newest_limit() -> None:
    store = RecentArticles(limit=3)
    for n in range(1, 6):
        store.add(f"{n}000-0", _article(id=f"a{n}"))
    assert len(store) == 3
    assert [c["id"] for c in store.cards()] == ["a3", "a4", "a5"]
    assert [c["id"] for c in store.cards(after="4000-0")] == ["a5"]
    assert store.article("a1") is None and store.article("a5") is not None
    assert store.last_entry_id() == "5000-0"


def test_recent_articles_count_the_last_minute_by_stream_time() -> None:
    store = RecentArticles(limit=2)
    now = 1_800_000_000.0
    for offset in (120, 30, 20, 10):  # one too old, three within the minute (two evicted from the list)
        store.add(f"{int((now - offset) * 1000)}-0", _article())
    assert store.per_second(now) == pytest.approx(3 / 60)


def test_sse_event_is_one_event_whatever_the_data_holds() -> None:
    text = sse("article", {"title": "a\nb\r\n\u2028data: evil\n\nevent: x"}, "1-0")
    assert text.startswith("id: 1-0\nevent: article\ndata: ") and text.endswith("\n\n")
    assert text.count("\n") == 4
    assert json.loads(text.split("data: ", 1)[1])["title"].startswith("a\nb")


def test_a_viewer_that_falls_behind_is_cut_off_and_the_others_get_everything() -> None:
    async def scenario() -> None:
        hub = Hub()
        stalled, reading, status_only = hub.join(), hub.join(), hub.join(articles=False)
        received = 0
        for n in range(VIEWER_QUEUE_EVENTS + 10):
            hub.send(f"event {n}", article=True)
            while not reading.queue.empty():
                reading.queue.get_nowait()
                received += 1
        assert stalled.cut_off and not reading.cut_off and received == VIEWER_QUEUE_EVENTS + 10
        assert status_only.queue.empty() and len(hub) == 2

    asyncio.run(scenario())


def test_an_empty_web_token_leaves_the_page_read_only() -> None:
    from worker.settings import Settings

    assert Settings(web_token="").web_token is None
    assert Settings(web_token="  ").web_token is None
    token = Settings(web_token="s3cret").web_token
    assert token is not None and token.get_secret_value() == "s3cret" and "s3cret" not in repr(token)
