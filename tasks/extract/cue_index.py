"""Where the cue words of one text stand, found once: the cue and salient-verb patterns are then
tried only at those words.

``CUE`` and ``SALIENT`` are long alternations that are slow to try at every character, and an
article's quotations ask for the cues of many short stretches (each attribution, each quotation's
sentence) and for every salient verb outside the quotations. A match can only open a word (the
patterns' look-behinds), and only a word that opens one of the alternatives, so ``CueIndex``
finds those words with one pass and answers each stretch with anchored matches: the same matches
``finditer`` gives over it, bounds included.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from tasks.extract.cue_words import CUE, SALIENT, SALIENT_VERBS, is_saying

_WORD_CHARS = re.compile(r"[A-Za-z]+")
# The first words of the cues and of the salient verbs (the cues are among the salient verbs).
_OPENERS = {alternative.split()[0].lower() for alternative in SALIENT_VERBS.split("|")}
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
# The characters that match an ASCII letter under re.IGNORECASE and are not ASCII themselves
# ("ſaid" is a cue to ``CUE``): a text holding one is searched with ``CUE`` itself.
FOLDS_TO_ASCII = "\u0130\u0131\u017f\u212a"
_FOLDS = re.compile(f"[{FOLDS_TO_ASCII}]")


def _trie(words: set[str]) -> str:
    """A pattern matching exactly ``words``, one branch per letter (an alternation of a hundred
    words is tried word by word at every character; this one a letter at a time)."""
    branches: dict[str, set[str]] = {}
    for word in words:
        if word:
            branches.setdefault(word[0], set()).add(word[1:])
    if not branches:
        return ""
    body = "|".join(re.escape(first) + _trie(rests) for first, rests in sorted(branches.items()))
    body = f"(?:{body})" if len(branches) > 1 else body
    return f"(?:{body})?" if "" in words else body


# The openers as whole words of a lowercased text: where the text's ASCII letter runs are openers
# (lowercasing keeps every offset and makes no ASCII letter out of another character, except
# for two of ``FOLDS_TO_ASCII``: texts holding those are read a word at a time).
_OPENER_WORDS = re.compile(rf"(?<![a-z])(?:{_trie(_OPENERS)})(?![a-z])")


class CueIndex:
    """The words of one text that may open a cue or a salient verb; ``cues``, ``find`` and
    ``salient_verbs`` give what ``CUE.finditer``, ``find_cues`` and ``SALIENT.finditer`` give
    between two offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._spans: list[tuple[int, int]] | None = None
        self._folds = _FOLDS.search(text) is not None
        if self._folds:
            self.starts = [w.start() for w in _WORD_CHARS.finditer(text) if w.group().lower() in _OPENERS]
        else:
            self.starts = [w.start() for w in _OPENER_WORDS.finditer(text.lower())]

    def cues(self, lo: int, hi: int) -> list[re.Match[str]]:
        """``list(CUE.finditer(text, lo, hi))``."""
        if self._folds:
            return list(CUE.finditer(self.text, lo, hi))
        return self._matches(CUE, lo, hi)

    def find(self, lo: int, hi: int) -> list[re.Match[str]]:
        """``find_cues(text, lo, hi)``: the cues used as verbs of saying."""
        return [cue for cue in self.cues(lo, hi) if is_saying(self.text, cue)]

    def salient_verbs(self, lo: int, hi: int) -> list[re.Match[str]]:
        """``list(SALIENT.finditer(text, lo, hi))`` (a pattern that minds case: no folds)."""
        return self._matches(SALIENT, lo, hi)

    def spans(self) -> list[tuple[int, int]]:
        """Every cue word of the whole text as (start, end), in order: what ``CUE.finditer``
        finds, with the pattern tried only at the indexed words (so a folded letter is not read
        as the ASCII one here, as it never was); found once."""
        if self._spans is None:
            found = (CUE.match(self.text, at) for at in self.starts)
            self._spans = [cue.span() for cue in found if cue]
        return self._spans

    def _matches(self, pattern: re.Pattern[str], lo: int, hi: int) -> list[re.Match[str]]:
        # A match opens a word in the index, or the word that ``hi`` cuts: ``finditer`` sees it
        # end there ("said" of "saidx" cut after "said").
        text = self.text
        lo, hi = max(0, lo), min(max(0, hi), len(text))  # as ``finditer`` reads them
        tries = self.starts[bisect_left(self.starts, lo) : bisect_left(self.starts, hi)]
        if lo < hi < len(text) and text[hi] in _ASCII_LETTERS and text[hi - 1] in _ASCII_LETTERS:
            cut = hi - 1
            while cut > lo and text[cut - 1] in _ASCII_LETTERS:
                cut -= 1
            if not tries or tries[-1] != cut:
                tries.append(cut)
        found: list[re.Match[str]] = []
        end = lo
        for at in tries:
            if at >= end and (match := pattern.match(text, at, hi)):
                found.append(match)
                end = match.end()
        return found
