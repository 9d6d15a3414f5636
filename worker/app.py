"""The Celery app, configured once from settings: Redis broker, JSON only, late acks."""

from __future__ import annotations

import ssl
from typing import Any
from urllib.parse import urlsplit

from celery import Celery

from worker.delivery.broker_transport import use_durable_transport
from worker.settings import STAGES, Settings, get_settings


def broker_url(settings: Settings) -> str:
    """kombu's broker URL: the settings' Redis URL, or with Sentinels one ``sentinel://`` URL per
    Sentinel joined by ``;`` (each carrying the primary's credentials and database, as kombu wants)."""
    url = settings.redis_url.get_secret_value()
    if not settings.redis_sentinels:
        return url
    parts = urlsplit(url)
    userinfo = parts.netloc.rpartition("@")[0]
    userinfo = f"{userinfo}@" if userinfo else ""
    database = parts.path.strip("/") or "0"
    hosts = [f"[{h}]:{p}" if ":" in h else f"{h}:{p}" for h, p in settings.sentinel_addresses()]
    return ";".join(f"sentinel://{userinfo}{host}/{database}" for host in hosts)


def sentinel_transport_options(settings: Settings) -> dict[str, Any]:
    """kombu's transport options that point it at the Sentinels' primary (empty without Sentinels)."""
    if not settings.redis_sentinels:
        return {}
    from worker.stores.redis_client import sentinel_options

    return {"master_name": settings.redis_sentinel_master, "sentinel_kwargs": sentinel_options(settings)}


def celery_config(settings: Settings) -> dict[str, Any]:
    """Celery's configuration for these settings."""
    config: dict[str, Any] = {
        "broker_url": broker_url(settings),
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
            **sentinel_transport_options(settings),
        },
        # A message sent while Redis is away (a failover, a restart) is retried for about half a
        # minute before the send fails: a failed send of a chain's next step or of a retry would
        # otherwise fail the task, whose message is then acknowledged.
        "task_publish_retry_policy": {
            "max_retries": 40,
            "interval_start": 0,
            "interval_step": 0.25,
            "interval_max": 1.0,
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
    use_durable_transport()
    celery = Celery("newsflow", include=["worker.pipeline", "worker.runtime.signals"])
    celery.conf.update(celery_config(settings))
    return celery


app = create_app()
