"""``newsflow dlq``: inspect and re-drive the dead-letter stream."""

from __future__ import annotations

import re

import click

from worker.cli.common import cli_client, cli_settings, one_line_errors, say
from worker.escaping import json_text

_ENTRY_ID = re.compile(r"\d+-\d+")


def _check_entry_ids(entry_ids: tuple[str, ...]) -> None:
    """A usage error for anything that is not a stream entry id (Redis would only say it is invalid)."""
    for entry_id in entry_ids:
        if not _ENTRY_ID.fullmatch(entry_id):
            raise click.UsageError(f"{entry_id} is not a dead-letter entry id (like 1796041038706-0)")


@click.group()
def dlq() -> None:
    """Inspect and re-drive the dead-letter stream."""


@dlq.command("list")
@click.option(
    "-n", "--count", type=click.IntRange(1), default=50, show_default=True, help="Show at most this many."
)
@one_line_errors
def dlq_list(count: int) -> None:
    """One line per dead letter: entry id, stage, error class, article id, message."""
    from worker.stores.dead_letters import list_letters

    settings = cli_settings()
    client = cli_client(settings)
    entries = list_letters(client, settings, count)
    for entry in entries:
        f = entry.fields
        say(
            f"{entry.entry_id}  {f.get('stage', ''):<9} {f.get('error_class', ''):<18} "
            f"{f.get('article_id') or '-':<26} {f.get('error', '')[:100]}"
        )
    total = client.xlen(settings.dead_letter_stream)
    say(f"{total} dead letter(s)" + (f", {len(entries)} shown" if total > len(entries) else ""), err=True)


@dlq.command("show")
@click.argument("entry_id")
@one_line_errors
def dlq_show(entry_id: str) -> None:
    """Print one dead letter as JSON, with its payload."""
    from worker.stores.dead_letters import describe, get_letter

    _check_entry_ids((entry_id,))
    settings = cli_settings()
    entry = get_letter(cli_client(settings), settings, entry_id)
    if entry is None:
        raise click.ClickException(f"no dead letter {entry_id} in {settings.dead_letter_stream}")
    click.echo(json_text(describe(entry), indent=2))


@dlq.command("replay")
@click.argument("entry_ids", nargs=-1)
@click.option("--all", "replay_all", is_flag=True, help="Replay every dead letter.")
@one_line_errors
def dlq_replay(entry_ids: tuple[str, ...], replay_all: bool) -> None:
    """Send dead letters back into the pipeline at the stage that failed, and remove them."""
    from worker.app import create_app
    from worker.stores.dead_letters import replay

    if bool(entry_ids) == replay_all:
        raise click.UsageError("give entry ids or --all (not both)")
    _check_entry_ids(entry_ids)
    settings = cli_settings()
    report = replay(
        cli_client(settings), settings, create_app(settings), None if replay_all else list(entry_ids)
    )
    say(report.summary())


@dlq.command("purge")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@one_line_errors
def dlq_purge(yes: bool) -> None:
    """Delete every dead letter."""
    from worker.stores.dead_letters import purge

    settings = cli_settings()
    client = cli_client(settings)
    if not yes:
        click.confirm(f"delete every entry of {settings.dead_letter_stream}?", abort=True)
    say(f"purged {purge(client, settings)} dead letter(s)")
