"""The duplicate detector's Redis commands (one SUNION per lookup, one script per remember) make the
same decisions, and leave the same keys, as the command-per-band way they replaced."""

from __future__ import annotations

import random

import pytest
import redis

from bench.dedup_quality import build_queries, load_articles
from tasks.duplicates import Duplicate, Fingerprint, decode_signature, fingerprint, most_similar
from tests.conftest import DATA_DIR, require_data
from worker.cli.local_redis import LocalRedis
from worker.settings import Settings
from worker.stores import duplicates

pytestmark = pytest.mark.integration


def reference_remember(
    client: redis.Redis, settings: Settings, article_id: str, article: Fingerprint
) -> None:
    """What ``remember`` did before: a SADD and an EXPIRE per band."""
    window = settings.duplicate_window_seconds
    pipe = client.pipeline(transaction=False)
    pipe.set(settings.key("dup", "exact", article.exact), article_id, nx=True, ex=window)
    for n, band in enumerate(article.bands()):
        pipe.sadd(settings.key("dup", "band", str(n), band), article_id)
        pipe.expire(settings.key("dup", "band", str(n), band), window)
    pipe.set(settings.key("dup", "sig", article_id), article.encode_signature(), ex=window)
    pipe.execute()


def reference_find(
    client: redis.Redis, settings: Settings, article_id: str, article: Fingerprint
) -> Duplicate | None:
    """What ``find_duplicate`` did before: a SMEMBERS per band."""
    exact = client.get(settings.key("dup", "exact", article.exact))
    if exact and exact != article_id:
        return Duplicate("exact", str(exact), 1.0)
    members: set[str] = set()
    for n, band in enumerate(article.bands()):
        members |= {str(m) for m in client.smembers(settings.key("dup", "band", str(n), band))}
    candidates = sorted(members - {article_id})[: duplicates.MAX_CANDIDATES]
    stored = client.mget([settings.key("dup", "sig", c) for c in candidates]) if candidates else []
    signatures = [(c, decode_signature(str(s))) for c, s in zip(candidates, stored, strict=True) if s]
    return most_similar(article, signatures, settings.near_duplicate_threshold)


def test_sunion_and_the_remember_script_decide_as_a_command_per_band() -> None:
    require_data(DATA_DIR / "news_summarization_frank")
    texts = load_articles(DATA_DIR)[:50]
    indexed, held_out = texts[:35], texts[35:]
    queries = build_queries(indexed, held_out, random.Random(5))
    with LocalRedis() as server:
        client = redis.Redis.from_url(server.url, decode_responses=True)
        new = Settings(redis_url=server.url, key_prefix="new")
        old = Settings(redis_url=server.url, key_prefix="old")
        prints = [fingerprint(text) for text in indexed]
        duplicates.remember_many(client, new, [(f"a{i}", p) for i, p in enumerate(prints)])
        for i, article in enumerate(prints):
            reference_remember(client, old, f"a{i}", article)
        # The same keys, members and expiry.
        new_keys = sorted(k.removeprefix("new:") for k in client.scan_iter(match="new:dup:*"))
        assert new_keys == sorted(k.removeprefix("old:") for k in client.scan_iter(match="old:dup:*"))
        for key in new_keys:
            if key.startswith("dup:band:"):
                assert client.smembers(f"new:{key}") == client.smembers(f"old:{key}")
            assert abs(int(client.ttl(f"new:{key}")) - int(client.ttl(f"old:{key}"))) <= 2
        # The same decisions, one query at a time and as a batch.
        decided = [
            reference_find(client, old, f"q{n}", fingerprint(text)) for n, (_, text, _) in enumerate(queries)
        ]
        single = [
            duplicates.find_duplicate(client, new, f"q{n}", fingerprint(text))
            for n, (_, text, _) in enumerate(queries)
        ]
        assert single == decided
        # The test means something: it saw exact and near duplicates and originals.
        kinds = {found.kind if found else None for found in decided}
        assert kinds == {"exact", "near", None}
