"""The dead-letter stream for operators: list, show, replay and purge what failed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import redis
from celery import Celery

from worker.delivery.chain import pipeline_chain
from worker.settings import STAGES, Settings
from worker.stores import stream

# Dead letters from these stages carry a record the clean stage can take again.
_RECORD_STAGES = ("enqueue", "consume", "clean")


@dataclass
class ReplayReport:
    """What a replay did: entries sent back into the pipeline, and entries it could not replay."""

    replayed: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        """One line: replayed and skipped, with the reasons."""
        line = f"replayed {len(self.replayed)}, skipped {len(self.skipped)}"
        if self.skipped:
            line += ": " + "; ".join(f"{entry} ({why})" for entry, why in list(self.skipped.items())[:5])
        return line


def list_letters(
    client: redis.Redis, settings: Settings, count: int | None = None
) -> list[stream.StreamEntry]:
    """The oldest ``count`` dead letters (all when None)."""
    return stream.read_range(client, settings.dead_letter_stream, count=count)


def get_letter(client: redis.Redis, settings: Settings, entry_id: str) -> stream.StreamEntry | None:
    """One dead letter by its stream entry id."""
    entries = stream.read_range(client, settings.dead_letter_stream, entry_id, entry_id)
    return entries[0] if entries else None


def describe(entry: stream.StreamEntry) -> dict[str, Any]:
    """A dead letter as plain data, with its payload decoded."""
    fields = dict(entry.fields)
    payload = fields.pop("payload", "null")
    try:
        decoded: Any = json.loads(payload)
    except json.JSONDecodeError:
        decoded = payload
    return {"entry_id": entry.entry_id, **fields, "payload": decoded}


def replay(
    client: redis.Redis, settings: Settings, celery_app: Celery, entry_ids: list[str] | None
) -> ReplayReport:
    """Send dead letters back into the pipeline at the stage that failed; remove those sent.

    ``entry_ids`` None replays every dead letter.
    """
    report = ReplayReport()
    entries = (
        list_letters(client, settings)
        if entry_ids is None
        else [e for e in (get_letter(client, settings, i) for i in entry_ids) if e is not None]
    )
    if entry_ids is not None:
        found = {e.entry_id for e in entries}
        report.skipped.update({i: "no such dead letter" for i in entry_ids if i not in found})
    for entry in entries:
        letter = describe(entry)
        stage, payload = letter.get("stage", ""), letter["payload"]
        if letter.get("error_class") == "RefusedMessage":
            report.skipped[entry.entry_id] = "a refused queue message is never decoded, so never replayed"
            continue
        if not isinstance(payload, dict) or payload.get("truncated"):
            report.skipped[entry.entry_id] = "its payload is not a whole record"
            continue
        from_stage = "clean" if stage in _RECORD_STAGES else stage
        if from_stage not in STAGES:
            report.skipped[entry.entry_id] = f"unknown stage {stage!r}"
            continue
        pipeline_chain(payload, celery_app, from_stage=from_stage).apply_async()
        client.xdel(settings.dead_letter_stream, entry.entry_id)
        report.replayed.append(entry.entry_id)
    return report


def purge(client: redis.Redis, settings: Settings) -> int:
    """Delete every dead letter; returns how many there were."""
    pipe = client.pipeline()
    pipe.xlen(settings.dead_letter_stream)
    pipe.delete(settings.dead_letter_stream)
    count, _ = pipe.execute()
    return int(count)
