"""kombu's Redis transport, with no message lost between its queue and its unacknowledged copy.

kombu takes a message off its queue with ``BRPOP`` and only then, in a second round trip, writes
the copy that brings it back if the worker never acknowledges it (the ``unacked`` hash). A worker
killed in between loses the message; so does Redis dying in between, or failing over after the
replica got the ``BRPOP`` but not the copy. Here:

- consumers take a message and write its copy in one Lua step (``atomic_take``), so the message
  leaves its queue only with its copy, and the two replicate together;
- a message the worker holds when its connection is lost (or whose copy a server that took over
  lacks) is kept in the worker's memory (``ORPHANS``) and put back once Redis answers again: from
  the ``unacked`` hash when the copy is there (one atomic step, so the periodic sweep of another
  worker cannot put it back a second time), else from memory. kombu's own channel tries that once on
  a lost connection, fails (no primary to write to) and drops them.

A message put back that had in fact survived is run twice; the publish step's exactly-once marker
makes that harmless, a lost one would not be.

``use_durable_transport()`` points kombu's ``redis``, ``rediss`` and ``sentinel`` URL schemes at the
classes below (kombu resolves a scheme through its alias table, also when it switches to the next
Sentinel), so the broker URL stays what the user wrote.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from kombu import transport as kombu_transport
from kombu.transport import redis as kombu_redis
from kombu.transport import virtual

from worker.delivery.atomic_take import TAKEN, AtomicTakeChannel

log = logging.getLogger(__name__)

# (payload, exchange, routing key) of a message, as the ``unacked`` hash stores it.
Stored = tuple[dict[str, Any], str, str]


class OrphanedMessages:
    """Messages a worker holds that Redis may have no copy of, until they are put back."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: dict[str, Stored] = {}

    def keep(self, tag: str, message: Any) -> None:
        """Remember a message (a kombu message taken off its queue) to be put back."""
        delivery = message.delivery_info or {}
        stored = (message._raw, delivery.get("exchange", ""), delivery.get("routing_key", ""))
        with self._lock:
            self._messages[tag] = stored

    def taken(self) -> dict[str, Stored]:
        """All messages kept, removed from here (``give_back`` returns what could not be put back)."""
        with self._lock:
            messages, self._messages = self._messages, {}
        return messages

    def give_back(self, messages: dict[str, Stored]) -> None:
        with self._lock:
            self._messages.update(messages)

    def __len__(self) -> int:
        with self._lock:
            return len(self._messages)


ORPHANS = OrphanedMessages()


class DurableQoS(kombu_redis.QoS):
    """kombu's Redis acknowledgement emulation, keeping what a failed write would lose."""

    def append(self, message: Any, delivery_tag: str) -> None:
        if TAKEN.claim(delivery_tag):  # taken by the take script, which wrote the copy with the pop
            virtual.QoS.append(self, message, delivery_tag)  # type: ignore[no-untyped-call]
            return
        try:
            super().append(message, delivery_tag)  # type: ignore[no-untyped-call]
        except Exception:
            ORPHANS.keep(delivery_tag, message)  # off its queue, maybe not in the hash: keep it
            raise

    def restore_unacked(self, client: Any = None) -> None:
        """Put back every message this channel holds (its connection is closing); any that cannot
        be put back now (Redis is away) are kept and put back when Redis answers again."""
        for tag, message in list(self._delivered.items()):
            ORPHANS.keep(tag, message)
        self._delivered.clear()
        restore_orphans(self.channel, client)

    def restore_visible(self, start: int = 0, num: int = 10, interval: int = 10) -> None:
        restore_orphans(self.channel)
        super().restore_visible(start=start, num=num, interval=interval)  # type: ignore[no-untyped-call]


def restore_orphans(channel: Any, client: Any = None) -> int:
    """Put the kept messages back on their queues (next in line); return how many went back.
    A message whose copy is still in the ``unacked`` hash goes back from there, atomically."""
    if not len(ORPHANS):
        return 0
    orphans = ORPHANS.taken()
    restored = 0
    try:
        with channel.conn_or_acquire(client) as redis_client:
            for tag, stored in list(orphans.items()):
                _restore_one(channel, redis_client, tag, stored)
                del orphans[tag]
                restored += 1
    except Exception as exc:  # Redis still away, or refusing writes: try again on the next sweep
        log.warning("could not put %d message(s) back on their queues yet: %r", len(orphans), exc)
    finally:
        ORPHANS.give_back(orphans)
    if restored:
        log.warning("put %d message(s) back on their queues after a lost connection", restored)
    return restored


def _restore_one(channel: Any, client: Any, tag: str, stored: Stored) -> None:
    qos = channel.qos

    def transaction(pipe: Any) -> None:
        copy = pipe.hget(channel.unacked_key, tag)
        pipe.multi()
        qos._remove_from_indices(tag, pipe)
        payload, exchange, routing_key = json.loads(copy) if copy else stored
        channel._do_restore_message(payload, exchange, routing_key, pipe, False)

    client.transaction(transaction, channel.unacked_key)


class _PutsBackOnConsume:
    """Channel mixin: consuming again (connected again) first puts back what a lost connection
    left in memory."""

    def basic_consume(self, queue: str, *args: Any, **kwargs: Any) -> Any:
        consumer_tag = super().basic_consume(queue, *args, **kwargs)  # type: ignore[misc]
        restore_orphans(self)
        return consumer_tag


class DurableChannel(_PutsBackOnConsume, AtomicTakeChannel, kombu_redis.Channel):
    QoS = DurableQoS


class DurableSentinelChannel(_PutsBackOnConsume, AtomicTakeChannel, kombu_redis.SentinelChannel):
    QoS = DurableQoS


class DurableTransport(kombu_redis.Transport):
    Channel = DurableChannel


class DurableSentinelTransport(kombu_redis.SentinelTransport):
    Channel = DurableSentinelChannel


ALIASES = {
    "redis": f"{__name__}:DurableTransport",
    "rediss": f"{__name__}:DurableTransport",
    "sentinel": f"{__name__}:DurableSentinelTransport",
}


def use_durable_transport() -> None:
    """Make kombu resolve the Redis URL schemes to the durable transports (idempotent)."""
    for scheme, target in ALIASES.items():
        if kombu_transport.TRANSPORT_ALIASES.get(scheme) != target:
            kombu_transport.TRANSPORT_ALIASES[scheme] = target
            kombu_transport._transport_cache.pop(scheme, None)
