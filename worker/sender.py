"""The producer's fast path: pipeline chains sent in batches, one Redis round trip per batch.

Messages are made by Celery's own message factory (``app.amqp.create_task_message``: task
protocol 2, JSON, the rest of the chain embedded and frozen as ``celery.chain`` does it) and sent
by Celery's own ``send_task_message`` (so publish signals still fire); workers cannot tell them
from what ``tasks.pipeline.pipeline_chain(...).apply_async()`` sends (a test compares the two
field by field). What is skipped is per-message overhead that buys nothing here: building and
routing a canvas, acquiring a kombu producer per message, declaring the queue per message, and a
round trip per message: the pushes of a batch go in one Redis pipeline (kombu's
``Producer.batch()``). A failed batch raises and is sent again whole: at least once, and the
publish stage's exactly-once marker absorbs a message that had got through.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from celery import Celery
from kombu.utils.uuid import uuid

from worker.app import create_app
from worker.settings import STAGES, Settings

# The chain tasks.pipeline.pipeline_chain builds, by name (importing tasks.pipeline would load
# every stage's code, trafilatura included, into a producer that needs none of it).
STAGE_TASKS = tuple(f"newsflow.{stage}" for stage in STAGES)


def producer_app(settings: Settings) -> Celery:
    """A Celery app for sending: as the workers', but with Redis batch publishing allowed.

    kombu refuses to pipeline when redis-py may replay a command on time-out (a replayed
    pipeline could push twice), so the producer turns ``retry_on_timeout`` off and retries
    whole batches itself (``worker.reconnect``).
    """
    app = create_app(settings)
    options = dict(app.conf.broker_transport_options)
    options["retry_on_timeout"] = False
    app.conf.broker_transport_options = options
    return app


class TaskSender:
    """Sends one pipeline chain per record, a batch of records per Redis round trip."""

    def __init__(self, app: Celery, queue: str) -> None:
        self.app = app
        self.queue = queue
        first, *rest = STAGE_TASKS
        self._first = first
        # Celery's chain carries the tasks still to run last-first, and pops from the end.
        # Each is a signature as a plain dict; freezing gives it a task id and reply_to, as
        # celery.chain does (copying a template is 10x cheaper than freezing each time).
        self._rest = tuple(dict(app.signature(name)) for name in reversed(rest))

    def send(self, records: Sequence[dict[str, Any]]) -> None:
        """Queue a chain for each record (raises kombu/redis errors; the caller retries the batch)."""
        if not records:
            return
        amqp = self.app.amqp
        conf = self.app.conf
        with self.app.producer_or_acquire() as producer, producer.batch(max_size=len(records) + 1):
            for record in records:
                task_id = uuid()
                message = amqp.create_task_message(
                    task_id,
                    self._first,
                    (record,),
                    {},
                    reply_to=self.app.thread_oid,
                    time_limit=conf.task_time_limit,
                    soft_time_limit=conf.task_soft_time_limit,
                    create_sent_event=conf.task_send_sent_event,
                    root_id=task_id,
                    chain=[self._frozen(template) for template in self._rest],
                    ignore_result=conf.task_ignore_result,
                    # What Celery shows for the task's arguments: the id, never the article's text.
                    argsrepr=f"(<article {record.get('id', '?')}>,)",
                )
                # No per-message declare (the queue needs none on Redis) and no per-message retry:
                # a failed batch is retried whole by the caller.
                amqp.send_task_message(
                    producer, self._first, message, queue=self.queue, retry=False, declare=[]
                )

    def _frozen(self, template: dict[str, Any]) -> dict[str, Any]:
        return {**template, "options": {"task_id": uuid(), "reply_to": self.app.thread_oid}}

    @property
    def batching(self) -> bool:
        """Whether this app's transport pipelines a batch (else kombu pushes each message alone)."""
        with self.app.producer_or_acquire() as producer:
            return bool(producer.supports_batch_publish)
