"""End to end: `newsflow results --speaker NAME` against a private redis-server's results stream."""

from __future__ import annotations

import json

import pytest

from tasks.extract.quotes import quoted_speaker
from tests.conftest import run_cli, worker_env
from worker.cli.local_redis import LocalRedis

pytestmark = pytest.mark.e2e

RECORDS = [
    {"id": "a1", "quotes": [{"speaker": "she", "speaker_entity": "Susan Rice", "text": "We agree."}]},
    {"id": "a2", "quotes": [{"speaker": "a top government official", "speaker_entity": None, "text": "No."}]},
    {"id": "a3", "quotes": [{"speaker": "Tom Price", "speaker_entity": "Tom Price", "text": "Maybe."}]},
    {"id": "a4", "quotes": []},
    {"id": "a5"},
]


def test_results_keeps_only_articles_quoting_the_speaker(redis_server: LocalRedis) -> None:
    prefix = "nf-speaker"
    client = redis_server.client()
    for record in RECORDS:
        client.xadd(f"{prefix}:results", {"data": json.dumps(record)})
    env = worker_env(redis_server.url, prefix)

    def ids(*args: str) -> list[str]:
        run = run_cli(env, "results", *args)
        assert run.returncode == 0, run.stderr
        return [json.loads(line)["id"] for line in run.stdout.splitlines()]

    assert ids() == ["a1", "a2", "a3", "a4", "a5"]
    assert ids("--speaker", "susan rice") == ["a1"]
    assert ids("--speaker", "Rice") == ["a1"]  # whole words: not "Price"
    assert ids("--speaker", "Government Official") == ["a2"]
    assert ids("--speaker", "Nobody Here") == []
    assert ids("--speaker", "price", "-n", "1") == ["a3"]


def test_quoted_speaker_matches_entity_or_mention_whole_words() -> None:
    quotes = [{"speaker": "the senator", "speaker_entity": "Ruth Hale"}]
    assert quoted_speaker(quotes, "ruth hale") and quoted_speaker(quotes, "SENATOR")
    assert not quoted_speaker(quotes, "Hal") and not quoted_speaker(quotes, " ")
