"""Duplicate detection shared by every worker: fingerprints of published articles, kept in Redis.

Keys (all under the deployment's prefix, all expiring after ``duplicate_window_seconds``):

- ``<prefix>:dup:exact:<sha256>``       string: the id of the first article with that normalised text
- ``<prefix>:dup:band:<n>:<hash>``      set: ids of articles whose signature has that LSH band
- ``<prefix>:dup:sig:<id>``             string: the article's MinHash signature (hex)

``find_duplicate`` only reads; ``remember`` writes, and the publish task calls it only after the
article is on the results stream, so an article that never got published (a crash, a dead letter)
is never taken for the original of a later one. Two near-identical articles published at the same
instant by two workers can both pass as originals: the check and the remembering are two steps.
"""

from __future__ import annotations

import redis

from tasks.dedup import BANDS, Duplicate, Fingerprint, decode_signature, fingerprint, most_similar
from tasks.models import PublishedArticle
from worker.settings import Settings

__all__ = [
    "Duplicate",
    "find_duplicate",
    "find_duplicates",
    "mark",
    "mark_many",
    "marked",
    "remember",
    "remember_many",
    "remember_published",
]

MAX_CANDIDATES = 200


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
        for key in _band_keys(settings, article_print):
            pipe.smembers(key)
    replies = pipe.execute()
    per_article = BANDS + 1
    found: list[tuple[str | None, list[str]]] = []
    for index, (article_id, _) in enumerate(prints):
        exact, *bands = replies[index * per_article : (index + 1) * per_article]
        members = {str(member) for band in bands for member in band} - {article_id}
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
    """``remember`` for a batch, in one round trip."""
    if not prints:
        return
    window = settings.duplicate_window_seconds
    pipe = client.pipeline(transaction=False)
    for article_id, article_print in prints:
        pipe.set(_exact_key(settings, article_print), article_id, nx=True, ex=window)
        for key in _band_keys(settings, article_print):
            pipe.sadd(key, article_id)
            pipe.expire(key, window)
        pipe.set(_signature_key(settings, article_id), article_print.encode_signature(), ex=window)
    pipe.execute()


def mark(
    client: redis.Redis, settings: Settings, article: PublishedArticle
) -> tuple[PublishedArticle, Fingerprint | None]:
    """The article marked with the earlier one it duplicates, if any, and its fingerprint."""
    return mark_many(client, settings, [article])[0]


def mark_many(
    client: redis.Redis, settings: Settings, articles: list[PublishedArticle]
) -> list[tuple[PublishedArticle, Fingerprint | None]]:
    """``mark`` for a batch, in two round trips."""
    if not settings.duplicate_detection:
        return [(article, None) for article in articles]
    prints = [(article.id, fingerprint(article.text)) for article in articles]
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
