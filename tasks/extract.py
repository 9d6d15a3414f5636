"""The extract stage: named entities, canonical entities, keyphrases and sentences.

Takes a spaCy pipeline as an argument (loaded once per process by ``worker.nlp``) and turns
every ``Doc`` into plain data before returning, inside ``nlp.memory_zone()`` so a long-running
worker does not grow its vocabulary forever. Imports no spaCy itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from tasks.canonical import canonicalise
from tasks.dateline_place import resolve_dateline_place
from tasks.keyphrases import NameSpan, rank_keyphrases
from tasks.mentions import PLACE_LABELS, add_acronym_mentions, build_mentions, clean_mentions
from tasks.models import CanonicalEntity, CleanedArticle, EntityMention, ExtractedArticle, grow
from tasks.sentences import fix_sentences, split_sentences_plain

__all__ = [
    "PLACE_LABELS",
    "ExtractOptions",
    "Language",
    "add_acronym_mentions",
    "clean_mentions",
    "extract_articles",
    "fix_sentences",
    "split_sentences_plain",
]

# Entity types that can say what an article is about (not dates, amounts or numbers).
KEYPHRASE_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"}
)
# What keyphrase ranking reads of each token, as one array (far cheaper than token objects).
TOKEN_ATTRIBUTES = ["IDX", "LENGTH", "IS_STOP", "IS_ALPHA", "SENT_START"]


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
            grow(
                ExtractedArticle,
                article,
                sentences=split_sentences_plain(article.text),
                dateline_place=resolve_dateline_place(article.dateline),
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
    mentions, acronyms = build_mentions(text, raw)
    mentions = mentions[: options.max_entities]
    place = resolve_dateline_place(article.dateline)
    entities = canonicalise(mentions, acronyms, dateline_place=place)
    tokens = doc.to_array(TOKEN_ATTRIBUTES).astype("int64")
    sentences = fix_sentences(text, _sentence_bounds(text, tokens))
    return grow(
        ExtractedArticle,
        article,
        entities=mentions,
        canonical_entities=entities,
        keyphrases=rank_keyphrases(text, tokens, _names(mentions, entities), options.max_keyphrases),
        sentences=sentences,
        dateline_place=place,
    )


def _sentence_bounds(text: str, tokens: Any) -> list[tuple[int, int]]:
    """Sentence spans from the tokens' sentence-start flags (no ``Span`` objects needed)."""
    if len(tokens) == 0:
        return []
    flags = tokens[:, 4] == 1
    flags[0] = True
    starts: list[int] = tokens[flags, 0].tolist()
    return list(zip(starts, [*starts[1:], len(text)], strict=True))


def _names(mentions: list[EntityMention], entities: list[CanonicalEntity]) -> list[NameSpan]:
    """Every mention as keyphrase ranking sees it: under its entity's best name, or None for
    dates, amounts and numbers (which break phrases like stop words)."""
    names = {
        span.start: entity.name
        for entity in entities
        if entity.label in KEYPHRASE_LABELS
        for span in entity.mentions
    }
    return [(m.start, m.end, names.get(m.start)) for m in mentions]
