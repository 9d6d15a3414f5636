"""Zero-width joiners (U+200C ZWNJ, U+200D ZWJ) kept through the HTML readers that drop them.

Persian, Kurdish and Urdu write a zero-width non-joiner inside words ("می‌خواهم", "کتاب‌ها"), Indic
scripts and emoji sequences a zero-width joiner. trafilatura drops every character that is not
printable (``str.isprintable``), and these are format characters, which are not: the words would
come out glued ("میخواهم"), and trafilatura's paragraphs would no longer match readability's.
So a page that has joiners is read with each one replaced by a letter the page does not use
(``shield_joiners``), and the letters are turned back into joiners in what comes out
(``Joiners.restore``). Pages without joiners, nearly all of them, are read as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NON_JOINER, JOINER = "\u200c", "\u200d"
# Each joiner as an HTML character reference (named, decimal, hex).
_NON_JOINER_REFERENCE = r"&zwnj;|&#0*8204;|&#[xX]0*200[cC];"
_JOINER_REFERENCE = r"&zwj;|&#0*8205;|&#[xX]0*200[dD];"
# Each joiner as a character or as a reference, told apart by the group that matched.
_REFERENCES = re.compile(
    rf"(?P<non_joiner>\u200c|{_NON_JOINER_REFERENCE})|(?P<joiner>\u200d|{_JOINER_REFERENCE})"
)
# Either joiner as a reference alone: every alternative starts with "&", so one pass is cheap (48 µs
# on an average 190 KB page, where searching for "&zw" and then for numeric references took 200).
_REFERENCE = re.compile(f"{_NON_JOINER_REFERENCE}|{_JOINER_REFERENCE}")
# Stand-ins: letters of Mende Kikakui (Unicode 7.0), printable, never whitespace or punctuation,
# in no script a news page here is written in; two the page does not use are taken.
_STAND_INS = tuple(chr(code) for code in range(0x1E800, 0x1E8C5))


@dataclass(frozen=True, slots=True)
class Joiners:
    """The two letters standing in for the joiners while a page is read."""

    non_joiner: str
    joiner: str

    def restore(self, text: str | None) -> str | None:
        """The text with the stand-ins turned back into joiners."""
        if not text:
            return text
        return text.replace(self.non_joiner, NON_JOINER).replace(self.joiner, JOINER)


def has_joiners(html: str) -> bool:
    """Whether the page holds a joiner, as a character or as a character reference."""
    return NON_JOINER in html or JOINER in html or _REFERENCE.search(html) is not None


def shield_joiners(html: str) -> tuple[str, Joiners | None]:
    """The page with its joiners replaced by stand-in letters, and the stand-ins (None, and the page
    as it is, when it has no joiner or uses every stand-in letter itself)."""
    if not has_joiners(html):
        return html, None
    free = (letter for letter in _STAND_INS if letter not in html)
    non_joiner, joiner = next(free, None), next(free, None)
    if non_joiner is None or joiner is None:
        return html, None
    stand_ins = Joiners(non_joiner, joiner)

    def stand_in(match: re.Match[str]) -> str:
        return non_joiner if match.group("non_joiner") else joiner

    return _REFERENCES.sub(stand_in, html), stand_ins
