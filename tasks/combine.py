"""Combining two extractors' paragraphs by agreement: keep what both saw, and prose only one saw.

Readability and trafilatura fail differently: readability keeps captions, credits and "More
information:" stubs that sit inside the article block; trafilatura loses first paragraphs, keeps
comment threads or repeats the body. A paragraph of the primary candidate is kept when the
supporting candidate has (most of) it too, or when it reads like prose on its own: at least
``min_prose_words`` words ending like a sentence. Captions and stubs are rarely both.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tasks.words import word_tokens

_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’»)\]]*$")
SHINGLE = 3
MIN_SUPPORT = 0.5
MIN_PROSE_WORDS = 15


def words(text: str) -> list[str]:
    """The lower-cased words of a text."""
    return [word.lower() for word in word_tokens(text)]


def _shingles(tokens: Sequence[str]) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1)}


def is_prose(paragraph: str, min_words: int = MIN_PROSE_WORDS) -> bool:
    """True for a paragraph long enough, and ending like a sentence, to stand on its own."""
    stripped = paragraph.rstrip()
    return len(word_tokens(stripped)) >= min_words and bool(_SENTENCE_END.search(stripped))


def combine_paragraphs(
    primary: Sequence[str], support: Sequence[str], min_prose_words: int = MIN_PROSE_WORDS
) -> list[str]:
    """The primary candidate's paragraphs that the support candidate confirms, or that are prose."""
    if not primary:
        return list(support)
    support_words = [words(paragraph) for paragraph in support]
    support_vocabulary = {word for tokens in support_words for word in tokens}
    support_shingles = set().union(*(_shingles(tokens) for tokens in support_words))
    kept = []
    for paragraph in primary:
        tokens = words(paragraph)
        if not tokens:
            continue
        if len(tokens) < SHINGLE:
            supported = all(word in support_vocabulary for word in tokens)
        else:
            shingles = _shingles(tokens)
            supported = len(shingles & support_shingles) >= MIN_SUPPORT * len(shingles)
        if supported or is_prose(paragraph, min_prose_words):
            kept.append(paragraph)
    return kept
