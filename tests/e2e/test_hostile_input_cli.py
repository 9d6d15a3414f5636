"""The ``newsflow`` CLI fed hostile input: escape sequences in file names, ids, feed URLs and
worker names never reach the terminal raw, a password in a Redis URL's query is never printed,
and ``process`` writes one line per input whatever the input holds."""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path

import pytest

from tests.conftest import run_cli, worker_env
from worker.cli.local_redis import LocalRedis
from worker.settings import Settings

pytestmark = pytest.mark.e2e

OSC = "\x1b]0;PWNED\x07"  # retitles the terminal
# What must never be printed raw: C0 controls but the line feed, DEL, C1, bidi controls, surrogates.
RAW_CONTROL = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def assert_no_raw_control(output: str) -> None:
    found = RAW_CONTROL.findall(output)
    assert not found, f"raw control characters printed: {found!r} in {output!r}"


@pytest.fixture
def env(redis_server: LocalRedis) -> dict[str, str]:
    return worker_env(redis_server.url, f"nfhostile-{secrets.token_hex(3)}", fetch_retries="0")


def test_file_names_ids_feed_urls_and_worker_names_are_printed_escaped(
    env: dict[str, str], redis_server: LocalRedis, tmp_path: Path
) -> None:
    source = tmp_path / f"evil{OSC}name.jsonl"
    hostile = {"id": "\x1b[2J", "title": "\u202eevil\x9b31m", "text": "x"}
    source.write_text(json.dumps({"title": "no body"}) + "\n" + json.dumps(hostile) + "\n")

    queued = run_cli(env, "enqueue", str(source))
    assert queued.returncode == 0, queued.stderr
    assert_no_raw_control(queued.stdout + queued.stderr)
    assert "evil\\x1b]0;PWNED\\x07name.jsonl" in queued.stdout and "rejected 2" in queued.stdout

    listed = run_cli(env, "dlq", "list")
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 2, listed.stdout
    assert_no_raw_control(listed.stdout + listed.stderr)
    assert "\\x1b]0;PWNED\\x07" in listed.stdout

    entry_id = listed.stdout.splitlines()[1].split()[0]
    shown = run_cli(env, "dlq", "show", entry_id)
    assert shown.returncode == 0, shown.stderr
    assert_no_raw_control(shown.stdout.replace("\n", ""))
    # Escaped as JSON, not changed; the producer adds where the record came from.
    assert json.loads(shown.stdout)["payload"] == {**hostile, "origin": f"{source}:2"}

    missing = run_cli(env, "dlq", "show", f"0-1{OSC}")
    assert missing.returncode == 1 and "\\x1b]0;PWNED\\x07" in missing.stderr
    assert_no_raw_control(missing.stderr)

    polled = run_cli(env, "enqueue", "--feed", f"http://127.0.0.1:1/feed{OSC}.rss")
    assert polled.stdout.startswith("poll 1 at ") and "1 failed" in polled.stdout, polled.stdout
    assert_no_raw_control(polled.stdout + polled.stderr)

    settings = Settings(redis_url=env["NEWSFLOW_REDIS_URL"], key_prefix=env["NEWSFLOW_KEY_PREFIX"])
    client = redis_server.client()
    client.set(settings.key("workers", f"host{OSC}\u202e-1"), "{}", ex=60)
    status = run_cli(env, "status")
    assert status.returncode == 0 and "1 alive (host\\x1b]0;PWNED\\x07\\u202e-1)" in status.stdout
    assert_no_raw_control(status.stdout)


def test_status_never_prints_a_password_given_in_the_query(redis_server: LocalRedis) -> None:
    for url in (f"{redis_server.url}?password=hunter2secret", "redis://127.0.0.1:1/0?password=hunter2secret"):
        env = worker_env(url, f"nfsecret-{secrets.token_hex(3)}")
        for args in (["status"], ["status", "--json"]):
            run = run_cli(env, *args)
            assert "hunter2secret" not in run.stdout + run.stderr
            assert "password=***" in run.stdout + run.stderr


@pytest.mark.timeout(600)
def test_process_writes_one_line_per_input_around_a_huge_text_and_a_surrogate_id(tmp_path: Path) -> None:
    nouns = ["bridge", "library", "harbour", "tram line", "school", "market", "river bank", "museum"]
    filler = "\n\n".join(
        f"The committee heard from residents about the {nouns[i % 8]} and the {nouns[(i // 8) % 8]} "
        f"near the old square, and it asked the officials for a plan that the neighbourhood can afford."
        for i in range(6_400)
    )
    huge = f"{filler}\n\nAnna de Vries, the director of the port of Rotterdam, said the plan would go ahead."
    story = (
        "The harbour authority in Rotterdam said on Tuesday that ship traffic rose by three percent, "
        "and its director Anna de Vries expects more growth next year."
    )
    lines = [
        {"id": "before", "text": story},
        {"id": "huge", "text": huge, "body_only": True},
        {"id": "lone-\ud800", "text": story.replace("three", "four")},
        {"id": "after", "text": story.replace("three", "five")},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(line) + "\n" for line in lines))
    output = tmp_path / "out.jsonl"
    run = run_cli(
        worker_env("redis://127.0.0.1:1/0", "nf-none"), "process", str(source), "-o", str(output), "-j", "2"
    )
    assert run.returncode == 0, run.stderr
    assert "processed 3, failed 1" in run.stderr
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["before", "huge", "lone-\ud800", "after"]
    assert records[2]["error"]["class"] == "InvalidRecord"
    text = records[1]["text"]
    assert len(text) > 1_000_000 and all(
        text[e["start"] : e["end"]] == e["text"] for e in records[1]["entities"]
    )
    names = {e["text"]: e["start"] for e in records[1]["entities"]}
    assert names["Anna de Vries"] > 1_000_000 and names["Rotterdam"] > 1_000_000


def test_enqueue_rejects_a_lone_surrogate_in_an_id_or_url_and_queues_the_rest(
    env: dict[str, str], tmp_path: Path
) -> None:
    story = "The harbour authority in Rotterdam said on Tuesday that ship traffic rose by three percent."
    lines = [
        {"id": "lone-\ud800", "text": story},
        {"url": "https://example.com/\udfff", "text": story},
        {"id": f"fine-{secrets.token_hex(3)}", "text": story},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(line) + "\n" for line in lines))
    run = run_cli(env, "enqueue", str(source))
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("queued 1, duplicates skipped 0, rejected 2: InvalidRecord x2"), run.stdout
    listed = run_cli(env, "dlq", "list")
    assert listed.stdout.count("InvalidRecord") == 2
