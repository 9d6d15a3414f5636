"""``newsflow demo``: the README's first command. Finds or starts Redis, starts a worker, pushes the
bundled sample articles through the queue, shows the results, and stops what it started.

Runs under its own key prefix, so it never touches another deployment's queues or results on a
shared Redis, and deletes its keys when it is done.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import click
import redis
from rich.console import Console
from rich.table import Table

from worker.cli.local_redis import LocalRedis, RedisNotAvailable
from worker.settings import redact_url

SAMPLES = Path(__file__).parents[1] / "samples"
DEFAULT_URL = "redis://localhost:6379/0"


def _answers(url: str) -> bool:
    from worker.settings import Settings
    from worker.stores.redis_client import connect

    try:
        return bool(connect(Settings(redis_url=url), retries=0).ping())
    except redis.RedisError:
        return False


def _find_redis(console: Console) -> tuple[str, LocalRedis | None]:
    configured = os.environ.get("NEWSFLOW_REDIS_URL")
    if configured:
        if not _answers(configured):
            raise click.ClickException(
                f"NEWSFLOW_REDIS_URL is set but Redis at {redact_url(configured)} does not answer"
            )
        console.print(f"[green]✓[/] using Redis at {redact_url(configured)} (NEWSFLOW_REDIS_URL)")
        return configured, None
    if _answers(DEFAULT_URL):
        console.print(f"[green]✓[/] using the Redis answering at {DEFAULT_URL}")
        return DEFAULT_URL, None
    try:
        server = LocalRedis().start()
    except RedisNotAvailable as exc:
        raise click.ClickException(str(exc)) from exc
    console.print(f"[green]✓[/] started a private redis-server at {server.url}")
    return server.url, server


def _start_worker(env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "worker", "worker", "--concurrency", "2"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _wait_for(
    condition: Any, timeout: float, what: str, worker: subprocess.Popen[bytes], log_path: Path
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if worker.poll() is not None:
            tail = log_path.read_text(errors="replace")[-2000:]
            raise click.ClickException(
                f"the worker exited (status {worker.returncode}) while waiting for {what}:\n{tail}"
            )
        if time.monotonic() > deadline:
            raise click.ClickException(
                f"timed out after {timeout:.0f}s waiting for {what}; worker log: {log_path}"
            )
        time.sleep(0.2)


def _stop_worker(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def _delete_prefix(client: redis.Redis, prefix: str) -> None:
    for pattern in (f"{prefix}:*", f"{prefix}.*", f"_kombu.binding.{prefix}.*"):
        keys = list(client.scan_iter(match=pattern, count=1000))
        if keys:
            client.delete(*keys)


def _table(results: list[dict[str, Any]]) -> Table:
    table = Table(title="newsflow: the sample articles, published", show_lines=True, expand=True)
    table.add_column("title", ratio=2, style="bold")
    table.add_column("people, organisations, places", ratio=3)
    table.add_column("summary", ratio=5)
    for result in results:
        people = [e["name"] for e in result["canonical_entities"] if e["label"] == "PERSON"][:4]
        orgs = [e["name"] for e in result["canonical_entities"] if e["label"] in ("ORG", "NORP")][:3]
        places = [e["name"] for e in result["canonical_entities"] if e["label"] in ("GPE", "LOC", "FAC")][:4]
        entities = "\n".join(
            f"[cyan]{kind}[/] {', '.join(names)}"
            for kind, names in (("people", people), ("orgs", orgs), ("places", places))
            if names
        )
        title = result.get("title") or "(untitled)"
        if result.get("dateline"):
            title += f"\n[dim]{result['dateline']}[/]"
        table.add_row(title, entities, result.get("summary", ""))
    return table


def run_demo(samples: Path | None, timeout: int) -> None:
    """Run the sample articles through Redis and a real worker, and print the results."""
    console = Console()
    samples = samples or SAMPLES
    url, private = _find_redis(console)
    prefix = f"newsflow-demo-{secrets.token_hex(4)}"
    env = {
        **os.environ,
        "NEWSFLOW_REDIS_URL": url,
        "NEWSFLOW_KEY_PREFIX": prefix,
        "NEWSFLOW_METRICS_PORT": "0",
    }
    os.environ.update(
        {k: env[k] for k in ("NEWSFLOW_REDIS_URL", "NEWSFLOW_KEY_PREFIX", "NEWSFLOW_METRICS_PORT")}
    )
    from worker.settings import get_settings

    get_settings.cache_clear()
    settings = get_settings()
    from worker.stores.redis_client import connect

    client = connect(settings, retries=1)
    log_path = Path(private.directory if private else "/tmp") / f"{prefix}-worker.log"
    worker = _start_worker(env, log_path)
    try:
        from worker.runtime.heartbeat import alive_workers

        with console.status("starting a worker (2 processes, loading the spaCy model)…"):
            _wait_for(
                lambda: alive_workers(client, settings),
                180,
                "the worker to start",
                worker,
                log_path,
            )
        console.print("[green]✓[/] worker started")

        from worker.producers.producer import enqueue_items
        from worker.sources.files import iter_source

        report = enqueue_items(iter_source(str(samples), settings.max_input_bytes), settings, client)
        console.print(f"[green]✓[/] {report.summary()} from {samples}")
        from worker.stores.stream import published_marker, read_range

        markers = [published_marker(settings, article_id) for article_id in report.queued_ids]
        with console.status(f"waiting for {len(markers)} results on {settings.results_stream}…"):
            _wait_for(
                lambda: all(client.exists(m) for m in markers),
                timeout,
                "the results",
                worker,
                log_path,
            )
        results = [entry.json_field() for entry in read_range(client, settings.results_stream)]
        console.print(_table(results))
        timings = [sum(r["timings"].values()) for r in results]
        console.print(
            f"{len(results)} articles published on stream {settings.results_stream}; "
            f"mean stage time {1000 * sum(timings) / max(1, len(timings)):.0f} ms per article. "
            "Full records: `newsflow results` against a running deployment."
        )
    finally:
        _stop_worker(worker)
        _delete_prefix(client, prefix)
        if private:
            private.cleanup()
        console.print(
            "[green]✓[/] stopped the worker"
            + (" and the private redis-server" if private else "")
            + "; demo keys removed"
        )
