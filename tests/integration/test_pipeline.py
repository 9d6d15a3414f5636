"""The distributed path against a real Redis and a real two-process Celery worker."""

from __future__ import annotations

import json
import secrets
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import (
    RECIPE_LIST,
    RECIPE_PAGE,
    RECIPE_PROSE,
    SHARE_BAR,
    RunningWorker,
    dedicated_worker,
    wait_until,
)
from worker.app import create_app
from worker.cli.local_redis import LocalRedis
from worker.delivery.chain import pipeline_chain
from worker.producers.producer import enqueue_items
from worker.settings import Settings
from worker.sources.files import SourceItem
from worker.stores import stream

pytestmark = pytest.mark.integration


def settings_of(worker: RunningWorker) -> Settings:
    return Settings(redis_url=worker.env["NEWSFLOW_REDIS_URL"], key_prefix=worker.env["NEWSFLOW_KEY_PREFIX"])


def article(tag: str) -> dict[str, Any]:
    return {
        "id": f"it-{tag}-{secrets.token_hex(4)}",
        "title": f"Test story {tag}",
        "text": (
            f"LISBON – The city council of Lisbon approved plan {tag} on Monday, "
            "the mayor Carlos Moedas said.\n\n"
            "The plan adds three tram lines and a new bridge over the Tagus river by 2030. "
            "Opposition councillors said the budget was too small for a project of this size."
        ),
    }


def published(worker: RunningWorker, settings: Settings, article_id: str) -> dict[str, Any] | None:
    entry_id = worker.client.get(stream.published_marker(settings, article_id))
    if not entry_id:
        return None
    (entry,) = stream.read_range(worker.client, settings.results_stream, entry_id, entry_id)
    return entry.json_field()


def dead_letters_for(worker: RunningWorker, settings: Settings, article_id: str) -> list[dict[str, str]]:
    return [
        e.fields
        for e in stream.read_range(worker.client, settings.dead_letter_stream)
        if e.fields["article_id"] == article_id
    ]


def test_an_enqueued_article_is_published_with_every_field(running_worker: RunningWorker) -> None:
    settings = settings_of(running_worker)
    record = article("fields")
    report = enqueue_items(
        [SourceItem("test", record)], settings, running_worker.client, create_app(settings)
    )
    assert report.queued == 1
    wait_until(lambda: published(running_worker, settings, record["id"]), 60, "the article to be published")
    result = published(running_worker, settings, record["id"])
    assert result is not None
    assert result["dateline"] == "LISBON"
    assert any(e["name"] == "Carlos Moedas" and e["label"] == "PERSON" for e in result["canonical_entities"])
    assert set(result["timings"]) == {"clean", "extract", "summarise"}
    assert result["enqueued_at"] <= result["published_at"]
    for sentence in result["summary_sentences"]:
        assert result["text"][sentence["start"] : sentence["end"]] == sentence["text"]


def test_body_only_travels_from_the_producer_to_the_clean_stage(running_worker: RunningWorker) -> None:
    # The flag must survive the producer's validation, the queue's JSON and the worker's parse:
    # the same text is published whole with it, and without its list lines otherwise.
    settings = settings_of(running_worker)
    tag = secrets.token_hex(4)
    records = [
        {"id": f"it-body-{tag}", "text": RECIPE_PAGE, "body_only": True},
        {"id": f"it-page-{tag}", "text": RECIPE_PAGE},
    ]
    items = [SourceItem("test", record) for record in records]
    report = enqueue_items(items, settings, running_worker.client, create_app(settings))
    assert report.queued == 2
    for record in records:
        wait_until(lambda r=record: published(running_worker, settings, r["id"]), 60, "the articles")
    whole, looked_for = (published(running_worker, settings, r["id"]) for r in records)
    assert whole is not None and looked_for is not None
    assert whole["text"].split("\n\n") == [*RECIPE_PROSE, *RECIPE_LIST, *SHARE_BAR]
    assert "250 g flour" not in looked_for["text"]


def test_the_same_article_queued_twice_is_published_once(running_worker: RunningWorker) -> None:
    settings = settings_of(running_worker)
    record = article("twice")
    app = create_app(settings)
    # Both copies straight onto the queue, past the producer's door (which would drop the second):
    # it is the publish task that must not append a second entry.
    pipeline_chain(record, app).apply_async()
    pipeline_chain(dict(record), app).apply_async()
    wait_until(lambda: published(running_worker, settings, record["id"]), 60, "the article to be published")
    # The second copy runs to completion too; wait until no message of this test is left in the queues.
    wait_until(
        lambda: all(
            running_worker.client.llen(settings.queue(s)) == 0
            for s in ("clean", "extract", "summarise", "publish")
        ),
        60,
        "the queues to drain",
    )
    entries = [
        e
        for e in stream.read_range(running_worker.client, settings.results_stream)
        if e.fields["id"] == record["id"]
    ]
    assert len(entries) == 1


def test_publish_once_is_atomic_per_article_id(running_worker: RunningWorker) -> None:
    settings = settings_of(running_worker)
    article_id = f"direct-{secrets.token_hex(4)}"
    first = stream.publish_once(running_worker.client, settings, article_id, json.dumps({"id": article_id}))
    second = stream.publish_once(running_worker.client, settings, article_id, json.dumps({"id": article_id}))
    assert first.created and not second.created
    assert first.entry_id == second.entry_id


def test_an_invalid_record_is_dead_lettered_and_the_worker_keeps_going(
    running_worker: RunningWorker,
) -> None:
    settings = settings_of(running_worker)
    app = create_app(settings)
    bad_id = f"bad-{secrets.token_hex(4)}"
    # Straight onto the queue, past the producer's own validation, as a foreign producer might.
    pipeline_chain({"id": bad_id, "title": "no body at all"}, app).apply_async()
    good = article("after-bad")
    pipeline_chain(good, app).apply_async()
    wait_until(lambda: dead_letters_for(running_worker, settings, bad_id), 60, "the dead letter")
    (letter,) = dead_letters_for(running_worker, settings, bad_id)
    assert letter["stage"] == "clean"
    assert letter["error_class"] == "InvalidRecord"
    assert "text" in letter["error"] and letter["attempts"] == "1"
    assert json.loads(letter["payload"])["title"] == "no body at all"
    wait_until(
        lambda: published(running_worker, settings, good["id"]),
        60,
        "the good article after the bad one",
    )


def test_status_reports_the_live_worker_and_metrics_count_what_was_published(
    running_worker: RunningWorker,
) -> None:
    from worker.cli.status import read_status

    settings = settings_of(running_worker)
    status = read_status(settings, running_worker.client)
    assert status["workers_alive"] == 1
    port = running_worker.env["NEWSFLOW_METRICS_PORT"]
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
        assert json.load(response)["healthy"] is True
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    published_line = next(
        line for line in text.splitlines() if line.startswith("newsflow_articles_published_total")
    )
    assert float(published_line.split()[-1]) == status["published"] - _direct_publishes(
        running_worker, settings
    )
    assert 'newsflow_queue_depth{queue="clean"}' in text


def _direct_publishes(worker: RunningWorker, settings: Settings) -> int:
    """Entries the tests appended with publish_once directly, which no task counted."""
    return sum(
        1
        for e in stream.read_range(worker.client, settings.results_stream)
        if e.fields["id"].startswith("direct-")
    )


def test_a_worker_that_cleans_warms_the_date_parser_before_its_pool_forks(
    redis_server: LocalRedis, tmp_path: Path
) -> None:
    """The warm-up runs once, in the main process, and only where the clean queue is consumed."""
    with dedicated_worker(redis_server.url, tmp_path, warm_up_date_parser="true") as cleaning:
        settings = settings_of(cleaning)
        page = {
            "id": f"warm-{secrets.token_hex(4)}",
            "url": "https://news.example/2014/03/12/story.html",
            "html": "<html><head><title>A story</title></head><body><article>"
            + "<p>Updated: 12. März 2014</p>"
            + "<p>The council met on Tuesday and voted to keep the old library open for another year.</p>" * 6
            + "</article></body></html>",
        }
        enqueue_items([SourceItem("test", page)], settings, cleaning.client, create_app(settings))
        wait_until(lambda: published(cleaning, settings, page["id"]), 60, "the page to be published")
        assert cleaning.log().count("date parser warmed up") == 1  # in the main process, once
    extract_only = ("--queues", "extract,summarise,publish")
    with dedicated_worker(
        redis_server.url, tmp_path, warm_up_date_parser="true", extra_args=extract_only
    ) as other:
        assert "date parser warmed up" not in other.log()
