"""Acronyms defined in the text: "the self-styled Islamic State (IS)" makes IS = Islamic State."""

from __future__ import annotations

import re

_DEFINITION = re.compile(r"\(\s*(?P<acronym>[A-Z][A-Za-z&.]{1,9})\s*\)")
_WORD = re.compile(r"[\w'’&.-]+")
MAX_LONG_FORM_WORDS = 8
# Acronyms linked per text, the first defined: each one's uses are searched for in the whole text,
# and a real article defines a handful (a hostile one could define thousands).
MAX_DEFINITIONS = 100


def find_acronym_definitions(text: str) -> dict[str, tuple[int, int]]:
    """Map each acronym defined as "Long Form (ACR)" to the character span of its long form."""
    found: dict[str, tuple[int, int]] = {}
    for match in _DEFINITION.finditer(text):
        acronym = match.group("acronym")
        letters = acronym.replace(".", "").replace("&", "")
        if sum(ch.isupper() for ch in letters) < 2 or acronym in found:
            continue
        span = _long_form_span(text, match.start(), letters)
        if span:
            found[acronym] = span
            if len(found) == MAX_DEFINITIONS:
                break
    return found


def _long_form_span(text: str, paren_start: int, letters: str) -> tuple[int, int] | None:
    """The shortest run of words before the parenthesis whose letters spell the acronym."""
    window_start = max(0, paren_start - 120)
    words = list(_WORD.finditer(text, window_start, paren_start))
    words = words[-MAX_LONG_FORM_WORDS:]
    for first in range(len(words) - 1, -1, -1):
        candidate = words[first:]
        if not candidate[0].group()[0].isupper():
            continue
        if _spells(letters.lower(), [w.group().lower() for w in candidate]):
            return candidate[0].start(), candidate[-1].end()
    return None


def _spells(letters: str, words: list[str]) -> bool:
    """True when the letters are the first letter of the first word, then an in-order subsequence
    of the words in which every capitalised-in-the-acronym word contributes its first letter."""
    if not letters or not words or words[0][0] != letters[0]:
        return False
    return _match(letters, 0, words, 0)


def _match(letters: str, li: int, words: list[str], wi: int) -> bool:
    if li == len(letters):
        return wi == len(words)
    if wi == len(words):
        return False
    word = words[wi]
    # A short function word ("of", "the") may be skipped.
    if word in {"of", "the", "and", "for", "&"} and _match(letters, li, words, wi + 1):
        return True
    if word[0] != letters[li]:
        return False
    # This word gives its first letter and then zero or more further letters, in order.
    positions = [li + 1]
    cursor = 1
    for k in range(li + 1, len(letters)):
        found = word.find(letters[k], cursor)
        if found < 0:
            break
        cursor = found + 1
        positions.append(k + 1)
    return any(_match(letters, p, words, wi + 1) for p in reversed(positions))
