"""Title phrases before a person ("US National Security Adviser", "Chief of Army Staff (COAS)
General") that the model tags as organisations: found in the text and taken out of the mentions,
keeping a place that starts one ("US")."""

from __future__ import annotations

import re
from collections import Counter

from tasks.extract.names import ROLE_WORDS, SERVICE_WORDS, TITLE_JOINERS, TITLE_WORDS
from tasks.extract.span_index import SpanIndex
from tasks.models import EntityMention

PERSON = "PERSON"
_TOKEN = re.compile(r"\(\s*[A-Z][A-Za-z&.]{1,9}\s*\)|[\w.'’&-]+")
_WORD = re.compile(r"[\w.'’&-]+")
_SPACED = re.compile(r"\S+")

Definitions = dict[str, tuple[int, int]]


def title_spans(text: str, mentions: list[EntityMention]) -> list[tuple[int, int]]:
    """The title words right before each person ("Chief of Army Staff (COAS) General" before
    "Raheel Sharif"), as character spans; a bracketed acronym may sit among them."""
    spans: list[tuple[int, int]] = []
    for mention in mentions:
        if mention.label != PERSON:
            continue
        tokens = list(_TOKEN.finditer(text, max(0, mention.start - 120), mention.start))
        found: list[tuple[int, int]] = []
        for token in reversed(tokens):
            if text[token.end() : (found[-1][0] if found else mention.start)].strip(" ,"):
                break
            word = token.group().casefold().rstrip(".")
            if (
                word in TITLE_WORDS
                or (word in SERVICE_WORDS and found)
                or token.group().startswith("(")
                or (word in TITLE_JOINERS and found)
            ):
                found.append((token.start(), token.end()))
            else:
                break
        while found and not text[found[-1][0]].isalpha():
            found.pop()  # never start a title at a bracket or a joiner
        while found and text[found[-1][0] : found[-1][1]].casefold() in TITLE_JOINERS:
            found.pop()
        if any(_is_role(text[s:e]) for s, e in found):
            spans.extend(found)
    return spans


def drop_titles(
    text: str, mentions: list[EntityMention], definitions: Definitions
) -> tuple[list[EntityMention], Definitions]:
    """Remove title phrases the model tagged as names; keep a place that starts one ("US" of
    "US National Security Adviser"). Acronyms of titles ("NSA", "COAS") stop being entities."""
    spans = title_spans(text, mentions)
    if not spans:
        return mentions, definitions
    titles = SpanIndex(spans)
    title_acronyms = {acr for acr, (s, e) in definitions.items() if _covered(s, e, titles, text)}
    labels: dict[str, str] | None = None  # counted only if a mention is cut
    kept: list[EntityMention] = []
    for mention in mentions:
        if mention.label == PERSON:
            kept.append(mention)
            continue
        if mention.text in title_acronyms:
            continue
        if not titles.overlapping(mention.start, mention.end):
            kept.append(mention)  # touches no title: neither inside one nor cut by one
            continue
        if _covered(mention.start, mention.end, titles, text):
            continue
        words = list(_SPACED.finditer(mention.text))
        cut = len(words)
        while cut > 1 and titles.covers(
            mention.start + words[cut - 1].start(), mention.start + words[cut - 1].end()
        ):
            cut -= 1
        if cut == len(words) or not any(_is_role(w.group()) for w in words[cut:]):
            kept.append(mention)
            continue
        end = mention.start + words[cut - 1].end()
        head = text[mention.start : end]
        if labels is None:
            labels = _labels_by_text(mentions)
        label = labels.get(head) or mention.label
        kept.append(EntityMention(text=head, label=label, start=mention.start, end=end))
    remaining = {acr: span for acr, span in definitions.items() if acr not in title_acronyms}
    return kept, remaining


def _is_role(word: str) -> bool:
    return word.casefold().rstrip(".") in ROLE_WORDS


def _covered(start: int, end: int, titles: SpanIndex, text: str) -> bool:
    """True when every word of text[start:end] lies inside one of the title spans."""
    words = list(_WORD.finditer(text[start:end]))
    return bool(words) and all(titles.covers(start + w.start(), start + w.end()) for w in words)


def _labels_by_text(mentions: list[EntityMention]) -> dict[str, str]:
    """The label most mentions of each text have."""
    votes: dict[str, Counter[str]] = {}
    for mention in mentions:
        votes.setdefault(mention.text, Counter())[mention.label] += 1
    return {text: counter.most_common(1)[0][0] for text, counter in votes.items()}
