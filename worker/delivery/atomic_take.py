"""Taking a message off its queue and recording it as unacknowledged in one Redis step.

kombu's Redis transport takes a message with ``BRPOP`` and writes the copy that brings it back if
the worker never acknowledges it (the ``unacked`` hash) in a second round trip. A worker killed
between the two (SIGKILL, the OOM killer, a lost machine) has taken a message that Redis holds
nowhere: it is lost. A Lua script can take and record atomically, but a script cannot block, and
Redis has no blocking pop over several lists that records what it popped (``BLMOVE`` reads one list;
a worker reads the four stage queues).

So the blocking and the taking are split. Every message pushed onto a queue comes with a wake-up
token pushed onto the queue's wake list (``<queue>\\x06\\x16wake``) in the same transaction. A
consumer blocks with ``BRPOP`` on the wake lists of its queues, and only then runs the script, which
takes the oldest message of its queues (the woken queue first, then the others in kombu's order,
priority by priority) and records it in the ``unacked`` hash and index, all in one step: the copy
exists from the moment the message leaves its queue, and replicates with it. A token is only a
wake-up, never the message: a token lost with a killed worker delays a message, never loses it,
because a ``BRPOP`` that times out runs the script too (every ``brpop_timeout``, one second by
default), and one that found work without a token looks again at once. The script removes a token
for every message it takes without one, so tokens do not pile up.

The script reads before it writes: it looks at the message, records it, then drops it from its
queue (``LTRIM``: unlike ``RPOP`` it hands the script no second copy of the message). A script
that fails half-way (a refused write, memory full) leaves a recorded copy of a message still on its
queue, which runs twice at worst (the publish step's exactly-once marker absorbs that), never a
message popped and not recorded.

The message delivered carries a fresh delivery tag, the key of its record, so the acknowledgement
removes exactly that record. The record is ``[message, "", queue]``: kombu's restore puts it back
on that queue by name, with a new token.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
from queue import Empty
from time import monotonic, time
from typing import Any

from kombu.utils.json import dumps, loads

log = logging.getLogger(__name__)

WAKE_SUFFIX = "wake"
# Time to wait for a token right after work was found without one: more may be waiting.
DRAIN_TIMEOUT = 0.01

# KEYS: the unacked hash, the unacked index, the wake lists of the queues (nq of them), then the
# queues' lists in the order to take from. ARGV: tag, time, nq, number of the queue whose token was
# taken (0: none), then each list's queue number, then each queue's name as JSON (empty for a queue
# consumed without acknowledgements: nothing to record).
TAKE_SCRIPT = """
local nq = tonumber(ARGV[3])
local woken = tonumber(ARGV[4])
local nlists = #KEYS - 2 - nq
for j = 1, nlists do
  local key = KEYS[2 + nq + j]
  local item = redis.call('LINDEX', key, -1)
  if item then
    local q = tonumber(ARGV[4 + j])
    local name = ARGV[4 + nlists + q]
    if name ~= '' then
      redis.call('HSET', KEYS[1], ARGV[1], '[' .. item .. ',"",' .. name .. ']')
      redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
    end
    redis.call('LTRIM', key, 0, -2)
    if q ~= woken then
      redis.call('RPOP', KEYS[2 + q])
    end
    return {q, item}
  end
end
return false
"""


class TakenTags:
    """Delivery tags whose unacknowledged copy the take script already wrote (so the QoS, which
    would write it again, only remembers the message)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tags: set[str] = set()

    def add(self, tag: str) -> None:
        with self._lock:
            self._tags.add(tag)

    def claim(self, tag: str) -> bool:
        """Whether the tag was taken by the script (forgotten here once asked)."""
        with self._lock:
            if tag in self._tags:
                self._tags.discard(tag)
                return True
            return False


TAKEN = TakenTags()


class AtomicTakeChannel:
    """Mixin for kombu's Redis channels: producers push a wake-up token with every message, and
    consumers wait on the tokens and take messages with the take script."""

    _wake_drain = False
    _take_script: Any = None
    _unacknowledged: frozenset[str] = frozenset()  # queues consumed with no_ack

    def basic_consume(self, queue: str, no_ack: bool, *args: Any, **kwargs: Any) -> Any:
        if no_ack:
            self._unacknowledged = self._unacknowledged | {queue}
        return super().basic_consume(queue, no_ack, *args, **kwargs)  # type: ignore[misc]

    def basic_cancel(self, consumer_tag: str) -> Any:
        queue = getattr(self, "_tag_to_queue", {}).get(consumer_tag)
        self._unacknowledged = self._unacknowledged - {queue}
        return super().basic_cancel(consumer_tag)  # type: ignore[misc]

    def _wake_key(self, queue: str) -> str:
        return f"{queue}{self.sep}{WAKE_SUFFIX}"  # type: ignore[attr-defined]

    # -- producing ---------------------------------------------------------------------------

    def _put(self, queue: str, message: dict[str, Any], **kwargs: Any) -> None:
        channel: Any = self
        pri = channel._get_message_priority(message, reverse=False)
        key = channel._q_for_pri(queue, pri)
        expiring: list[str] = []  # a queue declared with an expiry: its lists and tokens expire
        if channel._expires and queue in channel._expires:
            expiring = [
                *(channel._q_for_pri(queue, p) for p in channel.priority_steps),
                self._wake_key(queue),
            ]
        commands: list[tuple[str, tuple[Any, ...]]] = [
            ("lpush", (key, dumps(message))),  # type: ignore[no-untyped-call]
            ("lpush", (self._wake_key(queue), 1)),
            *(("pexpire", (name, channel._expires[queue])) for name in expiring),
        ]
        publish_batch = kwargs.pop("_publish_batch", None)
        if publish_batch is not None:
            for name, args in commands:
                publish_batch.add(name, *args)
            return
        with channel.conn_or_acquire() as client, client.pipeline() as pipe:  # MULTI: both or neither
            for name, args in commands:
                getattr(pipe, name)(*args)
            pipe.execute()

    def _do_restore_message(
        self, payload: dict[str, Any], exchange: str, routing_key: str, pipe: Any, leftmost: bool = False
    ) -> None:
        channel: Any = self
        super()._do_restore_message(payload, exchange, routing_key, pipe, leftmost)  # type: ignore[misc]
        for queue in channel._lookup(exchange, routing_key):
            pipe.lpush(self._wake_key(queue), 1)

    # -- consuming ---------------------------------------------------------------------------

    def _brpop_start(self, timeout: float | None = None) -> None:
        channel: Any = self
        if timeout is None:
            timeout = DRAIN_TIMEOUT if self._wake_drain else channel.brpop_timeout
        queues = channel._queue_cycle.consume(len(channel.active_queues))
        if not queues:
            return
        channel._in_poll = channel.client.connection
        channel._brpop_sent_at = monotonic()
        command: list[Any] = ["BRPOP", *(self._wake_key(queue) for queue in queues), timeout or 0]
        if channel.global_keyprefix:
            command = channel.client._prefix_args(command)
        channel.client.connection.send_command(*command)

    def _brpop_read(self, **options: Any) -> bool:
        channel: Any = self
        try:
            reply = channel.client.parse_response(channel.client.connection, "BRPOP", **options)
        except channel.connection_errors:
            channel.client.connection.disconnect()  # the next round reconnects
            raise
        finally:
            channel._in_poll = None
            channel._flush_brpop_reauth()  # the BRPOP connection is idle now: kombu's moment for it
        woken = _queue_of(reply[0], channel.sep) if reply else None
        if channel._closing or woken not in (None, *channel.active_queues):
            # Not consuming (any more, or from that queue): leave the message for another worker.
            if woken is not None:
                self._give_token_back(woken)
            raise Empty()
        taken = self._take(channel.active_queues, woken)
        if taken is None:
            self._wake_drain = False
            raise Empty()
        payload, queue = taken
        self._wake_drain = woken is None  # found without a token: others may be waiting
        channel._queue_cycle.rotate(queue)
        channel.connection._deliver(payload, queue)
        return True

    def basic_get(self, queue: str, no_ack: bool = False, **kwargs: Any) -> Any:
        channel: Any = self
        if no_ack:  # nothing to acknowledge, nothing to record
            return super().basic_get(queue, no_ack=True, **kwargs)  # type: ignore[misc]
        taken = self._take([queue], None)
        if taken is None:
            return None
        message = channel.Message(taken[0], channel=channel)
        channel.qos.append(message, message.delivery_tag)
        return message

    def _take(self, queues: list[str], woken: str | None) -> tuple[dict[str, Any], str] | None:
        """Take the oldest message of these queues (``woken``'s first) and record it as
        unacknowledged, in one step; None when they are all empty."""
        channel: Any = self
        if not queues:
            return None
        order = ([woken] if woken in queues else []) + [q for q in queues if q != woken]
        number = {queue: i + 1 for i, queue in enumerate(order)}
        steps = channel.priority_steps
        lists = [(order[0], pri) for pri in steps] + [(q, pri) for pri in steps for q in order[1:]]
        keys = [
            channel.unacked_key,
            channel.unacked_index_key,
            *(self._wake_key(queue) for queue in order),
            *(channel._q_for_pri(queue, pri) for queue, pri in lists),
        ]
        if channel.global_keyprefix:  # kombu's client prefixes only a script's first key
            keys[1:] = [f"{channel.global_keyprefix}{key}" for key in keys[1:]]
        tag = secrets.token_hex(16)
        args = [
            tag,
            repr(time()),
            len(order),
            number.get(woken or "", 0),
            *(number[queue] for queue, _ in lists),
            *("" if queue in self._unacknowledged else json.dumps(queue) for queue in order),
        ]
        with channel.conn_or_acquire() as client:
            if self._take_script is None:
                self._take_script = client.register_script(TAKE_SCRIPT)
            found = self._take_script(keys=keys, args=args, client=client)
        if not found:
            return None
        queue = order[int(found[0]) - 1]
        payload = loads(found[1])  # type: ignore[no-untyped-call]
        payload["properties"]["delivery_tag"] = tag
        if queue not in self._unacknowledged:
            TAKEN.add(tag)
        return payload, queue

    def _give_token_back(self, queue: str) -> None:
        channel: Any = self
        try:
            with channel.conn_or_acquire() as client:
                client.lpush(self._wake_key(queue), 1)
        except Exception as exc:  # the message waits for a consumer's time-out instead
            log.debug("could not give a wake-up token back: %r", exc)

    def _purge(self, queue: str) -> int:
        channel: Any = self
        size = int(super()._purge(queue))  # type: ignore[misc]
        with channel.conn_or_acquire() as client:
            client.delete(self._wake_key(queue))
        return size

    def _delete(self, queue: str, *args: Any, **kwargs: Any) -> None:
        channel: Any = self
        super()._delete(queue, *args, **kwargs)  # type: ignore[misc]
        with channel.conn_or_acquire(client=kwargs.get("client")) as client:
            client.delete(self._wake_key(queue))


def _queue_of(wake_key: bytes | str, sep: str) -> str:
    key = wake_key.decode() if isinstance(wake_key, bytes) else wake_key
    return key.rsplit(sep, 1)[0]
