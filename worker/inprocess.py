"""``newsflow process``: the same stages in this process, no broker, in input order."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from tasks.dedup import DuplicateIndex
from tasks.errors import PermanentError
from tasks.models import CleanedArticle
from worker import stages
from worker.allocator import keep_freed_memory
from worker.settings import Settings
from worker.sources.files import SourceItem


def error_record(
    origin: str, stage: str, error_class: str, message: str, article_id: str | None = None
) -> dict[str, Any]:
    """The output line for an input that could not be processed."""
    return {
        "id": article_id,
        "origin": origin,
        "error": {"stage": stage, "class": error_class, "message": message},
    }


def process_items(items: Iterable[SourceItem], settings: Settings, jobs: int = 1) -> Iterator[dict[str, Any]]:
    """One output record per input item, in input order: a result, or an error record.

    With ``jobs`` > 1, batches of ``nlp_batch_size`` items run in that many processes (each loads
    the model once), a bounded window of batches at a time, and come back in input order.
    Duplicates are marked as the workers mark them, against the earlier records of this run (an
    in-memory index in this process, so the marks follow input order whatever ``jobs`` is).
    """
    outputs = _process_in_order(items, settings, jobs)
    if not settings.duplicate_detection:
        yield from outputs
        return
    index = DuplicateIndex(threshold=settings.near_duplicate_threshold)
    for output in outputs:
        if "error" not in output:
            found = index.check_and_add(str(output["id"]), str(output["text"]))
            if found is not None:
                output.update(found.fields())
        yield output


def _process_in_order(items: Iterable[SourceItem], settings: Settings, jobs: int) -> Iterator[dict[str, Any]]:
    keep_freed_memory(settings.allocator_keep_mb)  # before forking: the pool processes inherit it
    iterator = iter(items)
    batches = iter(lambda: list(islice(iterator, settings.nlp_batch_size)), [])
    if jobs <= 1:
        for batch in batches:
            yield from _process_batch(batch, settings)
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs) as pool:
        while window := list(islice(batches, 4 * jobs)):
            for outputs in pool.imap(_process_batch_list, [(batch, settings) for batch in window]):
                yield from outputs


def _process_batch_list(job: tuple[list[SourceItem], Settings]) -> list[dict[str, Any]]:
    batch, settings = job
    return list(_process_batch(batch, settings))


def _process_batch(batch: list[SourceItem], settings: Settings) -> Iterator[dict[str, Any]]:
    outputs: list[dict[str, Any] | None] = [None] * len(batch)
    cleaned: list[tuple[int, CleanedArticle]] = []
    for index, item in enumerate(batch):
        if item.error is not None:
            reason_class, _, message = item.error.partition(": ")
            outputs[index] = error_record(item.origin, "read", reason_class, message)
            continue
        record = item.record
        if isinstance(record, dict) and not record.get("enqueued_at"):
            record = {**record, "enqueued_at": stages.now_iso()}
        try:
            article = stages.run_clean(settings, record)
        except PermanentError as exc:
            record_id = item.record.get("id") if isinstance(item.record, dict) else None
            outputs[index] = error_record(item.origin, "clean", type(exc).__name__, str(exc), record_id)
            continue
        cleaned.append((index, article))
    extracted = stages.run_extract(settings, [article for _, article in cleaned])
    for (index, _), article in zip(cleaned, extracted, strict=True):
        summarised = stages.run_summarise(settings, article)
        outputs[index] = stages.finalise(summarised).model_dump(mode="json")
    for output in outputs:
        if output is not None:
            yield output
