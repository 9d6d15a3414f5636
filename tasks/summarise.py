"""The summarise stage: an extractive summary of whole sentences of the cleaned text.

Uses the sentence boundaries the extract stage found, so the text is never parsed twice.
Sentences that should never be in a summary (captions, bylines, "Click here", questions,
fragments) are skipped; the rest are taken in article order up to the length budget.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tasks.models import ExtractedArticle, Sentence, SummarisedArticle

MIN_SENTENCE_WORDS = 6
_SKIP = re.compile(
    r"""^(?:click\ here|read\ more|sign\ up|subscribe|share\ this|advertisement|
        (?:photo|image|picture)s?\b|by\ [A-Z])""",
    re.IGNORECASE | re.VERBOSE,
)
_FINAL = re.compile(r"[.!…][\"'”’)\]]*$")


@dataclass(frozen=True, slots=True)
class SummaryOptions:
    """The length budget of a summary: at most this many sentences and (if set) words."""

    max_sentences: int = 3
    max_words: int | None = None


def summarise_article(article: ExtractedArticle, options: SummaryOptions | None = None) -> SummarisedArticle:
    """Summarise one article from its sentences."""
    options = options or SummaryOptions()
    chosen = select_sentences(article.text, [(s.start, s.end) for s in article.sentences], options)
    sentences = [Sentence(start=s, end=e, text=article.text[s:e]) for s, e in chosen]
    return SummarisedArticle(
        **article.model_dump(),
        summary=" ".join(sentence.text for sentence in sentences),
        summary_sentences=sentences,
    )


def is_summary_worthy(sentence: str) -> bool:
    """False for a sentence that should never be in a summary."""
    words = sentence.split()
    return (
        len(words) >= MIN_SENTENCE_WORDS
        and not _SKIP.match(sentence)
        and not sentence.rstrip("\"'”’) ").endswith("?")
        and bool(_FINAL.search(sentence))
    )


def select_sentences(
    text: str, bounds: list[tuple[int, int]], options: SummaryOptions
) -> list[tuple[int, int]]:
    """The spans of the summary sentences, in article order."""
    if len(bounds) <= 2:
        return bounds
    chosen: list[tuple[int, int]] = []
    words = 0
    for start, end in bounds:
        sentence = text[start:end]
        if not is_summary_worthy(sentence):
            continue
        length = len(sentence.split())
        if options.max_words is not None and chosen and words + length > options.max_words:
            break
        chosen.append((start, end))
        words += length
        if len(chosen) == options.max_sentences:
            break
    return chosen or bounds[: options.max_sentences]
