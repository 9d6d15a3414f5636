"""The article view's text as segments: every entity mention, summary sentence, quotation and
speaker the output marks by offsets, resolved into flat runs of text the template wraps in spans.

Offsets are Python string indexes (code points) into the cleaned ``text``, so the split happens
here, not in the browser (JavaScript counts UTF-16 units). Marks may overlap (a mention inside a
quote inside a summary sentence); a run carries every mark that covers it, and a mark cut into
several runs keeps one index in all of them. A span that does not fit the text is dropped:
offsets come from the stream, and the stream is untrusted.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from worker.web.cards import clean_label, text_of

# The summary paragraph above the text is ``.summary``; a summary sentence inside it is ``.sum``.
_CLASS = {"summary": "sum"}


@dataclass(frozen=True, slots=True)
class Mark:
    """One marked span: ``kind`` is entity, summary, quote or speaker; ``index`` its place in its list."""

    start: int
    end: int
    kind: str
    index: int
    label: str = ""


@dataclass(slots=True)
class Segment:
    """A run of text and the marks that cover all of it."""

    text: str
    marks: list[Mark] = field(default_factory=list)

    @property
    def classes(self) -> str:
        """CSS classes of the run: ``ent ent-PERSON``, ``sum``, ``quote``, ``speaker``."""
        names: list[str] = []
        for mark in self.marks:
            if mark.kind == "entity":
                names += ["ent", f"ent-{mark.label}"]
            else:
                names.append(_CLASS.get(mark.kind, mark.kind))
        return " ".join(dict.fromkeys(names))

    @property
    def data(self) -> dict[str, str]:
        """``data-*`` attributes: the index of the entity, sentence, quote or speaker the run belongs to."""
        return {mark.kind: str(mark.index) for mark in self.marks}

    @property
    def title(self) -> str:
        """A tooltip naming the entity label, if the run is part of a mention."""
        return " ".join(m.label for m in self.marks if m.kind == "entity")


def _span(item: Any, length: int, start_key: str = "start", end_key: str = "end") -> tuple[int, int] | None:
    if not isinstance(item, dict):
        return None
    start, end = item.get(start_key), item.get(end_key)
    if type(start) is not int or type(end) is not int or not 0 <= start < end <= length:
        return None
    return start, end


def marks_of(article: dict[str, Any]) -> list[Mark]:
    """Every span of the article that fits its text: mentions, summary sentences, quotes, speakers."""
    text = article.get("text")
    length = len(text) if isinstance(text, str) else 0
    marks: list[Mark] = []
    for i, item in enumerate(article.get("entities") or []):
        if span := _span(item, length):
            marks.append(Mark(*span, "entity", i, clean_label(item.get("label", ""))))
    for i, item in enumerate(article.get("summary_sentences") or []):
        if span := _span(item, length):
            marks.append(Mark(*span, "summary", i))
    for i, item in enumerate(article.get("quotes") or []):
        if span := _span(item, length):
            marks.append(Mark(*span, "quote", i))
        if span := _span(item, length, "speaker_start", "speaker_end"):
            marks.append(Mark(*span, "speaker", i))
    return marks


def segments(text: str, marks: list[Mark]) -> list[Segment]:
    """``text`` cut at every mark's start and end; each run with the marks covering it, in order."""
    cuts = sorted({0, len(text), *(m.start for m in marks), *(m.end for m in marks)})
    starting: dict[int, list[Mark]] = {}
    for mark in marks:
        starting.setdefault(mark.start, []).append(mark)
    active: list[Mark] = []
    runs: list[Segment] = []
    for a, b in itertools.pairwise(cuts):
        active = [m for m in active if m.end > a] + starting.get(a, [])
        runs.append(Segment(text[a:b], sorted(active, key=lambda m: (m.kind, m.index))))
    return runs


def quotes_of(article: dict[str, Any]) -> list[dict[str, Any]]:
    """The article's quotations as the view lists them (empty when the output has none)."""
    rows = []
    for i, item in enumerate(article.get("quotes") or []):
        if not isinstance(item, dict) or not text_of(item.get("text")):
            continue
        rows.append(
            {
                "index": i,
                "text": text_of(item.get("text"), 5000),
                "speaker": text_of(item.get("speaker"), 300),
                "speaker_entity": text_of(item.get("speaker_entity"), 300),
                "cue": text_of(item.get("cue"), 100),
                "kind": text_of(item.get("kind"), 40),
            }
        )
    return rows
