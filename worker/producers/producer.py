"""The producer: records through the door onto the queue, as pipeline chains, in batches.

At the door each record is validated (``prepare_record``), deduplicated by id and canonical URL
(``worker.stores.claims``), held back while the queue is too deep (``backpressure``), and sent in
batches (``sender``); what is rejected goes to the dead letters (stage ``enqueue``) with its
reason. Every Redis call survives a Redis restart (``worker.stores.reconnect``).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import redis
from celery import Celery

from tasks.errors import InputTooLarge, PermanentError
from tasks.models import ArticleRecord, parse_record
from worker.producers.backpressure import QueueGate
from worker.producers.sender import TaskSender, producer_app
from worker.settings import Settings
from worker.sources.files import SourceItem
from worker.stores import stream
from worker.stores.claims import ArticleClaims, Claim
from worker.stores.reconnect import Reconnecting
from worker.stores.redis_client import wait_for_replicas

log = logging.getLogger(__name__)

# Records from a slow source (pages being fetched) are sent within this time, whatever the batch.
MAX_BATCH_DELAY_SECONDS = 0.5


@dataclass
class EnqueueReport:
    """What an enqueue run did: queued, duplicates skipped, and what it rejected and why."""

    queued: int = 0
    duplicates: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    queued_ids: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        """Items dealt with so far, whatever became of them."""
        return self.queued + self.duplicates + sum(self.rejected.values())

    def reject(self, reason_class: str, message: str) -> None:
        """Count a rejected item, keeping the first message of each reason."""
        self.rejected[reason_class] += 1
        self.examples.setdefault(reason_class, message)

    def summary(self) -> str:
        """One line: queued, duplicates skipped, rejected, and the reasons."""
        line = (
            f"queued {self.queued}, duplicates skipped {self.duplicates}, "
            f"rejected {sum(self.rejected.values())}"
        )
        if self.rejected:
            reasons = "; ".join(
                f"{name} x{count} (e.g. {self.examples[name]})" for name, count in self.rejected.most_common()
            )
            line += f": {reasons}"
        return line


def now_iso() -> str:
    """The current time in UTC, ISO 8601 with microseconds (as ``worker.stages.now_iso``)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def prepare_record(raw: object, settings: Settings) -> ArticleRecord:
    """Validate a raw record at the door: a valid record, within the size limit, with an id."""
    record = parse_record(raw)
    size = len((record.html or record.text or "").encode("utf-8", errors="replace"))
    if size > settings.max_input_bytes:
        raise InputTooLarge(f"input is {size} bytes, over the limit of {settings.max_input_bytes}")
    record.enqueued_at = now_iso()
    return record


@dataclass(frozen=True, slots=True)
class _Pending:
    record: ArticleRecord
    origin: str
    claim: Claim | None  # set when the article was claimed before (a page, claimed by its URL)


class Producer:
    """Takes items one at a time and sends them in batches.

    Use it as a context manager: leaving the block sends what is left and confirms the claims;
    leaving it on an exception (Ctrl-C included) gives back the claims of articles not sent.
    """

    def __init__(
        self,
        settings: Settings,
        client: redis.Redis,
        celery_app: Celery | None = None,
        *,
        notify: Callable[[str], None] | None = None,
        progress: Callable[[EnqueueReport], None] | None = None,
    ) -> None:
        self.settings = settings
        self.client = client
        self.report = EnqueueReport()
        self._notify = notify or log.warning
        self._progress = progress
        self.redis = Reconnecting(self._notify)
        self.claims = ArticleClaims(client, settings)
        queue = settings.queue("clean")
        self.sender = TaskSender(celery_app or producer_app(settings), queue, settings.article_batch_size)
        self.gate = QueueGate(
            lambda: int(self.redis.call(lambda: client.llen(queue), "reading the queue depth")),
            settings.max_queue_depth,
            queue,
            self._notify,
        )
        self._pending: list[_Pending] = []
        self._oldest = 0.0
        self._outstanding: set[Claim] = set()  # claimed, not yet sent, rejected or released
        self._to_confirm: list[Claim] = []  # sent, to confirm with the next round trip

    def __enter__(self) -> Producer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def offer(self, item: SourceItem, claim: Claim | None = None) -> None:
        """Validate an item and queue it with the next batch; ``claim`` if its URL is claimed already."""
        if item.error is not None:
            reason_class, _, message = item.error.partition(": ")
            self.reject(item.origin, reason_class, message, item.record, claim=claim)
            return
        try:
            record = prepare_record(item.record, self.settings)
        except PermanentError as exc:
            self.reject(item.origin, type(exc).__name__, str(exc), item.record, claim=claim)
            return
        if not self._pending:
            self._oldest = time.monotonic()
        self._pending.append(_Pending(record, item.origin, claim))
        if len(self._pending) >= self.settings.enqueue_batch_size:
            self.flush()

    def flush_if_due(self) -> None:
        """Send what is pending if the oldest item has waited long enough."""
        if self._pending and time.monotonic() - self._oldest >= MAX_BATCH_DELAY_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Deduplicate and send the pending batch: one round trip for the claims, one for the sends."""
        batch, self._pending = self._pending, []
        if not batch:
            return
        claims = [Claim(p.record.id, p.record.url) for p in batch if p.claim is None]
        won = iter(zip(claims, self._claim(claims), strict=True))
        fresh: list[tuple[_Pending, Claim]] = []
        for pending in batch:
            if pending.claim is not None:
                fresh.append((pending, pending.claim))
                continue
            claim, ok = next(won)
            if ok:
                fresh.append((pending, claim))
            else:
                self.report.duplicates += 1
        if fresh:
            self.gate.admit(self.sender.messages_for(len(fresh)))
            payloads = [p.record.model_dump(mode="json", exclude_none=True) for p, _ in fresh]
            self.redis.call(lambda: self._send(payloads), "sending to the queue")
            for pending, claim in fresh:
                self._outstanding.discard(claim)
                self._to_confirm.append(claim)
                self.report.queued_ids.append(pending.record.id)
            self.report.queued += len(fresh)
        self._report_progress()

    def _send(self, payloads: list[dict[str, Any]]) -> None:
        # A batch counts as sent once the replicas asked for hold it (none by default): sent again
        # otherwise, as after any failed send (the publish stage's marker absorbs a second copy).
        self.sender.send(payloads)
        wait_for_replicas(self.client, self.settings)

    def claim(self, claims: list[Claim]) -> list[bool]:
        """Claim articles known by URL before fetching them; a lost claim counts as a duplicate."""
        won = self._claim(claims)
        self.report.duplicates += won.count(False)
        self._report_progress()
        return won

    def _claim(self, claims: list[Claim]) -> list[bool]:
        confirm = self._to_confirm
        won = self.redis.call(lambda: self.claims.claim(claims, confirm), "deduplicating at the door")
        self._to_confirm = []
        self._outstanding.update(claim for claim, ok in zip(claims, won, strict=True) if ok)
        return won

    def release(self, claim: Claim) -> None:
        """Give back a claim whose page could not be fetched for a passing reason."""
        self.redis.call(lambda: self.claims.release([claim]), "releasing a claim")
        self._outstanding.discard(claim)

    def reject(
        self,
        origin: str,
        reason_class: str,
        message: str,
        payload: Any,
        *,
        claim: Claim | None = None,
        dead_letter: bool = True,
    ) -> None:
        """Count a rejected item, dead-letter it, and keep its claim (if any) as rejected."""
        self.report.reject(reason_class, f"{origin}: {message}")
        if claim is not None:
            self.redis.call(lambda: self.claims.mark_rejected([claim]), "marking a rejected article")
            self._outstanding.discard(claim)
        if dead_letter:
            self.redis.call(
                lambda: stream.dead_letter(
                    self.client,
                    self.settings,
                    article_id=claim.article_id if claim else None,
                    stage="enqueue",
                    error=f"{origin}: {message}",
                    payload=payload if payload is not None else {"origin": origin},
                    attempts=1,
                    error_class=reason_class,
                ),
                "dead-lettering",
            )
        self._report_progress()

    def close(self) -> EnqueueReport:
        """Send what is pending, confirm what was sent, and return the report."""
        self.flush()
        confirm, self._to_confirm = self._to_confirm, []
        self.redis.call(lambda: self.claims.confirm(confirm), "confirming claims")
        return self.report

    def abort(self) -> None:
        """Give back (best effort) the claims of articles that were not sent: a later run sends them."""
        outstanding, self._outstanding = list(self._outstanding), set()
        try:
            self.claims.release(outstanding)
            self.claims.confirm(self._to_confirm)
        except redis.RedisError:
            log.warning("claims=%d outcome=left_pending (they expire on their own)", len(outstanding))

    def _report_progress(self) -> None:
        if self._progress:
            self._progress(self.report)


def enqueue_items(
    items: Iterable[SourceItem],
    settings: Settings,
    client: redis.Redis,
    celery_app: Celery | None = None,
    *,
    notify: Callable[[str], None] | None = None,
    progress: Callable[[EnqueueReport], None] | None = None,
) -> EnqueueReport:
    """Queue each valid, new item as a pipeline chain; dead-letter and report the rest."""
    with Producer(settings, client, celery_app, notify=notify, progress=progress) as producer:
        for item in items:
            producer.offer(item)
    return producer.report
