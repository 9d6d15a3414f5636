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

from dataclasses import dataclass
from typing import Literal

import redis

from tasks.dedup import Fingerprint, decode_signature, fingerprint, similarity
from tasks.models import PublishedArticle
from worker.settings import Settings

DuplicateKind = Literal["exact", "near"]
MAX_CANDIDATES = 200


@dataclass(frozen=True, slots=True)
class Duplicate:
    """An earlier published article that this one duplicates, and how closely."""

    kind: DuplicateKind
    original_id: str
    similarity: float


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
    pipe = client.pipeline(transaction=False)
    pipe.get(_exact_key(settings, fingerprint))
    for key in _band_keys(settings, fingerprint):
        pipe.smembers(key)
    exact, *bands = pipe.execute()
    if exact and exact != article_id:
        return Duplicate("exact", str(exact), 1.0)
    candidates = sorted({member for band in bands for member in band} - {article_id})[:MAX_CANDIDATES]
    if not candidates:
        return None
    stored = client.mget([_signature_key(settings, candidate) for candidate in candidates])
    best: Duplicate | None = None
    for candidate, encoded in zip(candidates, stored, strict=True):
        if not encoded:
            continue
        score = similarity(fingerprint.signature, decode_signature(str(encoded)))
        if score >= settings.near_duplicate_threshold and (best is None or score > best.similarity):
            best = Duplicate("near", candidate, round(score, 4))
    return best


def remember(client: redis.Redis, settings: Settings, article_id: str, fingerprint: Fingerprint) -> None:
    """Record a published article's fingerprint so later copies are found (idempotent)."""
    window = settings.duplicate_window_seconds
    pipe = client.pipeline(transaction=False)
    pipe.set(_exact_key(settings, fingerprint), article_id, nx=True, ex=window)
    for key in _band_keys(settings, fingerprint):
        pipe.sadd(key, article_id)
        pipe.expire(key, window)
    pipe.set(_signature_key(settings, article_id), fingerprint.encode_signature(), ex=window)
    pipe.execute()


def mark(
    client: redis.Redis, settings: Settings, article: PublishedArticle
) -> tuple[PublishedArticle, Fingerprint | None]:
    """The article marked with the earlier one it duplicates, if any, and its fingerprint."""
    if not settings.duplicate_detection:
        return article, None
    article_print = fingerprint(article.text)
    found = find_duplicate(client, settings, article.id, article_print)
    if found is None:
        return article, article_print
    marked = article.model_copy(
        update={
            "duplicate_of": found.original_id,
            "duplicate_kind": found.kind,
            "duplicate_similarity": found.similarity,
        }
    )
    return marked, article_print


def remember_published(
    client: redis.Redis, settings: Settings, article_id: str, fingerprint: Fingerprint | None
) -> None:
    """After publishing: remember the article's fingerprint (nothing when detection is off)."""
    if fingerprint is not None:
        remember(client, settings, article_id, fingerprint)
