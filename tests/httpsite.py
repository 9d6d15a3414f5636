"""A real HTTP server on a loopback address, serving feeds and pages the tests write.

A threaded ``http.server`` that records every request it gets (path and headers), so tests can
assert what a producer fetched, and can serve: conditional responses (ETag / Last-Modified →
304), redirects, a slow answer (held until the site is closed or the delay passes), a page
streamed without a length, any status and content type.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit


@dataclass
class Route:
    """What the site answers at one path (``failures``: answer 503 to that many requests first)."""

    body: bytes = b""
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    etag: bool = False
    last_modified: str | None = None
    location: str | None = None
    delay: float = 0.0
    stream_bytes: int = 0
    failures: int = 0
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def etag_value(self) -> str:
        """The entity tag of the body."""
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'


@dataclass
class SeenRequest:
    """A request the site received, and the status and body size it was answered with."""

    path: str
    headers: dict[str, str]
    status: int = 0
    body_bytes: int = 0


class Site:
    """``with Site() as site: site.routes["/a"] = Route(b"..."); site.url("/a")``."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.routes: dict[str, Route] = {}
        self.requests: list[SeenRequest] = []
        self.release = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    @property
    def port(self) -> int:
        """The port the site listens on."""
        return int(self._server.server_address[1])

    def url(self, path: str) -> str:
        """The absolute URL of a path on this site."""
        return f"http://{self.host}:{self.port}{path}"

    def record(self, request: SeenRequest) -> None:
        """Note a request (called by the handler threads)."""
        with self._lock:
            self.requests.append(request)

    def hits(self, path: str | None = None) -> list[SeenRequest]:
        """Requests received so far, for one path or all."""
        with self._lock:
            return [r for r in self.requests if path is None or urlsplit(r.path).path == path]

    def start(self) -> Site:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def close(self) -> None:
        """Release slow answers and stop the server."""
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Site:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _handler_for(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def do_GET(self) -> None:
            self.seen = SeenRequest(self.path, {k.lower(): v for k, v in self.headers.items()})
            site.record(self.seen)
            route = site.routes.get(self.path) or site.routes.get(urlsplit(self.path).path)
            try:
                self._answer(route)
            except (BrokenPipeError, ConnectionResetError):
                return  # the client stopped reading (a page over its size limit): fine

        def _answer(self, route: Route | None) -> None:
            if route is None:
                self._send(404, b"<html><body>not found</body></html>", "text/html", {})
                return
            if route.failures > 0:
                route.failures -= 1
                self._send(503, b"busy", "text/plain", {})
                return
            if route.delay:
                site.release.wait(route.delay)
            headers = dict(route.headers)
            if route.location:
                headers["Location"] = route.location
            if route.etag:
                headers["ETag"] = route.etag_value
                if self.headers.get("If-None-Match") == route.etag_value:
                    self._send(304, b"", None, headers)
                    return
            if route.last_modified:
                headers["Last-Modified"] = route.last_modified
                if self.headers.get("If-Modified-Since") == route.last_modified:
                    self._send(304, b"", None, headers)
                    return
            if route.stream_bytes:
                self.seen.status = route.status
                self.send_response(route.status)
                if route.content_type:
                    self.send_header("Content-Type", route.content_type)
                self.end_headers()
                chunk = b"<p>" + b"x" * 65_530 + b"</p>"
                for _ in range(route.stream_bytes // len(chunk) + 1):
                    self.wfile.write(chunk)
                    self.seen.body_bytes += len(chunk)
                return
            self._send(route.status, route.body, route.content_type, headers)

        def _send(self, status: int, body: bytes, content_type: str | None, headers: dict[str, str]) -> None:
            self.seen.status = status
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            for name, value in headers.items():
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)
                self.seen.body_bytes = len(body)

    return Handler
