"""``newsflow process``: the same stages in this process, no broker, in input order.

Exactly one output record per input item, whatever happens to it: an article, or an error record
naming the stage that failed (an unexpected exception included). One bad record never takes its
batch, its file or the run down with it.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Any

from tasks.clean.warm_up import warm_up_date_parser
from tasks.duplicates import DuplicateIndex
from tasks.models import CleanedArticle, ExtractedArticle
from worker import stages
from worker.runtime.allocator import keep_freed_memory
from worker.settings import Settings
from worker.sources.files import SourceItem

# An error record's message is cut to this many characters (an exception can quote its input).
MAX_ERROR_MESSAGE_CHARS = 1000


def error_record(
    origin: str, stage: str, error_class: str, message: str, article_id: str | None = None
) -> dict[str, Any]:
    """The output line for an input that could not be processed."""
    return {
        "id": article_id,
        "origin": origin,
        "error": {"stage": stage, "class": error_class, "message": message[:MAX_ERROR_MESSAGE_CHARS]},
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
    if jobs > 1 and settings.warm_up_date_parser:
        warm_up_date_parser()  # before forking too: once, not in every process's first HTML page
    iterator = iter(items)
    batches = iter(lambda: list(islice(iterator, settings.nlp_batch_size)), [])
    if jobs <= 1:
        for batch in batches:
            yield from _process_batch(batch, settings)
        return
    pool = _new_pool(jobs)
    try:
        while window := list(islice(batches, 4 * jobs)):
            pending = [(batch, pool.submit(_process_batch_list, (batch, settings))) for batch in window]
            while pending:
                batch, future = pending.pop(0)
                try:
                    yield from future.result()
                except BrokenProcessPool:
                    # A pool process died (a signal, the kernel's OOM killer): every batch in
                    # flight failed with it. This one runs alone, to tell whether it is the cause;
                    # the others go to a new pool.
                    pool.shutdown(wait=True, cancel_futures=True)
                    pool = _new_pool(jobs)
                    pending = [(b, pool.submit(_process_batch_list, (b, settings))) for b, _ in pending]
                    yield from _alone(batch, settings)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _new_pool(jobs: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"))


def _alone(batch: list[SourceItem], settings: Settings) -> list[dict[str, Any]]:
    """A batch in a process of its own; if that process dies too, each item alone, and an item that
    kills its process on its own gets an error record."""
    with _new_pool(1) as pool:
        try:
            return pool.submit(_process_batch_list, (batch, settings)).result()
        except BrokenProcessPool:
            pass
    if len(batch) > 1:
        return [output for item in batch for output in _alone([item], settings)]
    item = batch[0]
    return [
        _failed(
            item, "process", ProcessDied("the process handling this record died (a signal or out of memory)")
        )
    ]


class ProcessDied(Exception):
    """The process running a record died before it answered."""


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
            cleaned.append((index, stages.run_clean(settings, record)))
        except Exception as exc:  # any error of one record: its error line, the rest go on
            outputs[index] = _failed(item, "clean", exc)
    extracted = _extract_each(settings, [article for _, article in cleaned])
    for (index, _), result in zip(cleaned, extracted, strict=True):
        if isinstance(result, Exception):
            outputs[index] = _failed(batch[index], "extract", result)
            continue
        try:
            outputs[index] = stages.finalise(stages.run_summarise(settings, result)).model_dump(mode="json")
        except Exception as exc:
            outputs[index] = _failed(batch[index], "summarise", exc)
    for output in outputs:
        if output is not None:
            yield output


def _extract_each(settings: Settings, articles: list[CleanedArticle]) -> list[ExtractedArticle | Exception]:
    """The batch through one ``nlp.pipe``; if it fails, each article alone, to find the one that broke it."""
    try:
        return list(stages.run_extract(settings, articles))
    except Exception:
        results: list[ExtractedArticle | Exception] = []
        for article in articles:
            try:
                results.append(stages.run_extract(settings, [article])[0])
            except Exception as exc:
                results.append(exc)
        return results


def _failed(item: SourceItem, stage: str, exc: Exception) -> dict[str, Any]:
    record = item.record if isinstance(item.record, dict) else {}
    # The record's own origin (a file's path relative to its folder), as its result would carry.
    own = record.get("origin")
    origin = own if isinstance(own, str) else item.origin
    return error_record(origin, stage, type(exc).__name__, str(exc), record.get("id"))
