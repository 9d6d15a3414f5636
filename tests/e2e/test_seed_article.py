"""End to end: the seed article through the `newsflow` CLI, a private redis-server and a real worker."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import (
    SAMPLES,
    SEED_BOILERPLATE,
    RunningWorker,
    SeedCase,
    run_cli,
    wait_until,
    worker_env,
)

pytestmark = pytest.mark.e2e

BOILERPLATE_WORDS = {"share", "welcome", "login", "remember", "password", "register", "account"}


def seed_result(env: dict[str, str], title: str) -> dict | None:  # type: ignore[type-arg]
    results = run_cli(env, "results")
    assert results.returncode == 0, results.stderr
    for line in results.stdout.splitlines():
        record = json.loads(line)
        if record.get("title") == title:
            return record
    return None


def test_the_seed_article_comes_out_clean_with_its_people_places_and_summary(
    running_worker: RunningWorker, seed_case: SeedCase
) -> None:
    env = running_worker.env
    queued = run_cli(env, "enqueue", str(seed_case.path))
    assert queued.returncode == 0, queued.stderr
    assert queued.stdout.startswith("queued 1, duplicates skipped 0, rejected 0")
    wait_until(lambda: seed_result(env, seed_case.title), 90, "the seed article on the results stream", 0.5)
    result = seed_result(env, seed_case.title)
    assert result is not None

    text = result["text"]
    for line in SEED_BOILERPLATE:
        assert line not in text
    assert result["dateline"] == seed_case.dateline

    names = {e["name"] for e in result["canonical_entities"]} | {e["text"] for e in result["entities"]}
    for expected in seed_case.people_and_places:
        assert expected in names, f"{expected} missing from {sorted(names)}"

    # Exactly one canonical entity each, under these names, and no boilerplate word as an entity.
    canonical = result["canonical_entities"]
    for target, forms in seed_case.one_entity_each.items():
        holders = [e["name"] for e in canonical if set(e["aliases"]) & forms]
        assert holders == [target], f"{target}: {holders}"
    entity_words = {w.casefold() for e in canonical for a in e["aliases"] for w in a.split()}
    assert not entity_words & BOILERPLATE_WORDS
    assert not {e["name"] for e in canonical} & seed_case.titles
    assert next(e for e in canonical if e["in_dateline"])["name"] == seed_case.dateline_place
    assert result["dateline_place"] == seed_case.dateline_place

    quotes = result["quotes"]
    person, first_words = seed_case.quoted
    assert next(q for q in quotes if q["text"].startswith(first_words))["speaker_entity"] == person
    official = [q for q in quotes if "government official" in (q["speaker"] or "")]
    assert [q["speaker_entity"] for q in official] == [None, None]
    assert next(q for q in quotes if q["text"] == seed_case.scare_term)["kind"] == "scare"

    sentences = result["summary_sentences"]
    assert 2 <= len(sentences) <= 4
    body_sentences = {text[s["start"] : s["end"]] for s in result["sentences"]}
    for sentence in sentences:
        assert text[sentence["start"] : sentence["end"]] == sentence["text"]
        assert sentence["text"] in body_sentences
    assert result["summary"] == " ".join(s["text"] for s in sentences)


def test_the_cli_reports_an_unreachable_redis_in_one_line() -> None:
    env = worker_env("redis://127.0.0.1:1/0", "nf-unreachable")
    for args in (["status"], ["enqueue", str(SAMPLES / "harbour-bridge-closure.txt")], ["results"]):
        run = run_cli(env, *args)
        assert run.returncode == 1
        assert "cannot use Redis at redis://127.0.0.1:1/0" in run.stderr
        assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1


def test_the_cli_never_prints_the_redis_password() -> None:
    env = worker_env("redis://:hunter2secret@127.0.0.1:1/0", "nf-secret")
    run = run_cli(env, "status")
    assert run.returncode == 1 and "hunter2secret" not in run.stderr + run.stdout
    assert re.search(r"redis://:\*\*\*@127\.0\.0\.1:1/0", run.stderr)
