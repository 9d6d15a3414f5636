"""A message leaves its queue only together with its unacknowledged copy, on a real redis-server.

kombu's own transport pops a message with BRPOP and writes its copy in a second round trip, so a
worker killed between the two lost it (the chaos drill lost a 12-article chain that way). Ours
blocks on wake-up tokens and takes with one script; these tests check what that promises: a
consumer killed at any moment loses nothing, a token lost with it only delays, messages come out in
order, and tokens do not pile up.
"""

from __future__ import annotations

import os
import random
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from kombu import Connection

from worker.cli.local_redis import LocalRedis
from worker.delivery.broker_transport import use_durable_transport

pytestmark = pytest.mark.integration

_SEP = "\x06\x16"


@pytest.fixture
def server() -> Iterator[LocalRedis]:
    with LocalRedis() as local:
        yield local


@pytest.fixture(autouse=True)
def _durable() -> None:
    use_durable_transport()


def _publish(url: str, queue: str, *bodies: dict[str, Any]) -> None:
    with Connection(url) as conn:
        simple = conn.SimpleQueue(queue)
        for body in bodies:
            simple.put(body)


def test_a_taken_message_is_recorded_under_its_delivery_tag_and_goes_back_with_a_token(
    server: LocalRedis,
) -> None:
    queue, admin = f"q-{secrets.token_hex(3)}", server.client()
    _publish(server.url, queue, {"article": 1})
    assert admin.llen(queue) == 1 and admin.llen(f"{queue}{_SEP}wake") == 1
    conn = Connection(server.url, transport_options={"visibility_timeout": 3600})
    held = conn.SimpleQueue(queue).get(timeout=5)
    assert held.payload == {"article": 1}
    assert admin.llen(queue) == 0 and admin.llen(f"{queue}{_SEP}wake") == 0
    assert admin.hkeys("unacked") == [held.delivery_tag.encode()]
    assert admin.zrange("unacked_index", 0, -1) == [held.delivery_tag.encode()]
    conn.close()  # not acknowledged: back on its queue, with a token to wake a consumer
    assert admin.llen(queue) == 1 and admin.llen(f"{queue}{_SEP}wake") == 1
    assert admin.hlen("unacked") == 0


def test_a_consumer_killed_after_its_wake_up_leaves_the_message_for_another(server: LocalRedis) -> None:
    queue, admin = f"q-{secrets.token_hex(3)}", server.client()
    _publish(server.url, queue, {"article": "woken"})
    assert admin.rpop(f"{queue}{_SEP}wake")  # what a consumer killed right after its BRPOP took
    assert admin.llen(queue) == 1
    with Connection(server.url) as conn:  # no token left: found when its wait times out
        held = conn.SimpleQueue(queue).get(timeout=10)
        assert held.payload == {"article": "woken"}
        held.ack()
    assert admin.llen(queue) == 0 and admin.hlen("unacked") == 0


def test_messages_come_out_in_order_and_tokens_do_not_pile_up(server: LocalRedis) -> None:
    queue, other, admin = f"q-{secrets.token_hex(3)}", f"o-{secrets.token_hex(3)}", server.client()
    _publish(server.url, queue, *({"n": n} for n in range(5)))
    _publish(server.url, other, {"n": "other"})
    with Connection(server.url) as conn:
        channel = conn.default_channel
        for n in range(2):  # taken directly, no token used: the script removes one each
            message = channel.basic_get(queue)
            assert message.payload == {"n": n}
            message.ack()
        assert admin.llen(f"{queue}{_SEP}wake") == 3
        simple = conn.SimpleQueue(queue)
        for n in range(2, 5):
            message = simple.get(timeout=5)
            assert message.payload == {"n": n}
            message.ack()
        message = conn.SimpleQueue(other).get(timeout=5)  # the channel now waits on both queues
        assert message.payload == {"n": "other"}
        message.ack()
    assert admin.llen(f"{queue}{_SEP}wake") == 0 and admin.llen(f"{other}{_SEP}wake") == 0


def test_a_consumer_without_acknowledgements_leaves_no_copy_behind(server: LocalRedis) -> None:
    queue, admin = f"q-{secrets.token_hex(3)}", server.client()
    _publish(server.url, queue, {"reply": 1})
    with Connection(server.url) as conn:
        assert conn.SimpleQueue(queue, no_ack=True).get(timeout=5).payload == {"reply": 1}
    assert admin.llen(queue) == 0 and admin.hlen("unacked") == 0 and admin.zcard("unacked_index") == 0


# A consumer loop that acknowledges each message after recording its number; killed at random.
_CONSUMER = """
import sys
import redis
from kombu import Connection
from worker.delivery.broker_transport import use_durable_transport

url, queue = sys.argv[1], sys.argv[2]
if sys.argv[3] == "durable":
    use_durable_transport()
done = redis.Redis.from_url(url)
options = {"visibility_timeout": 2, "unacked_restore_throttle": 1}
with Connection(url, transport_options=options) as conn:
    simple = conn.SimpleQueue(queue)
    while True:
        try:
            message = simple.get(timeout=1)
        except simple.Empty:
            continue
        done.sadd(queue + ":done", message.payload["n"])
        message.ack()
"""


def run_kill_drill(url: str, transport: str, messages: int, kills: int, seed: int) -> set[int]:
    """Feed ``messages`` messages to a consumer process killed ``kills`` times at random moments
    (each time restarted); return the numbers no consumer ever got."""
    queue = f"drill-{secrets.token_hex(3)}"
    _publish(url, queue, *({"n": n} for n in range(messages)))
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    rng = random.Random(seed)
    command = [sys.executable, "-c", _CONSUMER, url, queue, transport]
    admin = __import__("redis").Redis.from_url(url)
    for _ in range(kills):
        before = admin.scard(queue + ":done")
        if before == messages:
            break
        process = subprocess.Popen(command, env=env)
        deadline = time.monotonic() + 30
        while admin.scard(queue + ":done") <= before and time.monotonic() < deadline:
            time.sleep(0.005)  # until it is consuming
        time.sleep(rng.uniform(0.0, 0.05))
        process.send_signal(signal.SIGKILL)
        process.wait()
    final = subprocess.Popen(command, env=env)
    try:
        started, deadline = time.monotonic(), time.monotonic() + 60
        while time.monotonic() < deadline and admin.scard(queue + ":done") < messages:
            # Nothing queued or held for a while (held ones come back after 2 s): the rest is lost.
            if time.monotonic() - started > 10 and admin.llen(queue) == 0 and admin.hlen("unacked") == 0:
                break
            time.sleep(0.2)
    finally:
        final.terminate()
        final.wait()
    done = {int(n) for n in admin.smembers(queue + ":done")}
    return set(range(messages)) - done


def test_a_consumer_killed_at_random_moments_loses_no_message(server: LocalRedis) -> None:
    lost = run_kill_drill(server.url, "durable", messages=2000, kills=25, seed=11)
    assert lost == set()
