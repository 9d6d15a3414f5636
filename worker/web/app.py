"""The ``newsflow web`` ASGI app: routes, templates, static files, security headers, and the
stream follower running for the app's lifetime."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import jinja2
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from worker.settings import Settings
from worker.stores.redis_client import connect, connect_async
from worker.web import routes
from worker.web.cards import clean_label
from worker.web.follower import StreamFollower
from worker.web.hub import Hub
from worker.web.recent import RecentArticles

HERE = Path(__file__).parent

# Scripts and styles from this server's own files only: no inline script, no handler attribute,
# no style attribute, no plugin, no framing, no <base> rewrite; images only from here.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; object-src 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """Adds the Content-Security-Policy and its companions to every response (streams too)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(settings: Settings) -> Starlette:
    """The app for these settings; its lifespan loads the recent articles and follows the streams."""
    store = RecentArticles(settings.web_recent_articles)
    hub = Hub()
    # The blocking XREAD waits BLOCK_MS: the socket timeout must be longer.
    client = connect_async(settings)
    sync_client = connect(settings, retries=1)
    follower = StreamFollower(settings, client, store, hub)
    # Autoescape everywhere: every value a template shows came from the stream.
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True)
    templates = Jinja2Templates(env=env)
    templates.env.filters["label"] = clean_label

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        tasks = [
            asyncio.create_task(follower.run(), name="web-follower"),
            asyncio.create_task(follower.sample_status(sync_client), name="web-status"),
        ]
        app.state.tasks = tasks
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await client.aclose()
            sync_client.close()

    app = Starlette(routes=[*routes.ROUTES, Mount("/static", StaticFiles(directory=HERE / "static"))],
                    lifespan=lifespan)  # fmt: skip
    app.state.settings = settings
    app.state.store = store
    app.state.hub = hub
    app.state.follower = follower
    app.state.templates = templates
    app.state.client = client
    app.state.sync_client = sync_client
    app.add_middleware(SecurityHeaders)
    return app
