"""repair_text is ftfy.fix_text (with our settings) plus dropping control characters, line for line.

It passes lines with nothing to fix (printable ASCII and the typographic marks of English news:
curly quotes, dashes, the ellipsis, the no-break space) through without calling ftfy; these tests
hold it to ftfy's own result on text made to hit the cases where that shortcut could go wrong:
entities (unescaped only until a line with markup), carriage returns, terminal escapes, control
characters, mojibake (of those very marks among them) and ligatures on the lines around clean ones.
"""

from __future__ import annotations

import ftfy
from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.clean.stage import _CONTROL, repair_text

PIECES = [
    "plain words",
    "Tom &amp; Jerry",
    "a <b> tag",
    "&lt;p&gt;",
    "\r\n",
    "\r",
    "\n",
    "\x1b[31mred\x1b[0m",
    "\x0c\x07",
    "Ã©tÃ©",
    "ﬁnal",
    "“curly”",
    "‘single’ – dash — and…",
    "\u00a0",
    "â€™",
    "â€œquoteâ€\x9d",
    "Â\u00a0",
    "Ã\u00a0",
    "café",
    "\u2028",
    "\x85",
    " ",
]


def _ftfy(text: str) -> str:
    fixed = ftfy.fix_text(text, normalization="NFC", uncurl_quotes=False, fix_character_width=False)
    return _CONTROL.sub("", fixed)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12), st.text(max_size=40))
def test_repair_text_is_ftfy_line_for_line(pieces: list[str], noise: str) -> None:
    text = "".join(pieces) + noise
    assert repair_text(text) == _ftfy(text)


# The marks the shortcut passes through, and the letters and marks their mojibake is made of.
MARKS = "ab .,'\"\t\n\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00a0"
TYPOGRAPHY = st.text(alphabet=MARKS + "âÃÂ€™œ\x9d", max_size=60)


@settings(max_examples=500, deadline=None)
@given(TYPOGRAPHY)
def test_repair_text_is_ftfy_on_typographic_marks_and_their_mojibake(text: str) -> None:
    assert repair_text(text) == _ftfy(text)


def test_repair_text_stops_unescaping_after_markup_as_ftfy_does() -> None:
    text = "Fish &amp; chips\nthe <b> tag\nSalt &amp; vinegar"
    assert repair_text(text) == _ftfy(text) == "Fish & chips\nthe <b> tag\nSalt &amp; vinegar"


def test_repair_text_mends_mojibake_after_an_ascii_line() -> None:
    assert repair_text("Plain line\r\nCafÃ© crÃ¨me") == "Plain line\nCafé crème"
