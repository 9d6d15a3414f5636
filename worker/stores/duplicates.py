"""Duplicate detection shared by every worker: fingerprints of published articles, kept in Redis.

Keys (all under the deployment's prefix; the first three expire after ``duplicate_window_seconds``):

- ``<prefix>:dup:exact:<sha256>``       string: the id of the first article with that normalised text
- ``<prefix>:dup:band:<n>:<hash>``      set: ids of articles whose signature has that LSH band
- ``<prefix>:dup:sig:<id>``             string: the article's MinHash signature (hex)
- ``<prefix>:dup:lock``                 the publishing lock (below; expires 10 s after it is taken)

``find_duplicate`` only reads; ``remember`` writes, and the publish task calls it only after the
article is on the results stream, so an article that never got published (a crash, a dead letter)
is never taken for the original of a later one. The check, the publishing and the remembering are
three steps, so the publish task runs them under ``publishing_lock``: without it two copies of a
story published at the same moment by two pool processes both passed as originals (a wire story
carried by several sites arrives that way). The lock is held for three round trips per batch and
expires on its own if its holder dies; a task waits for it a bounded time (within its soft time
limit) and otherwise retries.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from redis.exceptions import LockError, LockNotOwnedError

from tasks.duplicates import Duplicate, Fingerprint, decode_signature, fingerprint, most_similar
from tasks.errors import TransientError
from tasks.models import PublishedArticle
from worker.settings import Settings

__all__ = [
    "Duplicate",
    "find_duplicate",
    "find_duplicates",
    "fingerprints",
    "mark",
    "mark_many",
    "marked",
    "publishing_lock",
    "remember",
    "remember_many",
    "remember_published",
]

log = logging.getLogger(__name__)

MAX_CANDIDATES = 200
# The lock frees itself this long after its holder died; a live holder needs milliseconds.
LOCK_EXPIRY_SECONDS = 10.0
# How long a publish task waits for the lock before it retries (with backoff) instead; never more
# than a quarter of the stage's soft time limit, so a wait never runs into the time limits (a task
# killed by the hard limit is acknowledged).
LOCK_WAIT_SECONDS = 5.0


@contextmanager
def publishing_lock(client: redis.Redis, settings: Settings) -> Iterator[None]:
    """Hold the deployment's publishing lock (when duplicate detection is on), so that no other
    worker checks, publishes and remembers in between: a copy published after its original is
    always checked after the original was remembered."""
    if not settings.duplicate_detection:
        yield
        return
    wait = min(LOCK_WAIT_SECONDS, settings.soft_time_limit_seconds / 4)
    lock = client.lock(
        settings.key("dup", "lock"), timeout=LOCK_EXPIRY_SECONDS, blocking_timeout=wait, thread_local=False
    )
    try:
        acquired = lock.acquire()
    except LockError as exc:
        raise TransientError(f"publishing lock: {exc}") from exc
    if not acquired:
        raise TransientError(f"publishing lock still held by another worker after {wait:.1f} s")
    try:
        yield
    finally:
        try:
            lock.release()
        except LockNotOwnedError:
            # Held past its expiry (a stall of many seconds): another worker may have gone ahead.
            log.warning("publishing lock expired before it was released")


# The article's id into each of its band sets, each set kept for the window from now: what a SADD
# and an EXPIRE per band did, in one command from the client (Redis' CPU per article about halves).
# KEYS: the band sets; ARGV[1]: the article id, ARGV[2]: the window in seconds.
_REMEMBER = """
for i = 1, #KEYS do
  redis.call('SADD', KEYS[i], ARGV[1])
  redis.call('EXPIRE', KEYS[i], ARGV[2])
end
return #KEYS
"""


def _exact_key(settings: Settings, fingerprint: Fingerprint) -> str:
    return settings.key("dup", "exact", fingerprint.exact)


def _band_keys(settings: Settings, fingerprint: Fingerprint) -> list[str]:
    return [settings.key("dup", "band", str(n), band) for n, band in enumerate(fingerprint.bands())]


def _signature_key(settings: Settings, article_id: str) -> str:
    return settings.key("dup", "sig", article_id)


def find_duplicate(
    client: redis.Redis, settings: Settings, article_id: str, fingerprint: Fingerprint
) -> Duplicate | None:
    """The earlier article this one duplicates (exact first, else the most similar near one)."""
    return find_duplicates(client, settings, [(article_id, fingerprint)])[0]


def find_duplicates(
    client: redis.Redis, settings: Settings, prints: list[tuple[str, Fingerprint]]
) -> list[Duplicate | None]:
    """``find_duplicate`` for a batch, in two round trips; a later article of the batch can also
    duplicate an earlier one of the same batch (which is about to be published)."""
    pipe = client.pipeline(transaction=False)
    for _, article_print in prints:
        pipe.get(_exact_key(settings, article_print))
        # One SUNION of the article's band sets: the same ids as a SMEMBERS per band, in one command.
        pipe.sunion(_band_keys(settings, article_print))
    replies = pipe.execute()
    found: list[tuple[str | None, list[str]]] = []
    for index, (article_id, _) in enumerate(prints):
        exact, union = replies[2 * index], replies[2 * index + 1]
        members = {str(member) for member in union} - {article_id}
        found.append((str(exact) if exact else None, sorted(members)[:MAX_CANDIDATES]))
    wanted = sorted({candidate for _, candidates in found for candidate in candidates})
    stored = (
        dict(zip(wanted, client.mget([_signature_key(settings, c) for c in wanted]), strict=True))
        if wanted
        else {}
    )
    results: list[Duplicate | None] = []
    for index, ((article_id, article_print), (exact, candidates)) in enumerate(
        zip(prints, found, strict=True)
    ):
        # Only originals are candidates: a copy of a copy points at the article first published.
        earlier = [prints[k] for k in range(index) if results[k] is None]
        if exact and exact != article_id:
            results.append(Duplicate("exact", exact, 1.0))
            continue
        twin = next(
            (other for other, p in earlier if p.exact == article_print.exact and other != article_id), None
        )
        if twin:
            results.append(Duplicate("exact", twin, 1.0))
            continue
        signatures = [(c, decode_signature(str(stored[c]))) for c in candidates if stored.get(c)]
        signatures += [(other, p.signature) for other, p in earlier if other != article_id]
        results.append(most_similar(article_print, signatures, settings.near_duplicate_threshold))
    return results


def remember(client: redis.Redis, settings: Settings, article_id: str, fingerprint: Fingerprint) -> None:
    """Record a published article's fingerprint so later copies are found (idempotent)."""
    remember_many(client, settings, [(article_id, fingerprint)])


def remember_many(client: redis.Redis, settings: Settings, prints: list[tuple[str, Fingerprint]]) -> None:
    """``remember`` for a batch, in one round trip (three commands per article)."""
    if not prints:
        return
    window = settings.duplicate_window_seconds
    remember_script = client.register_script(_REMEMBER)
    pipe = client.pipeline(transaction=False)
    for article_id, article_print in prints:
        pipe.set(_exact_key(settings, article_print), article_id, nx=True, ex=window)
        remember_script(keys=_band_keys(settings, article_print), args=[article_id, window], client=pipe)
        pipe.set(_signature_key(settings, article_id), article_print.encode_signature(), ex=window)
    pipe.execute()


def mark(
    client: redis.Redis, settings: Settings, article: PublishedArticle
) -> tuple[PublishedArticle, Fingerprint | None]:
    """The article marked with the earlier one it duplicates, if any, and its fingerprint."""
    return mark_many(client, settings, [article])[0]


def fingerprints(articles: list[PublishedArticle]) -> list[Fingerprint]:
    """The articles' fingerprints."""
    return [fingerprint(article.text) for article in articles]


def mark_many(
    client: redis.Redis,
    settings: Settings,
    articles: list[PublishedArticle],
    article_prints: list[Fingerprint] | None = None,
) -> list[tuple[PublishedArticle, Fingerprint | None]]:
    """``mark`` for a batch, in two round trips (``article_prints``: their ``fingerprints``, if
    computed already, e.g. outside the publishing lock)."""
    if not settings.duplicate_detection:
        return [(article, None) for article in articles]
    if article_prints is None:
        article_prints = fingerprints(articles)
    prints = [
        (article.id, article_print) for article, article_print in zip(articles, article_prints, strict=True)
    ]
    found = find_duplicates(client, settings, prints)
    return [
        (marked(article, duplicate), article_print)
        for article, (_, article_print), duplicate in zip(articles, prints, found, strict=True)
    ]


def marked(article: PublishedArticle, duplicate: Duplicate | None) -> PublishedArticle:
    """The article with the duplicate's fields set (unchanged when there is none)."""
    if duplicate is None:
        return article
    return article.model_copy(update=duplicate.fields())


def remember_published(
    client: redis.Redis, settings: Settings, article_id: str, fingerprint: Fingerprint | None
) -> None:
    """After publishing: remember the article's fingerprint (nothing when detection is off)."""
    if fingerprint is not None:
        remember(client, settings, article_id, fingerprint)
