"""The producer: input records onto the queue as pipeline chains, bad ones to the dead letters."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import redis
from celery import Celery

from tasks.errors import InputTooLarge, PermanentError
from tasks.models import ArticleRecord, parse_record
from worker import stream
from worker.settings import Settings
from worker.sources.files import SourceItem
from worker.stages import now_iso

log = logging.getLogger(__name__)


@dataclass
class EnqueueReport:
    """What an enqueue run did: how many records it queued, and what it rejected and why."""

    queued: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    queued_ids: list[str] = field(default_factory=list)

    def reject(self, reason_class: str, message: str) -> None:
        """Count a rejected item, keeping the first message of each reason."""
        self.rejected[reason_class] += 1
        self.examples.setdefault(reason_class, message)

    def summary(self) -> str:
        """One line: queued, rejected, and the reasons."""
        line = f"queued {self.queued}, rejected {sum(self.rejected.values())}"
        if self.rejected:
            reasons = "; ".join(
                f"{name} x{count} (e.g. {self.examples[name]})" for name, count in self.rejected.most_common()
            )
            line += f": {reasons}"
        return line


def prepare_record(raw: object, settings: Settings) -> ArticleRecord:
    """Validate a raw record at the door: a valid record, within the size limit, with an id."""
    record = parse_record(raw)
    size = len((record.html or record.text or "").encode("utf-8", errors="replace"))
    if size > settings.max_input_bytes:
        raise InputTooLarge(f"input is {size} bytes, over the limit of {settings.max_input_bytes}")
    record.enqueued_at = now_iso()
    return record


def enqueue_items(
    items: Iterable[SourceItem],
    settings: Settings,
    client: redis.Redis,
    celery_app: Celery | None = None,
) -> EnqueueReport:
    """Queue each valid item as a pipeline chain; dead-letter and report the rest."""
    from tasks.pipeline import pipeline_chain
    from worker.app import create_app

    celery_app = celery_app or create_app(settings)
    report = EnqueueReport()
    for item in items:
        if item.error is not None:
            reason_class, _, message = item.error.partition(": ")
            _reject(
                report,
                client=client,
                settings=settings,
                item=item,
                reason_class=reason_class,
                message=message,
            )
            continue
        try:
            record = prepare_record(item.record, settings)
        except PermanentError as exc:
            _reject(
                report,
                client=client,
                settings=settings,
                item=item,
                reason_class=type(exc).__name__,
                message=str(exc),
            )
            continue
        pipeline_chain(record.model_dump(mode="json", exclude_none=True), celery_app).apply_async()
        report.queued += 1
        report.queued_ids.append(record.id)
    return report


def _reject(
    report: EnqueueReport,
    *,
    client: redis.Redis,
    settings: Settings,
    item: SourceItem,
    reason_class: str,
    message: str,
) -> None:
    report.reject(reason_class, f"{item.origin}: {message}")
    payload = item.record if item.record is not None else {"origin": item.origin}
    stream.dead_letter(
        client,
        settings,
        article_id=None,
        stage="enqueue",
        error=f"{item.origin}: {message}",
        payload=payload,
        attempts=1,
        error_class=reason_class,
    )
