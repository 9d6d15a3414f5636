"""``newsflow web`` as a process against a real Redis: 50 viewers at once each receive every
published article, a late viewer gets the newest N first, replay needs the server's token, and
every response carries the Content-Security-Policy. Articles are appended to the results stream
the way the publish stage appends them (``publish_many``); the browser tests add a real worker."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import WebServer, wait_until, web_server, worker_env
from worker.cli.local_redis import LocalRedis
from worker.settings import Settings
from worker.stores.dead_letters import list_letters
from worker.stores.redis_client import connect
from worker.stores.stream import dead_letter, publish_many

pytestmark = pytest.mark.integration

VIEWERS = 50
ARTICLES = 300
RECENT = 20
TOKEN = "test-token-" + "x" * 16


def _article(n: int, **fields: Any) -> tuple[str, str]:
    article = {"id": f"art-{n}", "title": f"Article {n}", "text": f"Body of article {n}.", "language": "en"}
    return article["id"], json.dumps({**article, **fields})


@pytest.fixture
def settings(redis_server: LocalRedis) -> Settings:
    return Settings(redis_url=redis_server.url, key_prefix=f"nfweb-{secrets.token_hex(3)}")


@pytest.fixture
def server(settings: Settings, tmp_path: Path) -> Iterator[WebServer]:
    env = worker_env(settings.redis_url.get_secret_value(), settings.key_prefix)
    with web_server(env, tmp_path, web_recent_articles=str(RECENT), web_token=TOKEN) as running:
        yield running


async def _watch(url: str, ready: asyncio.Event, count: list[int], want: set[str]) -> set[str]:
    """One viewer: read /events until every wanted id arrived; returns the article ids seen."""
    seen: set[str] = set()
    event = ""
    async with (
        httpx.AsyncClient(timeout=httpx.Timeout(60, connect=10)) as client,
        client.stream("GET", f"{url}/events") as response,
    ):
        assert response.status_code == 200
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "ready":
                count[0] += 1
                if count[0] == VIEWERS:
                    ready.set()
            elif line.startswith("data: ") and event == "article":
                seen.add(json.loads(line[6:])["id"])
                if want <= seen:
                    return seen
    return seen


def test_fifty_viewers_each_receive_every_published_article(
    server: WebServer, settings: Settings, redis_server: LocalRedis
) -> None:
    client = connect(settings)
    want = {f"art-{n}" for n in range(ARTICLES)}

    async def scenario() -> list[set[str]]:
        ready, count = asyncio.Event(), [0]
        viewers = [asyncio.create_task(_watch(server.url, ready, count, want)) for _ in range(VIEWERS)]
        await asyncio.wait_for(ready.wait(), 60)
        # Published after every viewer is connected, in more entries than the server keeps: only
        # following the stream live can deliver them all.
        for start in range(0, ARTICLES, 25):
            batch = [_article(n) for n in range(start, start + 25)]
            await asyncio.to_thread(publish_many, client, settings, batch)
        return await asyncio.wait_for(asyncio.gather(*viewers), 120)

    received = asyncio.run(scenario())
    assert len(received) == VIEWERS
    assert all(seen >= want for seen in received), [len(want - seen) for seen in received]

    # A viewer who joins now gets the newest RECENT first, oldest of them first; memory holds no more.
    newest = httpx.get(f"{server.url}/api/articles").json()
    assert [c["id"] for c in newest] == [f"art-{n}" for n in range(ARTICLES - 1, ARTICLES - RECENT - 1, -1)]
    assert httpx.get(f"{server.url}/healthz").json()["recent_articles"] == RECENT


def test_replay_needs_the_token_and_then_sends_the_letter_back(
    server: WebServer, settings: Settings, redis_server: LocalRedis, tmp_path: Path
) -> None:
    client = connect(settings)
    record = {"id": "replay-me", "text": "A record that failed once and can go round again."}
    entry = dead_letter(client, settings, article_id="replay-me", stage="clean", error="boom", payload=record,
                        attempts=1)  # fmt: skip
    replay_url = f"{server.url}/dead/{entry}/replay"
    for headers in ({}, {"X-Newsflow-Token": "wrong"}, {"Authorization": "Bearer wrong"}):
        refused = httpx.post(replay_url, headers=headers)
        assert refused.status_code == 403, refused.text
    assert httpx.get(replay_url).status_code == 405  # a GET (a link, an <img>) never replays
    assert [e.entry_id for e in list_letters(client, settings)] == [entry]

    done = httpx.post(replay_url, headers={"X-Newsflow-Token": TOKEN})
    assert done.status_code == 200 and done.json()["replayed"] == [entry], done.text
    assert list_letters(client, settings) == []
    assert client.llen(settings.queue("clean")) == 1  # no worker here: the replayed chain waits
    again = httpx.post(replay_url, headers={"Authorization": f"Bearer {TOKEN}"})
    assert again.status_code == 404

    # A server without a token refuses every replay, whatever the request carries.
    env = worker_env(settings.redis_url.get_secret_value(), settings.key_prefix)
    entry = dead_letter(
        client, settings, article_id="x", stage="clean", error="boom", payload=record, attempts=1
    )
    with web_server(env, tmp_path) as read_only:
        page = httpx.get(f"{read_only.url}/dead")
        assert "Read-only" in page.text and 'class="replay"' not in page.text
        refused = httpx.post(f"{read_only.url}/dead/{entry}/replay", headers={"X-Newsflow-Token": TOKEN})
        assert refused.status_code == 403
    assert [e.entry_id for e in list_letters(client, settings)] == [entry]


def test_pages_escape_stream_content_and_forbid_inline_scripts(
    server: WebServer, settings: Settings, redis_server: LocalRedis
) -> None:
    client = connect(settings)
    payload = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    publish_many(client, settings, [_article(1, title=payload, url="javascript:alert(3)", text=payload)])
    wait_until(lambda: httpx.get(f"{server.url}/healthz").json()["recent_articles"] == 1, 30, "the article")
    for path in ("/", "/article/art-1", "/dead", "/healthz", "/static/list.js"):
        response = httpx.get(f"{server.url}{path}")
        assert response.status_code == 200, path
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert response.headers["x-content-type-options"] == "nosniff"
    dead_letter(
        client, settings, article_id=payload[:40], stage="clean", error=payload, payload={}, attempts=1
    )
    dead_page = httpx.get(f"{server.url}/dead").text
    assert "<script>alert" not in dead_page and "&lt;img src=x onerror=alert(2)&gt;" in dead_page
    page = httpx.get(f"{server.url}/article/art-1").text
    assert "<script>alert" not in page and "<img src=x" not in page and "javascript:" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page.replace('<script type="module" src="/static/page.js"></script>', "")

    # Out of the recent ones (RECENT newer articles later), an article is still found by its marker.
    publish_many(client, settings, [_article(n) for n in range(2, RECENT + 3)])
    wait_until(lambda: httpx.get(f"{server.url}/api/articles").json()[0]["id"] == f"art-{RECENT + 2}", 30,
               "the newer articles")  # fmt: skip
    assert "art-1" not in {c["id"] for c in httpx.get(f"{server.url}/api/articles").json()}
    assert "&lt;script&gt;" in httpx.get(f"{server.url}/article/art-1").text
    assert httpx.get(f"{server.url}/article/no-such-id").status_code == 404


def test_article_view_marks_quotes_and_their_speakers_when_the_output_has_them(
    server: WebServer, settings: Settings
) -> None:
    text = 'The mayor spoke on Friday. "We will <b>rebuild</b> the pier," said Ana Costa, the mayor.'
    start, end = text.index('"'), text.index('," ') + 2
    speaker = text.index("Ana Costa")
    quote = {"text": text[start + 1 : end - 2], "start": start, "end": end, "speaker": "Ana Costa",
             "speaker_start": speaker, "speaker_end": speaker + 9, "speaker_entity": "Ana Costa",
             "cue": "said", "kind": "direct"}  # fmt: skip
    publish_many(connect(settings), settings, [_article(7, text=text, quotes=[quote])])
    wait_until(lambda: httpx.get(f"{server.url}/article/art-7").status_code == 200, 30, "the article")
    page = httpx.get(f"{server.url}/article/art-7").text
    assert (
        '<span class="quote" data-quote="0">&#34;We will &lt;b&gt;rebuild&lt;/b&gt; the pier,&#34;</span>'
        in page
    )
    assert '<span class="speaker" data-speaker="0">Ana Costa</span>' in page
    assert '<li data-quote="0"><q>We will &lt;b&gt;rebuild&lt;/b&gt; the pier</q>' in page
