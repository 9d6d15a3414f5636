"""robots.txt, fetched once per host and cached: in this process, and in Redis for other producers.

Parsed with Protego (Scrapy's parser, RFC 9309). As RFC 9309 says: a 4xx robots.txt (none there)
allows everything; an unreachable one (5xx, connection error) is a transient failure of the page
that needed it, retried on the next poll, never read as "allowed".
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

from protego import Protego

from worker.sources.errors import FetchFailed
from worker.sources.hosts import origin_of

# Google's limit; RFC 9309 asks parsers to read at least 500 KiB.
MAX_ROBOTS_BYTES = 500 * 1024

RobotsFetch = Callable[[str], tuple[int, bytes]]


class RobotsStore(Protocol):
    """Where robots.txt bodies are shared between producers (Redis in production)."""

    def get(self, origin: str) -> str | None:
        """The cached body for a host, or None."""

    def put(self, origin: str, body: str, ttl_seconds: int) -> None:
        """Remember a host's body for ``ttl_seconds``."""


class RobotsCache:
    """Answers "may we fetch this URL?" from each host's robots.txt, fetching it at most once per TTL."""

    def __init__(
        self,
        fetch: RobotsFetch,
        agent: str,
        ttl_seconds: int,
        store: RobotsStore | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self.agent = agent
        self.ttl_seconds = ttl_seconds
        self._store = store
        self._clock = clock
        self._rules: dict[str, tuple[float, Protego]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self.fetches = 0

    def allowed(self, url: str) -> bool:
        """Whether the URL's host allows our User-Agent to fetch it."""
        return bool(self.rules(origin_of(url)).can_fetch(url, self.agent))

    def crawl_delay(self, origin: str) -> float | None:
        """The host's Crawl-delay for our User-Agent, if it sets one."""
        delay = self.rules(origin).crawl_delay(self.agent)
        return float(delay) if delay is not None else None

    def rules(self, origin: str) -> Protego:
        """The parsed robots.txt of a host (``scheme://host:port``)."""
        with self._lock:
            lock = self._locks.setdefault(origin, threading.Lock())
        with lock:  # one fetch per host, however many threads ask at once
            cached = self._rules.get(origin)
            if cached and cached[0] > self._clock():
                return cached[1]
            body = self._store.get(origin) if self._store else None
            if body is None:
                body = self._download(origin)
                if self._store:
                    self._store.put(origin, body, self.ttl_seconds)
            rules = Protego.parse(body)
            self._rules[origin] = (self._clock() + self.ttl_seconds, rules)
            return rules

    def _download(self, origin: str) -> str:
        self.fetches += 1
        status, body = self._fetch(f"{origin}/robots.txt")
        if 200 <= status < 300:
            return body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace")
        if 400 <= status < 500:
            return ""  # no robots.txt: everything is allowed
        raise FetchFailed(f"robots.txt of {origin} is unreachable (HTTP {status}); will try again")
