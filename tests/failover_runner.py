"""The failover drill: kill the Redis primary under load, twice; count what was lost or published twice.

Starts a primary, one replica and three Sentinels (``tests.sentinel_lab``), two ``newsflow worker``
processes and a producer thread, all pointed at the Sentinels only. While articles flow the primary
is SIGKILLed; a Sentinel promotes the replica; the killed server comes back as a replica of the new
primary; later the new primary is killed too (the failover back), and the killed one comes back
again. Bad records planted among the articles must end in the dead letters. At the end it prints
enqueued, published, dead-lettered, lost (= enqueued - published - dead-lettered), duplicates in
the results stream, and for each failover how long nothing was published (the stall).

``python -m bench.failover`` runs it with 2,000 articles; the test suite runs a shorter version
(tests/integration/test_failover.py).
"""

from __future__ import annotations

import secrets
import signal
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

from tests.chaos_runner import POISON_KINDS, corpus, poison_records
from tests.harness import Workers, worker_env
from tests.sentinel_lab import MASTER_NAME, SentinelLab
from worker.app import create_app
from worker.delivery.chain import pipeline_chain
from worker.producers.producer import enqueue_items
from worker.settings import Settings
from worker.sources.files import SourceItem
from worker.stores import stream
from worker.stores.redis_client import connect

MAX_INPUT_BYTES = 300_000
# Records that reach the workers and must be dead-lettered there (pickled ones need a raw push).
PLANTED_KINDS = tuple(kind for kind in POISON_KINDS if kind != "pickle")


@dataclass
class FailoverReport:
    """What a drill enqueued, what came out, and how long each failover stalled publishing."""

    enqueued: int = 0
    published: int = 0
    dead_lettered: int = 0
    duplicates: int = 0
    planted: int = 0
    planted_dead_lettered: int = 0
    failovers: int = 0
    promotion_seconds: list[float] = field(default_factory=list)
    stall_seconds: list[float] = field(default_factory=list)
    producer_retries: int = 0
    seconds: float = 0.0
    missing: list[str] = field(default_factory=list)
    good_dead_lettered: Counter[str] = field(default_factory=Counter)

    @property
    def lost(self) -> int:
        """Articles neither published nor dead-lettered."""
        return len(self.missing)

    def table(self) -> str:
        """The report as a two-column table."""
        rows = [
            ("enqueued", self.enqueued),
            ("published", self.published),
            ("dead-lettered", self.dead_lettered),
            ("lost", self.lost),
            ("duplicates in stream", self.duplicates),
            ("good articles dead-lettered", sum(self.good_dead_lettered.values())),
            ("planted bad inputs", self.planted),
            ("  of them dead-lettered", self.planted_dead_lettered),
            ("failovers", self.failovers),
            ("promotion after kill (s)", ", ".join(f"{s:.1f}" for s in self.promotion_seconds)),
            ("publishing stalled (s)", ", ".join(f"{s:.1f}" for s in self.stall_seconds)),
            ("producer retries", self.producer_retries),
            ("seconds", f"{self.seconds:.1f}"),
        ]
        return "\n".join(f"| {name:<26} | {value!s:>12} |" for name, value in rows)


class _Producer(threading.Thread):
    """Enqueues the articles through the real producer (paced by backpressure), in the background."""

    def __init__(self, settings: Settings, records: list[dict[str, Any]], say: Callable[[str], None]) -> None:
        super().__init__(daemon=True)
        self.settings, self.records, self.say = settings, records, say
        self.queued_ids: list[str] = []
        self.retries = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        def notify(line: str) -> None:
            self.retries += "retrying" in line
            self.say(f"producer: {line}")

        try:
            client = connect(self.settings)
            items = (SourceItem(f"failover:{i}", r) for i, r in enumerate(self.records))
            report = enqueue_items(items, self.settings, client, create_app(self.settings), notify=notify)
            self.queued_ids = report.queued_ids
        except BaseException as exc:  # reported by the drill, which then fails
            self.error = exc


def _counts(client: redis.Redis, settings: Settings, ids: set[str]) -> tuple[list[str], set[str]]:
    """The article ids of the results stream (one per entry) and the dead-lettered ids among ``ids``."""
    entries = [e.fields["id"] for e in stream.read_range(client, settings.results_stream)]
    return entries, set(_letters(client, settings)) & ids


def _letters(client: redis.Redis, settings: Settings) -> dict[str, str]:
    """Dead-lettered article ids, each with its stage and error class."""
    return {
        e.fields.get("article_id", ""): f"{e.fields.get('stage')}: {e.fields.get('error_class')}"
        for e in stream.read_range(client, settings.dead_letter_stream)
    }


def _out(client: redis.Redis, settings: Settings) -> int:
    try:
        return int(client.xlen(settings.results_stream)) + int(client.xlen(settings.dead_letter_stream))
    except redis.RedisError:
        return -1


def run_failover(
    data_dir: Path | None,
    *,
    articles: int,
    poison: int,
    wait_replicas: int = 1,
    timeout: float = 600,
    down_after_ms: int = 1000,
    log: Callable[[str], None] = lambda line: None,
) -> FailoverReport:
    """Run the drill (two failovers) and count the outcome; ``log`` hears what happens when.

    ``down_after_ms`` is the Sentinels' ``down-after-milliseconds``. At 1 s (the bench's, for its
    promotion times) a primary on a host loaded to the last core can miss the Sentinels' pings and
    be failed over while it lives, and the Sentinels can then promote the server that was just
    restarted empty, before its first sync: its empty data set replaces the others' (the test run
    under the whole suite lost 96 articles so, once). The test drill uses a few seconds, as a
    deployment should (docker-compose.yml: 5 s)."""
    report = FailoverReport()
    lab = SentinelLab(
        replicas=1, down_after_ms=down_after_ms, failover_timeout_ms=max(3000, 3 * down_after_ms)
    ).start()
    prefix = f"failover-{secrets.token_hex(3)}"
    sentinel = {
        "redis_sentinels": lab.sentinel_setting,
        "redis_sentinel_master": MASTER_NAME,
        "redis_wait_replicas": str(wait_replicas),
    }
    unused_url = "redis://127.0.0.1:1/0"  # the host is never used: the Sentinels name the primary
    settings = Settings(
        redis_url=unused_url, key_prefix=prefix, max_input_bytes=MAX_INPUT_BYTES,
        max_queue_depth=8, article_batch_size=4, enqueue_batch_size=20, **sentinel,  # type: ignore[arg-type]
    )  # fmt: skip
    env = worker_env(
        unused_url, prefix, max_input_bytes=str(MAX_INPUT_BYTES), visibility_timeout_seconds="15",
        task_time_limit_seconds="60", shutdown_timeout_seconds="2", **sentinel,
    )  # fmt: skip
    workers = Workers(env, Path(tempfile.mkdtemp(prefix="newsflow-failover-")))
    client = connect(settings)
    started = time.monotonic()

    def say(line: str) -> None:
        log(f"{time.monotonic() - started:6.1f}s  {line}")

    try:
        workers.start()
        workers.start()
        workers.wait_ready(client, prefix, 2)
        say(f"workers ready; Redis primary on port {lab.primary_port()}")
        good = corpus(data_dir, articles)
        bad = [r for _, r in poison_records(poison * len(POISON_KINDS), secrets.token_hex(3))]
        bad = [r for r in bad if r["id"].split("-")[2] in PLANTED_KINDS][:poison]
        producer = _Producer(settings, good, say)
        producer.start()
        app = create_app(settings)
        for record in bad:  # as a foreign producer might: straight onto the queue, past the door
            pipeline_chain(record, app).apply_async()
        deadline = time.monotonic() + timeout
        for index in range(2):
            due = (len(good) + len(bad)) * (index + 1) / 3
            _fail_over(lab, client, settings, after=due, deadline=deadline, report=report, say=say)
        ids = {r["id"] for r in good} | {r["id"] for r in bad}
        while time.monotonic() < deadline:
            entries, letters = _counts(client, settings, ids)
            if not producer.is_alive() and not set(producer.queued_ids) - set(entries) - letters:
                break
            time.sleep(1)
        producer.join(timeout=max(0.0, deadline - time.monotonic()))
        if producer.error is not None:
            raise RuntimeError("the producer failed") from producer.error
        report.seconds = time.monotonic() - started
        report.producer_retries = producer.retries
        _tally(client, settings, report, queued=set(producer.queued_ids), bad={r["id"] for r in bad}, say=say)
    finally:
        workers.stop(signal.SIGKILL)
        lab.cleanup()
    return report


def _fail_over(
    lab: SentinelLab,
    client: redis.Redis,
    settings: Settings,
    *,
    after: float,
    deadline: float,
    report: FailoverReport,
    say: Callable[[str], None],
) -> None:
    """Once ``after`` articles are out, SIGKILL the primary, wait for the promotion, bring the killed
    server back as a replica (as an orchestrator restarts a crashed pod), and time the stall."""
    while time.monotonic() < deadline and _out(client, settings) < after:
        time.sleep(0.05)
    before = _out(client, settings)
    killed_at = time.monotonic()
    victim = lab.kill_primary()
    say(f"{before} out; SIGKILLed the primary on port {victim.port}")
    new_port = lab.wait_promoted(victim.port)
    report.promotion_seconds.append(time.monotonic() - killed_at)
    say(f"Sentinels promoted port {new_port}")
    if lab.restart_as_replica(victim, primary=new_port):
        say(f"port {victim.port} back, and promoted again by the Sentinels (a further failover)")
    else:
        say(f"port {victim.port} back as a replica")
    while time.monotonic() < deadline and _out(client, settings) <= before:
        time.sleep(0.05)
    report.stall_seconds.append(time.monotonic() - killed_at)
    say(f"publishing again ({_out(client, settings)} out)")
    report.failovers += 1
    lab.wait_settled()


def _tally(
    client: redis.Redis,
    settings: Settings,
    report: FailoverReport,
    *,
    queued: set[str],
    bad: set[str],
    say: Callable[[str], None],
) -> None:
    """Count what came out of the queued articles and the planted bad ones."""
    ids = queued | bad
    entries, letters = _counts(client, settings, ids)
    reasons = _letters(client, settings)
    report.enqueued = len(ids)
    report.published = len(set(entries) & ids)
    report.duplicates = len(entries) - len(set(entries))
    report.dead_lettered = len(letters)
    report.planted = len(bad)
    report.planted_dead_lettered = len(letters & bad)
    report.missing = sorted(ids - set(entries) - letters)
    report.good_dead_lettered = Counter(reasons[i] for i in letters & queued)
    for reason, count in report.good_dead_lettered.items():
        say(f"good articles dead-lettered: {count} x {reason}")
    for entry in stream.read_range(client, settings.dead_letter_stream):
        if entry.fields.get("article_id") in queued:
            say(f"e.g. {entry.fields.get('stage')}: {entry.fields.get('error', '')[:300]}")
            break
    for article_id in report.missing[:20]:
        say(f"missing {article_id}")
