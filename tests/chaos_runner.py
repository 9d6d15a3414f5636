"""Chaos: kill workers with SIGKILL and restart Redis while articles flow; count what was lost.

The runner behind ``tests/integration/test_chaos.py`` and ``python -m bench.chaos``.

Starts a private redis-server with AOF (fsync always) and two ``newsflow worker`` processes (one pool
process each), enqueues the articles through the real producer plus poison records pushed straight
onto the queue as a foreign producer might (invalid, over-size, binary, pickled), then, while they
run, kills a worker (its whole process group, or one pool process) at random moments and starts a
new one, and restarts Redis once. At the end it prints enqueued, published, dead-lettered, lost
(= enqueued - published - dead-lettered) and duplicates in the results stream.

The test suite runs a shorter version than the bench.
"""

from __future__ import annotations

import base64
import json
import os
import random
import secrets
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
from kombu import Connection

from tests.harness import REPO, Workers, cycled, news_texts, worker_env
from worker.app import create_app
from worker.cli.local_redis import LocalRedis
from worker.delivery.chain import pipeline_chain
from worker.delivery.deliveries import in_flight
from worker.producers.producer import enqueue_items
from worker.settings import STAGES, Settings
from worker.sources.files import SourceItem, iter_source
from worker.stores import stream

MAX_INPUT_BYTES = 300_000
POISON_KINDS = ("invalid", "oversize", "binary", "pickle")


@dataclass
class ChaosReport:
    """What a chaos run enqueued, what came out, and what it did to the workers."""

    enqueued: int = 0
    published: int = 0
    dead_lettered: int = 0
    duplicates: int = 0
    kills: int = 0
    redis_restarts: int = 0
    seconds: float = 0.0
    poison_without_reason: list[str] = field(default_factory=list)
    missing: dict[str, list[str]] = field(default_factory=dict)

    @property
    def lost(self) -> int:
        """Articles neither published nor dead-lettered."""
        return self.enqueued - self.published - self.dead_lettered

    def table(self) -> str:
        """The report as a two-column table."""
        rows = [
            ("enqueued", self.enqueued),
            ("published", self.published),
            ("dead-lettered", self.dead_lettered),
            ("lost", self.lost),
            ("duplicates in stream", self.duplicates),
            ("worker kills (SIGKILL)", self.kills),
            ("redis restarts", self.redis_restarts),
            ("poison without reason", len(self.poison_without_reason)),
            ("seconds", f"{self.seconds:.1f}"),
        ]
        return "\n".join(f"| {name:<24} | {value!s:>8} |" for name, value in rows)


def corpus(data_dir: Path | None, count: int) -> list[dict[str, Any]]:
    """``count`` real articles with distinct ids: the data folder's news texts, or the bundled samples."""
    if data_dir and (data_dir / "news_summarization_frank").exists():
        texts = news_texts(data_dir)
    else:
        texts = [item.record for item in iter_source(str(REPO / "worker" / "samples"), MAX_INPUT_BYTES)]
    return list(cycled(texts, count, f"chaos-{secrets.token_hex(3)}"))


def poison_records(count: int, run: str) -> list[tuple[str, dict[str, Any]]]:
    """Bad records of every kind, each with its id (the pickled ones get a task id instead)."""
    records = []
    for index in range(count):
        kind = POISON_KINDS[index % len(POISON_KINDS)]
        article_id = f"poison-{run}-{kind}-{index}"
        if kind == "invalid":
            record: dict[str, Any] = {"id": article_id, "title": "no body at all"}
        elif kind == "oversize":
            record = {
                "id": article_id,
                "text": "Overlong sentence about nothing at all. " * (MAX_INPUT_BYTES // 30),
            }
        elif kind == "binary":
            record = {"id": article_id, "text": "\x00\x01\x02\x03\xff" * 400}
        else:
            record = {"id": article_id}
        records.append((kind, record))
    return records


class ChaosWorkers(Workers):
    """Workers that can be killed and replaced."""

    def kill_one(self, rng: random.Random, client: redis.Redis, prefix: str) -> str:
        """SIGKILL a random consuming worker: its whole process group, or just its pool process."""
        candidates = self.ready(client, prefix) or self.alive()
        victim = rng.choice(candidates)
        children = _children(victim.pid)
        if children and rng.random() < 0.5:
            os.kill(rng.choice(children), signal.SIGKILL)
            return "pool process"
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait()
        self.start()
        return "whole worker"


def _children(pid: int) -> list[int]:
    try:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout
    except FileNotFoundError:
        return []
    return [int(x) for x in out.split()]


def push_pickle(url: str, queue: str, task_id: str) -> None:
    """A pickled task message, straight onto the queue (workers must refuse it)."""
    with Connection(url) as connection:
        connection.Producer(serializer="pickle").publish(
            (({"id": task_id},), {}, {}), exchange=queue, routing_key=queue, declare=[],
            headers={"task": "newsflow.clean", "id": task_id, "lang": "py"},
        )  # fmt: skip


def _settled(client: redis.Redis, settings: Settings) -> tuple[list[str], dict[str, dict[str, str]]]:
    """The ids in the results stream (one per entry), and the dead letters by article or task id."""
    entries = [e.fields["id"] for e in stream.read_range(client, settings.results_stream)]
    letters: dict[str, dict[str, str]] = {}
    for entry in stream.read_range(client, settings.dead_letter_stream):
        key = entry.fields.get("article_id") or json.loads(entry.fields["payload"]).get("task_id", "")
        letters[key] = entry.fields
    return entries, letters


def _progress(client: redis.Redis, settings: Settings) -> int:
    """Entries in the results and dead-letter streams: a cheap count of what came out so far."""
    return int(client.xlen(settings.results_stream)) + int(client.xlen(settings.dead_letter_stream))


def _done(client: redis.Redis, settings: Settings, ids: set[str]) -> int:
    entries, letters = _settled(client, settings)
    return len(set(entries) & ids) + len(letters.keys() & ids)


def _message_article_id(raw: str) -> str | None:
    """The article id inside a raw Celery message as kombu stores it in Redis (never unpickles)."""
    try:
        envelope = json.loads(raw)
        if isinstance(envelope, list):  # unacked entries are [message, exchange, routing key]
            envelope = envelope[0]
        if envelope.get("content-type") != "application/json":
            return str(envelope.get("headers", {}).get("id"))
        body = json.loads(base64.b64decode(envelope["body"]))
        payload = body[0][0] if body and body[0] else {}
        return str(payload.get("id")) if isinstance(payload, dict) else None
    except (ValueError, KeyError, TypeError, IndexError):
        return None


def where_are(client: redis.Redis, settings: Settings, missing: set[str]) -> dict[str, list[str]]:
    """Where the missing articles are: queued, unacknowledged, or held by a delivery record."""
    found: dict[str, list[str]] = {article_id: [] for article_id in missing}
    for stage in STAGES:
        for raw in client.lrange(settings.queue(stage), 0, -1):
            if (article_id := _message_article_id(raw)) in found:
                found[article_id].append(f"queued in {stage}")
    for tag, raw in client.hscan_iter("unacked"):
        if (article_id := _message_article_id(raw)) in found:
            found[article_id].append(f"unacked ({tag})")
    for record in in_flight(client, settings):
        if record.get("article_id") in found:
            found[record["article_id"]].append(f"delivery record {record}")
    return found


def _enqueue_all(
    settings: Settings, client: redis.Redis, server: LocalRedis, good: list[dict[str, Any]], poison: int
) -> tuple[int, list[tuple[str, dict[str, Any]]]]:
    """Queue the good articles through the producer and the poison straight onto the queue."""
    app = create_app(settings)
    queued = enqueue_items((SourceItem(f"chaos:{i}", r) for i, r in enumerate(good)), settings, client, app)
    bad = poison_records(poison, secrets.token_hex(3))
    for kind, record in bad:
        if kind == "pickle":
            push_pickle(server.url, settings.queue("clean"), record["id"])
        else:
            pipeline_chain(record, app).apply_async()
    return queued.queued + len(bad), bad


def run_chaos(
    data_dir: Path | None,
    *,
    articles: int,
    poison: int,
    kills: int,
    seed: int = 1,
    timeout: float = 900,
    log: Callable[[str], None] = lambda line: None,
) -> ChaosReport:
    """Run the chaos scenario and count the outcome; ``log`` hears what happens when."""
    rng = random.Random(seed)
    report = ChaosReport()
    server = LocalRedis(appendonly=True, appendfsync="always").start()
    prefix = f"chaos-{secrets.token_hex(3)}"
    settings = Settings(redis_url=server.url, key_prefix=prefix, max_input_bytes=MAX_INPUT_BYTES)
    # The soft time limit is the hard one less 10 s: 15 s for a batch of up to 16 texts through the
    # model, enough on a loaded 2-core machine (12 s, a 2 s soft limit, dead-lettered whole batches
    # there: SoftTimeLimitExceeded). The visibility timeout stays above the time limit.
    env = worker_env(
        server.url, prefix, max_input_bytes=str(MAX_INPUT_BYTES), visibility_timeout_seconds="30",
        task_time_limit_seconds="25", shutdown_timeout_seconds="2",
    )  # fmt: skip
    workers = ChaosWorkers(env, Path(tempfile.mkdtemp(prefix="newsflow-chaos-")))
    client = redis.Redis.from_url(server.url, decode_responses=True)
    started = time.monotonic()

    def say(line: str) -> None:
        log(f"{time.monotonic() - started:6.1f}s  {line}")

    try:
        workers.start()
        workers.start()
        good = corpus(data_dir, articles)
        report.enqueued, bad = _enqueue_all(settings, client, server, good, poison)
        ids = {r["id"] for r in good} | {r["id"] for _, r in bad}
        deadline = time.monotonic() + timeout
        # Kills spread over the run: the k-th once k/(kills+1) of the articles are out; Redis
        # restarts once, half-way through the kills.
        for index in range(kills):
            while time.monotonic() < deadline and _progress(client, settings) < report.enqueued * (
                index + 1
            ) / (kills + 1):
                time.sleep(rng.uniform(0.05, 0.3))
            say(f"{_progress(client, settings)} out; killed a {workers.kill_one(rng, client, prefix)}")
            report.kills += 1
            if index + 1 == max(1, kills // 2):
                server.restart()
                report.redis_restarts += 1
                say("restarted Redis")
        while time.monotonic() < deadline and _done(client, settings, ids) < report.enqueued:
            say(f"{_progress(client, settings)} of {report.enqueued} out")
            if len(workers.alive()) < 2:
                workers.start()
            time.sleep(5)
        report.seconds = time.monotonic() - started
        entries, letters = _settled(client, settings)
        report.published = len(set(entries) & ids)
        report.duplicates = len(entries) - len(set(entries))
        report.dead_lettered = len(letters.keys() & ids)
        report.poison_without_reason = sorted(
            r["id"]
            for _, r in bad
            if not (letters.get(r["id"], {}).get("error") and letters[r["id"]].get("error_class"))
        )
        report.missing = where_are(client, settings, ids - set(entries) - letters.keys())
        for article_id, places in report.missing.items():
            say(f"missing {article_id}: {'; '.join(places) or 'nowhere in Redis'}")
    finally:
        workers.stop(signal.SIGKILL)
        server.cleanup()
    return report
