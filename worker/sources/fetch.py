"""Polite, robust HTTP fetching of feeds and article pages, with httpx.

Every request: an identifying User-Agent, the host's robots.txt obeyed, a per-host limit on
concurrent requests and on their rate, the fetch policy (``worker.sources.policy``: nothing
inside the network unless allowed, checked on the address actually connected to, for every
redirect hop and robots.txt), one deadline for the whole answer (connect, TLS, headers, body:
``worker.sources.network``), redirects followed one by one (each hop checked against the
scheme, the policy and robots.txt, loops caught), the body streamed and dropped past the size
limit, retries with exponential backoff and jitter on 5xx, 429 and connection errors
(``Retry-After`` honoured) within the fetch's budget, and, for pages, anything but HTML refused.
Only http:// and https:// are fetched. Every failure comes out as one of
``worker.sources.errors``. Thread-safe: one fetcher serves all threads; ``cancel()`` stops them.

Time: a request (one attempt at one hop) has ``NEWSFLOW_FETCH_TIMEOUT_SECONDS`` in all; one that
runs out of time is not tried again. A fetch's attempts, redirect hops and backoff waits together
have a budget of (``NEWSFLOW_FETCH_RETRIES`` + 1) times that, so a fetch spends at most that long
on its page, plus one timeout for each robots.txt it has to read (at most once per host per
``NEWSFLOW_ROBOTS_TTL_SECONDS``), plus the time it waits for its turn at the host (politeness,
not network time, and not counted).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urlsplit

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt
from tenacity.stop import stop_base
from tenacity.wait import wait_exponential, wait_random

from tasks.errors import InputTooLarge, UnsupportedContent
from worker.settings import Settings
from worker.sources.bodies import ACCEPT_ENCODING, read_body
from worker.sources.decode import decode_bytes
from worker.sources.errors import (
    FetchCancelled,
    FetchFailed,
    FetchTimeout,
    ForbiddenAddress,
    HTTPClientError,
    RobotsDisallowed,
    TooManyRedirects,
    UnsupportedURL,
)
from worker.sources.hosts import HostLimiter, origin_of
from worker.sources.network import Resolve, deadline, system_resolve
from worker.sources.policy import FetchPolicy
from worker.sources.robots import MAX_ROBOTS_BYTES, RobotsCache, RobotsStore
from worker.sources.transport import GuardedTransport, as_fetch_errors

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
FEED_ACCEPT = "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_BACKOFF_SECONDS = 60.0
# RFC 9309: a crawler follows at least five redirects for robots.txt; more means there is none.
ROBOTS_MAX_REDIRECTS = 5
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


class _Budget:
    """The time a fetch may still spend on requests and backoff waits (not on waiting its turn)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.left = seconds

    @contextmanager
    def spend(self, url: str) -> Iterator[float]:
        """Time a request; yields the time left for it. Raises FetchTimeout once nothing is left."""
        if self.left <= 0:
            raise FetchTimeout(
                f"{url}: no complete answer in {self.seconds:g}s (retries and redirects included)"
            )
        started = time.monotonic()
        try:
            yield self.left
        finally:
            self.left -= time.monotonic() - started

    def sleeper(self, pause: Callable[[float], None]) -> Callable[[float], None]:
        """A backoff sleep that is paid out of the budget."""

        def sleep(seconds: float) -> None:
            self.left -= seconds
            pause(seconds)

        return sleep


class _OutOfBudget(stop_base):
    """Stop retrying when the next backoff wait would use up what is left of the budget."""

    def __init__(self, budget: _Budget) -> None:
        self.budget = budget

    def __call__(self, retry_state: RetryCallState) -> bool:
        return retry_state.upcoming_sleep >= self.budget.left


class Fetcher:
    """Fetches feeds and pages politely; see the module docstring for what that means."""

    def __init__(
        self,
        settings: Settings,
        robots_store: RobotsStore | None = None,
        resolve: Resolve = system_resolve,
    ) -> None:
        self.settings = settings
        self.max_bytes = settings.max_input_bytes
        self.timeout = settings.fetch_timeout_seconds
        self.budget_seconds = (settings.fetch_retries + 1) * self.timeout
        self._transport = GuardedTransport(
            FetchPolicy.parse(settings.fetch_allow_private),
            resolve=resolve,
            max_connections=settings.fetch_concurrency * 2,
        )
        self.limiter = HostLimiter(
            settings.fetch_per_host_concurrency, settings.fetch_host_interval_seconds, sleep=self._pause
        )
        agent = settings.user_agent.split("/")[0].split()[0]
        self.robots = RobotsCache(self._fetch_robots, agent, settings.robots_ttl_seconds, robots_store)
        self._client = httpx.Client(
            # Only the codings worker.sources.bodies inflates within the size limit.
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            timeout=httpx.Timeout(self.timeout),
            follow_redirects=False,
            transport=self._transport,
            trust_env=False,  # no proxy or .netrc from the environment: the policy sees every connection
        )
        self._base_wait = wait_exponential(
            multiplier=settings.fetch_backoff_seconds, max=MAX_BACKOFF_SECONDS
        ) + wait_random(0, settings.fetch_backoff_seconds)

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def cancel(self) -> None:
        """Stop: every fetch in progress, and every later one, ends at once with ``FetchCancelled``."""
        self._transport.cancel()

    @property
    def cancelled(self) -> bool:
        """Whether ``cancel()`` was called."""
        return self._transport.cancelled.is_set()

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
        budget = _Budget(self.budget_seconds)
        chain = [url]
        current = url
        while True:
            self._check_not_cancelled()
            check_url(current)
            if not self.robots.allowed(current):
                raise RobotsDisallowed(f"robots.txt of {origin_of(current)} forbids {current}")
            self.limiter.set_crawl_delay(origin_of(current), self.robots.crawl_delay(origin_of(current)))
            outcome = self._get(current, {"Accept": accept, **(headers or {})}, html_only, budget)
            if isinstance(outcome, Fetched):
                return outcome
            if outcome.location in chain:
                raise TooManyRedirects("redirect loop: " + " -> ".join([*chain, outcome.location]))
            chain.append(outcome.location)
            if len(chain) - 1 > self.settings.fetch_max_redirects:
                raise TooManyRedirects(f"more than {self.settings.fetch_max_redirects} redirects from {url}")
            current = outcome.location

    def _get(
        self, url: str, headers: dict[str, str], html_only: bool, budget: _Budget
    ) -> Fetched | _Redirect:
        retrying = Retrying(
            stop=stop_after_attempt(self.settings.fetch_retries + 1) | _OutOfBudget(budget),
            wait=self._wait,
            sleep=budget.sleeper(self._pause),
            retry=retry_if_exception_type((_RetryableStatus, *_RETRYABLE_ERRORS)),
            reraise=True,
        )
        attempts = 0
        try:
            with as_fetch_errors(url, self.timeout):
                for attempt in retrying:
                    attempts += 1
                    with attempt, self.limiter.slot(origin_of(url)), budget.spend(url) as left:
                        return self._attempt(url, headers, html_only, min(self.timeout, left))
        except _RetryableStatus as exc:
            raise FetchFailed(f"HTTP {exc.status} from {url}, {attempts} attempts") from exc
        raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, _RetryableStatus) and error.retry_after is not None:
            return min(error.retry_after, MAX_BACKOFF_SECONDS)
        return float(self._base_wait(state))

    def _pause(self, seconds: float) -> None:
        """Sleep for backoff or politeness, waking at once on ``cancel()``."""
        self._transport.cancelled.wait(seconds)

    def _check_not_cancelled(self) -> None:
        if self.cancelled:
            raise FetchCancelled("the producer is stopping")

    def _attempt(
        self, url: str, headers: dict[str, str], html_only: bool, seconds: float
    ) -> Fetched | _Redirect:
        self._check_not_cancelled()
        with deadline(seconds), self._client.stream("GET", url, headers=headers) as response:
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
            try:
                body = self._read(response, url)
            except httpx.TimeoutException as exc:
                raise FetchTimeout(f"{url} did not finish in {seconds:g}s (stopped reading)") from exc
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

    def _read(self, response: httpx.Response, url: str) -> bytes:
        return read_body(response.iter_raw(), response.headers.get("Content-Encoding"), self.max_bytes, url)

    def _fetch_robots(self, url: str) -> tuple[int, bytes]:
        """GET a robots.txt, in one deadline, following up to five redirects (RFC 9309), each hop
        checked like any other; one we may not follow counts as no robots.txt. Errors are transient."""
        self._check_not_cancelled()
        with (
            as_fetch_errors(url, self.timeout, what="robots.txt at"),
            self.limiter.slot(origin_of(url)),
            deadline(self.timeout),
        ):
            for hop in range(ROBOTS_MAX_REDIRECTS + 1):
                try:
                    check_url(url)
                    with self._client.stream("GET", url) as response:
                        if not (response.has_redirect_location and response.next_request is not None):
                            return response.status_code, _read_robots(response)
                        url = str(response.next_request.url)
                except (ForbiddenAddress, UnsupportedURL):
                    if hop == 0:
                        raise
                    return 404, b""
        return 404, b""


def _read_robots(response: httpx.Response) -> bytes:
    if not response.is_success:
        return b""
    coding = response.headers.get("Content-Encoding")
    return read_body(response.iter_raw(), coding, MAX_ROBOTS_BYTES, str(response.url), truncate=True)


def check_url(url: str) -> None:
    """Raise ``UnsupportedURL`` unless the URL is absolute http:// or https:// with a host and port
    a connection can be made to (what the address is, the fetch policy judges on connecting)."""
    try:
        parsed = httpx.URL(url)
        urlsplit(url).port  # noqa: B018 - the stdlib parse, as canonical_url does it, must work too
    except (httpx.InvalidURL, ValueError) as exc:
        raise UnsupportedURL(f"{url!r} is not a valid URL: {exc}") from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise UnsupportedURL(f"{url!r} is not an http:// or https:// URL")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise UnsupportedURL(f"{url!r} has no usable port")
    if b"%" in parsed.raw_host:
        raise UnsupportedURL(f"{url!r} has no usable host")


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
