"""Hostile probes with slow servers: headers, a body and a robots.txt trickled one byte a second,
and a feed poller stopped by SIGTERM while its feed trickles.

``Trickle`` is a loopback HTTP server that times each connection from the request to the moment
the client hangs up (it watches the socket between bytes), so a probe measures on the server's
side how long the producer held on, whatever the producer's start-up costs.
"""

from __future__ import annotations

import select
import signal
import socket
import threading
import time
from dataclasses import dataclass
from types import TracebackType

from bench.hostile_lab import Lab, Outcome, Probe

TIMEOUT_SECONDS = 2.0  # NEWSFLOW_FETCH_TIMEOUT_SECONDS for these probes
SLACK_SECONDS = 1.0  # what a cut may take beyond the timeout (the deadline is kept in 0.1 s slices)
SIGTERM_EXIT_SECONDS = 5.0
ROBOTS = b"User-agent: *\nAllow: /\n"


@dataclass
class Connection:
    """A request the server got: its path, and when it came and when the client hung up."""

    path: str
    opened: float
    closed: float | None = None

    @property
    def held(self) -> float | None:
        """Seconds from the request to the client hanging up (None while it holds on)."""
        return None if self.closed is None else self.closed - self.opened


class Trickle:
    """``with Trickle({"/robots.txt": "ok", "/page.html": "headers"}) as server: server.url(...)``.

    Modes per path: ``ok`` (robots.txt at once), ``headers`` (a status line and an endless header,
    one byte every ``interval``), ``body`` (complete headers, then the body one byte at a time).
    """

    def __init__(self, modes: dict[str, str], interval: float = 1.0) -> None:
        self.modes = modes
        self.interval = interval
        self.connections: list[Connection] = []
        self._stop = threading.Event()
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.1)
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def netloc(self) -> str:
        """``127.0.0.1:port``."""
        return f"127.0.0.1:{self._socket.getsockname()[1]}"

    def url(self, path: str) -> str:
        """The URL of a path on this server."""
        return f"http://{self.netloc}{path}"

    def hits(self, path: str) -> list[Connection]:
        """The requests for one path."""
        return [c for c in self.connections if c.path == path]

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            request = b""
            try:
                while b"\r\n\r\n" not in request:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    request += chunk
            except OSError:
                return
            path = request.split(b" ", 2)[1].decode("ascii", "replace")
            seen = Connection(path, time.monotonic())
            self.connections.append(seen)
            mode = self.modes.get(path, "ok")
            if mode == "ok":
                status = (
                    f"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {len(ROBOTS)}\r\n\r\n"
                )
                conn.sendall(status.encode() + ROBOTS)
                return
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Padding: "
            if mode == "body":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n")
                head = b"<html><body><p>"
            seen.closed = self._trickle(conn, head)

    def _trickle(self, conn: socket.socket, head: bytes) -> float | None:
        """Send one byte every interval until the client hangs up; when it did."""
        sent = 0
        while not self._stop.is_set():
            try:
                conn.sendall(head[sent : sent + 1] if sent < len(head) else b"a")
            except OSError:
                return time.monotonic()
            sent += 1
            readable, _, _ = select.select([conn], [], [], self.interval)
            if readable:
                try:
                    if not conn.recv(4096):
                        return time.monotonic()
                except OSError:
                    return time.monotonic()
        return None

    def __enter__(self) -> Trickle:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._socket.close()


def cut_in_time(mode: str) -> Probe:
    """A page whose headers (or body) trickle: a FetchTimeout within the timeout and the slack."""

    def check(lab: Lab) -> Outcome:
        with Trickle({"/robots.txt": "ok", "/page.html": mode}) as server:
            prefix = lab.fresh_prefix(f"slow-{mode}")
            listed = lab.write(f"{prefix}.txt", server.url("/page.html") + "\n")
            env = lab.env(
                prefix, allow=lab.allow(server.netloc), fetch_timeout_seconds=f"{TIMEOUT_SECONDS:g}"
            )
            run = lab.cli(env, "enqueue", "--urls", str(listed))
            hits = server.hits("/page.html")
        held = [c.held for c in hits]
        timely = bool(held) and all(h is not None and h <= TIMEOUT_SECONDS + SLACK_SECONDS for h in held)
        reason = "FetchTimeout x1" in run.stdout
        shown = ", ".join("never" if h is None else f"{h:.2f}s" for h in held)
        return Outcome(
            reason and timely and len(hits) == 1,
            f"{'FetchTimeout' if reason else run.stdout.strip()[:80]}, cut after {shown} "
            f"(timeout {TIMEOUT_SECONDS:g}s), {len(hits)} request(s)",
        )

    what = "headers" if mode == "headers" else "a body"
    return Probe("slow", f"--urls page trickling {what} 1 byte/s, timeout {TIMEOUT_SECONDS:g}s", check)


def robots_trickled(lab: Lab) -> Outcome:
    """A robots.txt that trickles: cut in time, the page not fetched blind (tried next time)."""
    with Trickle({"/robots.txt": "headers", "/page.html": "ok"}) as server:
        prefix = lab.fresh_prefix("slow-robots")
        listed = lab.write(f"{prefix}.txt", server.url("/page.html") + "\n")
        env = lab.env(prefix, allow=lab.allow(server.netloc), fetch_timeout_seconds=f"{TIMEOUT_SECONDS:g}")
        run = lab.cli(env, "enqueue", "--urls", str(listed))
        robots, pages = server.hits("/robots.txt"), server.hits("/page.html")
    held = robots[0].held if robots else None
    timely = held is not None and held <= TIMEOUT_SECONDS + SLACK_SECONDS
    # FetchTimeout is a FetchFailed: a passing failure, the page tried again on the next run.
    reason = "FetchTimeout x1" in run.stdout and "robots.txt" in run.stdout
    return Outcome(
        reason and timely and not pages and len(robots) == 1,
        f"{'FetchTimeout reading robots.txt' if reason else run.stdout.strip()[:80]}, cut after "
        f"{'never' if held is None else f'{held:.2f}s'} (timeout {TIMEOUT_SECONDS:g}s), "
        f"page requested {len(pages)} time(s) (not fetched blind)",
    )


def sigterm_while_trickling(lab: Lab) -> Outcome:
    """``enqueue --feed … --every 1m`` against a trickling feed (deadline 600 s) stops on SIGTERM."""
    with Trickle({"/robots.txt": "ok", "/feed.rss": "headers"}) as server:
        prefix = lab.fresh_prefix("slow-sigterm")
        env = lab.env(prefix, allow=lab.allow(server.netloc), fetch_timeout_seconds="600")
        spawned = lab.spawn(env, "enqueue", "--feed", server.url("/feed.rss"), "--every", "1m")
        try:
            lab.wait(
                lambda: server.hits("/feed.rss") or spawned.process.poll() is not None, 60, "the feed request"
            )
        finally:
            sent = time.monotonic()
            spawned.process.send_signal(signal.SIGTERM)
        code = lab.finish(spawned, 60)
        took = time.monotonic() - sent
    line = "".join(spawned.lines).strip()
    cancelled = "1 failed (FetchCancelled x1" in line
    return Outcome(
        code == 0 and cancelled and took <= SIGTERM_EXIT_SECONDS,
        f"exit {code} {took:.2f}s after SIGTERM, poll line: "
        + ("1 failed (FetchCancelled)" if cancelled else line[:100] or "none"),
    )


def probes() -> list[Probe]:
    """The slow-server probes."""
    return [
        cut_in_time("headers"),
        cut_in_time("body"),
        Probe(
            "slow",
            f"--urls page whose robots.txt trickles 1 byte/s, timeout {TIMEOUT_SECONDS:g}s",
            robots_trickled,
        ),
        Probe(
            "slow", "SIGTERM to enqueue --feed TRICKLING --every 1m (timeout 600s)", sigterm_while_trickling
        ),
    ]
