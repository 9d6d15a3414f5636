"""Producers outlive Redis restarts: a Redis call that fails to connect is retried with backoff."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

import redis
from kombu.exceptions import BatchPublishError, OperationalError
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_never
from tenacity.wait import wait_exponential, wait_random

from worker.stores.redis_client import REDIS_TRANSIENT_ERRORS

log = logging.getLogger(__name__)
T = TypeVar("T")

# What Redis being down or restarting looks like, from redis-py and from kombu (Celery's sends).
CONNECTION_ERRORS: tuple[type[Exception], ...] = (
    *REDIS_TRANSIENT_ERRORS,
    redis.ReadOnlyError,
    OperationalError,
    BatchPublishError,
)
FIRST_WAIT_SECONDS = 0.2
MAX_WAIT_SECONDS = 10.0


class Reconnecting:
    """Runs Redis operations, retrying connection errors forever with capped exponential backoff."""

    def __init__(
        self,
        notify: Callable[[str], None],
        sleep: Callable[[float], None] = time.sleep,
        first_wait: float = FIRST_WAIT_SECONDS,
        max_wait: float = MAX_WAIT_SECONDS,
    ) -> None:
        self._notify = notify
        self._sleep = sleep
        self._wait = wait_exponential(multiplier=first_wait, max=max_wait) + wait_random(0, first_wait)
        self.retries = 0

    def call(self, operation: Callable[[], T], what: str) -> T:
        """``operation()``, retried until Redis answers; ``what`` names it in the messages."""

        def before_sleep(state: RetryCallState) -> None:
            self.retries += 1
            error = state.outcome.exception() if state.outcome else None
            wait = state.next_action.sleep if state.next_action else 0.0
            self._notify(f"Redis unavailable while {what} ({type(error).__name__}): retrying in {wait:.1f}s")

        retrying = Retrying(
            retry=retry_if_exception_type(CONNECTION_ERRORS),
            wait=self._wait,
            stop=stop_never,
            before_sleep=before_sleep,
            reraise=True,
            sleep=self._sleep,
        )
        before = self.retries
        result = retrying(operation)
        if self.retries > before:
            self._notify(f"Redis answers again: {what} went through")
        return result
