"""The producer's fast path: pipeline chains sent in batches, one Redis round trip per batch.

Messages are made by Celery's own message factory (``app.amqp.create_task_message``: task
protocol 2, JSON, the rest of the chain embedded and frozen as ``celery.chain`` does it) and sent
by Celery's own ``send_task_message`` (so publish signals still fire); workers cannot tell them
from what ``worker.delivery.chain.pipeline_chain(...).apply_async()`` sends (a test compares the two
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
from worker.delivery.chain import STAGE_TASKS
from worker.settings import Settings


def producer_app(settings: Settings) -> Celery:
    """A Celery app for sending: as the workers', but with Redis batch publishing allowed.

    kombu refuses to pipeline when redis-py may replay a command on time-out (a replayed
    pipeline could push twice), so the producer turns ``retry_on_timeout`` off and retries
    whole batches itself (``worker.stores.reconnect``).
    """
    app = create_app(settings)
    options = dict(app.conf.broker_transport_options)
    options["retry_on_timeout"] = False
    app.conf.broker_transport_options = options
    return app


class TaskSender:
    """Sends pipeline chains of up to ``articles_per_chain`` records each (a single record goes as
    itself, more as a list), all of one ``send`` in one Redis round trip."""

    def __init__(self, app: Celery, queue: str, articles_per_chain: int = 1) -> None:
        self.app = app
        self.queue = queue
        self.articles_per_chain = max(1, articles_per_chain)
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
        size = self.articles_per_chain
        groups = [records[i : i + size] for i in range(0, len(records), size)]
        with self.app.producer_or_acquire() as producer, producer.batch(max_size=len(groups) + 1):
            for group in groups:
                task_id = uuid()
                payload: Any = group[0] if len(group) == 1 else list(group)
                message = amqp.create_task_message(
                    task_id,
                    self._first,
                    (payload,),
                    {},
                    reply_to=self.app.thread_oid,
                    time_limit=conf.task_time_limit,
                    soft_time_limit=conf.task_soft_time_limit,
                    create_sent_event=conf.task_send_sent_event,
                    root_id=task_id,
                    chain=[self._frozen(template) for template in self._rest],
                    ignore_result=conf.task_ignore_result,
                    # What Celery shows for the task's arguments: the id, never the article's text.
                    argsrepr=_argsrepr(group),
                )
                # No per-message declare (the queue needs none on Redis) and no per-message retry:
                # a failed batch is retried whole by the caller.
                amqp.send_task_message(
                    producer, self._first, message, queue=self.queue, retry=False, declare=[]
                )

    def messages_for(self, articles: int) -> int:
        """How many messages ``articles`` records go out as."""
        return -(-articles // self.articles_per_chain)

    def _frozen(self, template: dict[str, Any]) -> dict[str, Any]:
        return {**template, "options": {"task_id": uuid(), "reply_to": self.app.thread_oid}}

    @property
    def batching(self) -> bool:
        """Whether this app's transport pipelines a batch (else kombu pushes each message alone)."""
        with self.app.producer_or_acquire() as producer:
            return bool(producer.supports_batch_publish)


def _argsrepr(group: Sequence[dict[str, Any]]) -> str:
    """What Celery shows for a task's arguments: the article ids, never their text."""
    if len(group) == 1:
        return f"(<article {group[0].get('id', '?')}>,)"
    return f"(<{len(group)} articles {group[0].get('id', '?')}…{group[-1].get('id', '?')}>,)"
