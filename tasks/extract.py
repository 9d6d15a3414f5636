"""The extract stage: named entities, canonical entities, keyphrases and sentences.

Takes a spaCy pipeline as an argument (loaded once per process by ``worker.nlp``) and turns
every ``Doc`` into plain data before returning, inside ``nlp.memory_zone()`` so a long-running
worker does not grow its vocabulary forever. Imports no spaCy itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from tasks.acronyms import find_acronym_definitions
from tasks.canonical import PERSON, canonicalise
from tasks.keyphrases import Word, rank_keyphrases
from tasks.models import CleanedArticle, EntityMention, ExtractedArticle, Span
from tasks.names import TITLE_JOINERS, TITLE_WORDS

_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’)\]]*\s*$")
_POSSESSIVE = re.compile(r"(?:['’]s|s['’])$")
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})


class Language(Protocol):
    """The part of a spaCy ``Language`` the extract stage uses."""

    def pipe(self, texts: Iterable[str], batch_size: int = ...) -> Iterable[Any]: ...

    def memory_zone(self) -> Any: ...


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    """How the extract stage runs."""

    batch_size: int = 64
    max_entities: int = 2_000
    max_keyphrases: int = 10


def extract_articles(
    nlp: Language | None,
    articles: Sequence[CleanedArticle],
    options: ExtractOptions | None = None,
    skipped_reason: str | None = None,
) -> list[ExtractedArticle]:
    """Extract every article, batching them through ``nlp.pipe``.

    With ``nlp`` None (no model for the article's language) the articles pass through with
    ``entities_skipped`` set to ``skipped_reason``.
    """
    options = options or ExtractOptions()
    if nlp is None:
        return [
            ExtractedArticle(
                **article.model_dump(),
                sentences=split_sentences_plain(article.text),
                entities_skipped=skipped_reason or "no model for this language",
            )
            for article in articles
        ]
    results: list[ExtractedArticle] = []
    with nlp.memory_zone():
        docs = nlp.pipe((article.text for article in articles), batch_size=options.batch_size)
        for article, doc in zip(articles, docs, strict=True):
            results.append(_from_doc(article, doc, options))
    return results


def _from_doc(article: CleanedArticle, doc: Any, options: ExtractOptions) -> ExtractedArticle:
    text = article.text
    raw = [(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents]
    mentions = clean_mentions(text, raw)
    definitions = find_acronym_definitions(text)
    acronyms = {acr: text[start:end] for acr, (start, end) in definitions.items()}
    mentions = add_acronym_mentions(text, mentions, definitions)[: options.max_entities]
    words = [
        Word(
            text=token.text,
            is_stop=token.is_stop,
            is_alpha=token.is_alpha,
            sentence_start=token.is_sent_start,
        )
        for token in doc
    ]
    sentences = fix_sentences(text, [(sent.start_char, sent.end_char) for sent in doc.sents])
    return ExtractedArticle(
        **article.model_dump(),
        entities=mentions,
        canonical_entities=canonicalise(mentions, acronyms),
        keyphrases=rank_keyphrases(words, options.max_keyphrases),
        sentences=sentences,
        dateline_place=_dateline_place(article.dateline),
    )


def clean_mentions(text: str, raw: list[tuple[int, int, str]]) -> list[EntityMention]:
    """Trim "the", possessives and (for people) titles off mentions, and join split names."""
    trimmed: list[tuple[int, int, str]] = []
    for raw_start, raw_end, label in raw:
        start, end = _trim(text, raw_start, raw_end, label)
        if end > start:
            trimmed.append((start, end, label))
    joined: list[tuple[int, int, str]] = []
    for start, end, label in trimmed:
        if joined:
            prev_start, prev_end, prev_label = joined[-1]
            # "Hafiz Saeed" + "Khan Orakzai": two person spans a single space apart are one name.
            if label == prev_label == PERSON and text[prev_end:start] == " ":
                joined[-1] = (prev_start, end, label)
                continue
        joined.append((start, end, label))
    return [EntityMention(text=text[s:e], label=label, start=s, end=e) for s, e, label in joined]


def _trim(text: str, start: int, end: int, label: str) -> tuple[int, int]:
    span = text[start:end]
    # "World Health Organization (WHO": a bracket or quote the span opens but does not close.
    for opener, closer in (("(", ")"), ("[", "]"), ("“", "”"), ('"', '"')):
        at = span.find(opener)
        if at > 0 and closer not in span[at + 1 :]:
            end = start + len(span[:at].rstrip())
            span = text[start:end]
    possessive = _POSSESSIVE.search(span)
    if possessive and len(span) > 3:
        end -= len(possessive.group()) - (1 if possessive.group().startswith("s") else 0)
    lowered = text[start:end].lower()
    if lowered.startswith("the "):
        start += 4
    if label == PERSON:
        tokens = list(re.finditer(r"\S+", text[start:end]))
        skip = 0
        while skip < len(tokens) - 1:
            word = tokens[skip].group().lower().rstrip(".")
            if word in TITLE_WORDS or (skip and word in TITLE_JOINERS):
                skip += 1
            else:
                break
        if skip:
            start += tokens[skip].start()
    return start, end


def add_acronym_mentions(
    text: str, mentions: list[EntityMention], definitions: dict[str, tuple[int, int]]
) -> list[EntityMention]:
    """Add a mention for every use of a defined acronym the model did not tag."""
    added = list(mentions)
    for acronym, (long_start, long_end) in definitions.items():
        label = next(
            (m.label for m in mentions if m.start <= long_end and m.end >= long_start and m.label != PERSON),
            None,
        )
        if label is None:
            continue
        for match in re.finditer(rf"(?<![\w-]){re.escape(acronym)}(?![\w-])", text):
            if not any(m.start < match.end() and match.start() < m.end for m in added):
                added.append(EntityMention(text=acronym, label=label, start=match.start(), end=match.end()))
    added.sort(key=lambda m: m.start)
    return added


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


def _dateline_place(dateline: str | None) -> str | None:
    if not dateline:
        return None
    place = dateline.split(",")[0].strip()
    return place.title() if place.isupper() else place
