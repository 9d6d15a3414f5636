"""Enqueue throughput: articles per second from a JSONL file into a private local redis-server.

Usage: python bench/enqueue_throughput.py [DATA_DIR] [--articles N] [--repeats R]

Builds a JSONL file in a temporary folder (never in the repo) from the news_summarization_frank
articles (CNN/DailyMail and XSum, ~2,700 characters each), copied until there are N distinct
articles (each copy has its own id and URL, so the door does not drop it as a duplicate). Then,
against one private redis-server, each way of enqueueing reads the whole file and queues every
article on a fresh key prefix; each way runs R times (interleaved) and the median is reported:

- base issue's loop: validate, then ``pipeline_chain(record).apply_async()`` per article (no
  dedup, no backpressure): the baseline;
- ``enqueue_items`` with ``NEWSFLOW_ENQUEUE_BATCH_SIZE`` 1 and 100 (the default): the door
  (dedup by id and canonical URL, backpressure check) plus the batched sends;
- the same file again into a prefix that already holds it: every article a duplicate;
- ``newsflow enqueue FILE`` as a command (a new process: includes start-up and imports).

Every run checks that the clean queue holds exactly N messages (0 for the duplicates run).

Besides wall-clock rates it reports the CPU time the producer and redis-server spent, and
articles per CPU-second of both: on a machine shared with other work (wall-clock rates then
swing with the load) that is the figure that says what the producer costs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import redis

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from worker.app import create_app  # noqa: E402
from worker.cli.local_redis import LocalRedis  # noqa: E402
from worker.delivery.chain import pipeline_chain  # noqa: E402
from worker.producers.producer import enqueue_items, prepare_record  # noqa: E402
from worker.settings import Settings  # noqa: E402
from worker.sources.files import iter_source  # noqa: E402

INPUT_FIELDS = ("id", "url", "source", "text")


def build_jsonl(data_dir: Path, articles: int, folder: Path) -> Path:
    """A JSONL file of ``articles`` distinct input records made from the dataset's articles."""
    base = []
    for name in ("cnndm.jsonl", "xsum.jsonl"):
        with (data_dir / "news_summarization_frank" / name).open(encoding="utf-8") as handle:
            base += [json.loads(line) for line in handle if line.strip()]
    path = folder / "articles.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for n in range(articles):
            row = base[n % len(base)]
            copy = n // len(base)
            record = {key: row[key] for key in INPUT_FIELDS if row.get(key)}
            record["id"] = f"{row['id']}-{copy}"
            if record.get("url"):
                record["url"] = f"{record['url']}?copy={copy}"
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def baseline(path: Path, settings: Settings, client: redis.Redis) -> None:
    """The base issue's producer loop: one chain.apply_async per article."""
    app = create_app(settings)
    for item in iter_source(str(path), settings.max_input_bytes):
        record = prepare_record(item.record, settings)
        pipeline_chain(record.model_dump(mode="json", exclude_none=True), app).apply_async()


def fast(path: Path, settings: Settings, client: redis.Redis) -> None:
    """This issue's producer: the door, backpressure, batched sends."""
    report = enqueue_items(iter_source(str(path), settings.max_input_bytes), settings, client)
    assert not report.rejected, report.summary()


def command(path: Path, settings: Settings, client: redis.Redis) -> None:
    """``newsflow enqueue FILE`` in a new process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
    env |= {
        "NEWSFLOW_REDIS_URL": settings.redis_url.get_secret_value(),
        "NEWSFLOW_KEY_PREFIX": settings.key_prefix,
        "NEWSFLOW_MAX_QUEUE_DEPTH": str(settings.max_queue_depth),
    }
    run = subprocess.run(
        [sys.executable, "-m", "worker", "enqueue", str(path)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr


Way = tuple[str, Callable[[Path, Settings, redis.Redis], None], dict[str, int], int]


def cpu_seconds(redis_pid: int) -> tuple[float, float]:
    """CPU seconds used so far by this process and its waited-for children, and by redis-server."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    producer = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    fields = Path(f"/proc/{redis_pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return producer, (int(fields[11]) + int(fields[12])) / ticks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--articles", type=int, default=6000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    n = args.articles
    ways: list[Way] = [
        ("base issue: chain.apply_async per article", baseline, {}, n),
        ("door + batched sends, batch size 1", fast, {"enqueue_batch_size": 1}, n),
        ("door + batched sends, batch size 100 (default)", fast, {}, n),
        ("door + batched sends, batch size 500", fast, {"enqueue_batch_size": 500}, n),
        ("same file again: all duplicates (batch 100)", fast, {}, 0),
        ("`newsflow enqueue FILE` command (new process)", command, {}, n),
    ]
    seconds: dict[str, list[float]] = {name: [] for name, *_ in ways}
    cpu: dict[str, list[tuple[float, float]]] = {name: [] for name, *_ in ways}
    with tempfile.TemporaryDirectory(prefix="newsflow-bench-") as folder, LocalRedis() as server:
        path = build_jsonl(Path(args.data), n, Path(folder))
        client = redis.Redis.from_url(server.url, decode_responses=True)
        size_mb = path.stat().st_size / 1e6
        for repeat in range(args.repeats):
            prefix = f"bench{repeat}"
            for index, (name, run, overrides, expected) in enumerate(ways):
                # The duplicates run reuses the previous run's prefix, which holds every article.
                key_prefix = f"{prefix}-{index - 1 if expected == 0 else index}"
                settings = Settings(
                    redis_url=server.url, key_prefix=key_prefix, max_queue_depth=10 * n, **overrides
                )
                before = client.llen(settings.queue("clean"))
                assert server.process is not None
                cpu_before = cpu_seconds(server.process.pid)
                started = time.perf_counter()
                run(path, settings, client)
                seconds[name].append(time.perf_counter() - started)
                cpu_after = cpu_seconds(server.process.pid)
                cpu[name].append((cpu_after[0] - cpu_before[0], cpu_after[1] - cpu_before[1]))
                queued = client.llen(settings.queue("clean")) - before
                assert queued == expected, f"{name}: {queued} queued, expected {expected}"
            client.flushdb()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n{n} articles from a {size_mb:.1f} MB JSONL file into a private redis-server")
    print(f"median of {args.repeats} runs (min-max); {os.cpu_count()} cores, load average now {load}\n")
    base_rate = n / statistics.median(seconds[ways[0][0]])
    print(
        "| way | articles/s (wall) | min-max | vs base issue | producer CPU s | redis CPU s "
        "| articles per CPU-second |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, *_ in ways:
        rates = sorted(n / s for s in seconds[name])
        median = statistics.median(rates)
        producer_cpu = statistics.median(c[0] for c in cpu[name])
        redis_cpu = statistics.median(c[1] for c in cpu[name])
        print(
            f"| {name} | {median:,.0f} | {rates[0]:,.0f}-{rates[-1]:,.0f} | {median / base_rate:.1f}x "
            f"| {producer_cpu:.2f} | {redis_cpu:.2f} | {n / (producer_cpu + redis_cpu):,.0f} |"
        )


if __name__ == "__main__":
    main()
