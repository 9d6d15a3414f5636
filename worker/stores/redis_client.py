"""Connections to Redis, the one place clients are built: at the settings' URL, or through Redis
Sentinel to whichever server is the primary now; plus the replication barrier (``WAIT``).

With ``NEWSFLOW_REDIS_SENTINELS`` set, every client asks the Sentinels for the primary before it
connects, and again after a connection fails or the server it talks to says it is a replica now
(redis-py's ``SentinelManagedConnection`` turns that ``READONLY`` into a ``ConnectionError``), so a
failover looks like a short outage that the usual retries ride through. The URL still gives the
password, the database and TLS (``rediss://``); its host and port are not used.

Replication is asynchronous: a write the primary acknowledged may be missing on the replica that a
failover promotes. ``wait_for_replicas`` is the barrier that closes that gap where it matters (a
batch on the queue, a published marker): it returns once ``NEWSFLOW_REDIS_WAIT_REPLICAS`` replicas
hold every write made before it, and raises ``ReplicationLag`` (a ``ConnectionError``, so every
caller's retry treats it like an outage) when they do not within the timeout.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import redis
import redis.asyncio as aioredis
from redis.asyncio.sentinel import Sentinel as AsyncSentinel
from redis.backoff import ExponentialWithJitterBackoff
from redis.connection import parse_url
from redis.retry import Retry
from redis.sentinel import Sentinel

from worker.settings import Settings, get_settings

# Exceptions that mean "Redis is not answering right now": redis-py retries the command on these.
RETRIED_BY_CLIENT: tuple[type[Exception], ...] = (
    redis.ConnectionError,
    redis.TimeoutError,
    redis.BusyLoadingError,
)
# ... and what else is worth a retry of the whole operation. NOSCRIPT: a pipeline loads its scripts
# first; if the primary changes between that and the pipeline (a failover: a promoted replica has
# an empty script cache), redis-py's retry replays the pipeline there without them. Done again from
# the start, the pipeline loads them on the new primary.
REDIS_TRANSIENT_ERRORS: tuple[type[Exception], ...] = (*RETRIED_BY_CLIENT, redis.exceptions.NoScriptError)
# Retries of one command through Sentinel: backoff capped at 2 s, about 15 s in all (at most 17 s), enough for
# Sentinels to notice a dead primary and promote a replica (down-after-milliseconds plus an election).
SENTINEL_RETRIES = 12


class ReplicationLag(redis.ConnectionError):
    """Fewer replicas than asked for confirmed a write in time: a failover now could lose it, so the
    write counts as not done (a ConnectionError, so that it is retried like one)."""


def connection_options(settings: Settings) -> dict[str, Any]:
    """What every newsflow client, blocking or asyncio, connects with: decoding, time-outs, TLS."""
    return {
        "decode_responses": True,
        "socket_timeout": 30,
        "socket_connect_timeout": 10,
        **settings.redis_tls_options(),
    }


def client_options(settings: Settings, retries: int) -> dict[str, Any]:
    """redis-py options of every blocking newsflow client: the connection's, plus health checks and
    retries with backoff."""
    return {
        **connection_options(settings),
        "health_check_interval": 25,
        "retry": Retry(ExponentialWithJitterBackoff(base=0.1, cap=2.0), retries),
        "retry_on_error": list(RETRIED_BY_CLIENT),
    }


def sentinel_options(settings: Settings) -> dict[str, Any]:
    """Options of the connections to the Sentinels themselves (short time-outs, their password)."""
    options: dict[str, Any] = {"socket_timeout": 2, "socket_connect_timeout": 2}
    if settings.redis_sentinel_password is not None:
        options["password"] = settings.redis_sentinel_password.get_secret_value()
    return options


def master_options(settings: Settings) -> dict[str, Any]:
    """What the URL says about the primary behind the Sentinels: credentials, database, TLS."""
    url = settings.redis_url.get_secret_value()
    parsed: dict[str, Any] = parse_url(url)  # type: ignore[no-untyped-call]
    options = {key: parsed[key] for key in ("username", "password", "db") if parsed.get(key) is not None}
    if url.startswith("rediss://"):
        options["ssl"] = True
    return options


def connect(settings: Settings, retries: int = 3) -> redis.Redis:
    """A Redis client for the settings: the URL's server, or the Sentinels' primary (found again after
    a failover); a failed command is retried a few times with backoff."""
    if not settings.redis_sentinels:
        return redis.Redis.from_url(
            settings.redis_url.get_secret_value(), **client_options(settings, retries)
        )
    # A caller that asks for no retries (the CLI's first PING) still fails at once.
    options = client_options(settings, max(retries, SENTINEL_RETRIES) if retries else 0)
    sentinel = Sentinel(  # type: ignore[no-untyped-call]
        settings.sentinel_addresses(), sentinel_kwargs=sentinel_options(settings)
    )
    client: redis.Redis = sentinel.master_for(  # type: ignore[no-untyped-call]
        settings.redis_sentinel_master, redis_class=redis.Redis, **options, **master_options(settings)
    )
    return client


def connect_async(settings: Settings) -> aioredis.Redis:
    """An asyncio client for the settings (the web server's), at the URL or through the Sentinels;
    no retries of its own: its caller reconnects."""
    options = connection_options(settings)
    if not settings.redis_sentinels:
        return aioredis.Redis.from_url(settings.redis_url.get_secret_value(), **options)
    sentinel = AsyncSentinel(  # type: ignore[no-untyped-call]
        settings.sentinel_addresses(), sentinel_kwargs=sentinel_options(settings)
    )
    client: aioredis.Redis = sentinel.master_for(
        settings.redis_sentinel_master, redis_class=aioredis.Redis, **options, **master_options(settings)
    )
    return client


def wait_for_replicas(client: redis.Redis, settings: Settings) -> None:
    """Return once the configured number of replicas hold every write made before this call (by any
    connection: the primary's replication stream is one ordered log); raise ``ReplicationLag`` if
    they do not within the timeout. Does nothing when no replica is asked for.

    ``WAIT`` counts only the writes of its own connection, so it follows a write of its own on the
    same connection (one pipeline): whatever reached a replica before that write did too.
    """
    wanted = settings.redis_wait_replicas
    if wanted <= 0:
        return
    pipe = client.pipeline(transaction=False)
    pipe.incr(settings.key("replication", "barrier"))
    pipe.wait(wanted, settings.redis_wait_timeout_ms)
    _, acknowledged = pipe.execute()
    if int(acknowledged) < wanted:
        raise ReplicationLag(
            f"{acknowledged} of {wanted} replicas confirmed the write "
            f"within {settings.redis_wait_timeout_ms} ms"
        )


@lru_cache(maxsize=1)
def shared_client() -> redis.Redis:
    """This process's Redis client for the environment's settings (one pool per process)."""
    return connect(get_settings())
