"""The worker's small HTTP server: ``/metrics`` for Prometheus and ``/healthz`` for orchestrators."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import redis
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

log = logging.getLogger(__name__)

# A heartbeat older than this means the worker's main loop is stuck.
HEARTBEAT_STALE_SECONDS = 60

# A health check returns (healthy, details).
HealthCheck = Callable[[], tuple[bool, dict[str, object]]]


def redis_health(client: redis.Redis) -> HealthCheck:
    """A check that Redis answers PING."""

    def check() -> tuple[bool, dict[str, object]]:
        try:
            return bool(client.ping()), {"redis": "ok"}
        except redis.RedisError as exc:
            return False, {"redis": f"unreachable: {type(exc).__name__}"}

    return check


def worker_health(consumer: Any, heartbeat: Any) -> HealthCheck:
    """A check that the worker consumes: broker connected, pool processes alive, heartbeat fresh."""

    def check() -> tuple[bool, dict[str, object]]:
        from worker.metrics import child_pids

        connection = getattr(consumer, "connection", None)
        connected = bool(connection is not None and connection.connected)
        pool = len(child_pids(os.getpid()))
        beat_age = time.monotonic() - heartbeat.last_beat if heartbeat and heartbeat.last_beat else None
        fresh = beat_age is not None and beat_age < HEARTBEAT_STALE_SECONDS
        details: dict[str, object] = {
            "broker": "connected" if connected else "disconnected",
            "pool_processes": pool,
            "heartbeat_age_s": round(beat_age, 1) if beat_age is not None else None,
        }
        return connected and pool > 0 and fresh, details

    return check


def pool_health() -> HealthCheck:
    """A check that the worker still has pool processes (its liveness, whatever Redis does)."""

    def check() -> tuple[bool, dict[str, object]]:
        from worker.metrics import child_pids

        pool = len(child_pids(os.getpid()))
        return pool > 0, {"pool_processes": pool}

    return check


def run_checks(checks: list[HealthCheck]) -> tuple[bool, dict[str, object]]:
    """Run every check: healthy when all are, with all their details."""
    healthy, details = True, {}
    for check in checks:
        ok, found = check()
        healthy = healthy and ok
        details.update(found)
    return healthy, details


def serve(
    host: str,
    port: int,
    registry: CollectorRegistry,
    ready_checks: list[HealthCheck],
    live_checks: list[HealthCheck],
) -> ThreadingHTTPServer:
    """Serve ``/metrics``, ``/healthz`` (ready: Redis and the worker) and ``/livez`` (the worker
    alone, so an orchestrator does not restart workers during a Redis outage) from a daemon thread."""
    routes = {
        "/healthz": ready_checks,
        "/health": ready_checks,
        "/readyz": ready_checks,
        "/livez": live_checks,
    }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            if path == "/metrics":
                self._reply(200, CONTENT_TYPE_LATEST, generate_latest(registry))
            elif path in routes:
                healthy, details = run_checks(routes[path])
                body = json.dumps({"healthy": healthy, **details}).encode()
                self._reply(200 if healthy else 503, "application/json", body)
            else:
                self._reply(404, "text/plain", b"not found\n")

        def _reply(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return  # scrapes every few seconds would drown the worker's log

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="newsflow-metrics", daemon=True).start()
    log.info("metrics and health on http://%s:%d", host, server.server_address[1])
    return server
