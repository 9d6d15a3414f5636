"""Duplicate detection across workers: fingerprints in the real Redis, marks on published results."""

from __future__ import annotations

import json
import secrets
import time
import urllib.request
from pathlib import Path

import pytest

from tasks.duplicates import fingerprint
from tasks.errors import TransientError
from tasks.models import PublishedArticle
from tests.conftest import RunningWorker, dedicated_worker, wait_until
from tests.integration.test_pipeline import published, settings_of
from worker.app import create_app
from worker.cli.local_redis import LocalRedis
from worker.producers.producer import enqueue_items
from worker.settings import Settings
from worker.sources.files import SourceItem
from worker.stores import duplicates

pytestmark = pytest.mark.integration

HARBOUR = (
    "GDANSK – The harbour authority of Gdańsk said on Monday that the new container terminal will open "
    "in March, two months later than planned.\n\n"
    "Dredging of the approach channel took longer than expected after divers found an unexploded mine "
    "from the Second World War. The terminal will double the port's capacity and employ about 400 "
    "people, the authority's chairwoman Anna Nowicka said.\n\n"
    "Shipping lines have already booked most of the first year's berths, she added."
)


def duplicate_counts(worker: RunningWorker) -> dict[str, float]:
    """``newsflow_duplicates_total`` by kind, as the worker serves it."""
    port = worker.env["NEWSFLOW_METRICS_PORT"]
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    counts = {"exact": 0.0, "near": 0.0}
    for line in text.splitlines():
        for kind in counts:
            if line.startswith(f'newsflow_duplicates_total{{kind="{kind}"}}'):
                counts[kind] = float(line.split()[-1])
    return counts


def test_copies_of_a_published_article_are_marked_with_its_id_and_counted(
    running_worker: RunningWorker,
) -> None:
    settings = settings_of(running_worker)
    app = create_app(settings)
    before = duplicate_counts(running_worker)
    nonce = secrets.token_hex(4)
    text = HARBOUR.replace("Anna Nowicka", f"Anna Nowicka {nonce}")
    original = {"id": f"dup-original-{nonce}", "text": text}
    enqueue_items([SourceItem("test", original)], settings, running_worker.client, app)
    wait_until(lambda: published(running_worker, settings, original["id"]), 60, "the original")

    exact = {"id": f"dup-exact-{nonce}", "text": text.replace("\n\n", "\n\n\n") + "\n\nShare This:"}
    near = {"id": f"dup-near-{nonce}", "text": text.replace("two months later", "ten weeks later")}
    enqueue_items([SourceItem("a", exact), SourceItem("b", near)], settings, running_worker.client, app)
    wait_until(lambda: published(running_worker, settings, exact["id"]), 60, "the exact copy")
    wait_until(lambda: published(running_worker, settings, near["id"]), 60, "the near copy")

    first = published(running_worker, settings, original["id"])
    exact_result = published(running_worker, settings, exact["id"])
    near_result = published(running_worker, settings, near["id"])
    assert first is not None and exact_result is not None and near_result is not None
    assert first["duplicate_of"] is None and first["duplicate_kind"] is None
    assert (exact_result["duplicate_of"], exact_result["duplicate_kind"]) == (original["id"], "exact")
    assert (near_result["duplicate_of"], near_result["duplicate_kind"]) == (original["id"], "near")
    assert settings.near_duplicate_threshold <= near_result["duplicate_similarity"] < 1
    wait_until(
        lambda: (
            duplicate_counts(running_worker) == {"exact": before["exact"] + 1, "near": before["near"] + 1}
        ),
        30,
        "the duplicates metric to count one exact and one near duplicate",
    )


def test_an_article_counts_as_seen_only_once_it_is_remembered_after_publishing(
    running_worker: RunningWorker,
) -> None:
    settings = Settings(
        redis_url=running_worker.env["NEWSFLOW_REDIS_URL"], key_prefix=f"duptest-{secrets.token_hex(3)}"
    )
    client = running_worker.client
    article = PublishedArticle(
        id="first", text=HARBOUR, published_at="2026-01-01T00:00:00+00:00", pipeline_version="t"
    )
    marked, print_ = duplicates.mark(client, settings, article)
    assert marked.duplicate_of is None and print_ == fingerprint(HARBOUR)
    # Checking wrote nothing: had the publish failed here, a later copy would not be taken for one.
    assert duplicates.find_duplicate(client, settings, "second", print_) is None
    duplicates.remember_published(client, settings, article.id, print_)
    found = duplicates.find_duplicate(client, settings, "second", print_)
    assert found is not None and (found.kind, found.original_id) == ("exact", "first")
    # An article never finds itself, so a redelivered publish is not marked as its own copy.
    assert duplicates.find_duplicate(client, settings, "first", print_) is None
    # Every fingerprint key expires with the duplicate window.
    keys = list(client.scan_iter(match=f"{settings.key_prefix}:dup:*", count=1000))
    assert len(keys) == 1 + len(print_.bands()) + 1
    assert all(0 < client.ttl(key) <= settings.duplicate_window_seconds for key in keys)


def story(words: list[str]) -> str:
    """A made-up story in which every four-word stretch holds one of ``words`` (so two stories
    with different words share no shingle)."""
    sentences = [
        f"The council of {words[i]} voted on Monday to extend the {words[i + 1]} tram line, "
        f"the mayor {words[i + 2]} said."
        for i in range(0, len(words) - 2, 3)
    ]
    return "LISBON – " + " ".join(sentences)


def test_copies_published_at_the_same_moment_by_two_pool_processes_have_one_original(
    redis_server: LocalRedis, tmp_path: Path
) -> None:
    # One article per chain on two pool processes: the two copies of a story go through the stages
    # side by side and reach the publish stage at nearly the same moment.
    with dedicated_worker(redis_server.url, tmp_path, 2) as worker:
        settings = settings_of(worker).model_copy(update={"article_batch_size": 1})
        groups = {
            f"race-{g}-{secrets.token_hex(3)}": story([f"Zq{secrets.token_hex(3)}" for _ in range(24)])
            for g in range(24)
        }
        app = create_app(settings)
        for number, (group, text) in enumerate(groups.items(), start=1):
            # The two copies alone in flight: each pool process takes one, and they go through the
            # same work at the same pace.
            copies = [SourceItem(copy, {"id": f"{group}-{copy}", "text": text}) for copy in ("a", "b")]
            enqueue_items(copies, settings, worker.client, app)
            wait_until(
                lambda number=number: worker.client.xlen(settings.results_stream) == 2 * number,  # type: ignore[misc]
                60,
                f"both copies of {group} published",
            )
        results = {
            record["id"]: record
            for _, fields in worker.client.xrange(settings.results_stream)
            for record in [json.loads(fields["data"])]
        }
        for group in groups:
            marks = sorted((results[f"{group}-{copy}"]["duplicate_of"] or "") for copy in ("a", "b"))
            # One copy is the original, the other points at it.
            assert marks[0] == "" and marks[1] in {f"{group}-a", f"{group}-b"}, (group, marks)


def test_a_publish_task_waits_for_the_lock_a_bounded_time_then_retries(running_worker: RunningWorker) -> None:
    # Time limit 12 s: soft limit 2 s, so a publish task waits at most 0.5 s for the lock.
    settings = Settings(
        redis_url=running_worker.env["NEWSFLOW_REDIS_URL"],
        key_prefix=f"duptest-{secrets.token_hex(3)}",
        task_time_limit_seconds=12,
    )
    client = running_worker.client
    client.set(settings.key("dup", "lock"), "a worker that died holding it", px=5_000)
    started = time.monotonic()
    with pytest.raises(TransientError, match="publishing lock"), duplicates.publishing_lock(client, settings):
        pytest.fail("entered while another holder has the lock")
    assert time.monotonic() - started < settings.soft_time_limit_seconds
    client.delete(settings.key("dup", "lock"))
    with duplicates.publishing_lock(client, settings):
        assert client.get(settings.key("dup", "lock"))  # held now
    assert client.get(settings.key("dup", "lock")) is None  # and given back
