"""repair_text is ftfy.fix_text (with our settings) plus dropping control characters, line for line.

It passes ASCII lines with nothing to fix through without calling ftfy; these tests hold it to
ftfy's own result on text made to hit the cases where that shortcut could go wrong: entities
(unescaped only until a line with markup), carriage returns, terminal escapes, control
characters, mojibake and ligatures on the lines around ASCII ones.
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


def test_repair_text_stops_unescaping_after_markup_as_ftfy_does() -> None:
    text = "Fish &amp; chips\nthe <b> tag\nSalt &amp; vinegar"
    assert repair_text(text) == _ftfy(text) == "Fish & chips\nthe <b> tag\nSalt &amp; vinegar"


def test_repair_text_mends_mojibake_after_an_ascii_line() -> None:
    assert repair_text("Plain line\r\nCafÃ© crÃ¨me") == "Plain line\nCafé crème"
