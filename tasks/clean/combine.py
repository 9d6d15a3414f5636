"""Combining two extractors' paragraphs by agreement: keep what both saw, and prose only one saw.

Readability and trafilatura fail differently: readability keeps captions, credits and "More
information:" stubs that sit inside the article block; trafilatura loses first paragraphs, keeps
comment threads or repeats the body. A paragraph of the primary candidate is kept when the
supporting candidate has (most of) it too, or when it reads like prose on its own: at least
``min_prose_words`` words ending like a sentence. Captions and stubs are rarely both.

Sometimes one extractor picks the wrong block altogether: readability a caption, a newsletter
notice or a list of teasers, while trafilatura holds the article (or the other way round). The
combination then keeps next to nothing, and ``choose_paragraphs`` falls back to the candidate
that holds the most running text, with trafilatura's lines cleaned of page furniture the way
flattened page text is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tasks.clean.words import ENDS_LIKE_A_SENTENCE, word_tokens

SHINGLE = 3
MIN_SUPPORT = 0.5
MIN_PROSE_WORDS = 15
# A line of running text (not a menu item, a credit or a button) has at least this many words.
RUNNING_TEXT_WORDS = 8
# The combination holds less than this share of the running text one extractor found: it is a
# stray block (a caption, a notice, a teaser), not the article.
STRAY_SHARE = 0.2
# readability's block is taken as it is, without asking trafilatura, when at least this share of
# its words stand in paragraphs that are prose on their own (which the combination keeps anyway).
SELF_EVIDENT_PROSE_SHARE = 0.9


def words(text: str) -> list[str]:
    """The lower-cased words of a text."""
    return [word.lower() for word in word_tokens(text)]


def _shingles(tokens: Sequence[str]) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1)}


def is_prose(paragraph: str, min_words: int = MIN_PROSE_WORDS) -> bool:
    """True for a paragraph long enough, and ending like a sentence, to stand on its own."""
    stripped = paragraph.rstrip()
    return len(word_tokens(stripped)) >= min_words and bool(ENDS_LIKE_A_SENTENCE.search(stripped))


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


def needs_support(primary: Sequence[str]) -> bool:
    """True when the primary candidate needs the support candidate: it is empty, or less than
    ``SELF_EVIDENT_PROSE_SHARE`` of its words are in paragraphs that are prose on their own.

    The combination keeps prose paragraphs whatever the support says; what the support decides is
    the fate of the short lines (captions, credits, subheadings) and whether the block is the
    article at all. A block that is nearly all prose is an article's body, and the few short lines
    in it are mostly its subheadings: asking a second extractor about them costs more than it wins.
    """
    counts = [len(word_tokens(paragraph)) for paragraph in primary]
    total = sum(counts)
    if not total:
        return True
    prose = sum(count for paragraph, count in zip(primary, counts, strict=True) if is_prose(paragraph))
    return prose < SELF_EVIDENT_PROSE_SHARE * total


def running_words(paragraphs: Sequence[str]) -> int:
    """Words in the paragraphs that are running text (``RUNNING_TEXT_WORDS`` words or more)."""
    counts = (len(word_tokens(paragraph)) for paragraph in paragraphs)
    return sum(count for count in counts if count >= RUNNING_TEXT_WORDS)


def choose_paragraphs(
    readable: Sequence[str],
    extracted: Sequence[str],
    clean_lines: Callable[[list[str]], list[str]],
) -> list[str]:
    """The article's paragraphs from readability's and trafilatura's candidates.

    Normally their combination (``combine_paragraphs``). When that holds less than
    ``STRAY_SHARE`` of the running text of the fuller candidate, the extractors disagree about
    where the article is, and the fuller one wins: trafilatura's lines through ``clean_lines``
    (they can carry teaser lists and menus from layout tables), readability's block as it is.
    """
    combined = combine_paragraphs(readable, extracted)
    from_readable, from_extracted = running_words(readable), running_words(extracted)
    if running_words(combined) >= STRAY_SHARE * max(from_readable, from_extracted):
        return combined
    if from_extracted >= from_readable:
        return clean_lines(list(extracted))
    return list(readable)
