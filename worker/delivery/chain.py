"""The chain's wire format: which tasks, by name, in which order, and what a payload is.

One definition, used by the Celery tasks, the producers' fast sender and the dead-letter replay.
Tasks are addressed by name, so sending a chain needs no task code (a producer never loads
trafilatura or spaCy).
"""

from __future__ import annotations

from typing import Any

from celery import Celery, chain
from celery.canvas import Signature
from pydantic_core import from_json

from tasks.models import MAX_ID_LENGTH
from worker.settings import STAGES

# A payload is one article or a batch of them (a list): the producer packs up to
# ``NEWSFLOW_ARTICLE_BATCH_SIZE`` articles into one chain when it has many at hand. An article is
# a JSON object (from a producer, or a dead letter replayed) or, between our own stages, the JSON
# text of one: the broker's codec then carries one string per article instead of walking every
# nested entity and sentence, in the worker's main process (which decodes each message to route
# it) and in its pool, and the next stage parses the text in one call.
Article = dict[str, Any] | str
Payload = Article | list[Article]

STAGE_TASKS = tuple(f"newsflow.{stage}" for stage in STAGES)


def articles_of(payload: Any) -> list[Any]:
    """The articles of a payload: a batch (list) as it is, a single article as a batch of one."""
    return payload if isinstance(payload, list) else [payload]


def article_object(article: Any) -> Any:
    """An article of a payload as a JSON object: a stage's JSON text decoded; anything else (a text
    that is not JSON included) as it is."""
    if isinstance(article, str):
        try:
            return from_json(article)
        except ValueError:
            return article
    return article


def id_of(article: Any) -> str | None:
    """The id an article of a payload carries, if any (for logs and dead letters)."""
    decoded = article_object(article)
    value = decoded.get("id") if isinstance(decoded, dict) else None
    # A valid id is never longer; a longer one (a record pushed around the door) is cut for the logs.
    return str(value)[:MAX_ID_LENGTH] if value else None


def pipeline_chain(
    payload: Payload, celery_app: Celery | None = None, from_stage: str = "clean"
) -> Signature:
    """The chain clean → extract → summarise → publish for one record or a batch of records (or,
    with ``from_stage``, the rest of it from that stage on, for a payload that stage takes), sent
    through ``celery_app`` (by default the worker's app)."""
    if celery_app is None:
        from worker.app import app

        celery_app = app
    conf = celery_app.conf
    # The options the first task's own class would add to its message: a sender that has not
    # loaded the task code (a producer, a replay) sends the same message as the workers do.
    options = {
        "time_limit": conf.task_time_limit,
        "soft_time_limit": conf.task_soft_time_limit,
        "ignore_result": conf.task_ignore_result,
    }
    first, *rest = STAGE_TASKS[STAGES.index(from_stage) :]
    return chain(
        celery_app.signature(first, args=(payload,), options=options),
        *(celery_app.signature(name) for name in rest),
    )
