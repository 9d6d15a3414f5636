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


def unspoken(text: str, start: int, end: int) -> bool:
    """Whether nobody speaks the quotation at ``text[start:end]``: a quoted name or title, what a
    sign or a caption reads, or a song's words."""
    return (
        is_title(text[start:end].split())
        or bool(_LABEL_BEFORE.search(text, max(0, start - 90), start))
        or bool(_SUNG_AFTER.match(text, end, end + 40))
    )


def is_title(words: list[str]) -> bool:
    """A quoted name or title: at most five words, each capitalised or a joiner, no final stop."""
    if not words or len(words) > 5 or words[-1][-1] in ".?!,;:…":
        return False
    return words[0][0].isupper() and all(w[0].isupper() or w.lower() in _TITLE_JOINERS for w in words)
