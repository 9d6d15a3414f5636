"""The pipeline's Celery tasks, and the chain that runs them: the only Celery code in ``tasks``.

Each task is like a web view: it decodes its payload, calls the stage function (which lives in
``worker.stages``, on top of the pure functions of this package), and encodes the result for the
next task.

A payload is one article or a batch of them (a list): the producer packs up to
``NEWSFLOW_ARTICLE_BATCH_SIZE`` articles into one chain when it has many at hand, so Celery's
per-message cost is shared and the extract stage feeds the whole batch to one ``nlp.pipe`` call.
Each article keeps its own fate: a permanent error or an unexpected exception dead-letters that
article alone and the rest go on. A transient error retries the whole task with backoff and jitter
(every stage is idempotent, publishing included). A batch that keeps killing its worker is split
into single-article chains from the stage that died, so the one poison article ends in the dead
letters alone.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import redis
from celery import Celery, Task, chain
from celery.canvas import Signature
from celery.exceptions import Ignore, Reject, Retry
from celery.utils.time import get_exponential_backoff_interval

from tasks.errors import PoisonArticle, TransientError
from tasks.models import MAX_ID_LENGTH, CleanedArticle, ExtractedArticle, SummarisedArticle
from worker import duplicates, stages, stream
from worker.app import app
from worker.deliveries import begin_delivery
from worker.door import Claim, Door
from worker.redis_client import REDIS_TRANSIENT_ERRORS, shared_client
from worker.settings import STAGES, Settings, get_settings
from worker.signals import article_dead_lettered
from worker.stream import DeadLetterFailed

log = logging.getLogger(__name__)
Result = TypeVar("Result")
Payload = dict[str, Any] | list[dict[str, Any]]

# Errors that retry the whole task: the same payload again is safe, every stage being idempotent.
RETRIED: tuple[type[Exception], ...] = (TransientError, *REDIS_TRANSIENT_ERRORS)
# Celery's own ways out of a task (retry, ignore, reject): never errors of an article.
CELERY_CONTROL = (Retry, Ignore, Reject)


def articles_of(payload: Any) -> list[Any]:
    """The articles of a payload: a batch (list) as it is, a single article as a batch of one."""
    return payload if isinstance(payload, list) else [payload]


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
                article_id=_article_id(items[0]), articles=len(items),
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
            return super().__call__(*args, **kwargs)
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

    def each(self, items: list[Any], work: Callable[[Any], Result]) -> list[Result]:
        """``work`` on every article; one that fails for good is dead-lettered, the others go on."""
        done = []
        for item in items:
            try:
                done.append(work(item))
            except RETRIED:
                raise
            except Exception as exc:  # permanent or unexpected: this article only
                self.send_to_dead_letters(item, exc)
        return done

    def split(self, items: list[Any]) -> None:
        """Send each article of a batch that keeps killing its worker on as a chain of its own."""
        for item in items:
            pipeline_chain(item, self.app, from_stage=self.stage).apply_async()
        log.warning(
            "stage=%s outcome=split articles=%d (the batch kept killing its worker)", self.stage, len(items)
        )

    def keep(self, exc: DeadLetterFailed, attempt: int) -> NoReturn:
        """A dead letter could not be written: the task goes back on the queue with backoff, however
        many times it takes (its articles are neither lost nor acknowledged)."""
        log.error(
            "stage=%s article=%s outcome=dead_letter_failed error=%s attempt=%d (retried: not acknowledged)",
            self.stage, _article_id(self.request.args[0] if self.request.args else None), exc, attempt,
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
                log.error("stage=%s article=%s outcome=dead_letter_failed", self.stage, _article_id(item))

    def send_to_dead_letters(self, payload: Any, exc: BaseException, attempts: int | None = None) -> None:
        """Record the payload this stage got for one article, with the error, in the dead-letter stream,
        and let the door forget the article (so that enqueueing it again queues it).

        Raises ``DeadLetterFailed`` when the dead letter could not be written.
        """
        article_id = _article_id(payload)
        attempts = attempts or int(self.request.retries or 0) + 1
        client, settings = shared_client(), get_settings()
        stream.dead_letter(
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
    article_id = _article_id(payload)
    if article_id is None:
        return
    url = payload.get("url") if isinstance(payload, dict) else None
    try:
        Door(client, settings).release([Claim(article_id, url if isinstance(url, str) else None)])
    except (redis.RedisError, ValueError) as exc:
        log.warning("article=%s outcome=door_not_released error=%s", article_id, type(exc).__name__)


def _article_id(payload: Any) -> str | None:
    value = payload.get("id") if isinstance(payload, dict) else None
    # A valid id is never longer; a longer one (a record pushed around the door) is cut for the logs.
    return str(value)[:MAX_ID_LENGTH] if value else None


def backoff_seconds(attempt: int) -> int:
    """Exponential backoff with full jitter for the given retry attempt, capped at a minute."""
    return int(get_exponential_backoff_interval(factor=1, retries=attempt, maximum=60, full_jitter=True))


def _go_on(done: list[Result]) -> list[Result]:
    """The articles for the next stage; when none is left, the chain stops here."""
    if not done:
        raise Ignore()
    return done


@app.task(name="newsflow.clean", base=StageTask, bind=True, stage="clean")
def clean(self: StageTask, payload: Payload) -> list[dict[str, Any]]:
    """Clean input records."""
    settings = get_settings()
    return _go_on(
        self.each(articles_of(payload), lambda r: stages.run_clean(settings, r).model_dump(mode="json"))
    )


@app.task(name="newsflow.extract", base=StageTask, bind=True, stage="extract")
def extract(self: StageTask, payload: Payload) -> list[dict[str, Any]]:
    """Extract entities, keyphrases and sentences from cleaned articles, one nlp.pipe per batch."""
    settings = get_settings()
    items = articles_of(payload)
    pairs = self.each(items, lambda item: (item, CleanedArticle.model_validate(item)))
    try:
        extracted = stages.run_extract(settings, [article for _, article in pairs])
    except RETRIED:
        raise
    except Exception:  # one article breaks the batch: run them one by one to find it (and dead-letter
        # the payload it came as, so that it can be replayed)
        extracted = self.each(
            [item for item, _ in pairs],
            lambda item: stages.run_extract(settings, [CleanedArticle.model_validate(item)])[0],
        )
    return _go_on([article.model_dump(mode="json") for article in extracted])


@app.task(name="newsflow.summarise", base=StageTask, bind=True, stage="summarise")
def summarise(self: StageTask, payload: Payload) -> list[dict[str, Any]]:
    """Summarise extracted articles."""
    settings = get_settings()

    def one(item: dict[str, Any]) -> dict[str, Any]:
        return stages.run_summarise(settings, ExtractedArticle.model_validate(item)).model_dump(mode="json")

    return _go_on(self.each(articles_of(payload), one))


@app.task(name="newsflow.publish", base=StageTask, bind=True, stage="publish")
def publish(self: StageTask, payload: Payload) -> list[dict[str, Any]]:
    """Publish summarised articles to the results stream, once per article id.

    The batch costs three round trips: duplicate lookups, the publishing scripts (each article
    atomically appended and marked), and remembering the fingerprints of what was published; all
    three under the publishing lock (two more round trips), so two copies of a story published
    at the same moment by two workers cannot both pass as originals.
    """
    settings, client = get_settings(), shared_client()
    articles = self.each(
        articles_of(payload), lambda item: stages.finalise(SummarisedArticle.model_validate(item))
    )
    # The CPU work, before taking the lock.
    prints = duplicates.fingerprints(articles) if settings.duplicate_detection else None
    with duplicates.publishing_lock(client, settings):
        marked = duplicates.mark_many(client, settings, articles, prints)
        outcomes = stream.publish_many(
            client, settings, [(article.id, article.model_dump_json()) for article, _ in marked]
        )
        # Only originals are remembered, so that every later copy points at the first one published.
        originals = [(a.id, p) for a, p in marked if p is not None and a.duplicate_of is None]
        duplicates.remember_many(client, settings, originals)
    return [
        {
            "id": article.id,
            "entry_id": outcome.entry_id,
            "created": outcome.created,
            "duplicate_kind": article.duplicate_kind,
            "enqueued_at": article.enqueued_at,
        }
        for (article, _), outcome in zip(marked, outcomes, strict=True)
    ]


STAGE_TASKS = tuple(f"newsflow.{stage}" for stage in STAGES)


def pipeline_chain(
    payload: Payload, celery_app: Celery | None = None, from_stage: str = "clean"
) -> Signature:
    """The chain clean → extract → summarise → publish for one record or a batch of records (or,
    with ``from_stage``, the rest of it from that stage on, for a payload that stage takes), sent
    through ``celery_app`` (by default the worker's app); tasks are named, so the producer's app
    needs no task code."""
    celery_app = celery_app or app
    first, *rest = STAGE_TASKS[STAGES.index(from_stage) :]
    return chain(celery_app.signature(first, args=(payload,)), *(celery_app.signature(name) for name in rest))
