"""The page's routes: the live list, an article, the dead letters and their replay, the event
stream, JSON for scripts, and the health check."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from collections.abc import AsyncIterator
from typing import Any, cast

import redis
from celery import Celery
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from worker.settings import Settings
from worker.stores.stream import published_marker
from worker.web.cards import card, dead_row
from worker.web.hub import Viewer, sse
from worker.web.markup import marks_of, quotes_of, segments
from worker.web.recent import entry_key

DEAD_LETTERS_SHOWN = 200
KEEPALIVE_SECONDS = 15.0
META_FIELDS = (
    "id", "author", "byline", "site_name", "origin", "enqueued_at", "published_at", "pipeline_version",
    "dateline_place", "entities_skipped", "duplicate_kind", "duplicate_similarity",
)  # fmt: skip
_ENTRY_ID = re.compile(r"\d{1,20}-\d{1,20}")


def _state(request: Request, name: str) -> Any:
    return getattr(request.app.state, name)


async def index(request: Request) -> Response:
    """The live list (filled and kept current by /events)."""
    templates = _state(request, "templates")
    return cast(Response, templates.TemplateResponse(request, "index.html", {"page": "list"}))


async def _find_article(request: Request, article_id: str) -> tuple[str, dict[str, Any]] | None:
    recent = _state(request, "store").article(article_id)
    if recent is not None:
        return recent.entry_id, recent.article
    # Older than the recent ones: the published marker says where in the stream it is.
    settings: Settings = _state(request, "settings")
    client = _state(request, "client")
    entry_id = await client.get(published_marker(settings, article_id))
    if not entry_id:
        return None
    rows = await client.xrange(settings.results_stream, min=entry_id, max=entry_id)
    if not rows:
        return None
    try:
        article = json.loads(rows[0][1].get("data", ""))
    except json.JSONDecodeError:
        return None
    return (entry_id, article) if isinstance(article, dict) else None


async def article_view(request: Request) -> Response:
    """One article: its text with mentions, summary sentences and quotes marked, its metadata."""
    article_id = request.path_params["article_id"]
    templates = _state(request, "templates")
    found = await _find_article(request, article_id) if len(article_id) <= 200 else None
    if found is None:
        context = {"page": "article", "article_id": article_id}
        return cast(Response, templates.TemplateResponse(request, "missing.html", context, status_code=404))
    entry_id, article = found
    text = article["text"] if isinstance(article.get("text"), str) else ""
    timings = article["timings"] if isinstance(article.get("timings"), dict) else {}
    context = {
        "page": "article",
        "card": card(entry_id, article),
        "article": article,
        "segments": segments(text, marks_of(article)),
        "quotes": quotes_of(article),
        "timings": {str(k): v for k, v in timings.items() if isinstance(v, int | float)},
        "canonical": [e for e in article.get("canonical_entities") or [] if isinstance(e, dict)],
        "meta": [
            (name, article.get(name))
            for name in META_FIELDS
            if isinstance(article.get(name), str | int | float) and not isinstance(article.get(name), bool)
        ],
    }
    return cast(Response, templates.TemplateResponse(request, "article.html", context))


async def dead_letters(request: Request) -> Response:
    """The newest dead letters, with a replay button (effective only with the server's token)."""
    settings: Settings = _state(request, "settings")
    client = _state(request, "client")
    rows = await client.xrevrange(settings.dead_letter_stream, count=DEAD_LETTERS_SHOWN)
    total = await client.xlen(settings.dead_letter_stream)
    context = {
        "page": "dead",
        "letters": [dead_row(entry_id, fields) for entry_id, fields in rows],
        "total": total,
        "replay_enabled": settings.web_token is not None,
    }
    return cast(Response, _state(request, "templates").TemplateResponse(request, "dead.html", context))


def _celery_app(request: Request) -> Celery:
    """The Celery app replays send through, made on first use (most servers never replay)."""
    from worker.app import create_app

    state = request.app.state
    if getattr(state, "celery", None) is None:
        state.celery = create_app(_state(request, "settings"))
    return cast(Celery, state.celery)


def _token_matches(settings: Settings, request: Request) -> bool:
    if settings.web_token is None:
        return False
    given = request.headers.get("x-newsflow-token", "")
    if not given and request.headers.get("authorization", "").lower().startswith("bearer "):
        given = request.headers["authorization"][7:]
    expected = settings.web_token.get_secret_value()
    return bool(expected) and secrets.compare_digest(given.encode(), expected.encode())


async def replay_letter(request: Request) -> Response:
    """POST: send one dead letter back into the pipeline; 403 unless the request carries the token."""
    from worker.stores.dead_letters import replay

    settings: Settings = _state(request, "settings")
    if settings.web_token is None:
        return JSONResponse({"error": "replay is off: the server has no NEWSFLOW_WEB_TOKEN"}, 403)
    if not _token_matches(settings, request):
        return JSONResponse({"error": "a valid token is required to replay"}, 403)
    entry_id = request.path_params["entry_id"]
    if not _ENTRY_ID.fullmatch(entry_id):
        return JSONResponse({"error": "not a dead-letter entry id"}, 400)
    sync_client = _state(request, "sync_client")
    report = await asyncio.to_thread(replay, sync_client, settings, _celery_app(request), [entry_id])
    if entry_id in report.skipped:
        status = 404 if report.skipped[entry_id] == "no such dead letter" else 409
        return JSONResponse({"replayed": [], "skipped": report.skipped}, status)
    return JSONResponse({"replayed": report.replayed, "skipped": report.skipped})


async def events(request: Request) -> Response:
    """Server-sent events: the recent articles first (or those after Last-Event-ID), then live
    articles, dead letters and status. ``?articles=0``: status and dead letters only."""
    hub = _state(request, "hub")
    store = _state(request, "store")
    follower = _state(request, "follower")
    wants_articles = request.query_params.get("articles") != "0"
    # Join before reading the store, so no entry falls between the two; the page drops repeats.
    viewer: Viewer = hub.join(articles=wants_articles)
    last = request.headers.get("last-event-id") or request.query_params.get("after")
    after = last if last and _ENTRY_ID.fullmatch(last) else None
    backlog = store.cards(after) if wants_articles else []
    opening = [sse("article", c, c["entry_id"]) for c in backlog]
    if follower.status:
        opening.append(sse("status", follower.status))
    opening.append(sse("ready", {"articles": len(backlog), "limit": store.limit}))

    async def stream() -> AsyncIterator[str]:
        try:
            yield "retry: 2000\n\n" + "".join(opening)
            while not viewer.cut_off:
                try:
                    text = await asyncio.wait_for(viewer.queue.get(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    yield ": keepalive\n\n"
                    continue
                # Drain what is queued in one write: a burst costs one send, not one per event.
                chunks = [text]
                while not viewer.queue.empty() and len(chunks) < 500:
                    chunks.append(viewer.queue.get_nowait())
                yield "".join(chunks)
        finally:
            hub.leave(viewer)

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


async def api_articles(request: Request) -> Response:
    """The recent articles' cards as JSON, newest first (``?after=ENTRY_ID`` for newer ones only)."""
    after = request.query_params.get("after")
    cards = _state(request, "store").cards(after if after and _ENTRY_ID.fullmatch(after) else None)
    return JSONResponse(sorted(cards, key=lambda c: entry_key(c["entry_id"]), reverse=True))


async def api_status(request: Request) -> Response:
    """The pipeline strip's numbers as JSON (sampled every few seconds)."""
    return JSONResponse(_state(request, "follower").status)


async def healthz(request: Request) -> Response:
    """200 when Redis answers and the follower is following; 503 with the reason otherwise."""
    follower = _state(request, "follower")
    tasks = getattr(request.app.state, "tasks", [])
    try:
        await _state(request, "client").ping()
        redis_ok = True
    except redis.RedisError:
        redis_ok = False
    running = bool(tasks) and not any(task.done() for task in tasks)
    ok = redis_ok and running and follower.healthy
    body = {
        "status": "ok" if ok else "unavailable",
        "redis": redis_ok,
        "follower": running and follower.healthy,
        "recent_articles": len(_state(request, "store")),
        "viewers": len(_state(request, "hub")),
    }
    return JSONResponse(body, 200 if ok else 503)


ROUTES = [
    Route("/", index),
    Route("/article/{article_id:path}", article_view),
    Route("/dead", dead_letters),
    Route("/dead/{entry_id}/replay", replay_letter, methods=["POST"]),
    Route("/events", events),
    Route("/api/articles", api_articles),
    Route("/api/status", api_status),
    Route("/healthz", healthz),
]
