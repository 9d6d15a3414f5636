"""The ``newsflow`` command: worker, enqueue, process, results, status, demo (and ``dlq`` and ``web``,
in their own modules)."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from worker.cli.common import cli_client, cli_settings, one_line_errors, say
from worker.cli.dlq import dlq
from worker.cli.web import web
from worker.escaping import escape_json, json_text
from worker.settings import STAGES, Settings

BODY_ONLY_HELP = (
    "The files' texts are article bodies alone (no menus, share bars, footers): keep every line "
    "instead of looking for the article in them. A record's own body_only field wins."
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsflow")
def main() -> None:
    """newsflow: clean, extract, summarise and publish news articles through Redis and Celery."""
    from worker.runtime.logs import configure_logging

    configure_logging(os.environ.get("NEWSFLOW_LOG_LEVEL", "WARNING").upper(), json_lines=False)


@main.command(context_settings={"ignore_unknown_options": True})
@click.option(
    "-c",
    "--concurrency",
    type=click.IntRange(1),
    help="Pool processes (default: NEWSFLOW_CONCURRENCY, the CPU count).",
)
@click.option("-Q", "--queues", help="Comma-separated stages to consume (default: all four).")
@click.option("-n", "--hostname", help="Worker node name (default: newsflow@<host>-<pid>).")
@click.option(
    "--max-tasks-per-child",
    type=click.IntRange(1),
    help="Recycle a pool process after this many tasks.",
)
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def worker(
    concurrency: int | None,
    queues: str | None,
    hostname: str | None,
    max_tasks_per_child: int | None,
    celery_args: tuple[str, ...],
) -> None:
    """Start a worker (a thin wrapper over `celery -A worker.app worker`); extra options go to Celery."""
    settings = cli_settings()
    stages = [s.strip() for s in queues.split(",")] if queues else list(STAGES)
    unknown = [s for s in stages if s not in STAGES]
    if unknown:
        raise click.BadParameter(
            f"unknown stage(s) {', '.join(unknown)}; choose from {', '.join(STAGES)}",
            param_hint="--queues",
        )
    metrics_dir = _fresh_metrics_dir()
    argv = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "worker.app",
        "worker",
        "--loglevel",
        settings.log_level,
        "--concurrency",
        str(concurrency or settings.concurrency),
        "--queues",
        ",".join(settings.queue(stage) for stage in stages),
        "--hostname",
        hostname or f"newsflow@%h-{os.getpid()}",
        "--without-gossip",
        "--without-mingle",
    ]
    if max_tasks_per_child:
        argv += ["--max-tasks-per-child", str(max_tasks_per_child)]
    argv += list(celery_args)
    # SIGTERM starts Celery's soft shutdown: running tasks get NEWSFLOW_SHUTDOWN_TIMEOUT_SECONDS to
    # finish, then they are re-queued (acks_late) and the worker exits.
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "REMAP_SIGTERM": "SIGQUIT"}
    os.execvpe(sys.executable, argv, env)


def _fresh_metrics_dir() -> Path:
    """An empty directory for this worker's multiprocess metrics (wiped if it already exists)."""
    configured = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    path = Path(configured) if configured else Path(tempfile.gettempdir()) / f"newsflow-metrics-{os.getpid()}"
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def _items(sources: tuple[str, ...], settings: Settings, body_only: bool = False) -> Iterator[Any]:
    from worker.sources.files import SourceError, iter_source, marked_body_only

    for source in sources:
        try:
            items = iter_source(source, settings.max_input_bytes)
            yield from marked_body_only(items) if body_only else items
        except SourceError as exc:
            raise click.ClickException(str(exc)) from exc


def _duration(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    from worker.producers.enqueue import parse_duration

    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx, param) from exc


@main.command()
@click.argument("sources", nargs=-1)
@click.option("--feed", "feeds", multiple=True, metavar="URL", help="An RSS or Atom feed (repeatable).")
@click.option(
    "--feeds", "feed_lists", multiple=True, metavar="FILE", help="A file of feed URLs, one per line."
)
@click.option(
    "--urls", "url_lists", multiple=True, metavar="FILE", help="A file of article URLs, one per line."
)
@click.option("--body-only", is_flag=True, help=BODY_ONLY_HELP)
@click.option(
    "--every",
    callback=_duration,
    metavar="DURATION",
    help="Keep polling the feeds this often (e.g. 5m), until SIGTERM or Ctrl-C.",
)
@one_line_errors
def enqueue(  # click passes every option by name
    *,
    sources: tuple[str, ...],
    feeds: tuple[str, ...],
    feed_lists: tuple[str, ...],
    url_lists: tuple[str, ...],
    body_only: bool,
    every: float | None,
) -> None:
    """Queue articles from JSONL files, folders of .txt/.html files, - (stdin), article URLs and feeds."""
    from rich.console import Console

    from worker.producers.enqueue import EnqueueRequest, run_enqueue
    from worker.sources.files import SourceError

    if not (sources or feeds or feed_lists or url_lists):
        raise click.UsageError("nothing to enqueue: give files, --urls FILE, --feed URL or --feeds FILE")
    if every is not None and not (feeds or feed_lists):
        raise click.UsageError("--every polls feeds: give --feed URL or --feeds FILE with it")
    if body_only and not sources:
        raise click.UsageError("--body-only marks the texts of files: give JSONL files, folders or - with it")
    settings = cli_settings()
    client = cli_client(settings)
    request = EnqueueRequest(sources, url_lists, feeds, feed_lists, every, body_only)
    try:
        run_enqueue(request, settings, client, say, Console(stderr=True))
    except SourceError as exc:
        raise click.ClickException(str(exc)) from exc
    except KeyboardInterrupt:
        say("stopped", err=True)


@main.command()
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write JSONL here (default: stdout).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(0),
    default=1,
    show_default=True,
    help="Processes to run the stages in (0: one per CPU); output stays in input order.",
)
@click.option("--body-only", is_flag=True, help=BODY_ONLY_HELP)
@one_line_errors
def process(sources: tuple[str, ...], output: str | None, jobs: int, body_only: bool) -> None:
    """Run every stage here, without Redis, and write one JSON line per input record."""
    from worker.cli.process import process_items

    settings = cli_settings()
    handle = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
    done = failed = 0
    try:
        items = _items(sources, settings, body_only)
        for record in process_items(items, settings, jobs or (os.cpu_count() or 1)):
            handle.write(json_text(record) + "\n")
            if "error" in record:
                failed += 1
            else:
                done += 1
    finally:
        if output:
            handle.close()
    say(f"processed {done}, failed {failed}", err=True)


@main.command()
@click.option("-f", "--follow", is_flag=True, help="Keep printing results as they are published.")
@click.option("-n", "--count", type=click.IntRange(1), help="Print at most this many results.")
@click.option("--from", "start", default="-", help="Start at this stream entry id (default: the oldest).")
@click.option(
    "--group",
    help="Read as this consumer group (each result once per group), acking what is printed.",
)
@click.option("--consumer", default="cli", show_default=True, help="Consumer name within --group.")
@click.option(
    "--speaker",
    metavar="NAME",
    help="Only articles quoting this speaker (entity or mention, any case, whole words).",
)
@one_line_errors
def results(
    *, follow: bool, count: int | None, start: str, group: str | None, consumer: str, speaker: str | None
) -> None:
    """Print published results from the results stream as JSON lines."""
    import json

    from tasks.extract.quotes import quoted_speaker
    from worker.stores import stream

    settings = cli_settings()
    client = cli_client(settings)
    printed = 0
    name = settings.results_stream

    def emit(entry: stream.StreamEntry) -> bool:
        nonlocal printed
        data = entry.fields.get("data", "{}")
        if speaker is not None:
            quotes = json.loads(data).get("quotes") or []
            if not quoted_speaker(quotes, speaker):
                return False  # with --group it is acknowledged all the same: read, not wanted
        click.echo(escape_json(data))
        printed += 1
        return count is not None and printed >= count

    if group:
        while True:
            batch = stream.read_group(
                client,
                name,
                group,
                consumer=consumer,
                count=min(100, count or 100),
                block_ms=5000 if follow else None,
            )
            for entry in batch:
                stop = emit(entry)
                client.xack(name, group, entry.entry_id)
                if stop:
                    return
            if not batch and not follow:
                return
    last = start
    # With --speaker, --count counts what is printed: read on past the articles it skips.
    for entry in stream.read_range(client, name, start=start, count=None if speaker else count):
        last = entry.entry_id
        if emit(entry):
            return
    if follow:
        for entry in stream.follow(client, name, last_id=last if last != "-" else "0"):
            if emit(entry):
                return


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print as one JSON object.")
@one_line_errors
def status(as_json: bool) -> None:
    """Queue depths, workers alive, articles published, dead letters."""
    from worker.cli.status import read_status

    settings = cli_settings()
    report = read_status(settings, cli_client(settings))
    if as_json:
        click.echo(json_text(report))
        return
    say(f"redis        {report['redis']}")
    say(
        f"workers      {report['workers_alive']} alive"
        + (f" ({', '.join(report['workers'])})" if report["workers"] else "")
    )
    for stage, depth in report["queues"].items():
        say(f"queue        {stage:<10} {depth} waiting")
    say(f"published    {report['published']}")
    say(f"dead letters {report['dead_letters']}")


@main.command()
@click.option(
    "--samples",
    type=click.Path(exists=True, file_okay=False),
    help="Folder of articles (default: the bundled samples).",
)
@click.option(
    "--timeout",
    type=click.IntRange(10),
    default=300,
    show_default=True,
    help="Seconds to wait for the results.",
)
def demo(samples: str | None, timeout: int) -> None:
    """Start what is needed, push the sample articles through a worker, and show the results."""
    from worker.cli.demo import run_demo

    run_demo(Path(samples) if samples else None, timeout)


main.add_command(dlq)
main.add_command(web)
