"""`newsflow enqueue` as an operator runs it: URL lists, feeds polled with --every, and mistakes."""

from __future__ import annotations

import secrets
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli, wait_until, worker_env
from tests.httpsite import Route, Site
from tests.integration.test_producers import article_page, rss
from worker.cli.local_redis import LocalRedis

pytestmark = pytest.mark.e2e


@pytest.fixture
def site() -> Iterator[Site]:
    with Site() as news:
        news.routes["/robots.txt"] = Route(b"User-agent: *\nAllow: /\n", content_type="text/plain")
        news.routes["/a.html"] = Route(article_page("Harbour"))
        news.routes["/b.html"] = Route(article_page("Tram"))
        news.routes["/feed.rss"] = Route(
            rss("CLI Gazette", ["/a.html", "/b.html"]), content_type="application/rss+xml", etag=True
        )
        yield news


@pytest.fixture
def env(redis_server: LocalRedis, site: Site) -> dict[str, str]:
    return worker_env(
        redis_server.url,
        f"nfcli-{secrets.token_hex(3)}",
        fetch_host_interval_seconds="0",
        fetch_backoff_seconds="0.01",
        fetch_allow_private=site.netloc,  # the test's own server, inside the network, and no other
    )


def test_a_url_list_ends_with_one_summary_line_and_no_progress_bar_off_a_terminal(
    env: dict[str, str], site: Site, tmp_path: Path
) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text(
        f"# morning list\n{site.url('/a.html')}\n{site.url('/a.html')}?utm_source=mail\n"
        f"{site.url('/missing.html')}\n{site.url('/b.html')}\n"
    )
    run = run_cli(env, "enqueue", "--urls", str(urls))
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "queued 2, duplicates skipped 1, rejected 1: HTTPClientError x1 "
        f"(e.g. {urls}:4: HTTP 404 Not Found from {site.url('/missing.html')})"
    ]
    assert run.stderr == ""


def test_feeds_polled_every_interval_cost_one_conditional_request_each_until_sigterm(
    env: dict[str, str], site: Site
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "worker", "enqueue", "--feed", site.url("/feed.rss"), "--every", "200ms"],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    assert process.stdout is not None
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")), daemon=True)  # type: ignore[union-attr]
    reader.start()
    try:
        wait_until(lambda: len(lines) >= 3 or process.poll() is not None, 60, "three polls")
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert "1 feeds, 0 unchanged, 1 changed, 0 failed; queued 2, duplicates skipped 0, rejected 0" in lines[0]
    for line in lines[1:]:
        assert "1 feeds, 1 unchanged, 0 changed, 0 failed; queued 0, duplicates skipped 0, rejected 0" in line
    polls = len(lines)
    assert len(site.hits("/feed.rss")) == polls  # one request per poll
    assert len(site.hits("/a.html")) == len(site.hits("/b.html")) == 1


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        ((), 2, "nothing to enqueue"),
        (("--every", "5m", "x.jsonl"), 2, "--every polls feeds"),
        (("--body-only", "--feed", "http://127.0.0.1:1/f"), 2, "--body-only marks the texts of files"),
        (("--feed", "http://127.0.0.1:1/f", "--every", "soon"), 2, "is not a duration"),
        (("--urls", "no-such-list.txt"), 1, "no-such-list.txt: no such file"),
    ],
)
def test_mistakes_are_one_clear_line(
    env: dict[str, str], args: tuple[str, ...], status: int, message: str
) -> None:
    run = run_cli(env, "enqueue", *args)
    assert run.returncode == status
    assert message in run.stderr and "Traceback" not in run.stderr
