"""The worker's small HTTP server: ``/metrics`` for Prometheus and ``/healthz`` for orchestrators."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import redis
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

log = logging.getLogger(__name__)

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


def serve(
    host: str, port: int, registry: CollectorRegistry, checks: list[HealthCheck]
) -> ThreadingHTTPServer:
    """Serve ``/metrics`` and ``/healthz`` from a daemon thread; returns the running server."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.split("?")[0] == "/metrics":
                self._reply(200, CONTENT_TYPE_LATEST, generate_latest(registry))
            elif self.path.split("?")[0] in ("/healthz", "/health"):
                healthy, details = True, {}
                for check in checks:
                    ok, found = check()
                    healthy = healthy and ok
                    details.update(found)
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
