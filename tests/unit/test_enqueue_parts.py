"""The small parts of `newsflow enqueue`: durations, URL lists, the summary lines, the progress bar."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from tasks.ids import derive_article_id
from worker.producers.enqueue import parse_duration
from worker.producers.feed_poll import PollReport
from worker.producers.producer import EnqueueReport
from worker.producers.progress import progress_bar
from worker.sources.files import SourceError
from worker.sources.urls import read_url_list
from worker.stores.claims import Claim


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90), ("90s", 90), ("5m", 300), ("1.5h", 5400), ("250ms", 0.25), (" 2M ", 120)],
)
def test_parse_duration_reads_seconds_minutes_and_hours(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5x", "m", "-5m", "0s", "five minutes"])
def test_parse_duration_refuses_what_is_not_a_duration(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_a_url_list_skips_blank_lines_and_comments_and_keeps_fragments(tmp_path: Path) -> None:
    path = tmp_path / "urls.txt"
    path.write_text("# feeds of the harbour desk\nhttps://a.test/1\n\n   https://a.test/2#top  \n#x\n")
    listed = read_url_list(str(path))
    assert [(u.url, u.origin) for u in listed] == [
        ("https://a.test/1", f"{path}:2"),
        ("https://a.test/2#top", f"{path}:4"),
    ]
    with pytest.raises(SourceError, match="no such file"):
        read_url_list(str(tmp_path / "missing.txt"))


def test_a_claim_by_url_has_the_id_the_clean_stage_would_derive() -> None:
    claim = Claim.for_url("https://News.test/a.html?utm_source=x#frag")
    assert claim.article_id == derive_article_id("https://news.test/a.html", "anything")


def test_the_summary_line_says_queued_duplicates_and_rejected_with_reasons() -> None:
    report = EnqueueReport(queued=3, duplicates=2)
    report.reject("HTTPClientError", "feed entry 1: HTTP 404 Not Found")
    report.reject("HTTPClientError", "feed entry 2: HTTP 410 Gone")
    report.reject("RobotsDisallowed", "feed entry 3: forbidden")
    assert report.summary() == (
        "queued 3, duplicates skipped 2, rejected 3: "
        "HTTPClientError x2 (e.g. feed entry 1: HTTP 404 Not Found); "
        "RobotsDisallowed x1 (e.g. feed entry 3: forbidden)"
    )
    assert report.handled == 8


def test_a_poll_line_counts_feeds_then_entries() -> None:
    poll = PollReport(number=2, feeds=3, unchanged=1, changed=1)
    poll.fail("HTTPClientError", "http://a.test/feed: HTTP 404 Not Found")
    line = poll.summary()
    assert line.startswith("poll 2 at ")
    assert (
        "3 feeds, 1 unchanged, 1 changed, 1 failed (HTTPClientError x1, e.g. http://a.test/feed: HTTP 404"
        in line
    )
    assert line.endswith("; queued 0, duplicates skipped 0, rejected 0")


def test_the_progress_bar_shows_counts_on_a_terminal_and_nothing_elsewhere() -> None:
    terminal = io.StringIO()
    report = EnqueueReport(queued=7, duplicates=2)
    with progress_bar(Console(file=terminal, force_terminal=True, width=120), "fetch", total=10) as update:
        update(report)
    assert "queued 7 · duplicates 2 · rejected 0" in terminal.getvalue()
    assert "9/10" in terminal.getvalue()
    piped = io.StringIO()
    with progress_bar(Console(file=piped, force_terminal=False), "fetch", total=10) as update:
        update(report)
    assert piped.getvalue() == ""
