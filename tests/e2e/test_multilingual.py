"""The multilingual page set through a real worker: from files with `enqueue DIR`, and fetched from a
loopback site that declares each page's charset only in its Content-Type header."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RunningWorker, run_cli, wait_until
from tests.httpsite import Route, Site
from tests.multilingual import CODECS, SAMPLES, Variant, all_variants, expected_text, page, write_files

pytestmark = pytest.mark.e2e


def results_where(env: dict[str, str], field: str, wanted: set[str]) -> dict[str, dict[str, Any]]:
    """The published results whose ``field`` is one of ``wanted``, by that field."""
    run = run_cli(env, "results")
    assert run.returncode == 0, run.stderr
    found = {}
    for line in run.stdout.splitlines():
        record = json.loads(line)
        if record.get(field) in wanted:
            found[record[field]] = record
    return found


def differences(results: dict[str, dict[str, Any]], variants: dict[str, Variant]) -> dict[str, Any]:
    """What came out differently from the variant's sample (text, language, title), by key."""
    return {
        key: (record["text"][:60], record.get("language"), record.get("title"))
        for key, record in results.items()
        if (record["text"], record.get("language"), record.get("title"))
        != (expected_text(variants[key].sample), variants[key].sample.language, variants[key].sample.title)
    }


def test_every_declared_variant_enqueued_from_files_is_published_as_written(
    running_worker: RunningWorker, tmp_path: Path
) -> None:
    written = write_files(tmp_path / "pages", [v for v in all_variants() if v.declared])
    queued = run_cli(running_worker.env, "enqueue", str(tmp_path / "pages"))
    assert queued.returncode == 0, queued.stderr
    assert queued.stdout.startswith(f"queued {len(written)}, duplicates skipped 0, rejected 0"), queued.stdout
    origins = set(written)

    def all_published() -> bool:
        return len(results_where(running_worker.env, "origin", origins)) == len(origins)

    wait_until(all_published, 180, "every page of the set on the results stream", interval=1.0)
    assert differences(results_where(running_worker.env, "origin", origins), written) == {}


@pytest.fixture
def site() -> Iterator[Site]:
    with Site() as news:
        news.routes["/robots.txt"] = Route(b"User-agent: *\nAllow: /\n", content_type="text/plain")
        yield news


def test_pages_whose_charset_is_only_in_the_http_header_are_fetched_and_published_as_written(
    running_worker: RunningWorker, site: Site, tmp_path: Path
) -> None:
    served: dict[str, Variant] = {}
    for sample in SAMPLES:
        labels = (*sample.legacy, "utf-8")
        for label in labels:
            body = page(sample).encode(CODECS.get(label, label))  # no <meta>: only the header says
            path = f"/{sample.key}/{label}.html"
            site.routes[path] = Route(body, content_type=f"text/html; charset={label}")
            served[site.url(path)] = Variant(sample, "http", body, label)
    urls = tmp_path / "urls.txt"
    urls.write_text("\n".join(served) + "\n")
    env = {
        **running_worker.env,
        "NEWSFLOW_FETCH_HOST_INTERVAL_SECONDS": "0",
        "NEWSFLOW_FETCH_PER_HOST_CONCURRENCY": "4",
        # The coming fetch policy refuses loopback addresses unless allowed: this site is.
        "NEWSFLOW_FETCH_ALLOW_PRIVATE": f"{site.host}:{site.port}",
    }
    queued = run_cli(env, "enqueue", "--urls", str(urls))
    assert queued.returncode == 0, queued.stderr
    assert queued.stdout.startswith(f"queued {len(served)}, duplicates skipped 0, rejected 0"), queued.stdout

    def all_published() -> bool:
        return len(results_where(running_worker.env, "url", set(served))) == len(served)

    wait_until(all_published, 180, "every fetched page on the results stream", interval=1.0)
    assert differences(results_where(running_worker.env, "url", set(served)), served) == {}
