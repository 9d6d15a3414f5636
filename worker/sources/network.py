"""The producers' sockets: every address checked before it is used, every wait held to a deadline.

httpcore, under httpx, opens connections through a network backend: its documented extension
point for "non-standard DNS requirements". Ours (``GuardedBackend``) resolves the host once, has
the fetch policy judge every address, and connects to a checked address itself, so nothing is
resolved again between the check and the connect (DNS rebinding). TLS is started on that socket
with the URL's host name, for SNI and certificate verification.

Deadlines: httpx's time-outs apply to each read, so a server sending one byte a second never
trips them. Here every socket operation (resolving, connecting, the TLS handshake, each read and
write) waits at most until the deadline of the request in progress, set by ``deadline()`` for
the thread that makes the request, so a trickled status line or header is cut at the deadline
like a trickled body. The waits are made in slices of ``SLICE_SECONDS``, checking in between
whether the fetcher was cancelled, so a stopping producer is not held by a hung server, connect
or DNS lookup. The check runs in the thread doing the I/O, on its own socket: no watchdog closes
sockets under another thread's feet.
"""

from __future__ import annotations

import contextvars
import errno
import functools
import ipaddress
import selectors
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import httpcore

from worker.sources.errors import FetchCancelled
from worker.sources.policy import FetchPolicy

# How often a wait looks at the clock and the cancel flag: the latency of a cancel.
SLICE_SECONDS = 0.1

# A name to its addresses (as strings); the system resolver by default, a stub in tests.
Resolve = Callable[[str, int], Sequence[str]]

_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("fetch_deadline", default=None)

T = TypeVar("T")


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Hold every socket operation of this thread's requests to ``seconds`` from now, in all."""
    outer = _deadline.get()
    end = time.monotonic() + seconds
    token = _deadline.set(end if outer is None else min(outer, end))
    try:
        yield
    finally:
        _deadline.reset(token)


def system_resolve(host: str, port: int) -> list[str]:
    """The addresses of a host, by the system's resolver, in its order of preference."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class _Clock:
    """The time left for one socket operation: its own time-out, the request's deadline, a cancel."""

    def __init__(self, timeout: float | None, cancelled: threading.Event) -> None:
        now = time.monotonic()
        ends = [
            end for end in (_deadline.get(), None if timeout is None else now + timeout) if end is not None
        ]
        self.end = min(ends) if ends else None
        self.cancelled = cancelled

    def next_slice(self, timeout_error: type[Exception]) -> float:
        """How long to wait now; raises ``timeout_error`` past the end, FetchCancelled on a cancel."""
        if self.cancelled.is_set():
            raise FetchCancelled("the producer is stopping")
        if self.end is None:
            return SLICE_SECONDS
        left = self.end - time.monotonic()
        if left <= 0:
            raise timeout_error("no complete answer before the deadline")
        return min(left, SLICE_SECONDS)

    def run(self, operation: Callable[[], T], sock: socket.socket, timeout_error: type[Exception]) -> T:
        """Run a blocking socket operation in slices until it completes or the time is up."""
        while True:
            sock.settimeout(self.next_slice(timeout_error))
            try:
                return operation()
            except TimeoutError:
                continue


class _Stream(httpcore.NetworkStream):
    """A TCP (or TLS) connection whose every wait is held to the deadline and the cancel flag."""

    def __init__(self, sock: socket.socket, cancelled: threading.Event) -> None:
        self._sock = sock
        self._cancelled = cancelled

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        clock = _Clock(timeout, self._cancelled)
        try:
            return clock.run(lambda: self._sock.recv(max_bytes), self._sock, httpcore.ReadTimeout)
        except OSError as exc:
            raise httpcore.ReadError(str(exc)) from exc

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        clock = _Clock(timeout, self._cancelled)
        view = memoryview(buffer)
        try:
            while view:
                sent = clock.run(functools.partial(self._sock.send, view), self._sock, httpcore.WriteTimeout)
                view = view[sent:]
        except OSError as exc:
            raise httpcore.WriteError(str(exc)) from exc

    def close(self) -> None:
        self._sock.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        clock = _Clock(timeout, self._cancelled)
        sock = self._sock
        try:
            sock = ssl_context.wrap_socket(
                sock, server_hostname=server_hostname, do_handshake_on_connect=False
            )
            clock.run(sock.do_handshake, sock, httpcore.ConnectTimeout)
        except OSError as exc:  # ssl.SSLError included: a certificate that does not fit is a failed connect
            sock.close()
            raise httpcore.ConnectError(str(exc)) from exc
        except BaseException:
            sock.close()
            raise
        return _Stream(sock, self._cancelled)

    def get_extra_info(self, info: str) -> Any:
        if info == "ssl_object":  # the SSLSocket answers selected_alpn_protocol() as SSLObject does
            return self._sock if isinstance(self._sock, ssl.SSLSocket) else None
        if info == "socket":
            return self._sock
        if info == "client_addr":
            return self._sock.getsockname()
        if info == "server_addr":
            return self._sock.getpeername()
        if info == "is_readable":  # an idle pooled connection with something to read is dead
            return _readable(self._sock)
        return None


class GuardedBackend(httpcore.NetworkBackend):
    """Resolves once, checks every address with the policy, and connects to a checked address."""

    def __init__(self, policy: FetchPolicy, resolve: Resolve, cancelled: threading.Event) -> None:
        self.policy = policy
        self.resolve = resolve
        self.cancelled = cancelled

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        clock = _Clock(timeout, self.cancelled)
        addresses = self.policy.check(host, port, self._resolve(host, port, clock))
        options = list(socket_options or ())
        failure: OSError | None = None
        for address in addresses:
            try:
                return _Stream(_connect(address, port, options, clock), self.cancelled)
            except OSError as exc:  # refused, unreachable: try the host's next address
                failure = exc
        raise httpcore.ConnectError(f"cannot connect to {host}:{port}: {failure}")

    def _resolve(self, host: str, port: int, clock: _Clock) -> Sequence[str]:
        """The host's addresses; an IP literal as it is, a name in a thread we need not wait for."""
        try:
            return [str(ipaddress.ip_address(host))]
        except ValueError:
            pass
        answer: list[Sequence[str] | BaseException] = []
        done = threading.Event()

        def lookup() -> None:
            try:
                answer.append(self.resolve(host, port))
            except BaseException as exc:  # handed to the waiting thread
                answer.append(exc)
            done.set()

        # A daemon thread: a resolver stuck past the deadline is left behind, not waited for.
        threading.Thread(target=lookup, name="newsflow-resolve", daemon=True).start()
        while not done.wait(clock.next_slice(httpcore.ConnectTimeout)):
            pass
        if isinstance(answer[0], (OSError, UnicodeError)):
            raise httpcore.ConnectError(f"cannot resolve {host}: {answer[0]}") from answer[0]
        if isinstance(answer[0], BaseException):
            raise answer[0]
        return answer[0]

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("producers do not fetch over Unix sockets")

    def sleep(self, seconds: float) -> None:
        self.cancelled.wait(seconds)


def _connect(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
    port: int,
    options: list[httpcore.SOCKET_OPTION],
    clock: _Clock,
) -> socket.socket:
    """A TCP connection to exactly this address, waited for in slices (cancel, deadline)."""
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        for option in options:
            sock.setsockopt(*option)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        code = sock.connect_ex((str(address), port))
        with selectors.DefaultSelector() as selector:
            selector.register(sock, selectors.EVENT_WRITE)
            while code in (errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EALREADY):
                if selector.select(clock.next_slice(httpcore.ConnectTimeout)):
                    code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if code:
            raise OSError(code, f"{errno.errorcode.get(code, code)} connecting to {address}")
        sock.setblocking(True)
        return sock
    except BaseException:
        sock.close()
        raise


def _readable(sock: socket.socket) -> bool:
    if sock.fileno() < 0:
        return True
    with selectors.DefaultSelector() as selector:
        selector.register(sock, selectors.EVENT_READ)
        return bool(selector.select(0))
