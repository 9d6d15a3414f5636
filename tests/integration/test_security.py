"""Redis over TLS with a password, and secrets kept out of logs, status and metrics."""

from __future__ import annotations

import json
import secrets
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import SAMPLES, dedicated_worker, run_cli, wait_until
from worker.cli.local_redis import LocalRedis, free_port, make_tls_files

pytestmark = pytest.mark.integration


def test_a_worker_runs_over_tls_with_a_password_and_never_shows_it(tmp_path: Path) -> None:
    password = f"pw-{secrets.token_hex(8)}"
    tls = make_tls_files(tmp_path / "tls")
    server = LocalRedis(password=password, tls=tls).start()
    try:
        port = str(free_port())
        with dedicated_worker(
            server.url,
            tmp_path,
            concurrency=1,
            redis_tls_ca_file=str(tls.ca),
            metrics_port=port,
            log_level="DEBUG",
        ) as worker:
            env = worker.env
            run = run_cli(env, "enqueue", str(SAMPLES / "harbour-bridge-closure.txt"))
            assert run.returncode == 0, run.stderr

            def published() -> bool:
                status = run_cli(env, "status", "--json")
                assert status.returncode == 0, status.stderr
                assert password not in status.stdout + status.stderr
                return bool(json.loads(status.stdout)["published"] >= 1)

            wait_until(published, 120, "the article published over TLS", interval=0.5)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
                assert password not in response.read().decode()
            assert password not in worker.log()
    finally:
        server.cleanup()


def test_a_plain_connection_to_a_tls_redis_is_refused_with_one_line(tmp_path: Path) -> None:
    tls = make_tls_files(tmp_path / "tls")
    server = LocalRedis(tls=tls).start()
    try:
        env = {"NEWSFLOW_REDIS_URL": server.url.replace("rediss://", "redis://"), "PATH": "/usr/bin:/bin"}
        run = run_cli(env, "status")
        assert run.returncode == 1 and "cannot use Redis" in run.stderr and "Traceback" not in run.stderr
    finally:
        server.cleanup()


def test_a_worker_logging_at_debug_never_logs_article_text(redis_server: LocalRedis, tmp_path: Path) -> None:
    # Celery's pool logs every task it applies with its arguments at DEBUG, and readability logs
    # the start of paragraphs it keeps: neither may reach the log, whatever the level.
    from worker.app import create_app
    from worker.delivery.chain import pipeline_chain
    from worker.settings import Settings

    marker = f"Ghent-library-{secrets.token_hex(4)}"
    paragraphs = "".join(
        f"<p>The council of {marker} met on Friday {n}, and it approved the new reading room, the "
        "longer opening hours and the budget for the year after a long debate in the hall.</p>"
        for n in range(3)
    )
    record = {
        "id": f"debug-{secrets.token_hex(4)}",
        "html": f"<html><body><article>{paragraphs}</article></body></html>",
    }
    with dedicated_worker(redis_server.url, tmp_path, log_level="DEBUG") as worker:
        settings = Settings(redis_url=redis_server.url, key_prefix=worker.env["NEWSFLOW_KEY_PREFIX"])
        pipeline_chain(record, create_app(settings)).apply_async()  # Celery's own argsrepr: the text
        wait_until(
            lambda: worker.client.exists(f"{settings.key_prefix}:published:{record['id']}"),
            120,
            "the article published",
        )
        log = worker.log()
    assert '"level": "debug"' in log  # the worker did log at DEBUG
    assert marker not in log
