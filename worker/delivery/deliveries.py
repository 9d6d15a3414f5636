"""Delivery records: which pool process holds which task, and how often a task was delivered.

A task that is delivered again and again without ever finishing kills or hangs its worker (a poison
article). Each delivery of a task attempt increments a counter in Redis before the task runs and
deletes it when the task ends in any way; a counter that survives means the process died holding it.
Past ``max_deliveries`` the article goes to the dead letters instead of running again.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass

import redis

from worker.escaping import storable
from worker.settings import Settings

# A record outlives the longest redelivery cycle, then goes away by itself.
DELIVERY_RECORD_TTL_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True, slots=True)
class Delivery:
    """One delivery of one attempt of one task."""

    key: str
    count: int

    def finish(self, client: redis.Redis) -> None:
        """The task ended (success, retry, dead letter): forget the delivery record."""
        with contextlib.suppress(redis.RedisError):
            client.delete(self.key)


def delivery_key(settings: Settings, task_id: str, attempt: int) -> str:
    """The key of a task attempt's delivery record."""
    return settings.key("deliveries", f"{task_id}:{attempt}")


def begin_delivery(
    client: redis.Redis,
    settings: Settings,
    *,
    task_id: str,
    attempt: int,
    stage: str,
    article_id: str | None,
    articles: int = 1,
) -> Delivery:
    """Count this delivery and record who holds it (process, stage, first article and how many)."""
    key = delivery_key(settings, task_id, attempt)
    pipe = client.pipeline(transaction=True)
    pipe.hincrby(key, "count", 1)
    pipe.hset(
        key,
        mapping={
            "pid": os.getpid(),
            "stage": stage,
            "article_id": storable(article_id or ""),  # an id sent around the door may not encode
            "articles": articles,
            "since": f"{time.time():.3f}",
        },
    )
    pipe.expire(key, DELIVERY_RECORD_TTL_SECONDS)
    count, *_ = pipe.execute()
    return Delivery(key=key, count=int(count))


def in_flight(client: redis.Redis, settings: Settings) -> list[dict[str, str]]:
    """Every delivery record: tasks being processed now, or held by a process that died."""
    records = []
    for key in client.scan_iter(match=settings.key("deliveries", "*"), count=500):
        fields = client.hgetall(key)
        if fields:
            records.append({"key": str(key), **{str(k): str(v) for k, v in fields.items()}})
    return records
