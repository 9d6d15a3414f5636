"""The fetcher against real HTTP servers on loopback (started by the test, no other service).

The fetch policy refuses every loopback address unless a test allows its own server by
``NEWSFLOW_FETCH_ALLOW_PRIVATE`` (``fast_settings(site)``), so these tests also show that a
server not listed is never reached.
"""

from __future__ import annotations

import gzip
import threading
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from tasks.errors import InputTooLarge, UnsupportedContent
from tests.conftest import wait_until
from tests.httpsite import Listener, Route, Site
from worker.cli.local_redis import free_port, make_tls_files
from worker.settings import Settings
from worker.sources.errors import (
    FetchCancelled,
    FetchFailed,
    FetchTimeout,
    ForbiddenAddress,
    HTTPClientError,
    RobotsDisallowed,
    TooManyRedirects,
    UnsupportedURL,
)
from worker.sources.fetch import Fetcher

PAGE = b"<html><head><title>T</title></head><body><p>The council met on Monday.</p></body></html>"
ROBOTS = b"User-agent: *\nDisallow: /private/\n\nUser-agent: otherbot\nDisallow: /\n"


def fast_settings(*allowed: Site | Listener | str, **overrides: object) -> Settings:
    """Quick time-outs, no politeness delay, and only the given servers allowed inside the network."""
    values: dict[str, object] = {
        "fetch_host_interval_seconds": 0,
        "fetch_timeout_seconds": 0.5,
        "fetch_backoff_seconds": 0.01,
        "fetch_retries": 2,
        "max_input_bytes": 100_000,
        "fetch_allow_private": ",".join(_netloc(server) for server in allowed),
    }
    return Settings(**(values | overrides))  # type: ignore[arg-type]


def _netloc(server: Site | Listener | str) -> str:
    if isinstance(server, str):
        return server
    host = f"[{server.host}]" if ":" in server.host else server.host
    return f"{host}:{server.port}"


@pytest.fixture
def site() -> Iterator[Site]:
    with Site() as running:
        running.routes["/robots.txt"] = Route(ROBOTS, content_type="text/plain")
        yield running


@pytest.fixture
def fetcher(site: Site) -> Iterator[Fetcher]:
    fetcher = Fetcher(fast_settings(site))
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
    fetcher = Fetcher(fast_settings(site, user_agent="otherbot/2.0 (+https://example.org/bot)"))
    with pytest.raises(RobotsDisallowed):
        fetcher.fetch_page(site.url("/a.html"))
    fetcher.close()


def test_no_robots_txt_allows_everything_and_an_unreachable_one_is_a_passing_failure(site: Site) -> None:
    site.routes.pop("/robots.txt")
    site.routes["/a.html"] = Route(PAGE)
    with Site() as broken:
        fetcher = Fetcher(fast_settings(site, broken))
        assert fetcher.fetch_page(site.url("/a.html")).status == 200
        broken.routes["/robots.txt"] = Route(b"oops", status=500, content_type="text/plain")
        broken.routes["/a.html"] = Route(PAGE)
        with pytest.raises(FetchFailed, match=r"robots\.txt"):
            fetcher.fetch_page(broken.url("/a.html"))
        assert not broken.hits("/a.html")
        fetcher.close()


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
        Fetcher(fast_settings(site, fetch_max_redirects=3)),
        Fetcher(fast_settings(site, fetch_max_redirects=4)),
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


def test_connection_errors_are_retried_then_reported_as_passing() -> None:
    port = free_port()
    fetcher = Fetcher(fast_settings(f"127.0.0.1:{port}"))
    with pytest.raises(FetchFailed, match="ConnectError"):
        fetcher.fetch_page(f"http://127.0.0.1:{port}/robots-first")
    fetcher.close()


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


# --- The fetch policy: nothing inside the network unless the deployment lists it -------------

INTERNAL_HOSTS = [
    "127.0.0.1",
    "2130706433",  # decimal
    "0x7f000001",  # hex
    "017700000001",  # octal, one number
    "0177.0.0.1",  # octal, dotted
    "0x7f.1",
    "127.1",  # short form
    "localhost",
    "0",  # 0.0.0.0 reaches this host
    "[::ffff:127.0.0.1]",  # IPv4-mapped IPv6
    "[::ffff:7f00:1]",
    "[64:ff9b::7f00:1]",  # NAT64
    "[2002:7f00:1::]",  # 6to4
    "[::1]",
    "[::]",
]


@pytest.fixture
def internal() -> Iterator[Site]:
    """A host inside the network, with a page no producer may ever publish."""
    with Site() as inside:
        inside.routes["/robots.txt"] = Route(b"User-agent: *\nAllow: /\n", content_type="text/plain")
        inside.routes["/token"] = Route(b"<html><body><p>internal token 7f3a9c</p></body></html>")
        yield inside


@pytest.mark.parametrize("host", INTERNAL_HOSTS)
def test_an_internal_address_in_any_notation_is_never_fetched(internal: Site, host: str) -> None:
    fetcher = Fetcher(fast_settings())
    with Listener("::1") as internal6:
        port = internal6.port if host.startswith("[::") else internal.port
        with pytest.raises((ForbiddenAddress, UnsupportedURL)):
            fetcher.fetch_page(f"http://{host}:{port}/token")
        assert internal.hits() == [] and internal6.received() == 0
    fetcher.close()


def test_only_the_listed_internal_servers_are_fetched_and_never_another_port(site: Site) -> None:
    site.routes["/a.html"] = Route(PAGE)
    fetcher = Fetcher(fast_settings(site))
    with Listener() as redis_port:
        assert fetcher.fetch_page(site.url("/a.html")).status == 200
        with pytest.raises(ForbiddenAddress, match="loopback"):
            fetcher.fetch_page(f"http://127.0.0.1:{redis_port.port}/")
        with pytest.raises(ForbiddenAddress):
            fetcher.fetch_feed(f"http://2130706433:{redis_port.port}/feed.xml")
        assert redis_port.received() == 0
    fetcher.close()
    wide = Fetcher(fast_settings("127.0.0.0/8"))
    assert wide.fetch_page(f"http://2130706433:{site.port}/a.html").status == 200
    wide.close()


def test_a_redirect_hop_to_an_internal_address_is_refused(site: Site, fetcher: Fetcher) -> None:
    with Listener() as inside:
        site.routes["/jump"] = Route(status=302, location=f"http://0x7f000001:{inside.port}/admin")
        site.routes["/jump6"] = Route(status=301, location=f"http://[::ffff:127.0.0.1]:{inside.port}/")
        for path in ("/jump", "/jump6"):
            with pytest.raises(ForbiddenAddress):
                fetcher.fetch_page(site.url(path))
        assert inside.received() == 0


def test_a_robots_txt_redirected_inside_the_network_is_not_followed(site: Site, fetcher: Fetcher) -> None:
    site.routes["/a.html"] = Route(PAGE)
    with Listener() as inside:
        site.routes["/robots.txt"] = Route(status=301, location=f"http://127.0.0.1:{inside.port}/robots.txt")
        # A robots.txt we may not follow counts as none (as one behind too many redirects does).
        assert fetcher.fetch_page(site.url("/a.html")).status == 200
        assert inside.received() == 0


class RebindingResolver:
    """DNS that answers with an allowed address once, then with an internal one: rebinding."""

    def __init__(self, first: str, then: str) -> None:
        self.first, self.then = first, then
        self.calls = 0

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls += 1
        return [self.first if self.calls == 1 else self.then]


def test_the_address_checked_is_the_address_connected_to(site: Site) -> None:
    site.routes["/a.html"] = Route(PAGE)
    with Listener("127.0.0.2", port=site.port) as rebound:  # where a rebound connection would land
        resolver = RebindingResolver("127.0.0.1", "127.0.0.2")
        fetcher = Fetcher(fast_settings(site), resolve=resolver)
        # robots.txt takes the first connection (one answer: 127.0.0.1, checked and connected to);
        # the site closes it, and the page's connection gets the rebound answer, which is refused.
        # Were the name resolved again between check and connect, the first connection would
        # have gone to 127.0.0.2 unchecked.
        with pytest.raises(ForbiddenAddress, match=r"127\.0\.0\.2"):
            fetcher.fetch_page(f"http://news.test:{site.port}/a.html")
        assert rebound.received() == 0 and resolver.calls == 2
        assert [(r.path, r.headers["host"]) for r in site.hits()] == [
            ("/robots.txt", f"news.test:{site.port}")
        ]
        fetcher.close()


def test_a_host_with_any_internal_address_is_refused_and_none_is_connected_to(site: Site) -> None:
    site.routes["/a.html"] = Route(PAGE)
    fetcher = Fetcher(fast_settings(site), resolve=lambda host, port: ["127.0.0.1", "169.254.169.254"])
    with pytest.raises(ForbiddenAddress, match=r"169\.254\.169\.254"):
        fetcher.fetch_page(f"http://news.test:{site.port}/a.html")
    assert site.hits() == []
    fetcher.close()


def test_tls_is_checked_against_the_host_name_not_the_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tls = make_tls_files(tmp_path / "tls")  # a certificate for localhost and 127.0.0.1 only
    monkeypatch.setenv("SSL_CERT_FILE", str(tls.ca))
    with Site(tls=(tls.cert, tls.key)) as secure:
        secure.routes["/a.html"] = Route(PAGE)
        fetcher = Fetcher(fast_settings(secure), resolve=lambda host, port: ["127.0.0.1"])
        with pytest.raises(FetchFailed, match="ConnectError"):  # news.test is not in the certificate
            fetcher.fetch_page(f"https://news.test:{secure.port}/a.html")
        fetcher.close()
        fetcher = Fetcher(fast_settings(f"localhost:{secure.port}"))
        assert fetcher.fetch_page(f"https://localhost:{secure.port}/a.html").text() == PAGE.decode()
        fetcher.close()
        assert "localhost" in secure.server_names and "news.test" in secure.server_names
        assert secure.hits("/a.html")[0].headers["host"] == f"localhost:{secure.port}"


# --- One failure is one page's or feed's, never the producer's --------------------------------


def test_a_body_that_lies_about_its_encoding_is_a_failure_of_that_feed(site: Site, fetcher: Fetcher) -> None:
    site.routes["/feed.xml"] = Route(
        b"<rss>not gzip at all</rss>",
        content_type="application/rss+xml",
        headers={"Content-Encoding": "gzip"},
    )
    with pytest.raises(FetchFailed, match="does not inflate"):
        fetcher.fetch_feed(site.url("/feed.xml"))


def test_a_compression_bomb_is_refused_at_the_size_limit_and_only_known_codings_are_asked_for(
    site: Site,
) -> None:
    site.routes["/bomb.html"] = Route(
        gzip.compress(b"<p>" + b"a" * 60_000_000, compresslevel=9), headers={"Content-Encoding": "gzip"}
    )
    fetcher = Fetcher(fast_settings(site, max_input_bytes=1_000_000, fetch_timeout_seconds=10))
    tracemalloc.start()
    try:
        with pytest.raises(InputTooLarge, match="over the limit of 1000000"):
            fetcher.fetch_page(site.url("/bomb.html"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        fetcher.close()
    # httpx inflates a whole network chunk before anyone can count: tens of megabytes from 60 KB.
    assert peak < 10_000_000
    assert site.hits("/bomb.html")[0].headers["accept-encoding"] == "gzip, deflate"


def test_an_ipv6_literal_host_keeps_its_brackets() -> None:
    with Site("::1") as site6:
        site6.routes["/robots.txt"] = Route(ROBOTS, content_type="text/plain")
        site6.routes["/a.html"] = Route(PAGE)
        fetcher = Fetcher(fast_settings(site6))
        assert fetcher.fetch_page(site6.url("/a.html")).status == 200
        assert len(site6.hits("/robots.txt")) == 1
        fetcher.close()


@pytest.mark.parametrize("url", ["http://news.test:99999/a", "http://news.test:0/a", "http://a b.test/"])
def test_urls_no_connection_can_be_made_to_are_refused(fetcher: Fetcher, url: str) -> None:
    with pytest.raises(UnsupportedURL):
        fetcher.fetch_page(url)


# --- One deadline per request, a bounded budget per fetch, and a prompt stop ------------------


@pytest.mark.timeout(30)
def test_headers_trickled_one_byte_at_a_time_are_cut_at_the_deadline(site: Site, fetcher: Fetcher) -> None:
    # Each byte comes well within the read time-out: only a deadline for the whole answer ends it.
    site.routes["/trickle"] = Route(trickle=0.05)
    with pytest.raises(FetchTimeout, match=r"0\.5s"):
        fetcher.fetch_page(site.url("/trickle"))
    assert len(site.hits("/trickle")) == 1  # a request that ran out of time is not tried again


@pytest.mark.timeout(30)
def test_a_trickled_robots_txt_is_cut_at_the_deadline_too(site: Site, fetcher: Fetcher) -> None:
    site.routes["/robots.txt"] = Route(trickle=0.05)
    site.routes["/a.html"] = Route(PAGE)
    with pytest.raises(FetchFailed, match=r"robots\.txt"):
        fetcher.fetch_page(site.url("/a.html"))
    assert site.hits("/a.html") == []


def test_retries_stop_when_the_fetch_has_spent_its_budget(site: Site) -> None:
    # Budget: (2 retries + 1) x 0.5 s. A Retry-After of 3 s does not fit: one request, then the error.
    site.routes["/busy"] = Route(b"busy", status=503, headers={"Retry-After": "3"})
    fetcher = Fetcher(fast_settings(site))
    with pytest.raises(FetchFailed, match="HTTP 503"):
        fetcher.fetch_page(site.url("/busy"))
    assert len(site.hits("/busy")) == 1
    fetcher.close()


def test_backoff_waits_are_paid_out_of_the_budget(site: Site) -> None:
    # Budget (10 + 1) x 0.5 s = 5.5 s; each wait of 2 s is paid from it: after two waits 1.5 s is
    # left, too little for a third. Ten retries would be allowed by count alone.
    site.routes["/busy"] = Route(b"busy", status=503, headers={"Retry-After": "2"})
    fetcher = Fetcher(fast_settings(site, fetch_retries=10))
    with pytest.raises(FetchFailed, match=r"HTTP 503 .* 3 attempts"):
        fetcher.fetch_page(site.url("/busy"))
    assert len(site.hits("/busy")) == 3
    fetcher.close()


@pytest.mark.timeout(30)
@pytest.mark.parametrize("where", ["/trickle", "/robots-trickle"])
def test_cancel_stops_a_hanging_fetch_at_once(where: str) -> None:
    with Site() as site:
        if where == "/robots-trickle":
            site.routes["/robots.txt"] = Route(trickle=0.05)
        else:
            site.routes["/robots.txt"] = Route(b"", content_type="text/plain")
            site.routes["/trickle"] = Route(trickle=0.05)
        fetcher = Fetcher(fast_settings(site, fetch_timeout_seconds=600))
        errors: list[Exception] = []

        def fetch() -> None:
            try:
                fetcher.fetch_page(site.url("/trickle"))
            except Exception as exc:
                errors.append(exc)

        thread = threading.Thread(target=fetch)
        thread.start()
        wait_until(lambda: site.hits("/robots.txt" if "robots" in where else "/trickle"), 10, "the request")
        fetcher.cancel()
        thread.join()
        assert len(errors) == 1 and isinstance(errors[0], FetchCancelled)
        with pytest.raises(FetchCancelled):  # a cancelled fetcher starts nothing new
            fetcher.fetch_page(site.url("/other"))
        fetcher.close()
