"""Polling feeds: conditional GET of every feed, then each new entry's page through the door.

One poll: load every feed's validators from Redis (one round trip), fetch the feeds at once
(``If-None-Match`` / ``If-Modified-Since``: an unchanged feed answers 304 and costs nothing
more), parse the changed ones, and send their entries through ``worker.producers.crawl``. A feed's new
validators are saved only when every one of its entries was dealt with (queued, skipped as a
duplicate, or rejected for good): if a page failed for a passing reason, the next poll reads the
feed again, and the door makes sure only that page is fetched again.

Whatever goes wrong with one feed (fetching it, parsing it) is that feed's failure: counted in
the poll line's ``failed`` with its reason, and every other feed is polled as usual.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from datetime import UTC, datetime

import redis
from celery import Celery

from tasks.errors import NewsflowError
from worker.producers.crawl import PageJob, enqueue_pages
from worker.producers.feed_state import FeedState, Validators
from worker.producers.producer import EnqueueReport, Producer
from worker.settings import Settings
from worker.sources.feeds import Feed, FeedEntry, parse_feed
from worker.sources.fetch import Fetched, Fetcher
from worker.sources.urls import ListedURL

log = logging.getLogger(__name__)


@dataclass
class PollReport:
    """What one poll did: feeds unchanged, changed and failed, and what their entries became."""

    number: int
    feeds: int = 0
    unchanged: int = 0
    changed: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    failure_examples: dict[str, str] = field(default_factory=dict)
    entries: EnqueueReport = field(default_factory=EnqueueReport)
    seconds: float = 0.0

    def fail(self, reason_class: str, message: str) -> None:
        """Count a feed that could not be read."""
        self.failed[reason_class] += 1
        self.failure_examples.setdefault(reason_class, message)

    def summary(self) -> str:
        """One line: the feeds, then the entries' queued / duplicates / rejected line."""
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        failed = sum(self.failed.values())
        line = (
            f"poll {self.number} at {stamp} ({self.seconds:.1f}s): {self.feeds} feeds, "
            f"{self.unchanged} unchanged, {self.changed} changed, {failed} failed"
        )
        if failed:
            line += (
                " ("
                + "; ".join(
                    f"{name} x{count}, e.g. {self.failure_examples[name]}"
                    for name, count in self.failed.items()
                )
                + ")"
            )
        return f"{line}; {self.entries.summary()}"


class FeedPoller:
    """Polls a fixed list of feeds, again and again, sharing fetcher, threads and Celery app."""

    def __init__(
        self,
        settings: Settings,
        client: redis.Redis,
        fetcher: Fetcher,
        pool: Executor,
        celery_app: Celery,
        *,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.client = client
        self.fetcher = fetcher
        self.pool = pool
        self.celery_app = celery_app
        self.notify = notify
        self.state = FeedState(client, settings)
        self.polls = 0

    def poll(self, feeds: Sequence[ListedURL]) -> PollReport:
        """Poll every feed once; see the module docstring."""
        started = time.monotonic()
        self.polls += 1
        with Producer(self.settings, self.client, self.celery_app, notify=self.notify) as producer:
            report = PollReport(self.polls, feeds=len(feeds), entries=producer.report)
            done = self._poll(feeds, producer, report)
        # Only now, every entry sent and its claim confirmed: the next poll may skip these feeds.
        if done:
            producer.redis.call(lambda: self.state.save_all(done), "saving feed state")
        report.seconds = time.monotonic() - started
        return report

    def _poll(
        self, feeds: Sequence[ListedURL], producer: Producer, report: PollReport
    ) -> list[tuple[str, Validators]]:
        """Fetch the feeds, queue their new entries; the validators of the feeds that are done."""
        urls = [feed.url for feed in feeds]
        validators = producer.redis.call(lambda: self.state.load(urls), "loading feed state")
        futures: list[tuple[ListedURL, Future[Fetched]]] = [
            (
                feed,
                self.pool.submit(
                    self.fetcher.fetch_feed,
                    feed.url,
                    validators[feed.url].etag,
                    validators[feed.url].last_modified,
                ),
            )
            for feed in feeds
        ]
        changed: list[tuple[Feed, Fetched]] = []
        for listed, future in futures:
            try:
                fetched = future.result()
                if fetched.not_modified:
                    report.unchanged += 1
                    continue
                changed.append((parse_feed(fetched.body, fetched.url, fetched.content_type), fetched))
            except NewsflowError as exc:
                report.fail(type(exc).__name__, f"{listed.url}: {exc}")
            except Exception as exc:  # a surprise (a bug, a library's): still this feed's failure alone
                log.exception("feed=%s outcome=poll_error", listed.url)
                report.fail(type(exc).__name__, f"{listed.url}: {exc}")
        report.changed = len(changed)
        jobs = [
            PageJob(entry.url, f"{feed.url} entry {index}", _metadata(feed, entry), group=feed.url)
            for feed, _ in changed
            for index, entry in enumerate(feed.entries, start=1)
        ]
        retry_later = enqueue_pages(
            jobs, producer, self.fetcher, self.pool, max_in_flight=2 * self.settings.fetch_concurrency
        )
        return [
            (feed.url, Validators(fetched.etag, fetched.last_modified))
            for feed, fetched in changed
            if feed.url not in retry_later and (fetched.etag or fetched.last_modified)
        ]

    def run(
        self,
        feeds: Sequence[ListedURL],
        every: float | None,
        on_report: Callable[[PollReport], None],
        stop: threading.Event,
    ) -> None:
        """Poll once, or every ``every`` seconds (measured start to start) until ``stop`` is set."""
        while not stop.is_set():
            started = time.monotonic()
            on_report(self.poll(feeds))
            if every is None:
                return
            stop.wait(max(0.0, every - (time.monotonic() - started)))


def _metadata(feed: Feed, entry: FeedEntry) -> dict[str, str]:
    fields = {
        "title": entry.title,
        "author": entry.author,
        "published": entry.published,
        "source": feed.source,
        "language": feed.language,
    }
    return {name: value for name, value in fields.items() if value}
