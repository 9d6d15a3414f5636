"""The producers' httpx transport, and what can go wrong with a request as our errors.

``GuardedTransport`` is httpx's public ``BaseTransport`` over an httpcore ``ConnectionPool``
(connection reuse, HTTP/1.1, TLS) whose network backend is ``worker.sources.network``'s: every
connection, redirect hops and robots.txt included, obeys the fetch policy and the request's
deadline. httpx's own transport cannot take a network backend (httpx 0.28), hence this small one
built on the two libraries' public interfaces; it maps httpcore's exceptions to httpx's as
httpx's transport does. No proxy from the environment is used: a proxy would resolve names
itself, out of the policy's sight.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import httpcore
import httpx

from worker.sources.errors import FetchFailed, FetchTimeout, TooManyRedirects, UnsupportedURL
from worker.sources.hosts import origin_of
from worker.sources.network import GuardedBackend, Resolve, system_resolve
from worker.sources.policy import FetchPolicy

# httpcore's exceptions as httpx's (what httpx's own transport does), most specific first.
_HTTPX_ERRORS: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextmanager
def _httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        for core, mapped in _HTTPX_ERRORS:
            if isinstance(exc, core):
                raise mapped(str(exc)) from exc
        raise


class _Body(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        with _httpx_errors():
            yield from self._stream

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport whose connections obey the fetch policy and the request deadline."""

    def __init__(
        self, policy: FetchPolicy, *, resolve: Resolve = system_resolve, max_connections: int = 16
    ) -> None:
        self.cancelled = threading.Event()
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=max_connections,
            network_backend=GuardedBackend(policy, resolve, self.cancelled),
        )

    def cancel(self) -> None:
        """Make every request in progress, and every later one, fail with ``FetchCancelled``."""
        self.cancelled.set()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, Iterable)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _httpx_errors():
            response = self._pool.handle_request(core_request)
        assert isinstance(response.stream, Iterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response.stream),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._pool.close()


@contextmanager
def as_fetch_errors(url: str, timeout: float, what: str = "") -> Iterator[None]:
    """httpx's exceptions (the whole HTTPError, InvalidURL and StreamError families) as ours."""
    subject = f"{what} {url}".strip()
    try:
        yield
    except httpx.ConnectTimeout as exc:
        raise FetchTimeout(f"no connection to {origin_of(url)} in {timeout:g}s") from exc
    except httpx.TimeoutException as exc:
        raise FetchTimeout(f"{subject} did not answer in {timeout:g}s") from exc
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise UnsupportedURL(f"{subject} cannot be fetched: {exc}") from exc
    except httpx.TooManyRedirects as exc:
        raise TooManyRedirects(f"{subject}: {exc}") from exc
    except httpx.DecodingError as exc:
        raise FetchFailed(
            f"DecodingError reading {subject}: the body does not match its encoding ({exc})"
        ) from exc
    except (httpx.HTTPError, httpx.StreamError) as exc:
        raise FetchFailed(f"{type(exc).__name__} fetching {subject}: {exc}") from exc
