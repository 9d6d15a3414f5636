"""Sentence boundaries of the cleaned text: the model's, mended where news text trips it up."""

from __future__ import annotations

import re

from tasks.models import Span

_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’)\]]*\s*$")


def fix_sentences(text: str, bounds: list[tuple[int, int]]) -> list[Span]:
    """Sentences that never cross a paragraph break and never end without final punctuation
    inside a paragraph (the model splits "Chief of Army Staff (COAS) | General ...")."""
    pieces: list[tuple[int, int]] = []
    for start, end in bounds:
        for match in re.finditer(r"[^\n]+", text[start:end]):
            piece_start, piece_end = start + match.start(), start + match.end()
            if text[piece_start:piece_end].strip():
                pieces.append((piece_start, piece_end))
    merged: list[tuple[int, int]] = []
    for start, end in pieces:
        if merged:
            prev_start, prev_end = merged[-1]
            gap = text[prev_end:start]
            if "\n" not in gap and not _SENTENCE_END.search(text[prev_start:prev_end]):
                merged[-1] = (prev_start, end)
                continue
        merged.append((start, end))
    spans = [_strip_span(text, start, end) for start, end in merged]
    return [span for span in spans if span.end > span.start]


def _strip_span(text: str, start: int, end: int) -> Span:
    """The span without the white space at its ends."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start=start, end=end)


def split_sentences_plain(text: str) -> list[Span]:
    """Sentences by punctuation alone, for languages that have no model configured."""
    bounds = [(m.start(), m.end()) for m in re.finditer(r"[^.!?…\n]+(?:[.!?…]+[\"'”’)\]]*|\n|$)", text)]
    return fix_sentences(text, bounds)
