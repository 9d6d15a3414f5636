"""Sentence boundaries of the cleaned text: the model's, mended where news text trips it up."""

from __future__ import annotations

import re

from tasks.models import Span

_LINE = re.compile(r"[^\n]+")
_CLOSERS = "\"'”’)]"
_FINAL_MARKS = tuple(".!?…:;")


def fix_sentences(text: str, bounds: list[tuple[int, int]]) -> list[Span]:
    """Sentences that never cross a paragraph break and never end without final punctuation
    inside a paragraph (the model splits "Chief of Army Staff (COAS) | General ...")."""
    pieces: list[tuple[int, int]] = []
    for start, end in bounds:
        sentence = text[start:end]
        if "\n" not in sentence:  # most are one line: the one piece, if it holds anything
            if sentence.strip():
                pieces.append((start, end))
            continue
        for match in _LINE.finditer(sentence):
            piece_start, piece_end = start + match.start(), start + match.end()
            if text[piece_start:piece_end].strip():
                pieces.append((piece_start, piece_end))
    merged: list[tuple[int, int]] = []
    for start, end in pieces:
        if merged:
            prev_start, prev_end = merged[-1]
            gap = text[prev_end:start]
            if "\n" not in gap and not _ends_a_sentence(text[prev_start:prev_end]):
                merged[-1] = (prev_start, end)
                continue
        merged.append((start, end))
    spans = [_strip_span(text, start, end) for start, end in merged]
    return [span for span in spans if span.end > span.start]


def _ends_a_sentence(piece: str) -> bool:
    r"""Final punctuation, then any closing quotes or brackets, then white space: what the pattern
    ``[.!?…:;]["'”’)\]]*\s*$`` finds in a piece (which holds no line break), without searching
    from every position."""
    return piece.rstrip().rstrip(_CLOSERS).endswith(_FINAL_MARKS)


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
