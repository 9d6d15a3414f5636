"""The stages bound to settings: what the Celery tasks and ``newsflow process`` both call.

Each function takes and returns plain records, times itself into the article's ``timings``,
and leaves queues, retries and dead letters to its caller.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from tasks.clean.stage import CleanOptions, clean_article
from tasks.errors import InputTooLarge
from tasks.extract.stage import ExtractOptions, extract_articles
from tasks.models import (
    CleanedArticle,
    ExtractedArticle,
    PublishedArticle,
    SummarisedArticle,
    grow,
    parse_record,
)
from tasks.summarise.stage import SummaryOptions, summarise_article
from worker import __version__
from worker.nlp import pipeline_for
from worker.settings import Settings

PIPELINE_VERSION = __version__


def now_iso() -> str:
    """The current time in UTC, ISO 8601 with microseconds."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def run_clean(settings: Settings, raw: Any) -> CleanedArticle:
    """Validate an input record and clean it."""
    started = time.perf_counter()
    record = parse_record(raw)
    size = len((record.html or record.text or "").encode("utf-8", errors="replace"))
    if size > settings.max_input_bytes:
        raise InputTooLarge(f"input is {size} bytes, over the limit of {settings.max_input_bytes}")
    cleaned = clean_article(
        record,
        CleanOptions(max_input_chars=settings.max_input_bytes, min_words=settings.min_article_words),
    )
    cleaned.timings["clean"] = round(time.perf_counter() - started, 6)
    return cleaned


def run_extract(settings: Settings, articles: Sequence[CleanedArticle]) -> list[ExtractedArticle]:
    """Extract entities from articles, one ``nlp.pipe`` batch per language, keeping their order."""
    options = ExtractOptions(batch_size=settings.nlp_batch_size, max_entities=settings.max_entities)
    by_language: dict[str | None, list[int]] = defaultdict(list)
    for index, article in enumerate(articles):
        by_language[article.language].append(index)
    # Models load before the clock starts: a first article should not be charged for loading.
    pipelines = {language: pipeline_for(settings, language) for language in by_language}
    started = time.perf_counter()
    results: list[ExtractedArticle | None] = [None] * len(articles)
    for language, indexes in by_language.items():
        nlp = pipelines[language]
        batch = [articles[i] for i in indexes]
        reason = None if nlp else f"no spaCy model configured for language {language!r}"
        for index, extracted in zip(indexes, extract_articles(nlp, batch, options, reason), strict=True):
            results[index] = extracted
    elapsed = (time.perf_counter() - started) / max(1, len(articles))
    done = [article for article in results if article is not None]
    for article in done:
        article.timings["extract"] = round(elapsed, 6)
    return done


def run_summarise(settings: Settings, article: ExtractedArticle) -> SummarisedArticle:
    """Summarise an extracted article."""
    started = time.perf_counter()
    options = SummaryOptions(max_sentences=settings.summary_sentences, max_words=settings.summary_words)
    summarised = summarise_article(article, options)
    summarised.timings["summarise"] = round(time.perf_counter() - started, 6)
    return summarised


def finalise(article: SummarisedArticle) -> PublishedArticle:
    """The output record of a summarised article, stamped with the time and pipeline version."""
    return grow(PublishedArticle, article, published_at=now_iso(), pipeline_version=PIPELINE_VERSION)
