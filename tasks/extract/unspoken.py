"""Quotations nobody speaks: a quoted name or title, what a sign or a caption reads, a song's words.

Such a quotation is a ``scare`` quotation with no speaker, even when a cue word stands by ("a
banner read: ‘…’", "‘…,’ he sang"), as the hand labels have it (``bench/data/quotes/README.md``).
"""

from __future__ import annotations

import re

_TITLE_JOINERS = {"of", "the", "a", "an", "and", "in", "on", "with", "to", "for", "&"}
_LABEL_BEFORE = re.compile(
    r"(?:\b(?:banner|sign|placard|poster|caption|slogan|t-shirt)\b[^.!?‘“'\"]{0,60}\b"
    r"(?:read|reads|reading)|\b(?:caption|captioned|subject line|slogan|hashtag)|\b(?:sang|sings|singing))"
    r"\s*:?\s*[‘“'\"]$",
    re.IGNORECASE,
)
_SUNG_AFTER = re.compile(
    r"[’'\"”]?[,.!?]?[’'\"”]?\s+(?:he|she|they|(?:[A-Z][\w'’-]+\s+){0,2}[A-Z][\w'’-]+)\s+"
    r"(?:sang|sings|crooned|rapped)\b"
)


# A quotation that is an item of a list of quotations: a closing mark, a comma or "and"/"or",
# and an opening mark stand on one side of it ("including “A,” “B” and “C”").
_ITEM_AFTER = re.compile(r"\s*[”\"’'],?\s+(?:(?:and|or)\s+)?[“\"‘']")
_ITEM_BEFORE = re.compile(r"[”\"’'],?\s+(?:(?:and|or)\s+)?[“\"‘']\s*$")
# At most this many words in a title; more when every word is capitalised and it is listed.
_TITLE_WORDS, _LISTED_TITLE_WORDS = 5, 8


def unspoken(text: str, start: int, end: int) -> bool:
    """Whether nobody speaks the quotation at ``text[start:end]``: a quoted name or title, what a
    sign or a caption reads, or a song's words."""
    listed = bool(
        _ITEM_AFTER.match(text, end, end + 12) or _ITEM_BEFORE.search(text, max(0, start - 12), start)
    )
    return (
        is_title(text[start:end].split(), listed)
        or bool(_LABEL_BEFORE.search(text, max(0, start - 90), start))
        or bool(_SUNG_AFTER.match(text, end, end + 40))
    )


def is_title(words: list[str], listed: bool = False) -> bool:
    """A quoted name or title: at most five words, each capitalised or a joiner, no final stop.
    An item of a list of quotations may end in the list's comma or the sentence's stop (American
    style puts them inside the marks: “Listen To The Music,” “Black Water.”) and run to eight
    words when every word is capitalised."""
    if listed and len(words) > 1 and words[-1].endswith((",", ".")):
        words = [*words[:-1], words[-1][:-1]]
    capitalised = all(w[:1].isupper() for w in words)
    limit = _LISTED_TITLE_WORDS if listed and capitalised else _TITLE_WORDS
    if not words or not words[-1] or len(words) > limit or words[-1][-1] in ".?!,;:…":
        return False
    return words[0][0].isupper() and all(w[0].isupper() or w.lower() in _TITLE_JOINERS for w in words)
