"""Worker heartbeats in Redis, so ``status`` and health checks know which workers are alive."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time

import redis

from worker import __version__
from worker.settings import Settings

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10
HEARTBEAT_TTL_SECONDS = 3 * HEARTBEAT_SECONDS


def heartbeat_key(settings: Settings, name: str) -> str:
    """The key a worker refreshes while it lives."""
    return settings.key("workers", name)


def worker_name() -> str:
    """This worker's name in the heartbeat keys: host and main-process pid."""
    return f"{socket.gethostname()}-{os.getpid()}"


class Heartbeat:
    """Refreshes this worker's heartbeat key from a daemon thread until stopped."""

    def __init__(self, client: redis.Redis, settings: Settings, concurrency: int) -> None:
        self._client = client
        self._key = heartbeat_key(settings, worker_name())
        self._fields = {
            "pid": str(os.getpid()),
            "host": socket.gethostname(),
            "version": __version__,
            "concurrency": str(concurrency),
            "started_at": f"{time.time():.3f}",
        }
        self._stop = threading.Event()
        self.last_beat = 0.0

    def start(self) -> None:
        """Beat now and then every few seconds."""
        threading.Thread(target=self._run, name="newsflow-heartbeat", daemon=True).start()

    def stop(self) -> None:
        """Stop beating and remove the key."""
        self._stop.set()
        with contextlib.suppress(redis.RedisError):
            self._client.delete(self._key)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                pipe = self._client.pipeline()
                pipe.hset(self._key, mapping={**self._fields, "beat_at": f"{time.time():.3f}"})  # type: ignore[dict-item]
                pipe.expire(self._key, HEARTBEAT_TTL_SECONDS)
                pipe.execute()
                self.last_beat = time.monotonic()
            except redis.RedisError as exc:
                log.warning("heartbeat failed: %s", type(exc).__name__)
            self._stop.wait(HEARTBEAT_SECONDS)


def alive_workers(client: redis.Redis, settings: Settings) -> list[str]:
    """Names of the workers whose heartbeat has not expired."""
    prefix = heartbeat_key(settings, "")
    return sorted(key[len(prefix) :] for key in client.scan_iter(match=prefix + "*", count=500))
