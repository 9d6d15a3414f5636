"""What the benchmarks share: the real corpora under the data folder, and worker processes to drive."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import redis

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DEFAULT_DATA_DIR = REPO.parent / "shared" / "data"


def news_texts(data_dir: Path) -> list[dict[str, Any]]:
    """Plain-text news articles: the CNN/DailyMail and XSum texts of the FRANK set."""
    records = []
    for name in ("cnndm.jsonl", "xsum.jsonl"):
        path = data_dir / "news_summarization_frank" / name
        records += [
            {"text": json.loads(line)["text"]} for line in path.read_text().splitlines() if line.strip()
        ]
    return records


def html_pages(data_dir: Path) -> list[dict[str, Any]]:
    """Real web pages (HTML) of the Zyte article-extraction benchmark, with their URLs."""
    folder = data_dir / "zyte_article_extraction"
    truth = json.loads((folder / "ground-truth.json").read_text())
    pages = []
    for page_id in sorted(truth):
        html = gzip.decompress((folder / "html" / f"{page_id}.html.gz").read_bytes()).decode(
            "utf-8", "replace"
        )
        pages.append({"html": html, "url": truth[page_id].get("url")})
    return pages


def cycled(records: list[dict[str, Any]], count: int, run: str) -> Iterator[dict[str, Any]]:
    """``count`` records cycling through ``records``, each with its own id (and no URL to derive one)."""
    for index in range(count):
        record = {k: v for k, v in records[index % len(records)].items() if k != "url"}
        yield {**record, "id": f"{run}-{index}"}


def worker_env(redis_url: str, prefix: str, **settings: str) -> dict[str, str]:
    """The environment of a worker or CLI run against this Redis and key prefix.

    The date parser's warm-up (6-10 s of CPU at each worker's start) is off unless a test asks for
    it (``warm_up_date_parser="true"``): the suite starts dozens of workers, and one test covers it.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
    env.update({"NEWSFLOW_REDIS_URL": redis_url, "NEWSFLOW_KEY_PREFIX": prefix, "NEWSFLOW_METRICS_PORT": "0"})
    env["NEWSFLOW_WARM_UP_DATE_PARSER"] = "false"
    env.update({f"NEWSFLOW_{name.upper()}": value for name, value in settings.items()})
    return env


class Workers:
    """``newsflow worker`` processes, each in its own process group, logging to a folder."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, concurrency: int = 1, *extra: str) -> subprocess.Popen[bytes]:
        """Start one more worker."""
        argv = [sys.executable, "-m", "worker", "worker", "--concurrency", str(concurrency), *extra]
        with (self.log_dir / f"worker-{len(self.processes)}.log").open("wb") as log:
            process = subprocess.Popen(
                argv, env=self.env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.processes.append(process)
        return process

    def alive(self) -> list[subprocess.Popen[bytes]]:
        """The workers still running."""
        return [p for p in self.processes if p.poll() is None]

    def ready(self, client: redis.Redis, prefix: str) -> list[subprocess.Popen[bytes]]:
        """The running workers that have started consuming (their heartbeat is in Redis)."""
        beating = {str(key).rsplit("-", 1)[-1] for key in client.scan_iter(match=f"{prefix}:workers:*")}
        return [p for p in self.alive() if str(p.pid) in beating]

    def wait_ready(self, client: redis.Redis, prefix: str, count: int, timeout: float = 300) -> None:
        """Wait until ``count`` workers consume."""
        deadline = time.monotonic() + timeout
        while len(self.ready(client, prefix)) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"workers did not start in {timeout}s; logs in {self.log_dir}")
            time.sleep(0.2)

    def stop(self, sig: int = 15, timeout: float = 60) -> None:
        """Signal every running worker's process group and wait for it."""
        for process in self.alive():
            os.killpg(process.pid, sig)
        for process in self.processes:
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait()


def wait_for_stream(client: redis.Redis, stream: str, count: int, timeout: float) -> float:
    """Wait until the stream holds ``count`` entries; returns the monotonic time it did."""
    deadline = time.monotonic() + timeout
    while int(client.xlen(stream)) < count:  # type: ignore[arg-type]
        if time.monotonic() > deadline:
            raise TimeoutError(f"{stream} has {client.xlen(stream)} of {count} entries after {timeout}s")
        time.sleep(0.05)
    return time.monotonic()
