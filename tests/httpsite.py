"""A real HTTP server on a loopback address, serving feeds and pages the tests write.

A threaded ``http.server`` (IPv4 or IPv6, plain or TLS) that records every request it gets (path
and headers), so tests can assert what a producer fetched, and can serve: conditional responses
(ETag / Last-Modified → 304), redirects, a slow answer (held until the site is closed or the
delay passes), a page streamed without a length, headers trickled one byte at a time without
end, any status, content type and header. ``Listener`` is a bare socket that only counts the
connections it gets: a stand-in for a service no fetch may reach (Redis, an internal host).
"""

from __future__ import annotations

import hashlib
import socket
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
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
    trickle: float = 0.0  # send the status line and an endless header, one byte every `trickle` s
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

    def __init__(self, host: str = "127.0.0.1", tls: tuple[Path, Path] | None = None) -> None:
        self.host = host
        self.routes: dict[str, Route] = {}
        self.requests: list[SeenRequest] = []
        self.server_names: list[str | None] = []  # the TLS SNI of each handshake
        self.release = threading.Event()
        self._lock = threading.Lock()
        server_class = _IPv6Server if ":" in host else ThreadingHTTPServer
        self._server = server_class((host, 0), _handler_for(self))
        self._server.daemon_threads = True
        self.scheme = "http"
        if tls is not None:
            self.scheme = "https"
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            context.sni_callback = lambda _conn, name, _ctx: self.server_names.append(name)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    @property
    def port(self) -> int:
        """The port the site listens on."""
        return int(self._server.server_address[1])

    @property
    def netloc(self) -> str:
        """``host:port`` as written in a URL (an IPv6 host in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def url(self, path: str) -> str:
        """The absolute URL of a path on this site."""
        return f"{self.scheme}://{self.netloc}{path}"

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
            if route.trickle:
                self._trickle(route.trickle)
                return
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

        def _trickle(self, interval: float) -> None:
            self.seen.status = 200
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Padding: "
            sent = 0
            while not site.release.is_set():
                self.wfile.write(head[sent : sent + 1] if sent < len(head) else b"a")
                self.wfile.flush()
                sent += 1
                site.release.wait(interval)

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


class _IPv6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


class Listener:
    """A listening socket that never answers; ``received()`` counts the connections made to it.

    No thread: the kernel completes every TCP handshake into the accept queue, so draining the
    queue counts every connection ever made, also one the client closed at once.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._socket = socket.create_server((host, port), family=family)
        self._socket.setblocking(False)
        self._count = 0

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self._socket.getsockname()[1])

    def received(self) -> int:
        """Connections made to this socket so far."""
        while True:
            try:
                connection, _ = self._socket.accept()
            except BlockingIOError:
                return self._count
            self._count += 1
            connection.close()

    def __enter__(self) -> Listener:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._socket.close()
