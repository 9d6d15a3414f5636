"""Every Prometheus metric newsflow exports, defined once.

Pool processes record into prometheus_client's multiprocess files (``PROMETHEUS_MULTIPROC_DIR``,
set and emptied by ``newsflow worker`` before any process starts), and the worker's main process
serves their sum, plus gauges it reads from Redis at scrape time. Labels stay bounded: stage,
outcome, queue, error class; never an id, a URL or entity text.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import redis
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from tasks.clean.language import known_languages
from worker.settings import STAGES, Settings

OUTCOMES = ("ok", "retried", "dead_lettered", "failed", "duplicate", "skipped_language")

STAGE_ARTICLES = Counter(
    "newsflow_stage_articles_total",
    "Articles a stage finished, by outcome.",
    ["stage", "outcome"],
)
STAGE_DURATION = Histogram(
    "newsflow_stage_duration_seconds",
    "Time a stage took per article.",
    ["stage"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
END_TO_END_LATENCY = Histogram(
    "newsflow_end_to_end_latency_seconds",
    "Time from enqueue to publish.",
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600),
)
ARTICLES_PUBLISHED = Counter(
    "newsflow_articles_published_total",
    "Articles appended to the results stream (a redelivered duplicate is not counted).",
)
DEAD_LETTERS = Counter(
    "newsflow_dead_letters_total",
    "Articles sent to the dead-letter stream, by stage and error class.",
    ["stage", "error_class"],
)
DUPLICATES = Counter(
    "newsflow_duplicates_total",
    "Articles recognised as duplicates of an earlier one, by kind.",
    ["kind"],
)
ARTICLE_SIZE = Histogram(
    "newsflow_article_size_characters",
    "Length of the cleaned article text.",
    buckets=(250, 500, 1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000),
)
ARTICLE_ENTITIES = Histogram(
    "newsflow_article_entities",
    "Entity mentions found per article.",
    buckets=(0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000),
)
ARTICLE_LANGUAGES = Counter(
    "newsflow_article_languages_total",
    "Cleaned articles by detected language.",
    ["language"],
)
WORKER_INFO = Gauge(
    "newsflow_worker_info",
    "Constant 1, labelled with the worker's version and model.",
    ["version", "model", "model_version"],
    multiprocess_mode="liveall",
)


def language_label(code: object) -> str:
    """The ``language`` label of an article: a code the detector knows, else ``unknown`` (a
    declared language can be any registered one; labels stay a fixed set)."""
    return code if isinstance(code, str) and code in known_languages() else "unknown"


class RedisStateCollector(Collector):
    """Gauges read from Redis at scrape time: queue depths and the dead-letter stream's length."""

    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self._client = client
        self._settings = settings

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Read the queue lengths and stream lengths in one round trip."""
        depth = GaugeMetricFamily("newsflow_queue_depth", "Messages waiting in a queue.", labels=["queue"])
        dead = GaugeMetricFamily("newsflow_dead_letter_stream_length", "Entries in the dead-letter stream.")
        results = GaugeMetricFamily("newsflow_results_stream_length", "Entries in the results stream.")
        up = GaugeMetricFamily("newsflow_redis_up", "1 when Redis answered the scrape's queries.")
        try:
            pipe = self._client.pipeline(transaction=False)
            for stage in STAGES:
                pipe.llen(self._settings.queue(stage))
            pipe.xlen(self._settings.dead_letter_stream)
            pipe.xlen(self._settings.results_stream)
            values = pipe.execute()
        except redis.RedisError:
            up.add_metric([], 0)
            yield up
            return
        for stage, length in zip(STAGES, values, strict=False):
            depth.add_metric([stage], float(length))
        dead.add_metric([], float(values[len(STAGES)]))
        results.add_metric([], float(values[len(STAGES) + 1]))
        up.add_metric([], 1)
        yield from (depth, dead, results, up)


class WorkerProcessCollector(Collector):
    """The worker's own processes at scrape time: resident memory and live pool processes.

    Also marks pool processes that died (SIGKILL, recycling) as dead in the multiprocess files, so
    their live gauges go away while their counters stay in the totals.
    """

    def __init__(self, main_pid: int) -> None:
        self._main_pid = main_pid

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Read RSS of the main process and each pool process from /proc."""
        sweep_dead_processes()
        children = child_pids(self._main_pid)
        rss = [resident_bytes(pid) for pid in children]
        memory = GaugeMetricFamily(
            "newsflow_worker_resident_memory_bytes",
            "Resident memory of the worker's processes.",
            labels=["process"],
        )
        memory.add_metric(["main"], float(resident_bytes(self._main_pid)))
        memory.add_metric(["pool_max"], float(max(rss, default=0)))
        memory.add_metric(["pool_total"], float(sum(rss)))
        pool = GaugeMetricFamily("newsflow_worker_pool_processes", "Pool processes alive in this worker.")
        pool.add_metric([], float(len(children)))
        yield from (memory, pool)


def child_pids(parent: int) -> list[int]:
    """The pids of a process's children (Linux /proc; empty elsewhere)."""
    children = []
    for entry in os.scandir("/proc") if os.path.isdir("/proc") else ():
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                children.append(int(entry.name))
    return children


def resident_bytes(pid: int) -> int:
    """A process's resident set size in bytes (0 when it cannot be read)."""
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def sweep_dead_processes() -> None:
    """Mark every process that left multiprocess files behind and no longer runs as dead."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory or not os.path.isdir(directory):
        return
    pids = {
        name.rsplit("_", 1)[-1].removesuffix(".db")
        for name in os.listdir(directory)
        if name.startswith("gauge_live")
    }
    for pid in pids:
        if pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
            mark_process_dead(int(pid))


def scrape_registry(client: redis.Redis, settings: Settings) -> CollectorRegistry:
    """The registry the worker serves: every pool process's metrics, its processes, and Redis state."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        from prometheus_client import REGISTRY

        registry = REGISTRY
    registry.register(RedisStateCollector(client, settings))
    registry.register(WorkerProcessCollector(os.getpid()))
    return registry


def mark_process_dead(pid: int) -> None:
    """Drop a finished pool process's live gauges (its counters stay in the totals)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
