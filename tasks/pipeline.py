"""The pipeline's Celery tasks, and the chain that runs them: the only Celery code in ``tasks``.

Each task is like a web view: it decodes its payload, calls the stage function (which lives in
``worker.stages``, on top of the pure functions of this package), and encodes the result for the
next task. Transient failures are retried with exponential backoff and jitter; permanent ones,
and transient ones that keep failing, go to the dead-letter stream with their reason.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Celery, Task, chain
from celery.canvas import Signature
from celery.exceptions import Ignore
from celery.utils.time import get_exponential_backoff_interval

from tasks.errors import PermanentError, PoisonArticle, TransientError
from tasks.models import CleanedArticle, ExtractedArticle, SummarisedArticle
from worker import duplicates, stages, stream
from worker.app import app
from worker.deliveries import begin_delivery
from worker.redis_client import REDIS_TRANSIENT_ERRORS, shared_client
from worker.settings import STAGES, get_settings
from worker.signals import article_dead_lettered

log = logging.getLogger(__name__)


class StageTask(Task):  # type: ignore[misc]
    """Base of the stage tasks: retries transient errors, dead-letters everything else."""

    abstract = True
    stage = ""
    autoretry_for = (TransientError, *REDIS_TRANSIENT_ERRORS)
    retry_backoff = 1
    retry_backoff_max = 60
    retry_jitter = True
    max_retries = get_settings().task_max_retries
    acks_late = True
    reject_on_worker_lost = True
    typing = False

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        payload = args[0] if args else None
        settings, client = get_settings(), shared_client()
        attempt = int(self.request.retries or 0)
        try:
            delivery = begin_delivery(
                client,
                settings,
                task_id=self.request.id,
                attempt=attempt,
                stage=self.stage,
                article_id=_article_id(payload),
            )
        except REDIS_TRANSIENT_ERRORS as exc:
            raise self.retry(exc=exc, countdown=backoff_seconds(attempt)) from exc
        try:
            if delivery.count > settings.max_deliveries:
                raise PoisonArticle(
                    f"delivered {delivery.count} times without finishing (limit {settings.max_deliveries}): "
                    "it kills or hangs its worker"
                )
            return super().__call__(*args, **kwargs)
        except PermanentError as exc:
            self.send_to_dead_letters(payload, exc, attempts=max(attempt + 1, delivery.count - 1))
            raise Ignore() from exc
        finally:
            delivery.finish(client)

    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        """An unexpected error, a hard time limit, or a transient error that outlived its retries."""
        self.send_to_dead_letters(args[0] if args else None, exc)

    def send_to_dead_letters(self, payload: Any, exc: BaseException, attempts: int | None = None) -> None:
        """Record the payload this stage got, with the error, in the dead-letter stream."""
        article_id = _article_id(payload)
        attempts = attempts or int(self.request.retries or 0) + 1
        stream.dead_letter(
            shared_client(),
            get_settings(),
            article_id=article_id,
            stage=self.stage,
            error=exc,
            payload=payload,
            attempts=attempts,
        )
        article_dead_lettered.send(sender=self, stage=self.stage, error_class=type(exc).__name__)
        log.warning(
            "stage=%s article=%s outcome=dead_lettered error=%s attempts=%d",
            self.stage,
            article_id,
            type(exc).__name__,
            attempts,
        )


def _article_id(payload: Any) -> str | None:
    value = payload.get("id") if isinstance(payload, dict) else None
    return str(value) if value else None


def backoff_seconds(attempt: int) -> int:
    """Exponential backoff with full jitter for the given retry attempt, capped at a minute."""
    return int(get_exponential_backoff_interval(factor=1, retries=attempt, maximum=60, full_jitter=True))


@app.task(name="newsflow.clean", base=StageTask, bind=True, stage="clean")
def clean(self: StageTask, record: Any) -> dict[str, Any]:
    """Clean an input record."""
    return stages.run_clean(get_settings(), record).model_dump(mode="json")


@app.task(name="newsflow.extract", base=StageTask, bind=True, stage="extract")
def extract(self: StageTask, payload: dict[str, Any]) -> dict[str, Any]:
    """Extract entities, keyphrases and sentences from a cleaned article."""
    article = CleanedArticle.model_validate(payload)
    return stages.run_extract(get_settings(), [article])[0].model_dump(mode="json")


@app.task(name="newsflow.summarise", base=StageTask, bind=True, stage="summarise")
def summarise(self: StageTask, payload: dict[str, Any]) -> dict[str, Any]:
    """Summarise an extracted article."""
    article = ExtractedArticle.model_validate(payload)
    return stages.run_summarise(get_settings(), article).model_dump(mode="json")


@app.task(name="newsflow.publish", base=StageTask, bind=True, stage="publish")
def publish(self: StageTask, payload: dict[str, Any]) -> dict[str, Any]:
    """Publish a summarised article to the results stream, once per article id."""
    article = stages.finalise(SummarisedArticle.model_validate(payload))
    article, fingerprint = duplicates.mark(shared_client(), get_settings(), article)
    outcome = stream.publish_once(shared_client(), get_settings(), article.id, article.model_dump_json())
    duplicates.remember_published(shared_client(), get_settings(), article.id, fingerprint)
    return {
        "id": article.id,
        "entry_id": outcome.entry_id,
        "created": outcome.created,
        "duplicate_kind": article.duplicate_kind,
    }


STAGE_TASKS = tuple(f"newsflow.{stage}" for stage in STAGES)


def pipeline_chain(
    record: dict[str, Any], celery_app: Celery | None = None, from_stage: str = "clean"
) -> Signature:
    """The chain clean → extract → summarise → publish for one input record (or, with
    ``from_stage``, the rest of it from that stage on, for a payload that stage takes), sent through
    ``celery_app`` (by default the worker's app); tasks are named, so the producer's app needs no
    task code."""
    celery_app = celery_app or app
    first, *rest = STAGE_TASKS[STAGES.index(from_stage) :]
    return chain(celery_app.signature(first, args=(record,)), *(celery_app.signature(name) for name in rest))
