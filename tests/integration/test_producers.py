"""Producers against real HTTP servers on loopback and a real Redis: feeds, URLs, the door.

The server serves feeds and pages written for these tests (RSS 2.0, Atom, relative links, a
page that 404s, a slow page, a redirect loop, a huge page, a PDF, a path robots.txt forbids).
The producers may fetch from the test's own server only (``NEWSFLOW_FETCH_ALLOW_PRIVATE``). No
worker consumes these prefixes: what the producer queued is read back from the queue itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import redis

from tests.httpsite import Route, Site
from tests.integration.test_door import client_for, queued_records, settings_for
from worker import stream
from worker.crawl import PageJob, enqueue_pages
from worker.feedpoll import FeedPoller, PollReport
from worker.feedstate import RedisRobotsStore
from worker.localredis import LocalRedis
from worker.producer import Producer
from worker.sender import producer_app
from worker.settings import Settings
from worker.sources.fetch import Fetcher
from worker.sources.urls import ListedURL

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
