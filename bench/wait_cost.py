"""What the durability waits cost: producers' enqueue rate and the publish step's rate, WAIT on or off.

    python -m bench.wait_cost [DATA_DIR] [--articles 3000] [--repeats 3]

Against a private primary with one replica on the same machine, each mode enqueues the same
articles through the real producer (``enqueue_items``, batches of ``NEWSFLOW_ENQUEUE_BATCH_SIZE``)
and publishes them through the real publish step (``publish_articles``, duplicate detection on,
batches of ``NEWSFLOW_ARTICLE_BATCH_SIZE``), each on a fresh key prefix, with
``NEWSFLOW_REDIS_WAIT_REPLICAS`` 0 and 1; modes interleave, the median of the repeats is reported.
On one machine the replica is a loopback away: over a network each WAIT costs about one more
round trip to the farthest replica it waits for, per batch.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import time
from pathlib import Path
from typing import Any

from bench.redis_ceiling import distinct_texts
from tasks.models import PublishedArticle
from tests.harness import DEFAULT_DATA_DIR
from tests.sentinel_lab import replicate
from worker.app import create_app
from worker.cli.local_redis import LocalRedis
from worker.producers.producer import enqueue_items
from worker.settings import Settings
from worker.sources.files import SourceItem
from worker.stores.publishing import publish_articles
from worker.stores.redis_client import connect


def published_articles(records: list[dict[str, Any]]) -> list[PublishedArticle]:
    """Records as the publish step gets them (text only, no entities or summary)."""
    return [
        PublishedArticle.model_validate(
            {
                "id": r["id"],
                "text": r["text"],
                "published_at": "2026-11-30T00:00:00+00:00",
                "pipeline_version": "x",
            }
        )
        for r in records
    ]


def measure(
    url: str, records: list[dict[str, Any]], articles: list[PublishedArticle], wait: int
) -> tuple[float, float]:
    """Articles per second enqueued and published with ``wait`` replicas waited for."""
    settings = Settings(
        redis_url=url, key_prefix=f"wait-{secrets.token_hex(3)}", redis_wait_replicas=wait, max_queue_depth=0
    )
    client = connect(settings)
    started = time.perf_counter()
    enqueue_items((SourceItem("w", r) for r in records), settings, client, create_app(settings))
    enqueue_rate = len(records) / (time.perf_counter() - started)
    size = settings.article_batch_size
    started = time.perf_counter()
    for index in range(0, len(articles), size):
        publish_articles(client, settings, articles[index : index + size])
    publish_rate = len(articles) / (time.perf_counter() - started)
    client.flushdb()
    return enqueue_rate, publish_rate


def main() -> None:
    """Measure both rates with WAIT off and on and print the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data_dir", nargs="?", default=str(DEFAULT_DATA_DIR))
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    records = distinct_texts(Path(args.data_dir), args.articles)
    articles = published_articles(records)
    rates: dict[int, list[tuple[float, float]]] = {0: [], 1: []}
    with LocalRedis() as primary, LocalRedis() as replica:
        replicate(replica, primary)
        for _ in range(args.repeats):
            for wait, runs in rates.items():
                runs.append(measure(primary.url, records, articles, wait))
    print(f"wait cost: {args.articles} articles, primary + 1 replica on loopback, median of {args.repeats}")
    print("| NEWSFLOW_REDIS_WAIT_REPLICAS | enqueue articles/s | publish step articles/s |")
    print("|---|---:|---:|")
    for wait, runs in rates.items():
        enqueue = statistics.median(r[0] for r in runs)
        publish = statistics.median(r[1] for r in runs)
        print(f"| {wait} | {enqueue:,.0f} | {publish:,.0f} |")


if __name__ == "__main__":
    main()
