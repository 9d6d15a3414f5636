"""Metrics overhead: worker throughput with metrics recorded and scraped, against metrics off.

    python bench/metrics_overhead.py [DATA_DIR] [--articles 300] [--rounds 3] [--scrape-every 15]

One run on one machine: a private redis-server, one ``newsflow worker`` with two pool processes;
rounds alternate metrics on (recorded in every pool process, served on /metrics and scraped every
``--scrape-every`` seconds: 15 as the compose Prometheus does, 1 to be harsh) and off
(``NEWSFLOW_METRICS_ENABLED=false``, no server). Each round enqueues the same news texts under
fresh ids and times first enqueue to last result. Prints articles/s per round and the ratio on/off
of the medians.
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

import redis

from bench.common import DEFAULT_DATA_DIR, Workers, cycled, news_texts, wait_for_stream, worker_env
from worker.app import create_app
from worker.cli.local_redis import LocalRedis, free_port
from worker.producers.producer import enqueue_items
from worker.settings import Settings
from worker.sources.files import SourceItem


def scrape_every(port: int, seconds: float, stop: threading.Event) -> None:
    """Scrape /metrics every ``seconds`` until stopped."""
    while not stop.wait(seconds):
        with contextlib.suppress(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read()


def one_round(
    server: LocalRedis, texts: list[dict[str, object]], articles: int, metrics_on: bool, scrape_seconds: float
) -> float:
    """Articles/s of one worker over ``articles`` articles, metrics on or off."""
    prefix = f"overhead-{secrets.token_hex(3)}"
    port = free_port()
    env = worker_env(
        server.url,
        prefix,
        metrics_enabled=str(metrics_on).lower(),
        metrics_port=str(port if metrics_on else 0),
    )
    workers = Workers(env, Path(tempfile.mkdtemp(prefix="newsflow-overhead-")))
    client = redis.Redis.from_url(server.url, decode_responses=True)
    settings = Settings(redis_url=server.url, key_prefix=prefix)  # type: ignore[arg-type]
    stop = threading.Event()
    try:
        workers.start(2)
        workers.wait_ready(client, prefix, 1)
        if metrics_on:
            threading.Thread(target=scrape_every, args=(port, scrape_seconds, stop), daemon=True).start()
        records = [SourceItem(str(i), r) for i, r in enumerate(cycled(texts, articles, prefix))]
        started = time.monotonic()
        enqueue_items(records, settings, client, create_app(settings))
        finished = wait_for_stream(client, settings.results_stream, articles, timeout=1800)
        return articles / (finished - started)
    finally:
        stop.set()
        workers.stop()


def main() -> None:
    """Alternate rounds with metrics on and off and print the comparison."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data_dir", nargs="?", default=str(DEFAULT_DATA_DIR))
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each mode, alternating")
    parser.add_argument(
        "--scrape-every", type=float, default=15.0, help="seconds between scrapes (compose: 15; 1 is harsher)"
    )
    args = parser.parse_args()
    texts = news_texts(Path(args.data_dir))
    rates: dict[bool, list[float]] = {True: [], False: []}
    with LocalRedis() as server:
        for _ in range(args.rounds):
            for mode in (True, False):
                rates[mode].append(one_round(server, texts, args.articles, mode, args.scrape_every))
                print(f"metrics {'on ' if mode else 'off'}: {rates[mode][-1]:.2f} articles/s", flush=True)
    on, off = statistics.median(rates[True]), statistics.median(rates[False])
    print(f"| metrics | articles/s (median of {args.rounds}) |\n|---|---|")
    print(f"| on | {on:.2f} |\n| off | {off:.2f} |")
    print(f"on/off = {on / off:.3f}  (overhead {100 * (1 - on / off):+.1f}%)")


if __name__ == "__main__":
    main()
