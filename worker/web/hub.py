"""Fan-out of server-sent events to the page's viewers, each through a bounded queue.

An event is encoded once and the same text goes to every viewer. A viewer whose queue fills
(a stalled connection) is cut off instead of holding the others back or growing memory: its
browser reconnects with ``Last-Event-ID`` and catches up from the recent articles.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

VIEWER_QUEUE_EVENTS = 2_000


def sse(event: str, data: Any, event_id: str | None = None) -> str:
    """One server-sent event; the JSON is ASCII-only, so no line break or separator gets into it."""
    head = f"id: {event_id}\n" if event_id else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=True, separators=(',', ':'))}\n\n"


@dataclass(eq=False)
class Viewer:
    """One connected page: its queue of encoded events, and whether it fell behind."""

    articles: bool = True
    queue: asyncio.Queue[str] = field(default_factory=lambda: asyncio.Queue(VIEWER_QUEUE_EVENTS))
    cut_off: bool = False


class Hub:
    """The connected viewers, and the one way to send them all an event."""

    def __init__(self) -> None:
        self._viewers: set[Viewer] = set()

    def __len__(self) -> int:
        return len(self._viewers)

    def join(self, articles: bool = True) -> Viewer:
        """A new viewer (``articles`` False: status and dead letters only)."""
        viewer = Viewer(articles=articles)
        self._viewers.add(viewer)
        return viewer

    def leave(self, viewer: Viewer) -> None:
        """Forget a viewer that disconnected."""
        self._viewers.discard(viewer)

    def send(self, text: str, article: bool = False) -> None:
        """Queue an encoded event for every viewer; a viewer with a full queue is cut off."""
        for viewer in list(self._viewers):
            if article and not viewer.articles:
                continue
            try:
                viewer.queue.put_nowait(text)
            except asyncio.QueueFull:
                viewer.cut_off = True
                self._viewers.discard(viewer)
