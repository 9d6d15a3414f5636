"""What ``newsflow enqueue`` does: files, URL lists and feeds through the door, once or every N.

Files (JSONL, folders, stdin) and URL lists are batches: a progress bar on a terminal, then one
summary line each. Feeds are polled once, or every ``--every`` until SIGTERM or Ctrl-C, with one
summary line per poll. A SIGTERM while URLs or feeds are fetched cancels the fetches in progress
(their pages are given back at the door), sends what was fetched, and ends the run. Messages
about waiting (backpressure, Redis restarts) go to stderr.
"""

from __future__ import annotations

import re
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import FrameType

import redis
from rich.console import Console

from worker.escaping import for_terminal
from worker.producers.crawl import PageJob, enqueue_pages
from worker.producers.feed_poll import FeedPoller
from worker.producers.feed_state import RedisRobotsStore
from worker.producers.producer import Producer, enqueue_items
from worker.producers.progress import progress_bar
from worker.producers.sender import producer_app
from worker.settings import Settings
from worker.sources.fetch import Fetcher
from worker.sources.files import SourceItem, iter_source, marked_body_only
from worker.sources.urls import ListedURL, read_url_list

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str) -> float:
    """Seconds in ``90``, ``90s``, ``5m``, ``1.5h`` or ``500ms``; raises ValueError otherwise."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration like 30s, 5m or 1h")
    seconds = float(match.group(1)) * _UNIT_SECONDS[(match.group(2) or "s").lower()]
    if seconds <= 0:
        raise ValueError("the duration must be more than zero")
    return seconds


@dataclass(frozen=True, slots=True)
class EnqueueRequest:
    """What to enqueue: file sources, URL list files, feed URLs, feed list files, and how often."""

    sources: tuple[str, ...] = ()
    url_lists: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    feed_lists: tuple[str, ...] = ()
    every: float | None = None
    body_only: bool = False  # the file sources' texts are article bodies alone


def run_enqueue(
    request: EnqueueRequest,
    settings: Settings,
    client: redis.Redis,
    echo: Callable[[str], None],
    console: Console,
) -> None:
    """Run an enqueue request to the end (or, with ``every``, until stopped)."""
    _Run(settings, client, echo, console).run(request)


class _Run:
    """One ``newsflow enqueue``: the settings, Redis, the Celery app and where to write."""

    def __init__(
        self, settings: Settings, client: redis.Redis, echo: Callable[[str], None], console: Console
    ) -> None:
        self.settings = settings
        self.client = client
        self.echo = echo
        self.console = console
        self.app = producer_app(settings)

    def notify(self, message: str) -> None:
        """Tell the operator what the producer is waiting for (stderr, above any progress bar)."""
        self.console.print(for_terminal(message), markup=False, highlight=False, soft_wrap=True)

    def run(self, request: EnqueueRequest) -> None:
        """Files first, then URL lists, then feeds."""
        if request.sources:
            with progress_bar(self.console, "enqueue") as progress:
                items = _file_items(request.sources, self.settings)
                if request.body_only:
                    items = marked_body_only(items)
                report = enqueue_items(
                    items, self.settings, self.client, self.app, notify=self.notify, progress=progress
                )
            self.echo(report.summary())
        pages = [listed for path in request.url_lists for listed in read_url_list(path)]
        feeds = _unique(
            [ListedURL(url, "command line") for url in request.feeds]
            + [listed for path in request.feed_lists for listed in read_url_list(path)]
        )
        if not pages and not feeds:
            return
        fetcher = Fetcher(self.settings, robots_store=RedisRobotsStore(self.client, self.settings))
        pool = ThreadPoolExecutor(self.settings.fetch_concurrency, thread_name_prefix="newsflow-fetch")
        try:
            with _stop_on_sigterm(on_stop=fetcher.cancel) as stop:
                if pages:
                    self.pages(pages, fetcher, pool)
                if feeds and not stop.is_set():
                    poller = FeedPoller(
                        self.settings, self.client, fetcher, pool, self.app, notify=self.notify
                    )
                    poller.run(feeds, request.every, lambda report: self.echo(report.summary()), stop)
        finally:
            fetcher.cancel()  # done, or Ctrl-C: no fetch still running holds the exit up
            pool.shutdown(wait=True, cancel_futures=True)
            fetcher.close()

    def pages(self, pages: list[ListedURL], fetcher: Fetcher, pool: ThreadPoolExecutor) -> None:
        """Fetch and queue a list of article URLs, with a progress bar."""
        with (
            progress_bar(self.console, "fetch", total=len(pages)) as progress,
            Producer(self.settings, self.client, self.app, notify=self.notify, progress=progress) as producer,
        ):
            jobs = [PageJob(listed.url, listed.origin) for listed in pages]
            enqueue_pages(jobs, producer, fetcher, pool, max_in_flight=2 * self.settings.fetch_concurrency)
        self.echo(producer.report.summary())


def _file_items(sources: tuple[str, ...], settings: Settings) -> Iterator[SourceItem]:
    for source in sources:
        yield from iter_source(source, settings.max_input_bytes)


def _unique(listed: Iterable[ListedURL]) -> list[ListedURL]:
    seen: set[str] = set()
    unique = []
    for item in listed:
        if item.url not in seen:
            seen.add(item.url)
            unique.append(item)
    return unique


class _stop_on_sigterm:  # noqa: N801 - used as a context manager, named like one
    """A stop event set by SIGTERM (in the main thread), which also calls ``on_stop`` (cancel the
    fetches: the run then ends within moments, cleanly); a second SIGTERM stops at once."""

    def __init__(self, on_stop: Callable[[], None]) -> None:
        self.on_stop = on_stop

    def __enter__(self) -> threading.Event:
        self.stop = threading.Event()
        self.previous: Callable[[int, FrameType | None], object] | int | None = None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGTERM, self._handle)
        return self.stop

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.stop.is_set():  # a second SIGTERM: stop now (claims not sent are given back)
            raise KeyboardInterrupt
        self.stop.set()
        self.on_stop()

    def __exit__(self, *exc_info: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)
