"""The last N published articles, in memory: what a viewer who joins late sees first.

Bounded by ``NEWSFLOW_WEB_RECENT_ARTICLES``: adding one more drops the oldest. Each entry keeps
its card (the list's fields) and the whole article (the article view's), keyed by stream entry
id in stream order, with an index by article id.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Any

from worker.web.cards import card

RATE_WINDOW_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class Recent:
    """One recent article: its stream entry id, its card, the article as published."""

    entry_id: str
    card: dict[str, Any]
    article: dict[str, Any]


def entry_seconds(entry_id: str) -> float:
    """When Redis appended a stream entry (its id's millisecond part), in seconds since the epoch."""
    millis, _, _ = entry_id.partition("-")
    return int(millis) / 1000 if millis.isdigit() else 0.0


def entry_key(entry_id: str) -> tuple[int, int]:
    """A stream entry id as a sortable pair."""
    millis, _, seq = entry_id.partition("-")
    return (int(millis), int(seq)) if millis.isdigit() and seq.isdigit() else (0, 0)


class RecentArticles:
    """At most ``limit`` articles, oldest first, and the arrival times of the last minute's."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._entries: OrderedDict[str, Recent] = OrderedDict()
        self._by_article: dict[str, str] = {}
        self._arrivals: deque[float] = deque()

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, entry_id: str, article: dict[str, Any]) -> Recent:
        """Keep a published article (dropping the oldest beyond the limit); returns what was kept."""
        recent = Recent(entry_id, card(entry_id, article), article)
        self._entries[entry_id] = recent
        self._by_article[recent.card["id"]] = entry_id
        while len(self._entries) > self.limit:
            _, dropped = self._entries.popitem(last=False)
            if self._by_article.get(dropped.card["id"]) == dropped.entry_id:
                del self._by_article[dropped.card["id"]]
        self._arrivals.append(entry_seconds(entry_id))
        self._trim_arrivals(time.time())
        return recent

    def cards(self, after: str | None = None) -> list[dict[str, Any]]:
        """Cards oldest first; with ``after``, only those of entries newer than that entry id."""
        if after is None:
            return [r.card for r in self._entries.values()]
        floor = entry_key(after)
        return [r.card for r in self._entries.values() if entry_key(r.entry_id) > floor]

    def article(self, article_id: str) -> Recent | None:
        """A recent article by its article id."""
        entry_id = self._by_article.get(article_id)
        return self._entries.get(entry_id) if entry_id else None

    def last_entry_id(self) -> str | None:
        """The newest entry held."""
        return next(reversed(self._entries), None)

    def per_second(self, now: float | None = None) -> float:
        """Articles published per second over the last minute (by the stream's own timestamps)."""
        now = time.time() if now is None else now
        self._trim_arrivals(now)
        return sum(1 for t in self._arrivals if t <= now) / RATE_WINDOW_SECONDS

    def _trim_arrivals(self, now: float) -> None:
        # Arrivals come in stream order, so the oldest are on the left.
        while self._arrivals and self._arrivals[0] < now - RATE_WINDOW_SECONDS:
            self._arrivals.popleft()
