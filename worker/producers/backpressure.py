"""Backpressure: a producer waits while the clean stage's queue is deeper than the limit.

The depth is read from Redis at most once a second while the queue is well below the limit (the
producer counts what it sent since), and before every send once it may be near it; so checking
costs next to nothing at thousands of articles a second, and the queue overshoots the limit by
at most one batch.
"""

from __future__ import annotations

import time
from collections.abc import Callable

CHECK_EVERY_SECONDS = 1.0
POLL_SECONDS = 0.5


class QueueGate:
    """Admits sends while the queue is below ``limit``; otherwise waits, says so, and resumes."""

    def __init__(
        self,
        depth: Callable[[], int],
        limit: int,
        queue_name: str,
        notify: Callable[[str], None],
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self._depth = depth
        self.limit = limit
        self.queue_name = queue_name
        self._notify = notify
        self._sleep = sleep
        self._clock = clock
        self.poll_seconds = poll_seconds
        self._known = 0
        self._sent_since = 0
        self._checked_at = float("-inf")
        self.waits = 0
        self.waited_seconds = 0.0

    def admit(self, count: int) -> None:
        """Return when ``count`` more messages may be sent (at once, unless the queue is too deep)."""
        if self.limit <= 0:
            return
        estimate = self._known + self._sent_since + count
        if estimate > self.limit or self._clock() - self._checked_at >= CHECK_EVERY_SECONDS:
            self._read()
            if self._known >= self.limit:
                self._wait()
        self._sent_since += count

    def _read(self) -> None:
        self._known = self._depth()
        self._sent_since = 0
        self._checked_at = self._clock()

    def _wait(self) -> None:
        started = self._clock()
        self.waits += 1
        self._notify(
            f"queue {self.queue_name} has {self._known} waiting, at or over the limit of {self.limit}: "
            "waiting for the workers to catch up"
        )
        while self._known >= self.limit:
            self._sleep(self.poll_seconds)
            self._read()
        waited = self._clock() - started
        self.waited_seconds += waited
        self._notify(f"queue {self.queue_name} down to {self._known}: resuming after {waited:.1f}s")
