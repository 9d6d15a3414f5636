"""Words in every script: one way to count them for the clean stage's thresholds and line features.

Most scripts put spaces between words, and there a word is what it always was here: a run of
letters, digits and underscores (``\\w+``) or, for the length checks, a whitespace-separated
token. Chinese, Japanese, Thai, Lao, Khmer and Myanmar (Burmese) put no spaces between words: a
paragraph is one "word" to those rules. Runs of those scripts are split into words by ICU's word
break iterator (``icu4py``), which finds words in them with dictionaries (UAX #29 plus ICU's
dictionary segmentation); ICU is only asked when a text has such a run, so text in other scripts
is counted exactly as before. Combining marks belong to the word they sit on (Devanagari vowel
signs, Thai vowels, Arabic and Hebrew points), where ``re``'s ``\\w`` would break words at them.
"""

from __future__ import annotations

import re
from functools import lru_cache

import regex

# What ends a sentence, and the closing quotes and brackets that may follow it, in the scripts
# above too (CJK and full-width stops, Arabic and Urdu, Devanagari's danda): one list for the
# clean stage's "ends like a sentence" tests.
SENTENCE_STOPS = ".!?…。！？．؟۔।॥"
CLAUSE_STOPS = ":;：；"
CLOSERS = "\"'”’»)]」』）》〉"
# A line or paragraph ending like a sentence or a clause, closing quotes and brackets allowed.
ENDS_LIKE_A_SENTENCE = re.compile(f"[{re.escape(SENTENCE_STOPS + CLAUSE_STOPS)}][{re.escape(CLOSERS)}]*$")

# Scripts written without spaces between words; ー and 々 are "Common" but only ever in those runs.
_UNSPACED_CLASS = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\u30fc\u3005"
_UNSPACED = regex.compile(f"[{_UNSPACED_CLASS}]")
# Where a text needs more than re's \w+: a run without spaces, or a combining mark.
_NEEDS_UNICODE = regex.compile(rf"[{_UNSPACED_CLASS}\p{{M}}]")
# A quick look first (the regex module is slower): text with nothing but ASCII, Latin-1, Latin
# Extended, general punctuation and symbols (no combining marks there) needs no closer look.
_BEYOND_LATIN = re.compile("[^\x00-\u02ff\u2000-\u20cf\u2100-\u2bff]")
# re's \w (letters, digits of any kind, underscore) with the combining marks that follow them,
# which re leaves out (a mark after anything else, like an emoji's variation selector, is no word).
_TOKEN = regex.compile(r"(?:[\p{L}\p{N}_]\p{M}*)+")
_SIMPLE_TOKEN = re.compile(r"\w+")
_PIECE = regex.compile(rf"[{_UNSPACED_CLASS}\p{{M}}]+|[^{_UNSPACED_CLASS}]+")
_WORDLIKE = regex.compile(r"[\p{L}\p{N}]")
# ICU holds a dictionary break iterator per call; the same run is counted many times on one page.
_CACHE_SIZE = 4096


def word_tokens(text: str) -> list[str]:
    """The words of a text: ``\\w+`` runs, with runs of unspaced scripts split into their words."""
    if text.isascii() or not _BEYOND_LATIN.search(text) or not _NEEDS_UNICODE.search(text):
        return _SIMPLE_TOKEN.findall(text)
    tokens: list[str] = []
    for token in _TOKEN.findall(text):
        if _UNSPACED.search(token):
            tokens.extend(_split_unspaced(token))
        else:
            tokens.append(token)
    return tokens


def count_words(text: str) -> int:
    """How many words a text has: whitespace-separated tokens, each unspaced run counted in words."""
    if text.isascii() or not _BEYOND_LATIN.search(text) or not _UNSPACED.search(text):
        return len(text.split())
    return sum(max(1, len(word_tokens(token))) if _UNSPACED.search(token) else 1 for token in text.split())


def _split_unspaced(token: str) -> list[str]:
    words: list[str] = []
    for piece in _PIECE.findall(token):
        if _UNSPACED.search(piece):
            words.extend(_icu_words(piece))
        else:
            words.append(piece)
    return words


@lru_cache(maxsize=_CACHE_SIZE)
def _icu_words(run: str) -> tuple[str, ...]:
    from icu4py.breakers import WordBreaker  # loaded on the first unspaced text only

    return tuple(word for word in WordBreaker(run, "und") if _WORDLIKE.search(word))
