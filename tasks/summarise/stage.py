"""The summarise stage: an extractive summary of whole sentences of the cleaned text.

Uses the sentence boundaries the extract stage found, so the text is never parsed twice. Where
a photo caption has run into a sentence, or the splitter missed a sentence end, the span is
split first (``tasks.summarise.caption_seams``). Sentences that should never be in a summary (captions,
bylines, "Click here", questions, context-less quotes, lists, fragments; ``tasks.summarise.sentence_filters``)
are skipped, and the rest are taken in article order up to the length budget: news puts its
most important sentences first, and on CNN/DailyMail no sentence scorer we measured (TextRank,
LexRank, a keyword/position scorer, a learned position/entity/keyphrase scorer under
cross-validation) chose better ones than that; see bench/summary_quality.py.

Work is bounded: spans are split and checked lazily, in order, and the walk stops as soon as the
budget is met, so a very long article costs little more than a short one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from tasks.models import ExtractedArticle, Sentence, SummarisedArticle, grow
from tasks.summarise.caption_seams import split_caption_seams
from tasks.summarise.sentence_filters import is_summary_worthy, word_count

__all__ = ["READS", "SummaryOptions", "is_summary_worthy", "select_sentences", "summarise_article"]

# The fields of the extracted article that ``summarise_article`` reads (besides ``text``).
READS = ("sentences",)

SHORT_ARTICLE_SENTENCES = 2


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
    return grow(
        SummarisedArticle,
        article,
        summary=" ".join(sentence.text for sentence in sentences),
        summary_sentences=sentences,
    )


def select_sentences(
    text: str, bounds: list[tuple[int, int]], options: SummaryOptions
) -> list[tuple[int, int]]:
    """The spans of the summary sentences, in article order.

    An article of one or two sentences is its own summary. Otherwise the summary-worthy
    sentences are taken in order until ``max_sentences`` or ``max_words`` is reached (the first
    one is taken whatever its length); when none is worthy, the first sentences are taken.
    """
    if len(bounds) <= SHORT_ARTICLE_SENTENCES:
        return list(bounds)
    chosen: list[tuple[int, int]] = []
    words = 0
    for start, end in _sentences(text, bounds):
        sentence = text[start:end]
        if not is_summary_worthy(sentence):
            continue
        length = word_count(sentence)
        if options.max_words is not None and chosen and words + length > options.max_words:
            break
        chosen.append((start, end))
        words += length
        if len(chosen) == options.max_sentences:
            break
    return chosen or _first(text, bounds, options)


def _sentences(text: str, bounds: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """The sentences with caption seams split, one extract-stage span at a time."""
    for span in bounds:
        yield from split_caption_seams(text, [span])


def _first(text: str, bounds: list[tuple[int, int]], options: SummaryOptions) -> list[tuple[int, int]]:
    """The leading sentences within the budget: the fallback when no sentence is worthy."""
    chosen: list[tuple[int, int]] = []
    words = 0
    for start, end in bounds[: options.max_sentences]:
        length = word_count(text[start:end])
        if options.max_words is not None and chosen and words + length > options.max_words:
            break
        chosen.append((start, end))
        words += length
    return chosen
