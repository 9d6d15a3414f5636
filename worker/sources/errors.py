"""Why a feed or page could not be fetched, by what should happen next.

::

    NewsflowError                       (tasks.errors)
    ├── TransientError
    │   └── FetchFailed                 connection error or 5xx/429 after the retries: try again later
    │       ├── FetchTimeout            no complete answer within NEWSFLOW_FETCH_TIMEOUT_SECONDS
    │       └── FetchCancelled          the producer is stopping: not fetched, not lost
    └── PermanentError
        ├── InputTooLarge               (tasks.errors) the body is over NEWSFLOW_MAX_INPUT_BYTES
        ├── UnsupportedContent          (tasks.errors) the response is not HTML
        ├── UnsupportedURL              not an absolute http:// or https:// URL
        ├── ForbiddenAddress            the host is inside the network (loopback, private, metadata…)
        ├── RobotsDisallowed            the host's robots.txt forbids the path to our User-Agent
        ├── TooManyRedirects            a redirect loop, or more than NEWSFLOW_FETCH_MAX_REDIRECTS
        ├── HTTPClientError             a 4xx answer (404, 410, 403, …)
        └── InvalidFeed                 the body is neither RSS nor Atom

A transient failure releases the URL at the door, so the next poll tries it again; a permanent
one is remembered for ``NEWSFLOW_DEDUP_REJECTED_TTL_SECONDS`` and dead-lettered with its reason.
"""

from __future__ import annotations

from tasks.errors import PermanentError, TransientError


class FetchFailed(TransientError):
    """A connection error, or a 5xx or 429 answer that outlived the retries."""


class FetchTimeout(FetchFailed):
    """The server did not answer, or did not finish its answer, in time."""


class FetchCancelled(FetchFailed):
    """The producer is stopping (SIGTERM): the fetch was given up, to be tried on the next run."""


class UnsupportedURL(PermanentError):
    """The URL is not an absolute http:// or https:// URL."""


class ForbiddenAddress(PermanentError):
    """The host resolves to an address the fetch policy refuses (inside the network, or metadata)."""


class RobotsDisallowed(PermanentError):
    """The host's robots.txt forbids this path to our User-Agent."""


class TooManyRedirects(PermanentError):
    """The redirects loop, or there are more of them than allowed."""


class HTTPClientError(PermanentError):
    """The server answered with a 4xx status."""


class InvalidFeed(PermanentError):
    """The feed's body is neither RSS nor Atom."""
