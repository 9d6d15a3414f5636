"""Publishing a batch: duplicates marked, each article appended to the results stream once per id,
and the originals' fingerprints remembered, all under the publishing lock.

The batch costs three round trips: duplicate lookups, the publishing scripts (each article
atomically appended and marked), and remembering the fingerprints of what was published; all
three under the publishing lock (two more round trips), so two copies of a story published at
the same moment by two workers cannot both pass as originals. With
``NEWSFLOW_REDIS_WAIT_REPLICAS`` set, one more round trip waits for replicas to hold all of it.
"""

from __future__ import annotations

from typing import Any

import redis

from tasks.models import PublishedArticle
from worker.settings import Settings
from worker.stores import duplicates, stream
from worker.stores.redis_client import wait_for_replicas


def publish_articles(
    client: redis.Redis, settings: Settings, articles: list[PublishedArticle]
) -> list[dict[str, Any]]:
    """Publish the articles; one outcome per article (its stream entry, and whether it is new)."""
    # The CPU work, before taking the lock.
    prints = duplicates.fingerprints(articles) if settings.duplicate_detection else None
    with duplicates.publishing_lock(client, settings):
        marked = duplicates.mark_many(client, settings, articles, prints)
        outcomes = stream.publish_many(
            client, settings, [(article.id, article.model_dump_json(warnings=False)) for article, _ in marked]
        )
        # Only originals are remembered, so that every later copy points at the first one published.
        originals = [(a.id, p) for a, p in marked if p is not None and a.duplicate_of is None]
        duplicates.remember_many(client, settings, originals)
    # The task is acknowledged after this: its published markers must outlive a failover first (a
    # lag raises ReplicationLag, a transient error, and the retry finds the markers already set).
    wait_for_replicas(client, settings)
    return [
        {
            "id": article.id,
            "entry_id": outcome.entry_id,
            "created": outcome.created,
            "duplicate_kind": article.duplicate_kind,
            "enqueued_at": article.enqueued_at,
        }
        for (article, _), outcome in zip(marked, outcomes, strict=True)
    ]
