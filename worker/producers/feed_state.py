"""What producers remember about each feed in Redis: the validators for a conditional GET.

Kept in Redis, not in the process, so a restarted producer, or several producers polling the
same feeds, still send ``If-None-Match`` / ``If-Modified-Since`` and get a cheap 304.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass

import redis

from worker.settings import Settings


@dataclass(frozen=True, slots=True)
class Validators:
    """A feed's ``ETag`` and ``Last-Modified`` from its last complete poll."""

    etag: str | None = None
    last_modified: str | None = None


class FeedState:
    """Reads and writes each feed's validators (a hash per feed, expiring with the dedup TTL)."""

    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.client = client
        self.settings = settings

    def key(self, url: str) -> str:
        """The hash that holds a feed's state."""
        return self.settings.key("feed", hashlib.sha256(url.encode("utf-8")).hexdigest()[:32])

    def load(self, urls: Sequence[str]) -> dict[str, Validators]:
        """The validators of each feed (empty for a feed never polled to the end). One round trip."""
        pipe = self.client.pipeline(transaction=False)
        for url in urls:
            pipe.hmget(self.key(url), ["etag", "last_modified"])
        return {
            url: Validators(etag or None, last_modified or None)
            for url, (etag, last_modified) in zip(urls, pipe.execute(), strict=True)
        }

    def save_all(self, feeds: Sequence[tuple[str, Validators]]) -> None:
        """Remember feeds' validators, once every entry of this poll was dealt with. One round trip."""
        pipe = self.client.pipeline(transaction=False)
        for url, validators in feeds:
            key = self.key(url)
            pipe.hset(
                key,
                mapping={
                    "url": url,
                    "etag": validators.etag or "",
                    "last_modified": validators.last_modified or "",
                    "polled_at": f"{time.time():.3f}",
                },
            )
            pipe.expire(key, self.settings.dedup_ttl_seconds)
        pipe.execute()


class RedisRobotsStore:
    """robots.txt bodies shared between producers; a Redis failure here only costs a re-fetch."""

    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.client = client
        self.settings = settings

    def _key(self, origin: str) -> str:
        return self.settings.key("robots", origin)

    def get(self, origin: str) -> str | None:
        """The cached body for a host, or None (also when Redis does not answer)."""
        try:
            value = self.client.get(self._key(origin))
        except redis.RedisError:
            return None
        return value if isinstance(value, str) else None

    def put(self, origin: str, body: str, ttl_seconds: int) -> None:
        """Remember a host's body (best effort)."""
        try:
            self.client.set(self._key(origin), body, ex=ttl_seconds)
        except redis.RedisError:
            return
