"""Producers against real HTTP servers on loopback and a real Redis: feeds, URLs, the door.

The server serves feeds and pages written for these tests (RSS 2.0, Atom, relative links, a
page that 404s, a slow page, a redirect loop, a huge page, a PDF, a path robots.txt forbids),
and hostile ones: links into the network, a feed that lies about its encoding, one the parser
chokes on, one on an IPv6 literal, answers trickled one byte at a time. The producers may fetch
from the test's own server only (``NEWSFLOW_FETCH_ALLOW_PRIVATE``). No worker consumes these
prefixes: what the producer queued is read back from the queue itself.
"""

from __future__ import annotations

import secrets
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.conftest import REPO, wait_until, worker_env
from tests.httpsite import Listener, Route, Site
from tests.integration.test_claims import client_for, queued_records, settings_for
from worker.cli.local_redis import LocalRedis
from worker.producers.crawl import PageJob, enqueue_pages
from worker.producers.feed_poll import FeedPoller, PollReport
from worker.producers.feed_state import RedisRobotsStore
from worker.producers.producer import Producer
from worker.producers.sender import producer_app
from worker.settings import Settings
from worker.sources.fetch import Fetcher
from worker.sources.urls import ListedURL
from worker.stores import stream
from worker.stores.claims import ArticleClaims, Claim

pytestmark = pytest.mark.integration

GOOD = ("/news/harbour.html", "/news/tram.html", "/news/library.html", "/news/market.html", "/news/park.html")
BAD = {
    "/news/missing.html": "HTTPClientError",
    "/news/loop-a.html": "TooManyRedirects",
    "/news/huge.html": "InputTooLarge",
    "/files/budget.pdf": "UnsupportedContent",
    "/private/draft.html": "RobotsDisallowed",
}


def article_page(title: str) -> bytes:
    """A small news page, written for these tests."""
    return (
        f"<html><head><title>{title}</title></head><body><nav>Home | World | Sport</nav>"
        f"<article><h1>{title}</h1><p>PORTO – The city council voted on Monday on {title.lower()}, "
        "after a long debate about its cost.</p><p>The mayor said work would start in the spring "
        "and end before the summer festival.</p></article><footer>© Test Gazette</footer></body></html>"
    ).encode()


def rss(title: str, links: list[str]) -> bytes:
    items = "".join(
        f"<item><title>Story {n}</title><link>{link}</link><author>desk@test (Rita Reis)</author>"
        f"<pubDate>Tue, 07 Jan 2025 08:0{n % 10}:00 GMT</pubDate></item>"
        for n, link in enumerate(links)
    )
    head = '<?xml version="1.0"?><rss version="2.0">'
    return f"{head}<channel><title>{title}</title>{items}</channel></rss>".encode()


def atom(title: str, links: list[str]) -> bytes:
    entries = "".join(
        f'<entry><title>Entry {n}</title><link href="{link}"/><id>urn:test:{n}</id>'
        f"<author><name>Bo Chen</name></author><updated>2025-02-03T04:05:0{n}Z</updated></entry>"
        for n, link in enumerate(links)
    )
    head = '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">'
    return f"{head}<title>{title}</title>{entries}</feed>".encode()


@pytest.fixture
def site() -> Iterator[Site]:
    with Site() as news:
        news.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
        for path in GOOD:
            news.routes[path] = Route(article_page(path.rsplit("/", 1)[1].removesuffix(".html").title()))
        news.routes["/news/slow.html"] = Route(article_page("Slow"), delay=30)
        news.routes["/news/loop-a.html"] = Route(status=302, location="/news/loop-b.html")
        news.routes["/news/loop-b.html"] = Route(status=302, location="/news/loop-a.html")
        news.routes["/news/huge.html"] = Route(stream_bytes=400_000)
        news.routes["/files/budget.pdf"] = Route(b"%PDF-1.7 ...", content_type="application/pdf")
        news.routes["/private/draft.html"] = Route(article_page("Draft"))
        news.routes["/feeds/main.rss"] = Route(
            rss("Test Gazette", [news.url(p) for p in (GOOD[0], GOOD[1], *BAD)]),
            content_type="application/rss+xml",
            etag=True,
        )
        news.routes["/feeds/city.atom"] = Route(
            # The harbour story again, with a tracking parameter: the same article at the door.
            atom("City Desk", [news.url(GOOD[2]), news.url(GOOD[0]) + "?utm_source=atom&utm_medium=feed"]),
            content_type="application/atom+xml",
            last_modified="Mon, 03 Feb 2025 04:05:06 GMT",
        )
        news.routes["/feeds/relative.rss"] = Route(
            rss("Relative Times", ["/news/market.html", "../news/park.html"]),
            content_type="application/rss+xml",
            etag=True,
        )
        news.routes["/feeds/slow.rss"] = Route(
            rss("Slow News", ["/news/slow.html"]), content_type="application/rss+xml", etag=True
        )
        yield news


def allow(*sites: Site) -> str:
    """``NEWSFLOW_FETCH_ALLOW_PRIVATE`` for these test servers and nothing else."""
    return ",".join(site.netloc for site in sites)


def producer_settings(server: LocalRedis, *sites: Site, **overrides: Any) -> Settings:
    """A fresh key prefix, quick fetch time-outs, and only these servers allowed inside the network."""
    return settings_for(server, fetch_allow_private=allow(*sites), **overrides)


class Polling:
    """A producer process: its fetcher, threads, Celery app and poller."""

    def __init__(self, settings: Settings, client: redis.Redis) -> None:
        self.fetcher = Fetcher(settings, robots_store=RedisRobotsStore(client, settings))
        self.pool = ThreadPoolExecutor(settings.fetch_concurrency)
        self.poller = FeedPoller(settings, client, self.fetcher, self.pool, producer_app(settings))

    def poll(self, site: Site, *paths: str) -> PollReport:
        return self.poller.poll([ListedURL(site.url(p), "test") for p in paths])

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)
        self.fetcher.close()


FEEDS = ("/feeds/main.rss", "/feeds/city.atom", "/feeds/relative.rss", "/feeds/slow.rss")


def test_two_polls_queue_each_article_exactly_once_and_reject_the_rest_with_reasons(
    site: Site, redis_server: LocalRedis
) -> None:
    settings, client = producer_settings(redis_server, site), client_for(redis_server)
    producer = Polling(settings, client)
    first = producer.poll(site, *FEEDS)
    second = producer.poll(site, *FEEDS)
    producer.close()

    records = queued_records(client, settings)
    assert sorted(r["url"] for r in records) == sorted(site.url(p) for p in GOOD)
    harbour = next(r for r in records if r["url"].endswith(GOOD[0]))
    assert harbour["title"] == "Story 0" and harbour["author"] == "Rita Reis"
    assert harbour["published"] == "2025-01-07T08:00:00+00:00" and harbour["source"] == "Test Gazette"
    assert "PORTO" in harbour["html"] and harbour["enqueued_at"]
    library = next(r for r in records if r["url"].endswith(GOOD[2]))
    assert (library["author"], library["source"]) == ("Bo Chen", "City Desk")

    assert (first.feeds, first.changed, first.unchanged) == (4, 4, 0)
    assert first.entries.queued == 5 and first.entries.duplicates == 1  # the harbour story via Atom
    assert dict(first.entries.rejected) == {**{v: 1 for v in BAD.values()}, "FetchTimeout": 1}
    assert "HTTP 404 Not Found" in first.entries.examples["HTTPClientError"]
    assert "redirect loop" in first.entries.examples["TooManyRedirects"]

    letters = stream.read_range(client, settings.dead_letter_stream)
    assert sorted((e.fields["stage"], e.fields["error_class"]) for e in letters) == sorted(
        ("enqueue", reason) for reason in BAD.values()
    )  # the slow page failed for a passing reason: not a dead letter, tried again next poll

    # Second poll: three feeds answer 304; the slow one is read again, as is its page, and only it.
    assert (second.unchanged, second.changed, second.entries.queued) == (3, 1, 0)
    assert dict(second.entries.rejected) == {"FetchTimeout": 1}
    assert len(site.hits("/news/slow.html")) == 2
    # Every other page was requested once in all (robots.txt kept the private one from being asked).
    assert {p: len(site.hits(p)) for p in (*GOOD, *BAD)} == {
        **{p: 1 for p in (*GOOD, *BAD)},
        "/private/draft.html": 0,
    }
    conditional = [r for r in site.hits("/feeds/main.rss")][1].headers
    assert conditional["if-none-match"] == site.routes["/feeds/main.rss"].etag_value
    assert [r.headers.get("if-modified-since") for r in site.hits("/feeds/city.atom")] == [
        None,
        "Mon, 03 Feb 2025 04:05:06 GMT",
    ]
    assert len(site.hits("/robots.txt")) == 1


def test_a_changed_feed_costs_one_request_per_new_entry_only(site: Site, redis_server: LocalRedis) -> None:
    settings, client = producer_settings(redis_server, site), client_for(redis_server)
    producer = Polling(settings, client)
    producer.poll(site, "/feeds/main.rss")
    site.routes["/news/new.html"] = Route(article_page("New"))
    links = [site.url(p) for p in (GOOD[0], GOOD[1], *BAD)] + [site.url("/news/new.html")]
    site.routes["/feeds/main.rss"] = Route(
        rss("Test Gazette", links), content_type="application/rss+xml", etag=True
    )
    pages_before = len(site.hits()) - len(site.hits("/feeds/main.rss"))
    report = producer.poll(site, "/feeds/main.rss")
    producer.close()
    assert (report.changed, report.entries.queued, report.entries.duplicates) == (1, 1, 7)
    assert len(site.hits()) - len(site.hits("/feeds/main.rss")) == pages_before + 1
    assert [r["url"] for r in queued_records(client, settings)][-1] == site.url("/news/new.html")


def test_a_second_producer_shares_feed_state_robots_and_the_door_through_redis(
    site: Site, redis_server: LocalRedis
) -> None:
    settings, client = producer_settings(redis_server, site), client_for(redis_server)
    first = Polling(settings, client)
    first.poll(site, *FEEDS[:3])
    first.close()
    requests_before = len(site.hits())
    second = Polling(settings, client)  # a restarted or another producer: nothing in memory
    report = second.poll(site, *FEEDS[:3])
    second.close()
    assert (report.unchanged, report.changed, report.entries.queued) == (3, 0, 0)
    assert len(site.hits()) == requests_before + 3  # three conditional GETs, no robots.txt, no pages


def test_a_url_list_is_fetched_once_per_canonical_url(site: Site, redis_server: LocalRedis) -> None:
    settings, client = producer_settings(redis_server, site), client_for(redis_server)
    fetcher = Fetcher(settings, robots_store=RedisRobotsStore(client, settings))
    jobs = [
        PageJob(site.url(GOOD[0]), "urls.txt:1"),
        PageJob(site.url(GOOD[0]) + "?utm_campaign=x#comments", "urls.txt:2"),
        PageJob(site.url(GOOD[1]), "urls.txt:3"),
        PageJob("ftp://127.0.0.1/file.html", "urls.txt:4"),
        PageJob(site.url("/news/missing.html"), "urls.txt:5"),
    ]
    reports = []
    with ThreadPoolExecutor(2) as pool:
        for _ in range(2):  # the second run finds every URL already dealt with
            producer = Producer(settings, client)
            enqueue_pages(jobs, producer, fetcher, pool, max_in_flight=4)
            reports.append(producer.close())
    fetcher.close()
    first, second = reports
    assert (first.queued, first.duplicates) == (2, 1)
    assert dict(first.rejected) == {"UnsupportedURL": 1, "HTTPClientError": 1}
    assert (second.queued, second.duplicates) == (0, 4)  # the 404 is remembered as rejected
    assert dict(second.rejected) == {"UnsupportedURL": 1}
    assert sorted(r["url"] for r in queued_records(client, settings)) == [
        site.url(GOOD[0]),
        site.url(GOOD[1]),
    ]
    assert len(site.hits(GOOD[0])) == 1 and len(site.hits("/news/missing.html")) == 1


# --- Hostile input ------------------------------------------------------------------------------


@pytest.fixture
def internal() -> Iterator[Site]:
    """A host inside the network, not listed as allowed, with a page no producer may publish."""
    with Site() as inside:
        inside.routes["/robots.txt"] = Route(b"User-agent: *\nAllow: /\n", content_type="text/plain")
        for path in ("/token", "/token2"):
            inside.routes[path] = Route(article_page("Internal token 7f3a9c"))
        yield inside


def test_feed_entries_pointing_inside_the_network_are_refused_dead_lettered_and_remembered(
    site: Site, internal: Site, redis_server: LocalRedis
) -> None:
    with Listener() as redis_port:  # stands in for Redis: a request to it must never be sent
        inside = [
            f"http://127.0.0.1:{internal.port}/token",
            f"http://2130706433:{internal.port}/token",
            f"http://0x7f000001:{internal.port}/token",
            f"http://127.1:{internal.port}/token",
            f"http://[::ffff:127.0.0.1]:{internal.port}/token",
            site.url("/news/jump.html"),  # redirects inside
            f"http://127.0.0.1:{redis_port.port}/",
        ]
        site.routes["/news/jump.html"] = Route(
            status=302, location=f"http://0x7f000001:{internal.port}/token2"
        )
        site.routes["/feeds/inside.rss"] = Route(
            rss("Inside Job", [site.url(GOOD[0]), *inside]), content_type="application/rss+xml"
        )
        settings, client = producer_settings(redis_server, site), client_for(redis_server)
        producer = Polling(settings, client)
        first = producer.poll(site, "/feeds/inside.rss")
        second = producer.poll(site, "/feeds/inside.rss")  # no validators: the feed is read again
        producer.close()
        assert redis_port.received() == 0
    assert internal.hits() == []
    assert [r["url"] for r in queued_records(client, settings)] == [site.url(GOOD[0])]
    assert (first.entries.queued, dict(first.entries.rejected)) == (1, {"ForbiddenAddress": len(inside)})
    letters = stream.read_range(client, settings.dead_letter_stream)
    assert sorted(e.fields["error_class"] for e in letters) == ["ForbiddenAddress"] * len(inside)
    # Remembered at the door like any page rejected for good: not fetched, not refused, again.
    assert (second.entries.queued, second.entries.duplicates, second.entries.rejected.total()) == (
        0,
        len(inside) + 1,
        0,
    )
    assert len(site.hits("/news/jump.html")) == 1


UTF16_FEED_WITH_A_LONE_SURROGATE = (
    '<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><title>T &#xD800;</title>'
    "<item><title>Lost</title><link>/news/lost.html</link></item></channel></rss>"
).encode("utf-16")


def test_one_broken_feed_fails_alone_and_every_other_feed_is_polled(
    site: Site, redis_server: LocalRedis
) -> None:
    site.routes["/feeds/gzip-lie.rss"] = Route(
        rss("Gzip Lie", [GOOD[3]]), content_type="application/rss+xml", headers={"Content-Encoding": "gzip"}
    )
    surrogate = rss("Odd &#xD800; Chars", [GOOD[4]]).replace(b"Story 0", b"Story &#xD800; 0")
    site.routes["/feeds/surrogate.rss"] = Route(surrogate, content_type="application/rss+xml")
    site.routes["/feeds/utf16.rss"] = Route(
        UTF16_FEED_WITH_A_LONE_SURROGATE, content_type="application/rss+xml"
    )
    site.routes["/feeds/good.rss"] = Route(rss("Good", [GOOD[2]]), content_type="application/rss+xml")
    with Site("::1") as site6, Listener() as closed:
        site6.routes["/robots.txt"] = Route(b"User-agent: *\nAllow: /\n", content_type="text/plain")
        site6.routes["/v6/story.html"] = Route(article_page("Six"))
        site6.routes["/feed.rss"] = Route(rss("Six", ["/v6/story.html"]), content_type="application/rss+xml")
        settings, client = producer_settings(redis_server, site, site6), client_for(redis_server)
        feeds = [
            ListedURL(site.url(path), "test")
            for path in ("/feeds/gzip-lie.rss", "/feeds/surrogate.rss", "/feeds/utf16.rss", "/feeds/good.rss")
        ] + [
            ListedURL(site6.url("/feed.rss"), "test"),
            ListedURL(f"http://127.0.0.1:{closed.port}/feed.rss", "test"),  # not allowed
        ]
        producer = Polling(settings, client)
        report = producer.poller.poll(feeds)
        producer.close()
        assert closed.received() == 0
    assert (report.feeds, report.changed) == (6, 3)
    assert dict(report.failed) == {"FetchFailed": 1, "InvalidFeed": 1, "ForbiddenAddress": 1}
    assert "does not inflate" in report.failure_examples["FetchFailed"]
    assert "6 feeds, 0 unchanged, 3 changed, 3 failed" in report.summary()
    records = queued_records(client, settings)
    assert sorted(r["url"] for r in records) == sorted(
        [site.url(GOOD[2]), site.url(GOOD[4]), site6.url("/v6/story.html")]
    )
    odd = next(r for r in records if r["url"] == site.url(GOOD[4]))
    assert (odd["source"], odd["title"]) == ("Odd \ufffd Chars", "Story \ufffd 0")


def start_enqueue(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "worker", "enqueue", *args],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def terminate_when(process: subprocess.Popen[str], ready: Callable[[], bool], what: str) -> tuple[str, str]:
    """SIGTERM the producer once ``ready`` (or it ended), and its output; killed if it outlives a minute."""
    try:
        wait_until(lambda: ready() or process.poll() is not None, 60, what)
        process.send_signal(signal.SIGTERM)
        return process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()


@pytest.mark.timeout(120)
def test_sigterm_stops_a_feed_poller_whose_feed_trickles_forever(
    site: Site, redis_server: LocalRedis
) -> None:
    site.routes["/feeds/trickle.rss"] = Route(trickle=0.2)
    # A deadline of 10 minutes: only the SIGTERM can end this poll within the test's time.
    env = worker_env(
        redis_server.url,
        f"nfsig-{secrets.token_hex(3)}",
        fetch_timeout_seconds="600",
        fetch_allow_private=allow(site),
    )
    process = start_enqueue(env, "--feed", site.url("/feeds/trickle.rss"), "--every", "1s")
    feed_requested = lambda: bool(site.hits("/feeds/trickle.rss"))  # noqa: E731
    stdout, stderr = terminate_when(process, feed_requested, "the feed request")
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert "1 feeds, 0 unchanged, 0 changed, 1 failed (FetchCancelled x1" in stdout


@pytest.mark.timeout(120)
def test_sigterm_stops_a_url_list_mid_fetch_and_gives_every_unfetched_page_back(
    site: Site, redis_server: LocalRedis, tmp_path: Path
) -> None:
    trickling = [f"/news/trickle-{n}.html" for n in range(3)]
    for path in trickling:
        site.routes[path] = Route(trickle=0.2)
    urls = tmp_path / "urls.txt"
    urls.write_text("".join(f"{site.url(path)}\n" for path in (GOOD[0], *trickling)))
    prefix = f"nfsig-{secrets.token_hex(3)}"
    # One fetching thread, two pages in flight: at the SIGTERM the first trickling page is being
    # fetched, the second waits for the thread, the third is claimed but not yet handed over.
    env = worker_env(
        redis_server.url,
        prefix,
        fetch_timeout_seconds="600",
        fetch_concurrency="1",
        fetch_allow_private=allow(site),
    )
    process = start_enqueue(env, "--urls", str(urls))
    stdout, stderr = terminate_when(
        process, lambda: bool(site.hits(GOOD[0]) and site.hits(trickling[0])), "the first trickling request"
    )
    assert process.returncode == 0, stderr
    assert stdout.startswith("queued 1, duplicates skipped 0, rejected 2: FetchCancelled x2"), stdout
    assert site.hits(trickling[2]) == []
    settings = Settings(redis_url=redis_server.url, key_prefix=prefix)
    client = client_for(redis_server)
    assert [r["url"] for r in queued_records(client, settings)] == [site.url(GOOD[0])]
    claims = ArticleClaims(client, settings)
    # Every trickling page's claim was given back: the next run fetches them, nothing is lost.
    for path in trickling:
        assert client.exists(*claims.keys(Claim.for_url(site.url(path)))) == 0
    assert client.exists(*claims.keys(Claim.for_url(site.url(GOOD[0])))) == 2
