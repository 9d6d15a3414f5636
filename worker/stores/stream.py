"""The results and dead-letter streams: exactly-once publishing, reading, dead-lettering."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

import redis
from pydantic import BaseModel

from tasks.errors import NewsflowError
from worker.escaping import json_text, storable
from worker.settings import Settings

# A dead letter keeps its payload whole up to this many characters, or this many times the input
# limit if that is more: every record that passed the door fits, at any stage, so it can be replayed.
MAX_DEAD_LETTER_PAYLOAD_CHARS = 1_000_000
DEAD_LETTER_PAYLOAD_INPUT_FACTOR = 4

# What redis-py returns (with decode_responses=True) for XRANGE, and for XREAD / XREADGROUP.
StreamRows = list[tuple[str, dict[str, str]]]
StreamsReply = list[tuple[str, StreamRows]] | None

# Atomically: publish the article unless its id was published already, and remember that it was.
# KEYS: published-marker key, results stream, published counter
# ARGV: article id, JSON body, stream max length, marker TTL in seconds
_PUBLISH_ONCE = """
local existing = redis.call('GET', KEYS[1])
if existing then
  return {0, existing}
end
local entry = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*',
                         'id', ARGV[1], 'data', ARGV[2])
redis.call('SET', KEYS[1], entry, 'EX', ARGV[4])
redis.call('INCR', KEYS[3])
return {1, entry}
"""


@dataclass(frozen=True, slots=True)
class PublishOutcome:
    """Whether this call published the article, and the stream entry that holds it."""

    created: bool
    entry_id: str


@dataclass(frozen=True, slots=True)
class StreamEntry:
    """One entry read back from a stream."""

    entry_id: str
    fields: dict[str, str]

    def json_field(self, name: str = "data") -> dict[str, Any]:
        """A field of the entry decoded from JSON."""
        return cast(dict[str, Any], json.loads(self.fields[name]))


def published_marker(settings: Settings, article_id: str) -> str:
    """The key that records that an article id was published, and where."""
    return settings.key("published", article_id)


def publish_once(client: redis.Redis, settings: Settings, article_id: str, body: str) -> PublishOutcome:
    """Append the article to the results stream unless its id was published before."""
    return publish_many(client, settings, [(article_id, body)])[0]


def publish_many(
    client: redis.Redis, settings: Settings, articles: list[tuple[str, str]]
) -> list[PublishOutcome]:
    """``publish_once`` for a batch of (id, JSON body), in one round trip; each article atomic."""
    script = client.register_script(_PUBLISH_ONCE)
    pipe = client.pipeline(transaction=False)
    for article_id, body in articles:
        keys = [
            published_marker(settings, article_id),
            settings.results_stream,
            settings.key("published_total"),
        ]
        args: list[str | int] = [
            article_id,
            body,
            settings.results_max_length,
            settings.published_ttl_seconds,
        ]
        script(keys=keys, args=args, client=pipe)
    replies = cast(list[list[Any]], pipe.execute())
    return [PublishOutcome(created=bool(created), entry_id=str(entry)) for created, entry in replies]


class DeadLetterFailed(NewsflowError):
    """A dead letter could not be written (Redis refused it): its article must not be acknowledged.

    Not a ``TransientError``: the stage tasks retry it themselves, for as long as it takes.
    """


def dead_letter(
    client: redis.Redis,
    settings: Settings,
    *,
    article_id: str | None,
    stage: str,
    error: BaseException | str,
    payload: Any,
    attempts: int,
    error_class: str | None = None,
) -> str:
    """Append a failed article to the dead-letter stream with its stage, error and attempt count.

    Any text is stored: lone surrogates and control characters are escaped, never dropped, and
    the payload decodes back to exactly what the stage received. Raises ``DeadLetterFailed`` when
    Redis does not take the entry.
    """
    if error_class is None:
        error_class = type(error).__name__ if isinstance(error, BaseException) else "Error"
    limit = max(MAX_DEAD_LETTER_PAYLOAD_CHARS, DEAD_LETTER_PAYLOAD_INPUT_FACTOR * settings.max_input_bytes)
    fields = {
        "article_id": storable(article_id or ""),
        "stage": storable(stage),
        "error_class": storable(error_class),
        "error": storable(str(error)[:2000]),
        "attempts": str(attempts),
        "failed_at": f"{time.time():.6f}",
        "payload": _bounded_json(payload, limit),
    }
    try:
        return str(client.xadd(settings.dead_letter_stream, fields))  # type: ignore[arg-type]
    except redis.RedisError as exc:
        raise DeadLetterFailed(
            f"could not write to {settings.dead_letter_stream}: {type(exc).__name__}: {str(exc)[:200]}"
        ) from exc


def _plain(value: Any) -> Any:
    """What JSON cannot encode by itself: a record as its fields, anything else as its string."""
    return value.model_dump(mode="json") if isinstance(value, BaseModel) else str(value)


def _bounded_json(payload: Any, limit: int) -> str:
    """The payload as JSON; one over ``limit`` characters (only a message pushed around the door
    can be that big) is cut to its head, and ``dlq replay`` skips it."""
    body = json_text(payload, default=_plain)
    if len(body) <= limit:
        return body
    return json_text({"truncated": True, "original_chars": len(body), "head": body[:10_000]})


def read_range(
    client: redis.Redis, stream: str, start: str = "-", end: str = "+", count: int | None = None
) -> list[StreamEntry]:
    """Entries of a stream from ``start`` to ``end``, oldest first."""
    rows = cast(StreamRows, client.xrange(stream, min=start, max=end, count=count))
    return [StreamEntry(entry_id=entry_id, fields=fields) for entry_id, fields in rows]


def follow(
    client: redis.Redis, stream: str, last_id: str = "$", block_ms: int = 5000
) -> Iterator[StreamEntry]:
    """Entries appended to a stream after ``last_id``, as they arrive, forever."""
    while True:
        reply = cast(StreamsReply, client.xread({stream: last_id}, block=block_ms, count=100))
        for _name, rows in reply or []:
            for entry_id, fields in rows:
                last_id = entry_id
                yield StreamEntry(entry_id=entry_id, fields=fields)


def read_group(
    client: redis.Redis, stream: str, group: str, *, consumer: str, count: int, block_ms: int | None
) -> list[StreamEntry]:
    """New entries for a consumer group (created at the stream's start if missing).

    The caller acks each entry (XACK) once it has used it.
    """
    try:
        client.xgroup_create(stream, group, id="0", mkstream=True)
    except redis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise
    reply = cast(StreamsReply, client.xreadgroup(group, consumer, {stream: ">"}, count=count, block=block_ms))
    return [
        StreamEntry(entry_id=entry_id, fields=fields)
        for _name, rows in reply or []
        for entry_id, fields in rows
    ]
