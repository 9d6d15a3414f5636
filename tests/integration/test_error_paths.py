"""The error paths of a real worker: nothing lost, nothing logged, nothing too long for the model.

Each test sends real records through a real ``newsflow worker`` over a real Redis: a record the
dead-letter stream cannot take as it is (a NUL and a lone surrogate), a dead-letter write that
fails, an article over spaCy's ``max_length``, an article that breaks its extract batch, and a
malformed article between two stages.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import pytest

from tasks.models import ExtractedArticle, Span
from tests.conftest import RunningWorker, dedicated_worker, run_cli, wait_until
from worker.app import create_app
from worker.cli.local_redis import LocalRedis
from worker.delivery.chain import pipeline_chain
from worker.settings import Settings
from worker.stores import stream

pytestmark = pytest.mark.integration


def settings_of(worker: RunningWorker) -> Settings:
    return Settings(redis_url=worker.env["NEWSFLOW_REDIS_URL"], key_prefix=worker.env["NEWSFLOW_KEY_PREFIX"])


def letters_for(worker: RunningWorker, article_id: str) -> list[stream.StreamEntry]:
    settings = settings_of(worker)
    if worker.client.type(settings.dead_letter_stream) != "stream":
        return []
    return [
        e
        for e in stream.read_range(worker.client, settings.dead_letter_stream)
        if e.fields.get("article_id") == article_id
    ]


def published(worker: RunningWorker, article_id: str) -> dict[str, Any] | None:
    settings = settings_of(worker)
    entry_id = worker.client.get(stream.published_marker(settings, article_id))
    if not entry_id:
        return None
    (entry,) = stream.read_range(worker.client, settings.results_stream, entry_id, entry_id)
    return entry.json_field()


def prose(tag: str, paragraphs: int = 2) -> str:
    return "\n\n".join(
        f"Paragraph {i} of report {tag}: the port authority in Rotterdam said on Tuesday that ship "
        f"traffic rose by {i % 90 + 3} percent, and its director Anna de Vries expects more growth."
        for i in range(paragraphs)
    )


def test_a_record_with_a_nul_and_a_lone_surrogate_is_dead_lettered_replayable_and_never_logged(
    running_worker: RunningWorker, tmp_path: Path
) -> None:
    env = running_worker.env
    marker = f"Ghent-library-{secrets.token_hex(4)}"
    text = f"The council met on Friday.\x00 It approved {marker} \ud800 after a long debate in the hall."
    record = {"id": f"nul-{secrets.token_hex(4)}", "text": text}
    source = tmp_path / "nul.jsonl"
    source.write_text(json.dumps(record) + "\n", encoding="utf-8")  # the surrogate as \ud800

    queued = run_cli(env, "enqueue", str(source))
    assert queued.returncode == 0 and queued.stdout.startswith("queued 1,"), queued.stdout + queued.stderr
    wait_until(lambda: letters_for(running_worker, record["id"]), 60, "the record in the dead letters")
    (letter,) = letters_for(running_worker, record["id"])
    assert letter.fields["stage"] == "clean" and letter.fields["error_class"] == "UndecodableInput"
    payload = json.loads(letter.fields["payload"])
    assert payload["id"] == record["id"] and marker in payload["text"] and "\x00" in payload["text"]

    # Sent around the door, the lone surrogate reaches the dead letter as it is, and comes back exact.
    raw = {"id": f"raw-{secrets.token_hex(4)}", "text": text}
    pipeline_chain(raw, create_app(settings_of(running_worker))).apply_async()
    wait_until(lambda: letters_for(running_worker, raw["id"]), 60, "the raw record in the dead letters")
    (raw_letter,) = letters_for(running_worker, raw["id"])
    assert json.loads(raw_letter.fields["payload"])["text"] == text
    shown = run_cli(env, "dlq", "show", raw_letter.entry_id)
    assert shown.returncode == 0 and json.loads(shown.stdout)["payload"]["text"] == text
    replayed = run_cli(env, "dlq", "replay", raw_letter.entry_id)
    assert replayed.stdout.startswith("replayed 1, skipped 0"), replayed.stdout + replayed.stderr
    wait_until(
        lambda: any(e.entry_id != raw_letter.entry_id for e in letters_for(running_worker, raw["id"])),
        60,
        "the replayed record dead-lettered again",
    )

    assert marker not in running_worker.log()
    # The door forgot the dead-lettered article: enqueueing it again queues it again.
    again = run_cli(env, "enqueue", str(source))
    assert again.stdout.startswith("queued 1, duplicates skipped 0"), again.stdout + again.stderr


def test_a_record_with_a_lone_surrogate_in_its_id_is_dead_lettered_as_invalid(
    running_worker: RunningWorker,
) -> None:
    tag = secrets.token_hex(4)
    raw = {"id": f"lone-{tag}-\ud800", "text": prose(tag)}
    pipeline_chain(raw, create_app(settings_of(running_worker))).apply_async()
    shown_id = f"lone-{tag}-\\ud800"  # the id as the dead letter stores it: the surrogate escaped
    wait_until(lambda: letters_for(running_worker, shown_id), 60, "the record in the dead letters")
    (letter,) = letters_for(running_worker, shown_id)
    assert letter.fields["error_class"] == "InvalidRecord"
    assert json.loads(letter.fields["payload"]) == raw
    assert "raised unexpected" not in running_worker.log()


def test_a_dead_letter_that_cannot_be_written_leaves_the_article_on_the_queue(
    redis_server: LocalRedis, tmp_path: Path
) -> None:
    with dedicated_worker(redis_server.url, tmp_path) as worker:
        settings = settings_of(worker)
        # The dead-letter stream's key holds a string: every XADD to it fails with WRONGTYPE.
        worker.client.set(settings.dead_letter_stream, "not a stream")
        bad = {"id": f"nobody-{secrets.token_hex(4)}", "title": "no body at all"}
        pipeline_chain(bad, create_app(settings)).apply_async()
        wait_until(
            lambda: "dead_letter_failed" in worker.log() and bad["id"] in worker.log(),
            60,
            "the worker to say the dead letter failed",
        )
        worker.client.delete(settings.dead_letter_stream)
        wait_until(lambda: letters_for(worker, bad["id"]), 120, "the article dead-lettered on a later try")
        (letter,) = letters_for(worker, bad["id"])[:1]
        assert letter.fields["error_class"] == "InvalidRecord"
        assert json.loads(letter.fields["payload"]) == bad


@pytest.mark.timeout(600)
def test_a_text_over_a_million_characters_is_published_with_offsets_into_the_whole_text(
    running_worker: RunningWorker,
) -> None:
    # Paragraphs with no names, numbers or dates (so the entity cap is not reached before the end),
    # then one that names a person and a place past the millionth character.
    nouns = ["bridge", "library", "harbour", "tram line", "school", "market", "river bank", "museum"]
    filler = "\n\n".join(
        f"The committee heard from residents about the {nouns[i % 8]} and the {nouns[(i // 8) % 8]} "
        f"near the old square, and it asked the officials for a plan that the neighbourhood can afford."
        for i in range(6_400)
    )
    ending = "Anna de Vries, the director of the port of Rotterdam, said the plan would go ahead."
    record = {"id": f"huge-{secrets.token_hex(4)}", "text": f"{filler}\n\n{ending}", "body_only": True}
    assert len(record["text"]) > 1_000_000
    pipeline_chain(record, create_app(settings_of(running_worker))).apply_async()
    wait_until(
        lambda: published(running_worker, record["id"]) or letters_for(running_worker, record["id"]),
        300,
        "the huge article published or dead-lettered",
    )
    assert not letters_for(running_worker, record["id"])
    result = published(running_worker, record["id"])
    assert result is not None
    text = result["text"]
    assert len(text) > 1_000_000
    assert all(text[e["start"] : e["end"]] == e["text"] for e in result["entities"])
    names = {e["text"]: e["start"] for e in result["entities"]}
    assert names["Anna de Vries"] > 1_000_000 and names["Rotterdam"] > 1_000_000
    assert result["sentences"][-1]["end"] > 1_000_000
    assert all(text[s["start"] : s["end"]] == s["text"] for s in result["summary_sentences"])


def test_an_article_that_breaks_its_extract_batch_is_dead_lettered_alone_with_its_id(
    redis_server: LocalRedis, tmp_path: Path
) -> None:
    with dedicated_worker(redis_server.url, tmp_path, spacy_models='{"de": "de_no_such_model"}') as worker:
        settings = settings_of(worker)
        tag = secrets.token_hex(4)
        good = [{"id": f"ok-{i}-{tag}", "text": prose(f"ok{i}"), "language": "en"} for i in range(2)]
        bad = {"id": f"de-{tag}", "text": prose("de"), "language": "de"}
        pipeline_chain([good[0], bad, good[1]], create_app(settings), from_stage="extract").apply_async()
        wait_until(lambda: all(published(worker, g["id"]) for g in good), 120, "the good articles")
        wait_until(lambda: letters_for(worker, bad["id"]), 60, "the bad article in the dead letters")
        (letter,) = letters_for(worker, bad["id"])
        assert letter.fields["stage"] == "extract" and letter.fields["error_class"] == "ModelNotInstalled"
        assert json.loads(letter.fields["payload"]) == bad  # the payload the stage took: replayable


def test_between_stages_articles_travel_as_json_text_and_a_malformed_one_is_dead_lettered_as_its_object(
    running_worker: RunningWorker,
) -> None:
    settings = settings_of(running_worker)
    tag = secrets.token_hex(4)
    text = prose(tag, paragraphs=3)
    ends = [i + 1 for i, ch in enumerate(text) if ch == "." and (i + 1 == len(text) or text[i + 1] != "\n")]
    starts = [0, *(e + 2 for e in ends[:-1])]
    extracted = ExtractedArticle(
        id=f"between-{tag}",
        text=text,
        sentences=[Span(start=a, end=b) for a, b in zip(starts, ends, strict=True)],
    )
    broken: dict[str, Any] = {
        "id": f"broken-{tag}",
        "sentences": [{"start": 0, "end": 3}],
    }  # no text: not an article
    payload = [extracted.model_dump_json(), json.dumps(broken)]
    pipeline_chain(payload, create_app(settings), from_stage="summarise").apply_async()
    wait_until(lambda: published(running_worker, extracted.id), 60, "the good article published")
    result = published(running_worker, extracted.id)
    assert result is not None and result["summary"] and result["summary"] in text
    assert [(s["start"], s["end"]) for s in result["sentences"]] == list(zip(starts, ends, strict=True))
    wait_until(
        lambda: letters_for(running_worker, broken["id"]), 60, "the broken article in the dead letters"
    )
    (letter,) = letters_for(running_worker, broken["id"])
    assert letter.fields["stage"] == "summarise" and letter.fields["error_class"] == "InvalidRecord"
    assert "needs text" in letter.fields["error"]
    assert json.loads(letter.fields["payload"]) == broken  # the object, not its JSON text: replayable
