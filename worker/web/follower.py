"""Tails the results and dead-letter streams into the recent articles and out to the viewers,
and samples the pipeline's status (what ``newsflow status`` reports) for the page's strip."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, cast

import redis
import redis.asyncio as aioredis

from worker.cli.status import read_status
from worker.settings import Settings
from worker.stores.stream import StreamsReply
from worker.web.cards import dead_row
from worker.web.hub import Hub, sse
from worker.web.recent import RecentArticles

log = logging.getLogger(__name__)

BLOCK_MS = 5_000
READ_COUNT = 200
STATUS_SECONDS = 2.0
RETRY_SECONDS = 1.0


class StreamFollower:
    """Reads new stream entries with one blocking XREAD and hands each to the store and the hub."""

    def __init__(self, settings: Settings, client: aioredis.Redis, store: RecentArticles, hub: Hub) -> None:
        self.settings = settings
        self.client = client
        self.store = store
        self.hub = hub
        self.status: dict[str, Any] = {}
        self.healthy = False
        self.last_error: str | None = None

    async def load_recent(self) -> dict[str, str]:
        """Fill the store with the newest articles; where to read on from in each stream."""
        results, dead = self.settings.results_stream, self.settings.dead_letter_stream
        rows = cast(
            list[tuple[str, dict[str, str]]],
            await self.client.xrevrange(results, count=self.store.limit),
        )
        for entry_id, fields in reversed(rows):
            self._keep(entry_id, fields)
        last_dead = cast(list[tuple[str, dict[str, str]]], await self.client.xrevrange(dead, count=1))
        return {results: rows[0][0] if rows else "0-0", dead: last_dead[0][0] if last_dead else "0-0"}

    async def run(self) -> None:
        """Follow both streams until cancelled, reconnecting after Redis errors."""
        positions: dict[str, str] | None = None
        while True:
            try:
                if positions is None:
                    positions = await self.load_recent()
                    self.healthy = True
                reply = cast(
                    StreamsReply,
                    await self.client.xread(positions, count=READ_COUNT, block=BLOCK_MS),  # type: ignore[arg-type]
                )
                self.healthy = True
                for stream, rows in reply or []:
                    for entry_id, fields in rows:
                        positions[stream] = entry_id
                        self._dispatch(stream, entry_id, fields)
            except redis.RedisError as exc:
                self.healthy = False
                self.last_error = f"{type(exc).__name__}: {str(exc)[:200]}"
                log.warning("web follower: redis error=%s", self.last_error)
                await asyncio.sleep(RETRY_SECONDS)

    def _dispatch(self, stream: str, entry_id: str, fields: dict[str, str]) -> None:
        if stream == self.settings.results_stream:
            recent = self._keep(entry_id, fields)
            if recent is not None:
                self.hub.send(sse("article", recent, entry_id), article=True)
        else:
            self.hub.send(sse("dead", dead_row(entry_id, fields)))

    def _keep(self, entry_id: str, fields: dict[str, str]) -> dict[str, Any] | None:
        try:
            article = json.loads(fields.get("data", ""))
        except json.JSONDecodeError:
            log.warning("web follower: entry=%s is not JSON, skipped", entry_id)
            return None
        if not isinstance(article, dict):
            return None
        return self.store.add(entry_id, article).card

    async def sample_status(self, sync_client: redis.Redis) -> None:
        """Every few seconds: the pipeline's status plus articles/s, sent to every viewer."""
        while True:
            try:
                status = await asyncio.to_thread(read_status, self.settings, sync_client)
                status.pop("redis", None)  # the URL is the operator's business, not the page's
                status["per_second"] = round(self.store.per_second(), 2)
                status["viewers"] = len(self.hub)
                status["sampled_at"] = time.time()
                self.status = status
                self.hub.send(sse("status", status))
            except redis.RedisError as exc:
                self.last_error = f"{type(exc).__name__}: {str(exc)[:200]}"
            await asyncio.sleep(STATUS_SECONDS)
