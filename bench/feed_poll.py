"""Polling 50 feeds of 20 entries each, unchanged since the last poll: what does it cost?

Usage: python bench/feed_poll.py [DATA_DIR] [--feeds 50] [--entries 20]

Serves ``--feeds`` feeds, each on its own loopback host (127.0.0.1, 127.0.0.2, …: one
http.server per host, so per-host politeness applies as on the web), each with ``--entries``
article pages (written here, no data set needed; DATA_DIR is accepted for symmetry with the
other scripts) and a robots.txt; half the feeds answer conditional requests by ETag, half by
Last-Modified. A private redis-server holds the queue and the producers' state. Then, with the
default politeness settings (NEWSFLOW_FETCH_*), it polls:

1. cold: a producer that has never seen these feeds;
2. the same producer again, nothing changed;
3. a new producer (as after a restart, or another producer): nothing in its memory, only Redis;
4. for comparison, the same with the feeds' saved validators deleted: no conditional GET
   (the door still stops every entry from being fetched or queued again).

and counts, on the servers' side, every request by kind and the bytes of the bodies sent.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import redis

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.httpsite import Route, Site  # noqa: E402
from worker.cli.local_redis import LocalRedis  # noqa: E402
from worker.producers.feed_poll import FeedPoller, PollReport  # noqa: E402
from worker.producers.feed_state import RedisRobotsStore  # noqa: E402
from worker.producers.sender import producer_app  # noqa: E402
from worker.settings import Settings  # noqa: E402
from worker.sources.fetch import Fetcher  # noqa: E402
from worker.sources.urls import ListedURL  # noqa: E402

LAST_MODIFIED = "Wed, 05 Mar 2025 06:00:00 GMT"


def page(host: int, entry: int) -> bytes:
    """An article page written for this benchmark."""
    words = " ".join(f"word{(host * 31 + entry * 7 + k) % 97}" for k in range(400))
    return (
        f"<html><head><title>Story {entry} of site {host}</title></head><body><article>"
        f"<h1>Story {entry} of site {host}</h1><p>{words}</p></article></body></html>"
    ).encode()


def feed(host: int, entries: int) -> bytes:
    items = "".join(
        f"<item><title>Story {e}</title><link>/news/{e}.html</link>"
        f"<pubDate>Wed, 05 Mar 2025 0{e % 10}:00:00 GMT</pubDate></item>"
        for e in range(entries)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Site {host}</title>{items}</channel></rss>'
    ).encode()


def start_sites(feeds: int, entries: int) -> list[Site]:
    sites = []
    for host in range(1, feeds + 1):
        site = Site(host=f"127.0.0.{host}")
        site.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
        by_etag = host % 2 == 0
        site.routes["/feed.rss"] = Route(
            feed(host, entries),
            content_type="application/rss+xml",
            etag=by_etag,
            last_modified=None if by_etag else LAST_MODIFIED,
        )
        for entry in range(entries):
            site.routes[f"/news/{entry}.html"] = Route(page(host, entry))
        sites.append(site.start())
    return sites


@dataclass
class Counts:
    feed_requests: int = 0
    not_modified: int = 0
    robots: int = 0
    pages: int = 0
    body_bytes: int = 0


def count(sites: list[Site], since: list[int]) -> Counts:
    counts = Counts()
    for site, start in zip(sites, since, strict=True):
        for seen in site.hits()[start:]:
            counts.body_bytes += seen.body_bytes
            if seen.path == "/feed.rss":
                counts.feed_requests += 1
                counts.not_modified += seen.status == 304
            elif seen.path == "/robots.txt":
                counts.robots += 1
            else:
                counts.pages += 1
    return counts


class Producer:
    """What one `newsflow enqueue --feeds FILE --every …` process holds."""

    def __init__(self, settings: Settings, client: redis.Redis) -> None:
        self.fetcher = Fetcher(settings, robots_store=RedisRobotsStore(client, settings))
        self.pool = ThreadPoolExecutor(settings.fetch_concurrency)
        self.poller = FeedPoller(settings, client, self.fetcher, self.pool, producer_app(settings))

    def close(self) -> None:
        self.pool.shutdown()
        self.fetcher.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--entries", type=int, default=20)
    args = parser.parse_args()
    sites = start_sites(args.feeds, args.entries)
    rows: list[tuple[str, Counts, PollReport]] = []
    try:
        with LocalRedis() as server:
            # The benchmark's sites are on loopback, inside the network: allowed here, and only here.
            settings = Settings(
                redis_url=server.url, key_prefix="benchfeeds", fetch_allow_private="127.0.0.0/8"
            )
            client = redis.Redis.from_url(server.url, decode_responses=True)
            listed = [ListedURL(site.url("/feed.rss"), "bench") for site in sites]

            def poll(name: str, producer: Producer) -> None:
                before = [len(site.hits()) for site in sites]
                report = producer.poller.poll(listed)
                rows.append((name, count(sites, before), report))

            first = Producer(settings, client)
            poll("1. cold: first poll ever", first)
            poll("2. same producer, nothing changed", first)
            first.close()
            second = Producer(settings, client)
            poll("3. new producer (restart), nothing changed", second)
            client.delete(*(second.poller.state.key(f.url) for f in listed))
            poll("4. validators deleted: no conditional GET", second)
            second.close()
            queue_length = client.llen(settings.queue("clean"))
    finally:
        for site in sites:
            site.close()
    print(
        f"\n{args.feeds} feeds x {args.entries} entries, one loopback host each; politeness as default: "
        f"{settings.fetch_concurrency} fetches at once, {settings.fetch_per_host_concurrency} per host, "
        f"{settings.fetch_host_interval_seconds:g} s between requests to a host\n"
    )
    print(
        "| poll | feed requests | answered 304 | robots.txt | pages | body bytes sent "
        "| queued | duplicates skipped | seconds |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, c, report in rows:
        print(
            f"| {name} | {c.feed_requests} | {c.not_modified} | {c.robots} | {c.pages} | {c.body_bytes:,} "
            f"| {report.entries.queued} | {report.entries.duplicates} | {report.seconds:.2f} |"
        )
    print(f"\nclean queue length at the end: {queue_length} (every article queued exactly once)")


if __name__ == "__main__":
    start = time.monotonic()
    main()
    print(f"bench ran in {time.monotonic() - start:.0f} s")
