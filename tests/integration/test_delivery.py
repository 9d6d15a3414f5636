"""Delivery guarantees against a real Redis and real workers: refused messages, poison articles,
graceful shutdown, and the dead-letter commands."""

from __future__ import annotations

import base64
import json
import os
import pathlib
import pickle
import secrets
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from kombu import Connection

from tests.conftest import RunningWorker, dedicated_worker, run_cli, wait_until
from worker.app import create_app
from worker.cli.local_redis import LocalRedis
from worker.delivery.chain import pipeline_chain
from worker.delivery.deliveries import in_flight
from worker.settings import Settings
from worker.stores import stream

pytestmark = pytest.mark.integration


def settings_of(worker: RunningWorker) -> Settings:
    return Settings(redis_url=worker.env["NEWSFLOW_REDIS_URL"], key_prefix=worker.env["NEWSFLOW_KEY_PREFIX"])


def dead_letters(worker: RunningWorker) -> list[dict[str, str]]:
    return [e.fields for e in stream.read_range(worker.client, settings_of(worker).dead_letter_stream)]


def is_published(worker: RunningWorker, article_id: str) -> bool:
    return bool(worker.client.exists(stream.published_marker(settings_of(worker), article_id)))


def story(tag: str, paragraphs: int = 2) -> dict[str, Any]:
    body = "\n\n".join(
        f"Paragraph {i} of story {tag}: the harbour authority in Rotterdam said on Tuesday that ship traffic "
        f"rose by {i + 3} percent, and its director Anna de Vries expects more growth next year."
        for i in range(paragraphs)
    )
    return {"id": f"dl-{tag}-{secrets.token_hex(4)}", "text": body}


class Marker:
    """Unpickling this creates a file: proof that a worker deserialised a pickle."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (pathlib.Path.touch, (self.path,))


def test_a_pickled_message_is_refused_never_unpickled_and_dead_lettered(
    running_worker: RunningWorker, tmp_path: Path
) -> None:
    settings = settings_of(running_worker)
    marker = tmp_path / "unpickled"
    queue = settings.queue("clean")
    task_id = f"pickle-{secrets.token_hex(4)}"
    with Connection(settings.redis_url.get_secret_value()) as connection:
        producer = connection.Producer(serializer="pickle")
        producer.publish(
            ((Marker(marker),), {}, {}),
            exchange=queue, routing_key=queue, declare=[],
            headers={"task": "newsflow.clean", "id": task_id, "lang": "py"},
        )  # fmt: skip
    assert pickle.dumps(Marker(marker))  # the payload really is a pickle

    def refused() -> bool:
        return any(
            d.get("error_class") == "RefusedMessage" and task_id in d["payload"]
            for d in dead_letters(running_worker)
        )

    wait_until(refused, 60, "the refused message in the dead letters")
    letter = next(d for d in dead_letters(running_worker) if task_id in d["payload"])
    payload = json.loads(letter["payload"])
    assert payload["content_type"] == "application/x-python-serialize"
    assert "disallowed" in letter["error"].lower() or "contentdisallowed" in letter["error"].lower()
    assert not marker.exists(), "the worker unpickled the message"


def test_a_message_that_is_not_a_task_is_dead_lettered(running_worker: RunningWorker) -> None:
    settings = settings_of(running_worker)
    queue = settings.queue("clean")
    tag = secrets.token_hex(4)
    with Connection(settings.redis_url.get_secret_value()) as connection:
        connection.Producer(serializer="json").publish(
            {"garbage": tag}, exchange=queue, routing_key=queue, declare=[]
        )

    def raw_body(letter: dict[str, str]) -> str:
        return base64.b64decode(json.loads(letter["payload"]).get("body_base64", "")).decode(
            "utf-8", "replace"
        )

    wait_until(
        lambda: any(tag in raw_body(d) for d in dead_letters(running_worker)), 60, "the garbage message"
    )
    letter = next(d for d in dead_letters(running_worker) if tag in raw_body(d))
    assert letter["error_class"] == "RefusedMessage" and letter["stage"] == "clean"


def test_an_article_that_keeps_killing_its_worker_is_dead_lettered_alone(
    redis_server: LocalRedis, tmp_path: Path
) -> None:
    # A batch of two: a long article (seconds of spaCy time) whose pool process the test kills at
    # every delivery, and an ordinary one. The batch is split after two deliveries; the ordinary
    # article is published, the long one killed twice more on its own and dead-lettered.
    poison = story("poison", paragraphs=600)
    bystander = story("bystander")
    with dedicated_worker(redis_server.url, tmp_path, concurrency=1, max_deliveries="2") as worker:
        settings = settings_of(worker)
        pipeline_chain([poison, bystander], create_app(settings)).apply_async()
        killed: list[str] = []

        def kill_holder() -> bool:
            for record in in_flight(worker.client, settings):
                # A real poison kills only the deliveries that run it: not the one past the limit,
                # which splits the batch or dead-letters the article without running it.
                runs_it = int(record.get("count", "0")) <= 2
                if record.get("article_id") == poison["id"] and record.get("stage") == "extract" and runs_it:
                    delivery = f"{record['key']}#{record['count']}"
                    if delivery not in killed:
                        killed.append(delivery)
                        os.kill(int(record["pid"]), signal.SIGKILL)
            return any(d.get("article_id") == poison["id"] for d in dead_letters(worker))

        wait_until(kill_holder, 240, "the poison article in the dead letters", interval=0.02)
        (letter,) = [d for d in dead_letters(worker) if d.get("article_id") == poison["id"]]
        assert letter["error_class"] == "PoisonArticle" and letter["stage"] == "extract"
        assert len(killed) == 4 and letter["attempts"] == "2"
        assert json.loads(letter["payload"])["id"] == poison["id"]  # the article alone, not the batch
        assert not any(d.get("article_id") == bystander["id"] for d in dead_letters(worker))
        wait_until(lambda: is_published(worker, bystander["id"]), 120, "the other article of the batch")
        # The worker is still serving: a normal article goes through.
        good = story("after-poison")
        pipeline_chain(good, create_app(settings)).apply_async()
        wait_until(lambda: is_published(worker, good["id"]), 120, "an article after the poison one")


def test_a_batch_past_its_soft_time_limit_is_split_and_only_the_slow_article_dead_lettered(
    redis_server: LocalRedis, tmp_path: Path
) -> None:
    # Time limit 11 s, so the soft limit is 1 s: the long article takes seconds of spaCy time, the
    # short ones milliseconds. The batch is split when its time is up; alone, the long article runs
    # out of time again and is dead-lettered, and the others are published.
    slow = story("slow", paragraphs=900)
    quick = [story(f"quick-{i}") for i in range(3)]
    with dedicated_worker(redis_server.url, tmp_path, concurrency=1, task_time_limit_seconds="11") as worker:
        settings = settings_of(worker)
        pipeline_chain([quick[0], slow, quick[1], quick[2]], create_app(settings)).apply_async()
        wait_until(lambda: all(is_published(worker, q["id"]) for q in quick), 120, "the short articles")
        wait_until(
            lambda: any(d.get("article_id") == slow["id"] for d in dead_letters(worker)), 120, "the slow one"
        )
        (letter,) = dead_letters(worker)
        assert letter["article_id"] == slow["id"] and letter["error_class"] == "TooSlow"
        assert "soft time limit (1 s) on its own" in letter["error"]
        assert json.loads(letter["payload"])["id"] == slow["id"]  # the article alone, not the batch
        assert "outcome=split articles=4 (the batch ran past the soft time limit (1 s))" in worker.log()


def test_a_bad_article_in_a_batch_is_dead_lettered_and_the_rest_published(
    running_worker: RunningWorker,
) -> None:
    settings = settings_of(running_worker)
    good = [story(f"batch-{i}") for i in range(3)]
    bad = {"id": f"batch-bad-{secrets.token_hex(3)}", "text": "\x00\x01\x02 binary" * 50}
    pipeline_chain([good[0], bad, good[1], good[2]], create_app(settings)).apply_async()
    wait_until(lambda: all(is_published(running_worker, g["id"]) for g in good), 120, "the good articles")
    (letter,) = [d for d in dead_letters(running_worker) if d.get("article_id") == bad["id"]]
    assert letter["stage"] == "clean" and letter["error_class"] == "UndecodableInput"


def test_sigterm_requeues_what_is_running_and_nothing_is_lost(
    redis_server: LocalRedis, tmp_path: Path
) -> None:
    articles = [story(f"shutdown-{i}", paragraphs=150) for i in range(6)]
    with dedicated_worker(redis_server.url, tmp_path, concurrency=1, shutdown_timeout_seconds="1") as worker:
        settings = settings_of(worker)
        app = create_app(settings)
        for article in articles:
            pipeline_chain(article, app).apply_async()
        wait_until(lambda: in_flight(worker.client, settings), 60, "a task in flight")
        started = time.monotonic()
        os.killpg(worker.process.pid, signal.SIGTERM)
        worker.process.wait(60)
        exit_seconds = time.monotonic() - started
    # The bound is functional (1 s for tasks to finish, then re-queue and exit), not a speed figure.
    assert exit_seconds < 45, f"worker took {exit_seconds:.0f}s to exit"
    with dedicated_worker(redis_server.url, tmp_path, concurrency=1, key_prefix=settings.key_prefix) as again:
        wait_until(
            lambda: all(is_published(again, a["id"]) for a in articles), 180, "every article published"
        )
        entries = stream.read_range(again.client, settings.results_stream)
        assert sorted(e.fields["id"] for e in entries) == sorted(a["id"] for a in articles)


def test_dlq_commands_list_show_replay_and_purge(running_worker: RunningWorker) -> None:
    settings = settings_of(running_worker)
    env = running_worker.env
    # A dead letter as a transient failure leaves it after its last retry: a good record at stage clean.
    record = story("replay")
    entry_id = stream.dead_letter(
        running_worker.client, settings, article_id=record["id"], stage="clean",
        error="ConnectionError: Redis went away", payload=record, attempts=6, error_class="ConnectionError",
    )  # fmt: skip

    listed = run_cli(env, "dlq", "list")
    assert listed.returncode == 0 and entry_id in listed.stdout and "ConnectionError" in listed.stdout
    shown = run_cli(env, "dlq", "show", entry_id)
    assert shown.returncode == 0 and json.loads(shown.stdout)["payload"]["id"] == record["id"]
    assert run_cli(env, "dlq", "show", "0-1").returncode == 1

    replayed = run_cli(env, "dlq", "replay", entry_id)
    assert replayed.returncode == 0 and replayed.stdout.startswith("replayed 1, skipped 0"), replayed.stdout
    wait_until(lambda: is_published(running_worker, record["id"]), 60, "the replayed article")
    assert not stream.read_range(running_worker.client, settings.dead_letter_stream, entry_id, entry_id)

    purged = run_cli(env, "dlq", "purge", "--yes")
    assert purged.returncode == 0 and purged.stdout.startswith("purged ")
    assert running_worker.client.xlen(settings.dead_letter_stream) == 0


def test_a_refused_message_whose_dead_letter_cannot_be_written_is_kept(tmp_path: Path) -> None:
    """Dead letters refused by Redis (here: the worker's user may not XADD): the refused message
    goes back on its queue, not away; once the write is allowed it is dead-lettered, once."""
    with LocalRedis() as server:
        admin = server.client()
        password = secrets.token_hex(8)
        admin.acl_setuser("nfworker", enabled=True, passwords=[f"+{password}"], keys=["*"], channels=["*"],
                          commands=["+@all", "-xadd"])  # fmt: skip
        url = f"redis://nfworker:{password}@127.0.0.1:{server.port}/0"
        with dedicated_worker(url, tmp_path) as worker:
            settings = settings_of(worker)
            queue = settings.queue("clean")
            tag = secrets.token_hex(4)
            with Connection(server.url) as connection:
                connection.Producer(serializer="json").publish(
                    {"not a task": tag}, exchange=queue, routing_key=queue, declare=[]
                )
            refusal = "could not dead-letter a refused message"
            wait_until(lambda: refusal in worker.log(), 60, "a refused dead-letter write")
            assert not admin.exists(settings.dead_letter_stream)
            admin.acl_setuser("nfworker", enabled=True, commands=["+xadd"])

            def letters() -> list[dict[str, str]]:
                def body(letter: dict[str, str]) -> str:
                    raw = base64.b64decode(json.loads(letter["payload"])["body_base64"])
                    return raw.decode("utf-8", "replace")

                return [d for d in dead_letters(worker) if tag in body(d)]

            wait_until(lambda: bool(letters()), 60, "the refused message in the dead letters")
            time.sleep(2)
            assert len(letters()) == 1
            assert letters()[0]["error_class"] == "RefusedMessage"
