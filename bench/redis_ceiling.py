"""How far one Redis carries: the pipeline's own Redis traffic per article, without the NLP.

    python -m bench.redis_ceiling [DATA_DIR] [--articles 2000] [--workers 2] [--concurrency 2]

Runs the real thing minus the model: the real producer queues the articles, real ``newsflow
worker`` processes run every stage (the English "model" is a blank spaCy pipeline saved to a
temporary folder, so extraction finds no entities and costs next to nothing) and publish with
duplicate detection on, against one private redis-server. The texts are the news texts of the data
folder with every third word replaced by a random token, so that each article is an original
(remembered by the duplicate detector, as most articles are). From Redis' own counters before and
after (``INFO commandstats``, ``INFO stats``, ``INFO cpu``) it reports per article: commands, bytes
in and out, and Redis CPU time, and from that the ceiling: articles per second one Redis core
carries (1 / CPU seconds per article). It also reports the memory the duplicate window holds per
article (``MEMORY USAGE`` of every duplicate key) and what the results stream holds per article.

Each run is done twice: one Redis with ``NEWSFLOW_REDIS_WAIT_REPLICAS=0``, and one Redis with a
replica and ``NEWSFLOW_REDIS_WAIT_REPLICAS=1`` (the durability waits), so their cost shows.
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import signal
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

from tests.harness import DEFAULT_DATA_DIR, Workers, news_texts, worker_env
from tests.sentinel_lab import replicate
from worker.app import create_app
from worker.cli.local_redis import LocalRedis
from worker.producers.producer import enqueue_items
from worker.settings import Settings
from worker.sources.files import SourceItem
from worker.stores import stream

IDLE_WINDOW_SECONDS = 10.0


@dataclass
class CeilingReport:
    """Redis' counters over one run, per article."""

    label: str
    articles: int = 0
    seconds: float = 0.0
    commands: Counter[str] = field(default_factory=Counter)
    bytes_in: int = 0
    bytes_out: int = 0
    cpu_seconds: float = 0.0
    idle_cpu_per_second: float = 0.0
    idle_commands_per_second: float = 0.0
    duplicate_bytes: int = 0
    stream_bytes: int = 0
    memory: Counter[str] = field(default_factory=Counter)
    duplicates_found: int = 0

    def per_article(self, value: float) -> float:
        """``value`` divided by the articles."""
        return value / max(1, self.articles)

    @property
    def article_cpu_seconds(self) -> float:
        """Redis CPU time per article, the idle work of the run's duration taken out."""
        return self.per_article(max(0.0, self.cpu_seconds - self.idle_cpu_per_second * self.seconds))

    @property
    def ceiling(self) -> float:
        """Articles per second one Redis core carries at this CPU cost per article (idle work aside)."""
        return 1 / self.article_cpu_seconds if self.article_cpu_seconds else float("inf")


def distinct_texts(data_dir: Path, count: int, seed: int = 1) -> list[dict[str, Any]]:
    """``count`` records, each a real news text with every third word replaced by a random token
    (no two share a word 3-gram, so the duplicate detector takes each for an original)."""
    rng = random.Random(seed)
    base = news_texts(data_dir)
    run = secrets.token_hex(3)
    records = []
    for index in range(count):
        words = base[index % len(base)]["text"].split()
        for position in range(rng.randrange(3), len(words), 3):
            words[position] = f"w{rng.getrandbits(40):x}"
        records.append({"id": f"ceiling-{run}-{index}", "text": " ".join(words)})
    return records


def blank_model(folder: Path) -> Path:
    """A blank English spaCy pipeline on disk: the worker loads it as its model (no entities)."""
    import spacy

    path = folder / "blank-en"
    spacy.blank("en").to_disk(path)
    return path


def _counters(client: redis.Redis) -> tuple[Counter[str], int, int, float]:
    stats = client.info("commandstats")
    commands = Counter({name.removeprefix("cmdstat_"): int(v["calls"]) for name, v in stats.items()})
    info = client.info("stats")
    cpu = client.info("cpu")
    return (
        commands,
        int(info["total_net_input_bytes"]),
        int(info["total_net_output_bytes"]),
        float(cpu["used_cpu_sys"]) + float(cpu["used_cpu_user"]),
    )


def _memory(client: redis.Redis, prefix: str) -> Counter[str]:
    """Bytes held under the prefix, by key family (``dup:band``, ``seen:id``, ``published`` ...)."""
    families: Counter[str] = Counter()
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        parts = key.split(":")
        family = ":".join(parts[1:3]) if parts[1] in ("dup", "seen") else parts[1]
        families[family] += int(client.memory_usage(key, samples=0) or 0)
    return families


def run_once(
    label: str, records: list[dict[str, Any]], model: Path, *, workers: int, concurrency: int, replica: bool
) -> CeilingReport:
    """Queue and process ``records`` against a fresh Redis (with a replica and WAIT if asked)."""
    report = CeilingReport(label)
    primary = LocalRedis().start()
    secondary = LocalRedis().start() if replica else None
    prefix = f"ceiling-{secrets.token_hex(3)}"
    waits = {"redis_wait_replicas": "1"} if replica else {}
    settings = Settings(
        redis_url=primary.url,
        key_prefix=prefix,
        max_queue_depth=0,
        **waits,  # type: ignore[arg-type]
    )
    env = worker_env(primary.url, prefix, spacy_model=str(model), **waits)
    pool = Workers(env, Path(tempfile.mkdtemp(prefix="newsflow-ceiling-")))
    client = redis.Redis.from_url(primary.url, decode_responses=True)
    try:
        if secondary is not None:
            replicate(secondary, primary)
        for _ in range(workers):
            pool.start(concurrency)
        pool.wait_ready(client, prefix, workers)
        # Redis' work with the workers idle (heartbeats, polling, sweeps): a cost per second, not per
        # article, measured over a fixed window and taken out of the per-article figures.
        idle_from = _counters(client)
        idle_started = time.monotonic()
        time.sleep(IDLE_WINDOW_SECONDS)
        before = _counters(client)
        started = time.monotonic()
        report.idle_cpu_per_second = (before[3] - idle_from[3]) / (started - idle_started)
        report.idle_commands_per_second = sum((before[0] - idle_from[0]).values()) / (started - idle_started)
        items = (SourceItem(f"ceiling:{i}", r) for i, r in enumerate(records))
        queued = enqueue_items(items, settings, client, create_app(settings)).queued
        deadline = time.monotonic() + 60 + len(records) / 5
        while int(client.xlen(settings.results_stream)) < queued:  # type: ignore[arg-type]
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{client.xlen(settings.results_stream)} of {queued} published; logs in {pool.log_dir}"
                )
            time.sleep(0.05)
        report.seconds = time.monotonic() - started
        after = _counters(client)
        report.articles = queued
        report.commands = after[0] - before[0]
        report.bytes_in, report.bytes_out = after[1] - before[1], after[2] - before[2]
        report.cpu_seconds = after[3] - before[3]
        report.memory = _memory(client, prefix)
        report.duplicate_bytes = sum(v for k, v in report.memory.items() if k.startswith("dup:"))
        report.stream_bytes = report.memory["results"]
        entries = stream.read_range(client, settings.results_stream)
        report.duplicates_found = sum(1 for e in entries if json.loads(e.fields["data"]).get("duplicate_of"))
    finally:
        pool.stop(signal.SIGTERM)
        primary.cleanup()
        if secondary is not None:
            secondary.cleanup()
    return report


def table(reports: list[CeilingReport]) -> str:
    """Side by side, per article."""
    header = "| per article | " + " | ".join(r.label for r in reports) + " |"
    rule = "|---|" + "---:|" * len(reports)
    rows = [
        ("articles", lambda r: f"{r.articles}"),
        ("wall-clock articles/s (workers' CPU bound)", lambda r: f"{r.articles / r.seconds:.0f}"),
        ("Redis commands", lambda r: f"{r.per_article(sum(r.commands.values())):.1f}"),
        (
            "  of them duplicate detection (smembers, sadd, expire)",
            lambda r: f"{r.per_article(sum(r.commands[c] for c in ('smembers', 'sadd', 'expire'))):.1f}",
        ),
        ("  of them WAIT", lambda r: f"{r.per_article(r.commands['wait']):.2f}"),
        ("bytes into Redis", lambda r: f"{r.per_article(r.bytes_in):,.0f}"),
        ("bytes out of Redis", lambda r: f"{r.per_article(r.bytes_out):,.0f}"),
        ("Redis CPU (µs), all", lambda r: f"{r.per_article(r.cpu_seconds) * 1e6:.0f}"),
        ("Redis CPU (µs), idle work taken out", lambda r: f"{r.article_cpu_seconds * 1e6:.0f}"),
        (
            "(idle: Redis CPU ms/s, commands/s)",
            lambda r: f"{r.idle_cpu_per_second * 1e3:.1f}, {r.idle_commands_per_second:.0f}",
        ),
        ("**ceiling: articles/s per Redis core**", lambda r: f"**{r.ceiling:,.0f}**"),
        ("duplicate window memory (bytes)", lambda r: f"{r.per_article(r.duplicate_bytes):,.0f}"),
        ("results stream memory (bytes)", lambda r: f"{r.per_article(r.stream_bytes):,.0f}"),
        ("taken for duplicates (should be 0)", lambda r: f"{r.duplicates_found}"),
    ]
    lines = [header, rule] + [
        "| " + name + " | " + " | ".join(cell(r) for r in reports) + " |" for name, cell in rows
    ]
    return "\n".join(lines)


def main() -> None:
    """Run both configurations and print the table and the busiest commands."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data_dir", nargs="?", default=str(DEFAULT_DATA_DIR))
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    records = distinct_texts(Path(args.data_dir), args.articles)
    with tempfile.TemporaryDirectory(prefix="newsflow-blank-") as folder:
        model = blank_model(Path(folder))
        reports = [
            run_once(
                label, records, model, workers=args.workers, concurrency=args.concurrency, replica=replica
            )
            for label, replica in (("one Redis, WAIT off", False), ("Redis + replica, WAIT 1", True))
        ]
    print(f"redis ceiling: {args.articles} articles, {args.workers} workers x {args.concurrency} processes")
    print(table(reports))
    for report in reports:
        busiest = ", ".join(
            f"{name} {report.per_article(calls):.1f}" for name, calls in report.commands.most_common(12)
        )
        print(f"{report.label}: commands per article: {busiest}")
        held = ", ".join(
            f"{name} {report.per_article(size):,.0f}" for name, size in report.memory.most_common()
        )
        print(f"{report.label}: bytes held per article, by key family: {held}")


if __name__ == "__main__":
    main()
