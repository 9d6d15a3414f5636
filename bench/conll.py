"""CoNLL-2003 documents as text with gold entity spans, and entity-level scoring.

Each document's tokens are joined with single spaces and its sentences with newlines, so every
token has known character offsets; a predicted entity is mapped onto the tokens its characters
overlap and counts as correct only when its first and last token and its type match a gold
entity exactly (the conlleval rule).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

TYPES = ("PER", "ORG", "LOC", "MISC")

# spaCy (OntoNotes) labels to CoNLL types; the rest (DATE, TIME, PERCENT, MONEY, QUANTITY,
# ORDINAL, CARDINAL) are not annotated in CoNLL and are dropped.
SPACY_TO_CONLL = {
    "PERSON": "PER",
    "ORG": "ORG",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "NORP": "MISC",
    "EVENT": "MISC",
    "PRODUCT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
}

Entity = tuple[int, int, str]  # first token, last token (inclusive), CoNLL type


@dataclass
class Document:
    """One CoNLL document rebuilt as text."""

    text: str
    token_starts: list[int]
    token_ends: list[int]
    gold: set[Entity]
    words: int = 0


@dataclass
class Tally:
    """True positives, false positives and false negatives per type."""

    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)

    def add(self, gold: set[Entity], predicted: set[Entity]) -> None:
        """Count one document."""
        for _, _, kind in gold & predicted:
            self.tp[kind] += 1
        for _, _, kind in predicted - gold:
            self.fp[kind] += 1
        for _, _, kind in gold - predicted:
            self.fn[kind] += 1

    def prf(self, kind: str | None = None) -> tuple[float, float, float]:
        """Precision, recall and F1 of one type, or of all types together."""
        kinds = [kind] if kind else list(TYPES)
        tp = sum(self.tp[k] for k in kinds)
        fp = sum(self.fp[k] for k in kinds)
        fn = sum(self.fn[k] for k in kinds)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def read_documents(path: Path) -> list[Document]:
    """Every document of a CoNLL file (``-DOCSTART-`` blocks)."""
    documents: list[list[list[tuple[str, str]]]] = []
    sentence: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("-DOCSTART-"):
            documents.append([])
            continue
        if not line.strip():
            if sentence:
                documents[-1].append(sentence)
                sentence = []
            continue
        columns = line.split()
        sentence.append((columns[0], columns[-1]))
    if sentence:
        documents[-1].append(sentence)
    return [_build(sentences) for sentences in documents if sentences]


def _build(sentences: list[list[tuple[str, str]]]) -> Document:
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    tags: list[str] = []
    offset = 0
    for s_index, sentence in enumerate(sentences):
        if s_index:
            parts.append("\n")
            offset += 1
        for t_index, (token, tag) in enumerate(sentence):
            if t_index:
                parts.append(" ")
                offset += 1
            starts.append(offset)
            parts.append(token)
            offset += len(token)
            ends.append(offset)
            tags.append(tag)
    return Document(
        text="".join(parts), token_starts=starts, token_ends=ends, gold=_gold(tags), words=len(tags)
    )


def _gold(tags: list[str]) -> set[Entity]:
    entities: set[Entity] = set()
    start: int | None = None
    kind = ""
    for index, tag in enumerate([*tags, "O"]):
        inside = tag.startswith("I-") and start is not None and tag[2:] == kind
        if not inside and start is not None:
            entities.add((start, index - 1, kind))
            start = None
        if tag.startswith("B-") or (tag.startswith("I-") and start is None):
            start, kind = index, tag[2:]
    return entities


def to_tokens(document: Document, spans: list[tuple[int, int, str]]) -> set[Entity]:
    """Character spans with spaCy labels as CoNLL token entities (unmapped labels dropped)."""
    entities: set[Entity] = set()
    for start, end, label in spans:
        kind = SPACY_TO_CONLL.get(label)
        if kind is None:
            continue
        tokens = [
            i
            for i, (s, e) in enumerate(zip(document.token_starts, document.token_ends, strict=True))
            if s < end and start < e
        ]
        if tokens:
            entities.add((tokens[0], tokens[-1], kind))
    return entities
