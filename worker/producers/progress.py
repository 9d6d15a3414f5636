"""The enqueue progress bar (rich), shown only when stderr is a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from worker.producers.producer import EnqueueReport

ProgressCallback = Callable[[EnqueueReport], None]


def _ignore(report: EnqueueReport) -> None:
    return None


@contextmanager
def progress_bar(console: Console, description: str, total: int | None = None) -> Iterator[ProgressCallback]:
    """A callback that moves a progress bar on ``console``; it does nothing when that is no terminal."""
    if not console.is_terminal:
        yield _ignore
        return
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn() if total is not None else TextColumn("{task.completed}"),
        TextColumn("{task.fields[counts]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(description, total=total, counts="")

        def update(report: EnqueueReport) -> None:
            progress.update(
                task,
                completed=report.handled,
                counts=(
                    f"queued {report.queued} · duplicates {report.duplicates} · "
                    f"rejected {sum(report.rejected.values())}"
                ),
            )

        yield update
