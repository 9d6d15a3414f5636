"""Celery signal handlers: per-process set-up, metrics from task lifecycle events, the HTTP server.

Metrics are recorded here, from lifecycle hooks, never inside task bodies.
"""

from __future__ import annotations

import logging
import os
import time
from datetime import UTC, datetime
from typing import Any

from celery import signals
from celery.utils.dispatch import Signal

from worker import __version__, metrics
from worker.delivery.chain import article_object, articles_of, id_of
from worker.runtime.logs import configure_logging
from worker.settings import get_settings

log = logging.getLogger("newsflow.worker")

# Sent by the stage tasks when they dead-letter an article.
article_dead_lettered = Signal(name="article_dead_lettered")

_started: dict[str, float] = {}
# The stages whose results the metrics read (sizes, languages, entity counts, publishing outcomes):
# their articles' JSON texts are decoded here; the summariser's are only counted.
_RESULTS_READ = frozenset({"clean", "extract", "publish"})
_STATE_OUTCOME = {
    "SUCCESS": "ok",
    "RETRY": "retried",
    "IGNORED": "ignored",
    "FAILURE": "failed",
}


@signals.setup_logging.connect
def _setup_logging(**_: Any) -> None:
    configure_logging(get_settings().log_level)


@signals.worker_init.connect
def _init_worker(sender: Any = None, **_: Any) -> None:
    """In the main process, before the pool forks: what every pool process would otherwise redo."""
    settings = get_settings()
    consumed = getattr(getattr(getattr(sender, "app", None), "amqp", None), "queues", None)
    cleans = consumed is None or settings.queue("clean") in (consumed.consume_from or consumed)
    if settings.warm_up_date_parser and cleans:
        from tasks.clean.warm_up import warm_up_date_parser

        configure_logging(settings.log_level)  # Celery sets up logging after this signal
        started = time.monotonic()
        warm_up_date_parser()
        log.info("date parser warmed up in %.1f s (before the pool forks)", time.monotonic() - started)


@signals.worker_process_init.connect
def _init_pool_process(**_: Any) -> None:
    """Load the model and connect to Redis once per pool process, before its first task."""
    from tasks.clean.language import detect_language
    from worker.nlp import model_info
    from worker.runtime.allocator import keep_freed_memory

    settings = get_settings()
    keep_freed_memory(settings.allocator_keep_mb)
    info = model_info(settings)
    # The language model loads on first use: load it now, not inside the first article's time.
    detect_language("The language model is loaded once per process, before the first article.")
    if settings.metrics_enabled:
        metrics.WORKER_INFO.labels(__version__, info["model"], info["model_version"]).set(1)


@signals.worker_process_shutdown.connect
def _pool_process_down(pid: int | None = None, **_: Any) -> None:
    metrics.mark_process_dead(pid or os.getpid())


_heartbeat: Any = None


@signals.worker_ready.connect
def _worker_ready(sender: Any = None, **_: Any) -> None:
    """Start the heartbeat and serve /metrics and /healthz from the worker's main process."""
    global _heartbeat  # noqa: PLW0603 - one heartbeat per worker main process
    from worker.runtime.health import pool_health, redis_health, serve, worker_health
    from worker.runtime.heartbeat import Heartbeat
    from worker.stores.redis_client import connect

    settings = get_settings()
    client = connect(settings)
    concurrency = getattr(getattr(sender, "controller", None), "concurrency", 0) or settings.concurrency
    _heartbeat = Heartbeat(client, settings, concurrency)
    _heartbeat.start()
    log.info(
        "worker ready",
        extra={"queues": [settings.queue(s) for s in ("clean", "extract", "summarise", "publish")]},
    )
    if not settings.metrics_port:
        return
    try:
        serve(
            settings.metrics_host,
            settings.metrics_port,
            metrics.scrape_registry(client, settings),
            [redis_health(client), worker_health(sender, _heartbeat)],
            [pool_health()],
        )
    except OSError as exc:
        log.error(
            "metrics server not started on %s:%d: %s",
            settings.metrics_host,
            settings.metrics_port,
            exc,
        )


@signals.worker_shutdown.connect
def _worker_shutdown(**_: Any) -> None:
    if _heartbeat is not None:
        _heartbeat.stop()


@signals.task_prerun.connect
def _task_started(task_id: str | None = None, **_: Any) -> None:
    if task_id:
        _started[task_id] = time.perf_counter()


@signals.task_postrun.connect
def _task_finished(
    task_id: str | None = None,
    task: Any = None,
    args: Any = None,
    retval: Any = None,
    state: str | None = None,
    **_: Any,
) -> None:
    stage = getattr(task, "stage", "")
    started = _started.pop(task_id or "", None)
    if not stage:
        return
    duration = time.perf_counter() - started if started is not None else None
    received = articles_of(args[0]) if args and args[0] is not None else []
    results = articles_of(retval) if state == "SUCCESS" and retval is not None else []
    if stage in _RESULTS_READ:
        results = [article_object(result) for result in results]
    outcomes = article_outcomes(stage, state, received, results)
    for outcome, count in outcomes.items():
        log.info(
            "stage %s",
            outcome,
            extra={
                "stage": stage,
                "articles": count,
                "article_id": id_of(received[0]) if len(received) == 1 else None,
                "outcome": outcome,
                "duration_s": round(duration, 6) if duration is not None else None,
                "task_id": task_id,
            },
        )
    if get_settings().metrics_enabled:
        _record(stage, outcomes, duration, received, results)


def article_outcomes(
    stage: str, state: str | None, received: list[Any], results: list[Any]
) -> dict[str, int]:
    """How many of a task's articles ended in each outcome.

    Dead-lettered articles are counted when they are dead-lettered (``article_dead_lettered``),
    so a task that was ignored (every article dead-lettered, or the batch split) adds nothing here.
    """
    outcome = _STATE_OUTCOME.get(state or "", "failed")
    if outcome in ("retried", "failed"):
        return {outcome: len(received)}
    if outcome != "ok":
        return {}
    counts: dict[str, int] = {}
    for result in results:
        if not isinstance(result, dict):  # an article's JSON text, not read here: on it went
            kind = "ok"
        elif stage == "extract" and result.get("entities_skipped"):
            kind = "skipped_language"
        elif stage == "publish" and result.get("created") is False:
            kind = "duplicate"
        else:
            kind = "ok"
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def _record(
    stage: str,
    outcomes: dict[str, int],
    duration: float | None,
    received: list[Any],
    results: list[Any],
) -> None:
    for outcome, count in outcomes.items():
        metrics.STAGE_ARTICLES.labels(stage, outcome).inc(count)
    if duration is not None and received:
        per_article = duration / len(received)
        for _ in received:
            metrics.STAGE_DURATION.labels(stage).observe(per_article)
    if outcomes.get("duplicate"):
        metrics.DUPLICATES.labels("id").inc(outcomes["duplicate"])
    for result in results:
        if not isinstance(result, dict):
            continue
        if stage == "clean":
            metrics.ARTICLE_SIZE.observe(len(result.get("text") or ""))
            metrics.ARTICLE_LANGUAGES.labels(metrics.language_label(result.get("language"))).inc()
        elif stage == "extract":
            metrics.ARTICLE_ENTITIES.observe(len(result.get("entities") or ()))
        elif stage == "publish" and result.get("created"):
            metrics.ARTICLES_PUBLISHED.inc()
            if result.get("duplicate_kind"):
                metrics.DUPLICATES.labels(result["duplicate_kind"]).inc()
            latency = _seconds_since(result.get("enqueued_at"))
            if latency is not None:
                metrics.END_TO_END_LATENCY.observe(latency)


def _seconds_since(stamp: object) -> float | None:
    """Seconds since an ISO 8601 time a record carries (None when it carries none we can read)."""
    if not isinstance(stamp, str) or not stamp:
        return None
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, time.time() - when.timestamp())


@article_dead_lettered.connect
def _dead_lettered(stage: str = "", error_class: str = "", **_: Any) -> None:
    if get_settings().metrics_enabled:
        metrics.DEAD_LETTERS.labels(stage, error_class).inc()
        metrics.STAGE_ARTICLES.labels(stage, "dead_lettered").inc()
