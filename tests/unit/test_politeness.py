"""Per-host limits and the robots.txt cache, with a fake clock and a fake robots.txt fetch."""

from __future__ import annotations

import threading

import pytest

from worker.sources.errors import FetchFailed
from worker.sources.hosts import MAX_CRAWL_DELAY_SECONDS, HostLimiter, origin_of
from worker.sources.robots import RobotsCache


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("HTTP://News.Test/a?b#c", "http://news.test:80"),
        ("https://news.test/a", "https://news.test:443"),
        ("http://127.0.0.1:8080/x", "http://127.0.0.1:8080"),
        ("http://[::1]:8080/feed.xml", "http://[::1]:8080"),
        ("https://[2001:DB8::1]/a", "https://[2001:db8::1]:443"),
    ],
)
def test_origin_of_names_scheme_host_and_port(url: str, origin: str) -> None:
    assert origin_of(url) == origin


def test_requests_to_one_host_start_at_least_the_interval_apart() -> None:
    clock = FakeClock()
    limiter = HostLimiter(concurrency=4, interval=1.5, clock=clock, sleep=clock.sleep)
    waits = []
    for _ in range(3):
        with limiter.slot("http://a:80") as waited:
            waits.append(waited)
    with limiter.slot("http://b:80") as other_host:
        pass
    assert waits == [0.0, 1.5, 1.5] and other_host == 0.0
    assert clock.slept == [1.5, 1.5]


def test_a_crawl_delay_lengthens_the_interval_up_to_a_cap() -> None:
    limiter = HostLimiter(concurrency=1, interval=1.0)
    limiter.set_crawl_delay("http://a:80", 5)
    limiter.set_crawl_delay("http://b:80", 10_000)
    limiter.set_crawl_delay("http://c:80", None)
    assert limiter.interval_for("http://a:80") == 5
    assert limiter.interval_for("http://b:80") == MAX_CRAWL_DELAY_SECONDS
    assert limiter.interval_for("http://c:80") == 1.0


def test_no_more_than_the_per_host_concurrency_at_once() -> None:
    limiter = HostLimiter(concurrency=2, interval=0)
    inside = threading.Semaphore(0)
    leave = threading.Event()
    active: list[int] = []
    lock = threading.Lock()
    peak = 0

    def request() -> None:
        nonlocal peak
        with limiter.slot("http://a:80"):
            with lock:
                active.append(1)
                peak = max(peak, len(active))
            inside.release()
            leave.wait(10)
            with lock:
                active.pop()

    threads = [threading.Thread(target=request) for _ in range(5)]
    for thread in threads:
        thread.start()
    assert inside.acquire(timeout=10) and inside.acquire(timeout=10)
    assert not inside.acquire(timeout=0.2)  # a third request is held back while two are in
    leave.set()
    for thread in threads:
        thread.join(10)
    assert peak == 2


class FakeStore:
    def __init__(self) -> None:
        self.bodies: dict[str, str] = {}

    def get(self, origin: str) -> str | None:
        return self.bodies.get(origin)

    def put(self, origin: str, body: str, ttl_seconds: int) -> None:
        self.bodies[origin] = body


def robots(
    answers: dict[str, tuple[int, bytes]], store: FakeStore | None = None
) -> tuple[RobotsCache, list[str], FakeClock]:
    asked: list[str] = []
    clock = FakeClock()

    def fetch(url: str) -> tuple[int, bytes]:
        asked.append(url)
        return answers[url]

    return RobotsCache(fetch, "newsflow", ttl_seconds=60, store=store, clock=clock), asked, clock


def test_robots_rules_are_fetched_once_per_host_until_they_expire() -> None:
    cache, asked, clock = robots(
        {"http://a:80/robots.txt": (200, b"User-agent: *\nDisallow: /private/\nCrawl-delay: 3\n")}
    )
    assert cache.allowed("http://a/news/1.html")
    assert not cache.allowed("http://a/private/1.html")
    assert cache.crawl_delay("http://a:80") == 3
    assert asked == ["http://a:80/robots.txt"]
    clock.now += 61
    cache.allowed("http://a/news/2.html")
    assert len(asked) == 2


def test_a_missing_robots_txt_allows_all_and_a_failing_one_is_a_passing_error() -> None:
    cache, _, _ = robots({"http://a:80/robots.txt": (404, b""), "http://b:80/robots.txt": (503, b"")})
    assert cache.allowed("http://a/anything")
    with pytest.raises(FetchFailed, match="unreachable"):
        cache.allowed("http://b/anything")


def test_robots_bodies_are_shared_through_the_store() -> None:
    store = FakeStore()
    answers = {"http://a:80/robots.txt": (200, b"User-agent: *\nDisallow: /x/\n")}
    first, asked_first, _ = robots(answers, store)
    assert not first.allowed("http://a/x/1")
    second, asked_second, _ = robots(answers, store)
    assert not second.allowed("http://a/x/1")
    assert len(asked_first) == 1 and asked_second == []
