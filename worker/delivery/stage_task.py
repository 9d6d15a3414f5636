"""The stage tasks' shared base: per-article fate, retries, poison batches and dead letters.

Each article of a payload keeps its own fate: a permanent error or an unexpected exception
dead-letters that article alone and the rest go on. A transient error retries the whole task with
backoff and jitter (every stage is idempotent, publishing included). A batch that keeps killing
its worker, or that runs past its soft time limit, is split into single-article chains from that
stage, so the one poison or slow article ends in the dead letters alone (a slow one as ``TooSlow``),
and the time limit is never blamed on whichever article happened to be running. A task is
acknowledged only once each of its articles went on or into the dead letters.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, TypeVar

import redis
from celery import Task
from celery.exceptions import Ignore, Reject, Retry, SoftTimeLimitExceeded
from celery.utils.time import get_exponential_backoff_interval
from pydantic import BaseModel

from tasks.errors import PoisonArticle, TooSlow, TransientError
from worker.delivery.chain import article_object, articles_of, id_of, pipeline_chain
from worker.delivery.deliveries import begin_delivery
from worker.runtime.signals import article_dead_lettered
from worker.settings import Settings, get_settings
from worker.stores.claims import ArticleClaims, Claim
from worker.stores.redis_client import REDIS_TRANSIENT_ERRORS, shared_client
from worker.stores.stream import DeadLetterFailed, dead_letter

log = logging.getLogger(__name__)
Parsed = TypeVar("Parsed")
Result = TypeVar("Result")

# Errors that retry the whole task: the same payload again is safe, every stage being idempotent.
RETRIED: tuple[type[Exception], ...] = (TransientError, *REDIS_TRANSIENT_ERRORS)
# Celery's own ways out of a task (retry, ignore, reject): never errors of an article.
CELERY_CONTROL = (Retry, Ignore, Reject)
# Not the error of the article running when it came: the task's time is up, whatever it runs.
OUT_OF_TIME = SoftTimeLimitExceeded


def _as_it_is(item: Any) -> Any:
    return item


class StageTask(Task):  # type: ignore[misc]
    """Base of the stage tasks: retries transient errors, dead-letters everything else, per article.

    A task is acknowledged only once each of its articles went on to the next stage or into the
    dead letters: when a dead letter cannot be written, the task is retried with backoff (as often
    as it takes), never acknowledged as done.
    """

    abstract = True
    stage = ""
    autoretry_for = RETRIED
    retry_backoff = 1
    retry_backoff_max = 60
    retry_jitter = True
    max_retries = get_settings().task_max_retries
    acks_late = True
    reject_on_worker_lost = True
    typing = False

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        items = articles_of(args[0] if args else None)
        settings, client = get_settings(), shared_client()
        attempt = int(self.request.retries or 0)
        try:
            delivery = begin_delivery(
                client, settings, task_id=self.request.id, attempt=attempt, stage=self.stage,
                article_id=id_of(items[0]), articles=len(items),
            )  # fmt: skip
        except REDIS_TRANSIENT_ERRORS as exc:
            raise self.retry(exc=exc, countdown=backoff_seconds(attempt)) from exc
        try:
            if delivery.count > settings.max_deliveries:
                if len(items) > 1:
                    self.split(items)
                    raise Ignore()
                raise PoisonArticle(
                    f"delivered {delivery.count} times without finishing (limit {settings.max_deliveries}): "
                    "it kills or hangs its worker"
                )
            try:
                return super().__call__(*args, **kwargs)
            except OUT_OF_TIME as exc:
                limit = f"soft time limit ({settings.soft_time_limit_seconds} s)"
                if len(items) > 1:  # each article gets the whole time of its own
                    self.split(items, why=f"ran past the {limit}")
                    raise Ignore() from exc
                raise TooSlow(f"ran past the {self.stage} stage's {limit} on its own") from exc
        except CELERY_CONTROL:
            raise
        except DeadLetterFailed as exc:
            self.keep(exc, attempt)
        except Exception as exc:  # permanent, unexpected, or transient past its retries: every article
            try:
                for item in items:
                    self.send_to_dead_letters(item, exc, attempts=max(attempt + 1, delivery.count - 1))
            except DeadLetterFailed as failed:
                self.keep(failed, attempt)
            raise Ignore() from exc
        finally:
            delivery.finish(client)

    def each(
        self,
        items: list[Any],
        work: Callable[[Parsed], Result],
        parse: Callable[[Any], Parsed] = _as_it_is,
    ) -> list[Result]:
        """``work(parse(item))`` on every article; one that fails for good is dead-lettered (as the
        payload it came in), the others go on."""
        done = []
        for item in items:
            try:
                done.append(work(parse(item)))
            except (*RETRIED, OUT_OF_TIME):
                raise
            except Exception as exc:  # permanent or unexpected: this article only
                self.send_to_dead_letters(item, exc)
        return done

    def each_batch(
        self,
        items: list[Any],
        work: Callable[[list[Parsed]], Sequence[Result]],
        parse: Callable[[Any], Parsed],
    ) -> list[Result]:
        """``work`` on the whole batch at once (one ``nlp.pipe``); when one article breaks the
        batch, the articles one by one, so that only the one that breaks is dead-lettered."""
        pairs: list[tuple[Any, Parsed]] = self.each(items, lambda item: (item, parse(item)))
        try:
            return list(work([parsed for _, parsed in pairs]))
        except (*RETRIED, OUT_OF_TIME):
            raise
        except Exception:  # find the article that breaks it: dead-letter the payload it came as
            return self.each([item for item, _ in pairs], lambda item: work([parse(item)])[0])

    @staticmethod
    def go_on(done: Sequence[BaseModel]) -> list[str]:
        """The articles for the next stage, each as its JSON text; when none is left, the chain
        stops here."""
        if not done:
            raise Ignore()
        # warnings off: a rebuilt record holds plain JSON values where its fields name models.
        return [article.model_dump_json(warnings=False) for article in done]

    def split(self, items: list[Any], why: str = "kept killing its worker") -> None:
        """Send each article of a batch that keeps killing its worker, or that ran out of time, on
        as a chain of its own."""
        for item in items:
            pipeline_chain(item, self.app, from_stage=self.stage).apply_async()
        log.warning("stage=%s outcome=split articles=%d (the batch %s)", self.stage, len(items), why)

    def keep(self, exc: DeadLetterFailed, attempt: int) -> NoReturn:
        """A dead letter could not be written: the task goes back on the queue with backoff, however
        many times it takes (its articles are neither lost nor acknowledged)."""
        log.error(
            "stage=%s article=%s outcome=dead_letter_failed error=%s attempt=%d (retried: not acknowledged)",
            self.stage, id_of(self.request.args[0] if self.request.args else None), exc, attempt,
        )  # fmt: skip
        try:
            self.retry(exc=exc, countdown=backoff_seconds(attempt), max_retries=sys.maxsize)
        except Reject as failed:  # Celery could not send the retry: put the message itself back
            raise Reject(str(exc), requeue=True) from failed
        raise Reject(str(exc), requeue=True)  # not reached: retry() raises Retry once it is sent

    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        """An error ``__call__`` did not handle (it handles every ``Exception``): dead-letter if we can."""
        for item in articles_of(args[0] if args else None):
            try:
                self.send_to_dead_letters(item, exc)
            except DeadLetterFailed:
                log.error("stage=%s article=%s outcome=dead_letter_failed", self.stage, id_of(item))

    def send_to_dead_letters(self, payload: Any, exc: BaseException, attempts: int | None = None) -> None:
        """Record the payload this stage got for one article (an article's JSON text as the object it
        holds), with the error, in the dead-letter stream, and let the door forget the article (so
        that enqueueing it again queues it).

        Raises ``DeadLetterFailed`` when the dead letter could not be written.
        """
        payload = article_object(payload)
        article_id = id_of(payload)
        attempts = attempts or int(self.request.retries or 0) + 1
        client, settings = shared_client(), get_settings()
        dead_letter(
            client, settings, article_id=article_id, stage=self.stage,
            error=exc, payload=payload, attempts=attempts,
        )  # fmt: skip
        article_dead_lettered.send(sender=self, stage=self.stage, error_class=type(exc).__name__)
        log.warning(
            "stage=%s article=%s outcome=dead_lettered error=%s attempts=%d",
            self.stage, article_id, type(exc).__name__, attempts,
        )  # fmt: skip
        forget_at_door(client, settings, payload)


def forget_at_door(client: redis.Redis, settings: Settings, payload: Any) -> None:
    """Release the door's claim on a dead-lettered article (its id and canonical URL): it is
    neither queued nor published any more. Best effort: the dead letter is written already."""
    article_id = id_of(payload)
    if article_id is None:
        return
    url = payload.get("url") if isinstance(payload, dict) else None
    try:
        ArticleClaims(client, settings).release([Claim(article_id, url if isinstance(url, str) else None)])
    except (redis.RedisError, ValueError) as exc:
        log.warning("article=%s outcome=door_not_released error=%s", article_id, type(exc).__name__)


def backoff_seconds(attempt: int) -> int:
    """Exponential backoff with full jitter for the given retry attempt, capped at a minute."""
    return int(get_exponential_backoff_interval(factor=1, retries=attempt, maximum=60, full_jitter=True))
