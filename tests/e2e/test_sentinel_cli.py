"""The CLI behind Sentinel: it finds the primary through the Sentinels, and the new one after a
failover; with the durability wait, what it queued before the failover is still queued after it."""

from __future__ import annotations

import json

import pytest

from tests.conftest import REPO, run_cli, worker_env
from tests.sentinel_lab import MASTER_NAME, SentinelLab

pytestmark = pytest.mark.integration


def test_the_cli_finds_the_new_primary_and_what_it_queued_survives_the_failover() -> None:
    with SentinelLab() as lab:
        env = worker_env(
            "redis://127.0.0.1:1/0",  # never used: the Sentinels name the primary
            "clisentinel",
            redis_sentinels=lab.sentinel_setting,
            redis_sentinel_master=MASTER_NAME,
            redis_wait_replicas="1",
            article_batch_size="1",
        )
        queued = run_cli(env, "enqueue", str(REPO / "worker" / "samples"))
        assert queued.returncode == 0, queued.stderr
        assert "queued 6" in queued.stdout
        before = lab.primary_port()
        victim = lab.kill_primary()
        assert lab.wait_promoted(victim.port) != before
        status = run_cli(env, "status", "--json")
        assert status.returncode == 0, status.stderr
        shown = json.loads(status.stdout)
        assert f"via Sentinels {lab.sentinel_setting}" in shown["redis"]
        assert shown["queues"]["clean"] == 6
        wrong = run_cli({**env, "NEWSFLOW_REDIS_SENTINEL_MASTER": "no-such-master"}, "status")
        assert wrong.returncode == 1
        assert "No master found for 'no-such-master'" in wrong.stderr
