"""The replication barrier: a write counts once a replica holds it, and a lag is a transient error."""

from __future__ import annotations

import pytest

from tests.sentinel_lab import replicate
from worker.cli.local_redis import LocalRedis
from worker.settings import Settings
from worker.stores.redis_client import REDIS_TRANSIENT_ERRORS, ReplicationLag, connect, wait_for_replicas

pytestmark = pytest.mark.integration


def test_the_barrier_raises_a_transient_lag_without_a_replica_and_passes_with_one() -> None:
    with LocalRedis() as primary, LocalRedis() as replica:
        settings = Settings(
            redis_url=primary.url, key_prefix="barrier", redis_wait_replicas=1, redis_wait_timeout_ms=100
        )
        client = connect(settings)
        client.set("barrier:article", "queued")
        with pytest.raises(ReplicationLag, match="0 of 1 replicas") as raised:
            wait_for_replicas(client, settings)
        assert isinstance(raised.value, REDIS_TRANSIENT_ERRORS)  # retried like an outage, never dead-lettered
        replicate(replica, primary)
        client.set("barrier:article", "published")
        wait_for_replicas(client, settings)
        # Whatever was written before the barrier is on the replica now.
        assert replica.client().get("barrier:article") == b"published"
