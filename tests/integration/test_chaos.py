"""The chaos scenario, short: SIGKILL workers and restart Redis mid-run; nothing lost, nothing twice."""

from __future__ import annotations

import pytest

from tests.chaos_runner import run_chaos
from tests.conftest import DATA_DIR

pytestmark = pytest.mark.integration


def test_killing_workers_and_restarting_redis_loses_and_duplicates_nothing() -> None:
    report = run_chaos(DATA_DIR, articles=160, poison=12, kills=4, seed=7, timeout=240, log=print)
    print("\n" + report.table())
    assert report.kills == 4 and report.redis_restarts == 1
    assert report.lost == 0
    assert report.duplicates == 0
    assert report.poison_without_reason == []
    assert (
        report.published >= 160 - 3
    )  # a good article killed max_deliveries times is dead-lettered, not lost
