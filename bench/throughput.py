"""Throughput against the model's limit: raw nlp.pipe, ``newsflow process``, and the distributed path.

    python -m bench.throughput [DATA_DIR] [--articles 1000] [--html 300] [--long]

One run, one machine, the same cleaned texts for all three:

1. limit: raw ``nlp.pipe`` of the same model and components, one process per core;
2. in-process: ``newsflow process --jobs <cores>`` over the same input (all stages, no broker);
3. distributed: a private redis-server, ``newsflow worker`` with one pool process per core, the corpus
   enqueued with ``newsflow enqueue``, timed from the first enqueue to the last result in the stream.

Prints articles/s and words/s of each, the ratios, end-to-end latency (enqueued -> published)
p50/p95/p99 at full load and at about half load (a paced producer), peak RSS per worker process, and
Redis commands per article; then the HTML pages through the distributed path with the clean stage's
share of the time, and the same pages' article text as text records (``body_only``), so that HTML /
text is the cost of HTML alone. ``--long`` runs 100,000 articles through one worker and prints RSS
every 10,000.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import redis

from tests.harness import DEFAULT_DATA_DIR, REPO, Workers, cycled, html_pages, news_texts, worker_env
from worker import stages
from worker.app import create_app
from worker.cli.local_redis import LocalRedis
from worker.delivery.chain import pipeline_chain
from worker.metrics import child_pids, resident_bytes
from worker.nlp import load_pipeline
from worker.producers.producer import enqueue_items
from worker.runtime.allocator import keep_freed_memory
from worker.settings import Settings
from worker.sources.files import SourceItem

CORES = os.cpu_count() or 1
WARMUP_TEXT = (
    "LISBON – The city council approved a new tram line on Monday, the mayor said. "
    "Construction starts next spring and the line opens in 2029, officials said."
)


@dataclass
class Run:
    """One measured run: articles, words and seconds, with optional latencies and memory."""

    name: str
    articles: int
    words: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    peak_rss: dict[str, int] = field(default_factory=dict)
    redis_commands: int = 0
    # Distributed runs: seconds from launching ``newsflow enqueue`` to its first article queued
    # (the command's interpreter, imports and file reading, while the workers wait).
    producer_startup: float = 0.0

    @property
    def rate(self) -> float:
        """Articles per second."""
        return self.articles / self.seconds

    def row(self) -> str:
        """A markdown table row."""
        cells = [
            self.name,
            str(self.articles),
            f"{self.rate:.1f}",
            f"{self.words / self.seconds:,.0f}",
            f"{self.seconds:.1f}",
        ]
        return "| " + " | ".join(cells) + " |"


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile of the values (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def median_run(runs: list[Run]) -> Run:
    """The run with the median rate (its latencies and memory come with it)."""
    ordered = sorted(runs, key=lambda run: run.rate)
    chosen = ordered[len(ordered) // 2]
    chosen.name += f" (median of {len(runs)}: {', '.join(f'{run.rate:.1f}' for run in runs)})"
    return chosen


def write_jsonl(records: list[dict[str, Any]], path: Path) -> None:
    """Write records as JSON lines."""
    with path.open("w") as handle:
        for record in records:
            handle.write(json.dumps(record) + "\n")


def measure_limit(texts: list[str], allocator_keep_mb: int = 0) -> Run:
    """Raw nlp.pipe of the pipeline the workers load, one process per core; with
    ``allocator_keep_mb``, under the allocator settings the workers use (in a child process, so this
    one keeps glibc's defaults)."""
    nlp = load_pipeline(Settings().spacy_model)
    list(nlp.pipe(texts[:20]))  # warm up
    name = f"limit: nlp.pipe {'+'.join(nlp.pipe_names)}, {CORES} processes"
    words = sum(len(t.split()) for t in texts)
    if not allocator_keep_mb:
        return Run(name, len(texts), words, _pipe_seconds(nlp, texts))
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_limit_child, args=(nlp, texts, allocator_keep_mb, send))
    child.start()
    seconds = receive.recv()
    child.join()
    return Run(f"{name}, allocator as the workers'", len(texts), words, seconds)


def _pipe_seconds(nlp: Any, texts: list[str]) -> float:
    started = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=64, n_process=CORES):
        pass
    return time.perf_counter() - started


def _limit_child(nlp: Any, texts: list[str], allocator_keep_mb: int, send: Any) -> None:
    keep_freed_memory(allocator_keep_mb)  # inherited by the processes nlp.pipe forks
    send.send(_pipe_seconds(nlp, texts))


def measure_in_process(input_path: Path, warmup_path: Path, articles: int, words: int) -> tuple[Run, float]:
    """``newsflow process --jobs CORES`` over the corpus, less the command's start-up (interpreter,
    imports, a model per process), measured by the same command on ``CORES`` articles."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}

    def wall(path: Path) -> float:
        command = [sys.executable, "-m", "worker", "process", str(path), "-o", os.devnull, "-j", str(CORES)]
        started = time.perf_counter()
        subprocess.run(command, env=env, cwd=REPO, check=True, capture_output=True)
        return time.perf_counter() - started

    startup = wall(warmup_path)
    total = wall(input_path)
    return Run(
        f"in-process: newsflow process -j {CORES}, start-up taken off", articles, words, total - startup
    ), startup


class RssSampler:
    """Samples the RSS of worker main processes and their pool processes while it runs."""

    def __init__(self, workers: Workers) -> None:
        self.workers = workers
        self.peak = {"main": 0, "pool": 0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            for process in self.workers.alive():
                self.peak["main"] = max(self.peak["main"], resident_bytes(process.pid))
                for child in child_pids(process.pid):
                    self.peak["pool"] = max(self.peak["pool"], resident_bytes(child))


def redis_commands(client: redis.Redis) -> int:
    """Commands Redis has processed since it started."""
    return int(client.info("stats")["total_commands_processed"])  # type: ignore[index]


def latencies(client: redis.Redis, settings: Settings) -> list[float]:
    """Enqueued -> published, in seconds, of every result in the stream."""
    values = []
    for _, fields in client.xrange(settings.results_stream):  # type: ignore[union-attr]
        record = json.loads(fields["data"])
        if record["id"].startswith("warmup-"):
            continue
        published = datetime.fromisoformat(record["published_at"])
        values.append((published - datetime.fromisoformat(record["enqueued_at"])).total_seconds())
    return values


def first_enqueued(client: redis.Redis, settings: Settings) -> float | None:
    """The earliest ``enqueued_at`` (Unix time) of the results in the stream, warm-up left out."""
    stamps = []
    for _, fields in client.xrange(settings.results_stream):  # type: ignore[union-attr]
        record = json.loads(fields["data"])
        if not record["id"].startswith("warmup-") and record.get("enqueued_at"):
            stamps.append(datetime.fromisoformat(record["enqueued_at"]).timestamp())
    return min(stamps, default=None)


def from_first_queued(run: Run) -> Run:
    """A distributed run timed from its first article queued: the enqueue command's start-up taken
    off, as the in-process row takes off ``newsflow process``'s."""
    return Run(
        "distributed, from the first article queued (the enqueue command's start-up taken off)",
        run.articles, run.words, run.seconds - run.producer_startup,
    )  # fmt: skip


def clean_share(client: redis.Redis, settings: Settings) -> float:
    """The clean stage's share of the stage time, over every result in the stream."""
    clean = total = 0.0
    for _, fields in client.xrange(settings.results_stream):  # type: ignore[union-attr]
        timings = json.loads(fields["data"])["timings"]
        clean += timings.get("clean", 0.0)
        total += sum(timings.values())
    return clean / total if total else 0.0


class Deployment:
    """A private redis-server and one ``newsflow worker`` with a pool process per core."""

    def __init__(self, server: LocalRedis, concurrency: int = CORES, **settings: str) -> None:
        self.prefix = f"tp-{secrets.token_hex(3)}"
        self.server = server
        self.env = worker_env(server.url, self.prefix, **settings)
        self.settings = Settings(redis_url=server.url, key_prefix=self.prefix, **settings)  # type: ignore[arg-type]
        self.client = redis.Redis.from_url(server.url, decode_responses=True)
        self.workers = Workers(self.env, Path(tempfile.mkdtemp(prefix="newsflow-throughput-")))
        self.concurrency = concurrency

    def __enter__(self) -> Deployment:
        self.workers.start(self.concurrency)
        self.workers.wait_ready(self.client, self.prefix, 1)
        # Warm up: one article per pool process, so every process has loaded its models before
        # the clock starts (as the limit's nlp.pipe runs warm).
        app = create_app(self.settings)
        texts = [{"id": f"warmup-{i}", "text": WARMUP_TEXT} for i in range(2 * self.concurrency)]
        for record in texts:
            pipeline_chain({**record, "enqueued_at": stages.now_iso()}, app).apply_async()
        self.baseline = 0
        self.wait_results(len(texts))
        self.baseline = len(texts)
        return self

    def __exit__(self, *exc: object) -> None:
        self.workers.stop()

    def wait_results(self, count: int, timeout: float = 3600) -> float:
        """Wait for ``count`` results; returns when the last arrived (monotonic)."""
        deadline = time.monotonic() + timeout
        while self.client.xlen(self.settings.results_stream) < self.baseline + count:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{self.client.xlen(self.settings.results_stream)} of {count} after {timeout}s"
                )
            time.sleep(0.02)
        return time.monotonic()


def measure_distributed(
    server: LocalRedis, input_path: Path, articles: int, words: int, *, name: str, batch_size: int
) -> Run:
    """A worker per machine, the corpus enqueued with ``newsflow enqueue``."""
    with Deployment(server, article_batch_size=str(batch_size)) as deployment:
        before = redis_commands(deployment.client)
        with RssSampler(deployment.workers) as sampler:
            started, started_at = time.monotonic(), time.time()
            subprocess.run([sys.executable, "-m", "worker", "enqueue", str(input_path)], env=deployment.env,
                           cwd=REPO, check=True, capture_output=True)  # fmt: skip
            finished = deployment.wait_results(articles)
        run = Run(name, articles, words, finished - started)
        run.redis_commands = redis_commands(deployment.client) - before
        run.latencies = latencies(deployment.client, deployment.settings)
        first = first_enqueued(deployment.client, deployment.settings)
        run.producer_startup = max(0.0, first - started_at) if first is not None else 0.0
        run.peak_rss = dict(sampler.peak)
        run.name += f" (clean {100 * clean_share(deployment.client, deployment.settings):.0f}% of stage time)"
    return run


def measure_paced(server: LocalRedis, records: list[dict[str, Any]], rate: float) -> list[float]:
    """End-to-end latencies with a producer sending ``rate`` articles/s, one at a time."""
    with Deployment(server) as deployment:
        app = create_app(deployment.settings)
        started = time.monotonic()
        for index, record in enumerate(records):
            delay = started + index / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pipeline_chain({**record, "enqueued_at": stages.now_iso()}, app).apply_async()
        deployment.wait_results(len(records))
        return latencies(deployment.client, deployment.settings)


def varied(texts: list[dict[str, Any]], count: int, run: str) -> Iterator[SourceItem]:
    """``count`` articles cycling through ``texts``, each ending with words never seen before (as
    new names are, in a real stream): the strings a worker's vocabulary would keep growing with."""
    for index, record in enumerate(cycled(texts, count, run)):
        fresh = " ".join(f"Zq{secrets.token_hex(3)}" for _ in range(3))
        yield SourceItem(str(index), {**record, "text": f"{record['text']}\n\nFiled with reference {fresh}."})


def measure_long(
    server: LocalRedis, texts: list[dict[str, Any]], total: int, step: int
) -> list[tuple[int, int, int, str]]:
    """RSS of one worker's pool processes every ``step`` articles over ``total``, fed by the producer
    (batched chains, backpressure) with articles that each bring new words."""
    points = []
    with Deployment(server, max_queue_depth="200", results_max_length="2000") as deployment:
        app = create_app(deployment.settings)
        for checkpoint in range(step, total + 1, step):
            items = varied(texts, step, f"long-{checkpoint}")
            enqueue_items(items, deployment.settings, deployment.client, app)
            while int(deployment.client.get(deployment.settings.key("published_total")) or 0) < checkpoint:
                time.sleep(0.5)
            pids = [pid for p in deployment.workers.alive() for pid in child_pids(p.pid)]
            pools = [resident_bytes(pid) for pid in pids]
            points.append((checkpoint, max(pools, default=0), sum(pools), ",".join(map(str, pids))))
            rss = points[-1][1] / 2**20
            print(
                f"long: {checkpoint:>7} articles, pool RSS max {rss:.0f} MiB, pids {points[-1][3]}",
                flush=True,
            )
    return points


def measure_html(server: LocalRedis, data: Path, count: int, batch_size: int, work: Path) -> tuple[Run, Run]:
    """``count`` HTML pages through the distributed path, then the same pages' article text as text
    records (``body_only``), so that HTML / text is the cost of HTML alone."""
    pages = list(cycled(html_pages(data), count, f"html-{secrets.token_hex(3)}"))
    write_jsonl(pages, work / "pages.jsonl")
    settings = Settings()
    page_texts = [
        {"id": f"{page['id']}-text", "text": stages.run_clean(settings, page).text, "body_only": True}
        for page in pages
    ]
    write_jsonl(page_texts, work / "page-texts.jsonl")
    words = sum(len(record["text"].split()) for record in page_texts)
    html = measure_distributed(
        server, work / "pages.jsonl", len(pages), words,
        name=f"distributed, HTML pages: newsflow worker -c {CORES}", batch_size=batch_size,
    )  # fmt: skip
    as_text = measure_distributed(
        server, work / "page-texts.jsonl", len(page_texts), words,
        name=f"distributed, the same pages' article text: newsflow worker -c {CORES}", batch_size=batch_size,
    )  # fmt: skip
    return html, as_text


def main() -> None:
    """Run every measurement in one go and print the tables."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data_dir", nargs="?", default=str(DEFAULT_DATA_DIR))
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--html", type=int, default=300, help="HTML pages through the distributed path")
    parser.add_argument("--long", action="store_true", help="also 100,000 articles through one worker")
    parser.add_argument("--long-only", action="store_true", help="only the 100,000-article memory run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds; rows show the median")
    parser.add_argument(
        "--batch-sizes",
        default="16,1",
        help="articles per chain for the distributed runs; the first is the default",
    )
    args = parser.parse_args()
    data = Path(args.data_dir)
    work = Path(tempfile.mkdtemp(prefix="newsflow-throughput-"))
    if args.long_only:
        with LocalRedis() as server:
            points = measure_long(server, news_texts(data), 100_000, 10_000)
        print_long(points)
        return

    records = list(cycled(news_texts(data), args.articles, f"text-{secrets.token_hex(3)}"))
    settings = Settings()
    cleaned = [stages.run_clean(settings, record).text for record in records]
    words = sum(len(text.split()) for text in cleaned)
    write_jsonl(records, work / "texts.jsonl")
    mean_words = words / len(records)
    print(
        f"{len(records)} plain-text news articles ({mean_words:.0f} words each after cleaning), {CORES} cores"
    )

    write_jsonl(records[:CORES], work / "warmup.jsonl")
    sizes = [int(size) for size in args.batch_sizes.split(",")]
    rounds: dict[str, list[Run]] = {}
    startups: list[float] = []
    with LocalRedis() as server:
        # The three measurements take turns, round after round; each row reports its median round.
        for _ in range(args.rounds):
            rounds.setdefault("limit", []).append(measure_limit(cleaned))
            rounds.setdefault("limit, allocator", []).append(
                measure_limit(cleaned, settings.allocator_keep_mb)
            )
            in_process_run, startup = measure_in_process(
                work / "texts.jsonl", work / "warmup.jsonl", len(records), words
            )
            rounds.setdefault("in-process", []).append(in_process_run)
            startups.append(startup)
            for size in sizes:
                name = f"distributed: newsflow worker -c {CORES}, {size} per chain"
                run = measure_distributed(
                    server, work / "texts.jsonl", len(records), words, name=name, batch_size=size
                )
                rounds.setdefault(f"distributed {size}", []).append(run)
                if size == sizes[0]:
                    rounds.setdefault("from first queued", []).append(from_first_queued(run))
        limit, in_process = median_run(rounds["limit"]), median_run(rounds["in-process"])
        limit_allocator = median_run(rounds["limit, allocator"])
        startup = statistics.median(startups)
        runs = [median_run(rounds[f"distributed {size}"]) for size in sizes]
        distributed = runs[0]
        queued = median_run(rounds["from first queued"])
        producer_startup = statistics.median(
            run.producer_startup for run in rounds[f"distributed {sizes[0]}"]
        )
        paced = list(cycled(news_texts(data), min(400, args.articles), f"half-{secrets.token_hex(3)}"))
        half = measure_paced(server, paced, distributed.rate / 2)
        html, as_text = measure_html(server, data, args.html, sizes[0], work)
        long_points = measure_long(server, news_texts(data), 100_000, 10_000) if args.long else []

    print_report(
        table=[limit, limit_allocator, in_process, *runs, queued, html, as_text], limit=limit,
        limit_allocator=limit_allocator, in_process=in_process, distributed=distributed, queued=queued,
        html=html, as_text=as_text, half=half, startup=startup, producer_startup=producer_startup,
        long_points=long_points,
    )  # fmt: skip


def print_report(
    *,
    table: list[Run],
    limit: Run,
    limit_allocator: Run,
    in_process: Run,
    distributed: Run,
    queued: Run,
    html: Run,
    as_text: Run,
    half: list[float],
    startup: float,
    producer_startup: float,
    long_points: list[tuple[int, int, int, str]],
) -> None:
    """Print the tables of one bench run."""
    print("\n| run | articles | articles/s | words/s | seconds |\n|---|---|---|---|---|")
    for run in table:
        print(run.row())
    print(f"\n(newsflow process start-up: {startup:.1f} s, taken off the in-process time above; "
          f"newsflow enqueue's, launch to first article queued: {producer_startup:.2f} s)")  # fmt: skip
    print(f"\ndistributed / limit = {distributed.rate / limit.rate:.2f}   "
          f"distributed / limit, workers' allocator = {distributed.rate / limit_allocator.rate:.2f}   "
          f"distributed / in-process = {distributed.rate / in_process.rate:.2f}")  # fmt: skip
    print(f"from the first article queued: / limit = {queued.rate / limit.rate:.2f}   "
          f"/ limit, workers' allocator = {queued.rate / limit_allocator.rate:.2f}   "
          f"/ in-process = {queued.rate / in_process.rate:.2f}")  # fmt: skip
    if html.articles and as_text.articles:  # --html 0 measures no pages
        print(f"HTML pages / the same pages' article text = {html.rate / as_text.rate:.2f}   "
              f"HTML pages / news texts = {html.rate / distributed.rate:.2f}")  # fmt: skip
    print("\n| end-to-end latency | p50 | p95 | p99 |\n|---|---|---|---|")
    for name, values in (
        ("full load", distributed.latencies),
        (f"half load ({distributed.rate / 2:.1f}/s)", half),
    ):
        p50, p95, p99 = (percentile(values, share) for share in (0.5, 0.95, 0.99))
        print(f"| {name} | {p50:.3f} s | {p95:.3f} s | {p99:.3f} s |")
    print(f"\npeak RSS: worker main process {distributed.peak_rss['main'] / 2**20:.0f} MiB, "
          f"pool process {distributed.peak_rss['pool'] / 2**20:.0f} MiB")  # fmt: skip
    per_text = distributed.redis_commands / distributed.articles
    per_html = f", {html.redis_commands / html.articles:.0f} (HTML)" if html.articles else ""
    print(f"Redis commands per article: {per_text:.0f} (texts){per_html}")
    if long_points:
        print_long(long_points)


def print_long(long_points: list[tuple[int, int, int, str]]) -> None:
    """The memory table of the long run."""
    if long_points:
        print("\n| articles | pool RSS max | pool RSS total |\n|---|---|---|")
        for count, peak, total, _pids in long_points:
            print(f"| {count:,} | {peak / 2**20:.0f} MiB | {total / 2**20:.0f} MiB |")
        (first, first_rss, _, first_pids), (last, last_rss, _, last_pids) = long_points[0], long_points[-1]
        recycled = "unchanged" if first_pids == last_pids else "recycled"
        print(f"pool processes {recycled}: {first_pids} -> {last_pids}")
        print(f"RSS at {last:,} / RSS at {first:,} = {last_rss / first_rss:.3f}")


if __name__ == "__main__":
    main()
