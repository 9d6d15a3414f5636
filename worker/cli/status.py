"""What ``newsflow status`` reports: queues, workers, published and dead-lettered counts."""

from __future__ import annotations

from typing import Any

import redis

from worker.runtime.heartbeat import alive_workers
from worker.settings import STAGES, Settings


def read_status(settings: Settings, client: redis.Redis) -> dict[str, Any]:
    """The pipeline's state as plain data (the Redis URL with its password hidden)."""
    pipe = client.pipeline(transaction=False)
    for stage in STAGES:
        pipe.llen(settings.queue(stage))
    pipe.get(settings.key("published_total"))
    pipe.xlen(settings.dead_letter_stream)
    pipe.xlen(settings.results_stream)
    values = pipe.execute()
    workers = alive_workers(client, settings)
    return {
        "redis": settings.redis_location(),
        "queues": {stage: int(values[i]) for i, stage in enumerate(STAGES)},
        "published": int(values[len(STAGES)] or 0),
        "dead_letters": int(values[len(STAGES) + 1]),
        "results_stream_length": int(values[len(STAGES) + 2]),
        "workers_alive": len(workers),
        "workers": workers,
    }
