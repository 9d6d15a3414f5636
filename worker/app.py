"""The Celery app, configured once from settings: Redis broker, JSON only, late acks."""

from __future__ import annotations

import ssl
from typing import Any

from celery import Celery

from worker.settings import STAGES, Settings, get_settings


def celery_config(settings: Settings) -> dict[str, Any]:
    """Celery's configuration for these settings."""
    url = settings.redis_url.get_secret_value()
    config: dict[str, Any] = {
        "broker_url": url,
        "broker_connection_retry_on_startup": True,
        "broker_connection_max_retries": None,
        "broker_transport_options": {
            "visibility_timeout": settings.visibility_timeout_seconds,
            # Messages held by a worker that died are put back once their visibility timeout has
            # passed; kombu's default sweep runs every 100 s and its lock outlives a dead holder by
            # 5 minutes, so a short visibility timeout would not help. Sweep often and cheaply.
            "unacked_restore_interval": max(1, min(60, settings.visibility_timeout_seconds // 4)),
            "unacked_restore_throttle": 1,
            "unacked_mutex_expire": 60,
            "socket_timeout": 30,
            "socket_connect_timeout": 10,
            "health_check_interval": 25,
            "retry_on_timeout": True,
        },
        "broker_pool_limit": 10,
        # JSON only, both ways: a pickled message is refused, never deserialised.
        "task_serializer": "json",
        "result_serializer": "json",
        "event_serializer": "json",
        "accept_content": ["json"],
        "result_accept_content": ["json"],
        # Results go to our stream, not to a Celery result backend.
        "task_ignore_result": True,
        "task_store_errors_even_if_ignored": False,
        # At-least-once: ack after the task ran, redeliver when the worker dies.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_acks_on_failure_or_timeout": True,
        "worker_prefetch_multiplier": 1,
        "task_time_limit": settings.task_time_limit_seconds,
        "task_soft_time_limit": settings.soft_time_limit_seconds,
        "task_default_queue": settings.queue("clean"),
        "task_routes": {f"newsflow.{stage}": {"queue": settings.queue(stage)} for stage in STAGES},
        "task_create_missing_queues": True,
        "worker_proc_alive_timeout": 120,
        "worker_hijack_root_logger": False,
        "worker_redirect_stdouts": False,
        "worker_send_task_events": settings.task_events,
        "task_send_sent_event": settings.task_events,
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        "worker_consumer": "worker.runtime.consumer:NewsflowConsumer",
        # SIGTERM: running tasks get this long to finish, then they are re-queued (acks_late) and the
        # worker exits; an idle worker exits at once.
        "worker_soft_shutdown_timeout": settings.shutdown_timeout_seconds,
        "worker_enable_soft_shutdown_on_idle": False,
        "enable_utc": True,
        "timezone": "UTC",
    }
    tls = settings.redis_tls_options()
    if tls:
        cert_reqs = ssl.CERT_REQUIRED if settings.redis_tls_verify else ssl.CERT_NONE
        config["broker_use_ssl"] = {**tls, "ssl_cert_reqs": cert_reqs}
    if settings.max_memory_per_child_kb:
        config["worker_max_memory_per_child"] = settings.max_memory_per_child_kb
    return config


def create_app(settings: Settings | None = None) -> Celery:
    """A Celery app for these settings, with the pipeline's tasks and signal handlers."""
    settings = settings or get_settings()
    celery = Celery("newsflow", include=["worker.pipeline", "worker.runtime.signals"])
    celery.conf.update(celery_config(settings))
    return celery


app = create_app()
