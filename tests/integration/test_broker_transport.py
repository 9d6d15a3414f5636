"""A message taken off its queue is never lost on the way to its unacknowledged copy.

kombu's Redis transport takes a message with BRPOP and writes the copy that brings it back in a
second round trip. These tests open the two windows that lost articles in the failover drill, on a
real redis-server, through kombu's own consumer path (BRPOP, delivery, acknowledgement emulation):
the copy write refused, and the copy missing from the server that takes over after a failover.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from queue import Empty
from typing import Any

import pytest
import redis
from kombu import Connection

from worker.cli.local_redis import LocalRedis
from worker.delivery.broker_transport import ORPHANS, DurableQoS, use_durable_transport

pytestmark = pytest.mark.integration


@pytest.fixture
def server() -> Iterator[LocalRedis]:
    with LocalRedis() as local:
        yield local


@pytest.fixture(autouse=True)
def _durable() -> Iterator[None]:
    use_durable_transport()
    ORPHANS.taken()
    yield
    ORPHANS.taken()


def _publish(url: str, queue: str, body: dict[str, Any]) -> None:
    with Connection(url) as conn:
        conn.SimpleQueue(queue).put(body)


def _get(url: str, queue: str, timeout: float = 5) -> Any:
    with Connection(url, transport_options={"visibility_timeout": 3600}) as conn:
        message = conn.SimpleQueue(queue).get(timeout=timeout)
        message.ack()
        return message.payload


def test_the_durable_transport_is_what_a_redis_url_resolves_to(server: LocalRedis) -> None:
    with Connection(server.url) as conn:
        conn.connect()
        assert isinstance(conn.default_channel.qos, DurableQoS)


def test_a_message_whose_unacknowledged_copy_cannot_be_written_stays_on_its_queue(server: LocalRedis) -> None:
    queue, body = f"q-{secrets.token_hex(3)}", {"article": "kept"}
    admin = server.client()
    password = secrets.token_hex(8)
    admin.acl_setuser("consumer", enabled=True, passwords=[f"+{password}"], keys=["*"], channels=["*"],
                      commands=["+@all", "-hset"])  # fmt: skip
    consumer_url = f"redis://consumer:{password}@127.0.0.1:{server.port}/0"
    _publish(server.url, queue, body)
    with Connection(consumer_url) as conn:
        simple = conn.SimpleQueue(queue)
        with pytest.raises(redis.exceptions.ResponseError, match="can't run this command"):
            simple.get(timeout=5)  # the take script reads, then fails to record: it pops nothing
        assert admin.llen(queue) == 1 and admin.hlen("unacked") == 0
        assert len(ORPHANS) == 0
        admin.acl_setuser("consumer", enabled=True, commands=["+hset"])
        held = simple.get(timeout=5)
        assert held.payload == body and admin.llen(queue) == 0 and admin.hlen("unacked") == 1
        held.ack()
    assert admin.hlen("unacked") == 0 and admin.zcard("unacked_index") == 0


def test_a_message_whose_copy_the_new_primary_lacks_comes_back_after_the_failover(server: LocalRedis) -> None:
    """As a failover that loses the copy's replication: the server that takes over (same address,
    as a managed Redis fails over behind one name) has the message neither queued nor copied."""
    queue, body = f"q-{secrets.token_hex(3)}", {"article": "in flight"}
    admin = server.client()
    _publish(server.url, queue, body)
    conn = Connection(server.url, transport_options={"visibility_timeout": 3600})
    held = conn.SimpleQueue(queue).get(timeout=5)  # taken and copied, not acknowledged
    assert held.payload == body
    assert admin.llen(queue) == 0 and admin.hlen("unacked") == 1
    admin.delete("unacked", "unacked_index")  # the writes the promoted replica never got
    admin.save()
    server.stop()
    conn.close()  # the channel closes on the lost connection: nothing to write its messages back to
    assert len(ORPHANS) == 1
    server.start()  # the server that takes over: no queued message, no copy
    assert admin.llen(queue) == 0 and admin.hlen("unacked") == 0
    assert _get(server.url, queue) == body  # consuming again puts the held message back first
    assert len(ORPHANS) == 0


def test_a_message_whose_copy_survived_goes_back_once(server: LocalRedis) -> None:
    queue, body = f"q-{secrets.token_hex(3)}", {"article": "copied"}
    admin = server.client()
    _publish(server.url, queue, body)
    conn = Connection(server.url, transport_options={"visibility_timeout": 3600})
    assert conn.SimpleQueue(queue).get(timeout=5).payload == body
    conn.close()
    assert admin.llen(queue) == 1 and admin.hlen("unacked") == 0
    assert _get(server.url, queue) == body
    with Connection(server.url) as again, pytest.raises(Empty):
        again.SimpleQueue(queue).get(timeout=1)
