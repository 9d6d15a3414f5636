"""The fetcher against a real HTTP server on 127.0.0.1 (started by the test, no other service)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tasks.errors import InputTooLarge, UnsupportedContent
from tests.httpsite import Route, Site
from worker.settings import Settings
from worker.sources.errors import (
    FetchFailed,
    FetchTimeout,
    HTTPClientError,
    RobotsDisallowed,
    TooManyRedirects,
    UnsupportedURL,
)
from worker.sources.fetch import Fetcher

PAGE = b"<html><head><title>T</title></head><body><p>The council met on Monday.</p></body></html>"


def fast_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "fetch_host_interval_seconds": 0,
        "fetch_timeout_seconds": 0.5,
        "fetch_backoff_seconds": 0.01,
        "fetch_retries": 2,
        "max_input_bytes": 100_000,
    }
    return Settings(**(values | overrides))  # type: ignore[arg-type]


@pytest.fixture
def site() -> Iterator[Site]:
    with Site() as running:
        running.routes["/robots.txt"] = Route(
            b"User-agent: *\nDisallow: /private/\n\nUser-agent: otherbot\nDisallow: /\n",
            content_type="text/plain",
        )
        yield running


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    fetcher = Fetcher(fast_settings())
    yield fetcher
    fetcher.close()


def test_a_page_is_fetched_with_our_user_agent_and_robots_is_read_once_per_host(
    site: Site, fetcher: Fetcher
) -> None:
    site.routes["/a.html"] = Route(PAGE)
    site.routes["/b.html"] = Route(PAGE)
    first = fetcher.fetch_page(site.url("/a.html"))
    fetcher.fetch_page(site.url("/b.html"))
    assert first.status == 200 and first.text() == PAGE.decode()
    assert all(r.headers["user-agent"].startswith("newsflow/") for r in site.hits())
    assert len(site.hits("/robots.txt")) == 1


@pytest.mark.parametrize(
    ("route", "error", "message"),
    [
        (Route(status=404), HTTPClientError, "HTTP 404"),
        (Route(status=410), HTTPClientError, "HTTP 410"),
        (Route(b"%PDF-1.4", content_type="application/pdf"), UnsupportedContent, "application/pdf, not HTML"),
        (Route(b'{"a": 1}', content_type="application/json"), UnsupportedContent, "not HTML"),
        (Route(b"\x89PNG binary", content_type=None), UnsupportedContent, "does not look like HTML"),
        (Route(stream_bytes=1_000_000), InputTooLarge, "stopped reading"),
        (Route(b"<p>" + b"x" * 200_000 + b"</p>"), InputTooLarge, "over the limit"),
        (Route(PAGE, delay=30), FetchTimeout, "did not answer in 0.5s"),
    ],
    ids=["404", "410", "pdf", "json", "binary-no-type", "huge-streamed", "huge-declared", "slow"],
)
def test_what_cannot_be_queued_is_refused_with_its_reason(
    site: Site, fetcher: Fetcher, route: Route, error: type[Exception], message: str
) -> None:
    site.routes["/page"] = route
    with pytest.raises(error, match=message):
        fetcher.fetch_page(site.url("/page"))


def test_robots_txt_forbids_a_path_to_our_user_agent(site: Site, fetcher: Fetcher) -> None:
    site.routes["/private/x.html"] = Route(PAGE)
    with pytest.raises(RobotsDisallowed, match="forbids"):
        fetcher.fetch_page(site.url("/private/x.html"))
    assert not site.hits("/private/x.html")


def test_a_robots_group_for_our_name_applies_to_us_only(site: Site) -> None:
    site.routes["/a.html"] = Route(PAGE)
    fetcher = Fetcher(fast_settings(user_agent="otherbot/2.0 (+https://example.org/bot)"))
    with pytest.raises(RobotsDisallowed):
        fetcher.fetch_page(site.url("/a.html"))
    fetcher.close()


def test_no_robots_txt_allows_everything_and_an_unreachable_one_is_a_passing_failure(
    site: Site, fetcher: Fetcher
) -> None:
    site.routes.pop("/robots.txt")
    site.routes["/a.html"] = Route(PAGE)
    assert fetcher.fetch_page(site.url("/a.html")).status == 200
    with Site() as broken:
        broken.routes["/robots.txt"] = Route(b"oops", status=500, content_type="text/plain")
        broken.routes["/a.html"] = Route(PAGE)
        with pytest.raises(FetchFailed, match=r"robots\.txt"):
            fetcher.fetch_page(broken.url("/a.html"))
        assert not broken.hits("/a.html")


def test_redirects_are_followed_and_loops_are_caught(site: Site, fetcher: Fetcher) -> None:
    site.routes["/old"] = Route(status=301, location="/new")
    site.routes["/new"] = Route(PAGE)
    assert fetcher.fetch_page(site.url("/old")).url == site.url("/new")
    site.routes["/loop/a"] = Route(status=302, location="/loop/b")
    site.routes["/loop/b"] = Route(status=302, location="/loop/a")
    with pytest.raises(TooManyRedirects, match="redirect loop"):
        fetcher.fetch_page(site.url("/loop/a"))
    assert len(site.hits("/loop/a")) == 1


def test_redirects_are_bounded(site: Site) -> None:
    for hop in range(4):
        site.routes[f"/hop{hop}"] = Route(status=302, location=f"/hop{hop + 1}")
    site.routes["/hop4"] = Route(PAGE)
    strict, enough = (
        Fetcher(fast_settings(fetch_max_redirects=3)),
        Fetcher(fast_settings(fetch_max_redirects=4)),
    )
    with pytest.raises(TooManyRedirects, match="more than 3 redirects"):
        strict.fetch_page(site.url("/hop0"))
    assert enough.fetch_page(site.url("/hop0")).status == 200
    strict.close()
    enough.close()


def test_a_redirect_to_another_scheme_is_refused(site: Site, fetcher: Fetcher) -> None:
    site.routes["/ftp"] = Route(status=302, location="ftp://127.0.0.1/file")
    with pytest.raises(UnsupportedURL):
        fetcher.fetch_page(site.url("/ftp"))


@pytest.mark.parametrize("url", ["ftp://example.org/a", "file:///etc/passwd", "/relative/path", "http://"])
def test_only_http_and_https_urls_are_fetched(fetcher: Fetcher, url: str) -> None:
    with pytest.raises(UnsupportedURL):
        fetcher.fetch_page(url)


def test_5xx_answers_are_retried_and_then_given_up_as_passing(site: Site, fetcher: Fetcher) -> None:
    site.routes["/flaky"] = Route(PAGE, failures=2)
    assert fetcher.fetch_page(site.url("/flaky")).status == 200
    assert len(site.hits("/flaky")) == 3
    site.routes["/down"] = Route(PAGE, failures=100)
    with pytest.raises(FetchFailed, match="HTTP 503"):
        fetcher.fetch_page(site.url("/down"))
    assert len(site.hits("/down")) == 3  # the first try and fetch_retries=2 retries


def test_connection_errors_are_retried_then_reported_as_passing(fetcher: Fetcher) -> None:
    from worker.localredis import free_port

    with pytest.raises(FetchFailed, match="ConnectError"):
        fetcher.fetch_page(f"http://127.0.0.1:{free_port()}/robots-first")


def test_a_feed_is_fetched_conditionally(site: Site, fetcher: Fetcher) -> None:
    site.routes["/feed.xml"] = Route(b"<rss/>", content_type="application/rss+xml", etag=True)
    site.routes["/atom.xml"] = Route(
        b"<feed/>", content_type="application/atom+xml", last_modified="Mon, 06 Jan 2025 10:00:00 GMT"
    )
    first = fetcher.fetch_feed(site.url("/feed.xml"))
    assert first.status == 200 and first.etag and not first.not_modified
    assert fetcher.fetch_feed(site.url("/feed.xml"), etag=first.etag).not_modified
    atom = fetcher.fetch_feed(site.url("/atom.xml"))
    assert fetcher.fetch_feed(site.url("/atom.xml"), last_modified=atom.last_modified).not_modified
    assert site.hits("/feed.xml")[1].headers["if-none-match"] == first.etag


def test_the_declared_charset_decodes_the_page(site: Site, fetcher: Fetcher) -> None:
    site.routes["/latin"] = Route(
        "<p>café crème</p>".encode("latin-1"), content_type="text/html; charset=latin-1"
    )
    assert "café crème" in fetcher.fetch_page(site.url("/latin")).text()
