"""Connections to Redis from the settings' URL, with retries on connection errors."""

from __future__ import annotations

from functools import lru_cache

import redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.retry import Retry

from worker.settings import Settings, get_settings

# Exceptions that mean "Redis is not answering right now", worth a retry.
REDIS_TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    redis.ConnectionError,
    redis.TimeoutError,
    redis.BusyLoadingError,
)


def connect(settings: Settings, retries: int = 3) -> redis.Redis:
    """A Redis client for the settings' URL, retrying a failed command a few times with backoff."""
    return redis.Redis.from_url(
        settings.redis_url.get_secret_value(),
        decode_responses=True,
        socket_timeout=30,
        socket_connect_timeout=10,
        health_check_interval=25,
        retry=Retry(ExponentialWithJitterBackoff(base=0.1, cap=2.0), retries),
        retry_on_error=list(REDIS_TRANSIENT_ERRORS),
        **settings.redis_tls_options(),
    )


@lru_cache(maxsize=1)
def shared_client() -> redis.Redis:
    """This process's Redis client for the environment's settings (one pool per process)."""
    return connect(get_settings())
