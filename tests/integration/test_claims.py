"""The door against a real Redis: dedup, backpressure, surviving a Redis restart, the fast path."""

from __future__ import annotations

import base64
import json
import secrets
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from tests.conftest import RunningWorker, wait_until
from worker.cli.local_redis import LocalRedis
from worker.delivery.chain import pipeline_chain
from worker.producers.producer import Producer, enqueue_items
from worker.producers.sender import TaskSender, producer_app
from worker.settings import Settings
from worker.sources.files import SourceItem
from worker.stores import stream
from worker.stores.claims import PENDING_SECONDS, Claim
from worker.stores.redis_client import connect

pytestmark = pytest.mark.integration


def settings_for(server: LocalRedis, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "redis_url": server.url,
        "key_prefix": f"nfprod-{secrets.token_hex(4)}",
        "fetch_host_interval_seconds": 0,
        "fetch_timeout_seconds": 0.5,
        "fetch_backoff_seconds": 0.01,
        "max_input_bytes": 200_000,
        "fetch_concurrency": 4,
    }
    return Settings(**(values | overrides))


def client_for(server: LocalRedis) -> redis.Redis:
    return redis.Redis.from_url(server.url, decode_responses=True)


def queued_records(client: redis.Redis, settings: Settings) -> list[dict[str, Any]]:
    """The records on the clean queue, oldest first, decoded from Celery's messages."""
    messages = [json.loads(m) for m in reversed(client.lrange(settings.queue("clean"), 0, -1))]
    payloads = [json.loads(base64.b64decode(m["body"]))[0][0] for m in messages]
    return [r for p in payloads for r in (p if isinstance(p, list) else [p])]


def record(n: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"door-{n}",
        "url": f"https://news.test/story-{n}.html",
        "text": f"LISBON – The council approved plan {n} on Monday. Work starts in May.",
        **fields,
    }


def items(records: list[dict[str, Any]]) -> list[SourceItem]:
    return [SourceItem(f"test:{n}", r) for n, r in enumerate(records, start=1)]


def test_records_are_queued_once_by_id_and_by_canonical_url_across_runs(redis_server: LocalRedis) -> None:
    settings = settings_for(redis_server)
    client = connect(settings)
    first = enqueue_items(items([record(1), record(2), record(3)]), settings, client)
    again = [
        record(1),  # the same id
        record(9, url="https://NEWS.test/story-2.html?utm_source=x&fbclid=y#top"),  # the same page
        record(4, id="door-already-published"),
        record(5),
    ]
    client.set(stream.published_marker(settings, "door-already-published"), "1-0")
    second = enqueue_items(items(again), settings, client)
    assert (first.queued, first.duplicates) == (3, 0)
    assert (second.queued, second.duplicates) == (1, 3)
    assert [r["id"] for r in queued_records(client, settings)] == ["door-1", "door-2", "door-3", "door-5"]
    key = settings.key("seen", "id", "door-1")
    assert client.get(key) == "queued" and PENDING_SECONDS < client.ttl(key) <= settings.dedup_ttl_seconds


def test_an_interrupted_producer_gives_back_the_claims_of_what_it_did_not_send(
    redis_server: LocalRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_for(redis_server, enqueue_batch_size=2)
    client = connect(settings)
    real_send = TaskSender.send
    batches = 0

    def send_then_interrupt(self: TaskSender, records: list[dict[str, Any]]) -> None:
        nonlocal batches
        batches += 1
        if batches == 2:
            raise KeyboardInterrupt  # Ctrl-C between claiming a batch and sending it
        real_send(self, records)

    monkeypatch.setattr(TaskSender, "send", send_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        enqueue_items(items([record(n) for n in range(4)]), settings, client)
    assert [client.get(settings.key("seen", "id", f"door-{n}")) for n in range(4)] == ["queued"] * 2 + [
        None
    ] * 2
    monkeypatch.setattr(TaskSender, "send", real_send)
    rerun = enqueue_items(items([record(n) for n in range(4)]), settings, client)
    assert (rerun.queued, rerun.duplicates) == (2, 2)
    assert [r["id"] for r in queued_records(client, settings)] == [f"door-{n}" for n in range(4)]


def test_claims_of_a_producer_that_died_expire_soon(redis_server: LocalRedis) -> None:
    settings = settings_for(redis_server)
    client = connect(settings)
    producer = Producer(settings, client)
    assert producer.claim([Claim.for_url("https://news.test/never-sent.html")]) == [True]
    del producer  # killed before it fetched or sent anything: no clean-up ran
    (key,) = client.keys(settings.key("seen", "*"))[:1]
    assert client.get(key) == "pending" and 0 < client.ttl(key) <= PENDING_SECONDS


def test_a_rejected_record_is_dead_lettered_with_its_reason(redis_server: LocalRedis) -> None:
    settings = settings_for(redis_server)
    client = connect(settings)
    report = enqueue_items(
        [
            *items([record(1), {"title": "no body"}]),
            SourceItem("bad.jsonl:3", error="InvalidRecord: not JSON"),
        ],
        settings,
        client,
    )
    assert report.queued == 1 and dict(report.rejected) == {"InvalidRecord": 2}
    letters = stream.read_range(client, settings.dead_letter_stream)
    assert [(e.fields["stage"], e.fields["error_class"]) for e in letters] == [
        ("enqueue", "InvalidRecord")
    ] * 2


def test_the_producer_waits_while_the_queue_is_too_deep_and_resumes(redis_server: LocalRedis) -> None:
    settings = settings_for(redis_server, max_queue_depth=5, enqueue_batch_size=1)
    client = connect(settings)
    said: list[str] = []
    waiting = threading.Event()

    def notify(message: str) -> None:
        said.append(message)
        if "waiting" in message:
            waiting.set()

    result: list[Any] = []
    thread = threading.Thread(
        target=lambda: result.append(
            enqueue_items(items([record(n) for n in range(12)]), settings, client, notify=notify)
        )
    )
    thread.start()
    assert waiting.wait(30), "the producer never said it was waiting"
    queue = settings.queue("clean")
    assert client.llen(queue) == 5 and thread.is_alive()
    drained = 0

    def consume() -> bool:  # stand in for the workers: take what is queued
        nonlocal drained
        while client.rpop(queue):
            drained += 1
        return not thread.is_alive()

    wait_until(consume, 60, "the producer to finish")
    consume()
    assert result[0].queued == 12 and drained == 12
    assert any(m.startswith(f"queue {queue} down to 0: resuming") for m in said)


@pytest.fixture
def restartable_redis() -> Iterator[LocalRedis]:
    server = LocalRedis(appendonly=True)
    server.start()
    yield server
    server.cleanup()


def test_the_producer_rides_out_a_redis_restart(restartable_redis: LocalRedis) -> None:
    settings = Settings(
        redis_url=restartable_redis.url, key_prefix=f"nfre-{secrets.token_hex(3)}", enqueue_batch_size=1
    )
    client = connect(settings)
    said: list[str] = []

    def notify(message: str) -> None:
        said.append(message)
        if message.startswith("Redis unavailable") and restartable_redis.process is None:
            restartable_redis.start()  # Redis comes back while the producer is retrying

    def source() -> Iterator[SourceItem]:
        yield from items([record(n) for n in range(5)])
        restartable_redis.stop()  # Redis goes away between two records
        yield from items([record(n) for n in range(5, 10)])

    report = enqueue_items(source(), settings, client, notify=notify)
    assert report.queued == 10
    assert [r["id"] for r in queued_records(client, settings)] == [f"door-{n}" for n in range(10)]
    assert any(m.startswith("Redis unavailable while") for m in said)
    assert any(m.startswith("Redis answers again") for m in said)


def _normalised(raw: str) -> dict[str, Any]:
    """A queued message with what differs per message (ids, tags, argsrepr) blanked out."""
    message = json.loads(raw)
    ids = {message["headers"]["id"]}
    body = json.loads(base64.b64decode(message["body"]))
    for step in body[2]["chain"]:
        ids.add(step["options"]["task_id"])
    text = json.dumps({**message, "body": body}, sort_keys=True)
    for value in ids:
        text = text.replace(value, "<id>")
    normal = json.loads(text)
    normal["properties"]["delivery_tag"] = "<tag>"
    normal["headers"]["argsrepr"] = "<argsrepr>"
    return dict(normal)


def test_the_fast_path_sends_exactly_what_celery_chain_sends(redis_server: LocalRedis) -> None:
    settings = settings_for(redis_server)
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    app = producer_app(settings)
    payload = record(1)
    pipeline_chain(payload, app).apply_async()
    sender = TaskSender(app, settings.queue("clean"))
    assert sender.batching  # the batched path, not kombu's one-push-per-message fallback
    sender.send([payload])
    canonical, fast = client.lrange(settings.queue("clean"), 0, -1)[::-1]
    assert _normalised(fast) == _normalised(canonical)
    assert json.loads(fast)["headers"]["argsrepr"] == "(<article door-1>,)"  # never the text


def test_the_fast_path_packs_records_into_chains_as_celery_chain_sends_a_batch(
    redis_server: LocalRedis,
) -> None:
    settings = settings_for(redis_server)
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    app = producer_app(settings)
    batch = [record(1), record(2), record(3)]
    pipeline_chain(batch[:2], app).apply_async()
    TaskSender(app, settings.queue("clean"), articles_per_chain=2).send(batch)
    canonical, first, second = client.lrange(settings.queue("clean"), 0, -1)[::-1]
    assert _normalised(first) == _normalised(canonical)
    assert json.loads(base64.b64decode(json.loads(second)["body"]))[0][0] == batch[2]  # the rest, alone
    assert json.loads(first)["headers"]["argsrepr"] == "(<2 articles door-1…door-2>,)"


def test_a_worker_publishes_what_the_fast_path_queued(running_worker: RunningWorker) -> None:
    env = running_worker.env
    settings = Settings(redis_url=env["NEWSFLOW_REDIS_URL"], key_prefix=env["NEWSFLOW_KEY_PREFIX"])
    tag = secrets.token_hex(3)
    batch = [record(n, id=f"fast-{tag}-{n}", url=f"https://news.test/fast-{tag}-{n}.html") for n in range(5)]
    report = enqueue_items(items(batch), settings, running_worker.client)  # the producer's own app
    assert report.queued == 5
    markers = [stream.published_marker(settings, r["id"]) for r in batch]
    wait_until(lambda: all(running_worker.client.exists(m) for m in markers), 120, "five articles published")
    entry_ids = [running_worker.client.get(m) for m in markers]
    published = [
        stream.read_range(running_worker.client, settings.results_stream, e, e)[0] for e in entry_ids
    ]
    assert [p.json_field()["url"] for p in published] == [r["url"] for r in batch]
