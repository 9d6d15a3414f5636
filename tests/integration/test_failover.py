"""The failover drill, short: SIGKILL the Redis primary twice under load; nothing lost, nothing twice."""

from __future__ import annotations

import pytest

from tests.conftest import DATA_DIR
from tests.failover_runner import run_failover

pytestmark = pytest.mark.integration


def test_killing_the_redis_primary_twice_loses_and_duplicates_nothing() -> None:
    # down-after 3 s: at 1 s the whole suite's load can fail over a live primary (see run_failover).
    report = run_failover(
        DATA_DIR, articles=196, poison=4, wait_replicas=1, timeout=240, down_after_ms=3000, log=print
    )
    print("\n" + report.table())
    assert report.failovers == 2
    assert report.missing == []
    assert report.duplicates == 0
    assert report.planted_dead_lettered == report.planted == 4
    assert not report.good_dead_lettered
    assert report.published == report.enqueued - report.planted
