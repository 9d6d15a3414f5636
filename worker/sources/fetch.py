"""Polite, robust HTTP fetching of feeds and article pages, with httpx.

Every request: an identifying User-Agent, the host's robots.txt obeyed, a per-host limit on
concurrent requests and on their rate, time-outs (connect, each read, and a budget for the whole
body), redirects followed one by one (each hop checked against the scheme and robots.txt, loops
caught), the body streamed and dropped past the size limit, retries with exponential backoff and
jitter on 5xx, 429 and connection errors (``Retry-After`` honoured), and, for pages, anything but
HTML refused. Only http:// and https:// are fetched. Thread-safe: one fetcher serves all threads.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import Message

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_exponential, wait_random

from tasks.errors import InputTooLarge, UnsupportedContent
from worker.settings import Settings
from worker.sources.decode import decode_bytes
from worker.sources.errors import (
    FetchFailed,
    FetchTimeout,
    HTTPClientError,
    RobotsDisallowed,
    TooManyRedirects,
    UnsupportedURL,
)
from worker.sources.hosts import HostLimiter, origin_of
from worker.sources.robots import MAX_ROBOTS_BYTES, RobotsCache, RobotsStore

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
FEED_ACCEPT = "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_BACKOFF_SECONDS = 60.0
# Connection-level failures worth another try; a read time-out is not retried (the host is slow).
_RETRYABLE_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.ReadError, httpx.RemoteProtocolError)


@dataclass(frozen=True, slots=True)
class Fetched:
    """A response: its final URL, status, validators and (for a 2xx) its body."""

    url: str
    status: int
    body: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        """The server answered 304: nothing changed since the validators we sent."""
        return self.status == 304

    def text(self) -> str:
        """The body as text, decoded as a browser would (``worker.sources.decode``): BOM, the
        server's charset when it is a WHATWG label, the page's ``<meta>``, else detection."""
        return decode_bytes(self.body, declared=_charset(self.content_type))


class _RetryableStatus(Exception):
    def __init__(self, status: int, retry_after: float | None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class _Redirect:
    location: str


class Fetcher:
    """Fetches feeds and pages politely; see the module docstring for what that means."""

    def __init__(
        self,
        settings: Settings,
        robots_store: RobotsStore | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.max_bytes = settings.max_input_bytes
        self.timeout = settings.fetch_timeout_seconds
        self.limiter = HostLimiter(settings.fetch_per_host_concurrency, settings.fetch_host_interval_seconds)
        agent = settings.user_agent.split("/")[0].split()[0]
        self.robots = RobotsCache(self._fetch_robots, agent, settings.robots_ttl_seconds, robots_store)
        self._client = httpx.Client(
            headers={"User-Agent": settings.user_agent},
            timeout=httpx.Timeout(self.timeout),
            follow_redirects=False,
            limits=httpx.Limits(max_connections=settings.fetch_concurrency * 2),
            transport=transport,
        )
        base_wait = wait_exponential(
            multiplier=settings.fetch_backoff_seconds, max=MAX_BACKOFF_SECONDS
        ) + wait_random(0, settings.fetch_backoff_seconds)

        def wait(state: RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            if isinstance(error, _RetryableStatus) and error.retry_after is not None:
                return min(error.retry_after, MAX_BACKOFF_SECONDS)
            return float(base_wait(state))

        self._retrying = Retrying(
            stop=stop_after_attempt(settings.fetch_retries + 1),
            wait=wait,
            retry=retry_if_exception_type((_RetryableStatus, *_RETRYABLE_ERRORS)),
            reraise=True,
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def fetch_page(self, url: str) -> Fetched:
        """An article page: HTML only, within the size limit."""
        return self.fetch(url, accept=PAGE_ACCEPT, html_only=True)

    def fetch_feed(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """A feed, conditionally: a 304 answer (``not_modified``) when the validators still match."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self.fetch(url, accept=FEED_ACCEPT, html_only=False, headers=headers)

    def fetch(
        self, url: str, *, accept: str, html_only: bool, headers: Mapping[str, str] | None = None
    ) -> Fetched:
        """GET a URL, following redirects hop by hop; raises one of ``worker.sources.errors``."""
        chain = [url]
        current = url
        while True:
            check_url(current)
            if not self.robots.allowed(current):
                raise RobotsDisallowed(f"robots.txt of {origin_of(current)} forbids {current}")
            self.limiter.set_crawl_delay(origin_of(current), self.robots.crawl_delay(origin_of(current)))
            outcome = self._get(current, {"Accept": accept, **(headers or {})}, html_only)
            if isinstance(outcome, Fetched):
                return outcome
            if outcome.location in chain:
                raise TooManyRedirects("redirect loop: " + " -> ".join([*chain, outcome.location]))
            chain.append(outcome.location)
            if len(chain) - 1 > self.settings.fetch_max_redirects:
                raise TooManyRedirects(f"more than {self.settings.fetch_max_redirects} redirects from {url}")
            current = outcome.location

    def _get(self, url: str, headers: dict[str, str], html_only: bool) -> Fetched | _Redirect:
        try:
            for attempt in self._retrying.copy():  # a copy per call: retry state is per request
                with attempt, self.limiter.slot(origin_of(url)):
                    return self._attempt(url, headers, html_only)
        except _RetryableStatus as exc:
            raise FetchFailed(f"HTTP {exc.status} from {url}, {self._attempts} attempts") from exc
        except httpx.ConnectTimeout as exc:
            raise FetchTimeout(f"no connection to {origin_of(url)} in {self.timeout:g}s") from exc
        except httpx.TransportError as exc:
            raise FetchFailed(f"{type(exc).__name__} fetching {url}: {exc}") from exc
        raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover

    @property
    def _attempts(self) -> int:
        return self.settings.fetch_retries + 1

    def _attempt(self, url: str, headers: dict[str, str], html_only: bool) -> Fetched | _Redirect:
        deadline = time.monotonic() + self.timeout
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status in RETRY_STATUSES:
                    raise _RetryableStatus(status, _retry_after(response.headers.get("Retry-After")))
                if response.has_redirect_location and response.next_request is not None:
                    return _Redirect(str(response.next_request.url))
                content_type = response.headers.get("Content-Type")
                fetched = Fetched(
                    url=str(response.url),
                    status=status,
                    content_type=content_type,
                    etag=response.headers.get("ETag"),
                    last_modified=response.headers.get("Last-Modified"),
                )
                if status == 304:
                    return fetched
                if not 200 <= status < 300:
                    reason = response.reason_phrase or ""
                    raise HTTPClientError(f"HTTP {status} {reason} from {url}".replace("  ", " "))
                if html_only and content_type and _media_type(content_type) not in HTML_TYPES:
                    raise UnsupportedContent(f"{url} is {_media_type(content_type)}, not HTML")
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > self.max_bytes:
                    raise InputTooLarge(f"{url} is {declared} bytes, over the limit of {self.max_bytes}")
                body = self._read(response, url, deadline)
        except (httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout) as exc:
            raise FetchTimeout(f"{url} did not answer in {self.timeout:g}s") from exc
        if html_only and not content_type and not body.lstrip()[:1] == b"<":
            raise UnsupportedContent(f"{url} has no content type and does not look like HTML")
        return Fetched(
            url=fetched.url,
            status=status,
            body=body,
            content_type=content_type,
            etag=fetched.etag,
            last_modified=fetched.last_modified,
        )

    def _read(self, response: httpx.Response, url: str, deadline: float) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise InputTooLarge(f"{url} is over the limit of {self.max_bytes} bytes (stopped reading)")
            if time.monotonic() > deadline:
                raise FetchTimeout(f"{url} did not finish in {self.timeout:g}s (stopped reading)")
            chunks.append(chunk)
        return b"".join(chunks)

    def _fetch_robots(self, url: str) -> tuple[int, bytes]:
        """GET a robots.txt (redirects followed, as RFC 9309 allows); connection errors are transient."""
        try:
            with (
                self.limiter.slot(origin_of(url)),
                self._client.stream("GET", url, follow_redirects=True) as response,
            ):
                body = b""
                if response.is_success:
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) > MAX_ROBOTS_BYTES:
                            break
                return response.status_code, body
        except httpx.TooManyRedirects:
            return 404, b""  # RFC 9309: more than five redirects means there is no robots.txt
        except httpx.HTTPError as exc:
            problem = type(exc).__name__
            raise FetchFailed(f"robots.txt at {url} is unreachable ({problem}); will try again") from exc


def check_url(url: str) -> None:
    """Raise ``UnsupportedURL`` unless the URL is absolute http:// or https:// with a host."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise UnsupportedURL(f"{url!r} is not a valid URL: {exc}") from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise UnsupportedURL(f"{url!r} is not an http:// or https:// URL")


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    message = Message()
    message["content-type"] = content_type
    charset = message.get_param("charset")
    return charset if isinstance(charset, str) else None


def _retry_after(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return float(value.strip())
    return None
