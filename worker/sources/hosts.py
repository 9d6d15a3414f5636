"""Politeness per host: at most N requests at once, and a least time between two request starts."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

# A robots.txt Crawl-delay above this is held to it: a feed must still be read within its poll.
MAX_CRAWL_DELAY_SECONDS = 60.0


def origin_of(url: str) -> str:
    """The scheme, host and port of a URL: the unit that politeness and robots.txt apply to.

    Parsed as httpx parses what it fetches; an IPv6 host keeps its brackets (``http://[::1]:80``),
    so the origin is itself a URL (robots.txt lives under it). Raises ``httpx.InvalidURL``.
    """
    parsed = httpx.URL(url)
    host = parsed.raw_host.decode("ascii").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return f"{parsed.scheme}://{host}:{port}"


class HostLimiter:
    """Hands out request slots per host; thread-safe, shared by all fetching threads."""

    def __init__(
        self,
        concurrency: int,
        interval: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.concurrency = concurrency
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._semaphores: dict[str, threading.BoundedSemaphore] = {}
        self._next_start: dict[str, float] = {}
        self._delays: dict[str, float] = {}

    def set_crawl_delay(self, host: str, seconds: float | None) -> None:
        """Honour a robots.txt Crawl-delay for this host (when longer than our own interval)."""
        if seconds is not None and seconds > 0:
            with self._lock:
                self._delays[host] = min(float(seconds), MAX_CRAWL_DELAY_SECONDS)

    def interval_for(self, host: str) -> float:
        """The least time between two request starts to this host."""
        return max(self.interval, self._delays.get(host, 0.0))

    @contextmanager
    def slot(self, host: str) -> Iterator[float]:
        """Hold one of the host's request slots, starting no sooner than its interval allows.

        Yields how long this request waited for its turn.
        """
        with self._lock:
            semaphore = self._semaphores.setdefault(host, threading.BoundedSemaphore(self.concurrency))
        semaphore.acquire()
        try:
            with self._lock:
                now = self._clock()
                start = max(now, self._next_start.get(host, now))
                self._next_start[host] = start + self.interval_for(host)
            if start > now:
                self._sleep(start - now)
            yield start - now
        finally:
            semaphore.release()
