"""The extract stage: named entities, canonical entities, keyphrases, sentences and quotations.

Takes a spaCy pipeline as an argument (loaded once per process by ``worker.nlp``) and turns
every ``Doc`` into plain data before returning, inside ``nlp.memory_zone()`` so a long-running
worker does not grow its vocabulary forever. Imports no spaCy itself.

A long text goes through the model in pieces (``split_pieces``: cut after a paragraph where it
can), and each piece's entities and tokens are shifted by its offset before anything reads them,
so every span indexes the whole text. spaCy refuses a text over ``nlp.max_length`` (a million
characters) and its memory grows with the longest text of a batch: one 1.1-million-character
text in one piece took 3.1 GB, in pieces of 20,000 characters 0.25 GB, and no more time. The
pieces of a batch are fed to ``nlp.pipe`` a bounded number of characters at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from tasks.extract.canonical import canonicalise
from tasks.extract.dateline_place import resolve_dateline_place
from tasks.extract.keyphrases import NameSpan, rank_keyphrases
from tasks.extract.mentions import PLACE_LABELS, add_acronym_mentions, build_mentions, clean_mentions
from tasks.extract.quotes import SpeakerChoice, extract_quotes
from tasks.extract.sentences import fix_sentences, split_sentences_plain
from tasks.models import CanonicalEntity, CleanedArticle, EntityMention, ExtractedArticle, grow

__all__ = [
    "PLACE_LABELS",
    "ExtractOptions",
    "Language",
    "add_acronym_mentions",
    "clean_mentions",
    "extract_articles",
    "fix_sentences",
    "split_pieces",
    "split_sentences_plain",
]

# Entity types that can say what an article is about (not dates, amounts or numbers).
KEYPHRASE_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"}
)
# What keyphrase ranking reads of each token, as one array (far cheaper than token objects).
TOKEN_ATTRIBUTES = ["IDX", "LENGTH", "IS_STOP", "IS_ALPHA", "SENT_START"]


# Where a long text may be cut, best first: after a paragraph, a line, a sentence, a word.
_CUTS = ("\n\n", "\n", ". ", " ")


class Language(Protocol):
    """The part of a spaCy ``Language`` the extract stage uses."""

    max_length: int

    def pipe(self, texts: Iterable[str], batch_size: int = ...) -> Iterable[Any]: ...

    def memory_zone(self) -> Any: ...


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    """How the extract stage runs."""

    batch_size: int = 64
    max_entities: int = 2_000
    max_keyphrases: int = 10
    # A longer text goes through the model in pieces of at most this many characters (a news
    # article is 3,000 to 10,000: it stays whole).
    max_piece_chars: int = 20_000
    # At most this many characters go into one nlp.pipe batch (64 news articles are about 200,000).
    max_batch_chars: int = 300_000
    # Quotations and their speakers (English cue words: other languages get none).
    quotes: bool = True
    # Who speaks: "learned" (the rules' answer and the entities around each quotation, chosen by
    # ``speaker_choice``'s model) or "rules" (the rules alone).
    speakers: SpeakerChoice = "learned"


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
    limit = max(1, min(options.max_piece_chars, nlp.max_length))
    pieces = [split_pieces(article.text, limit) for article in articles]
    results: list[ExtractedArticle] = []
    with nlp.memory_zone():
        docs = _pipe(nlp, [piece for parts in pieces for _, piece in parts], options)
        for article, parts in zip(articles, pieces, strict=True):
            found = [_plain_doc(next(docs), offset) for offset, _ in parts]
            results.append(_from_pieces(article, found, options))
    return results


def split_pieces(text: str, limit: int) -> list[tuple[int, str]]:
    """The text as pieces of at most ``limit`` characters, each with its offset, that join back
    into the text: cut after a paragraph break in the piece's second half if there is one, else
    after a line break, a sentence end or a space, else (one unbroken run) at the limit."""
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > limit:
        end = start + limit
        for cut in _CUTS:
            found = text.rfind(cut, start + limit // 2, end)
            if found != -1:
                end = found + len(cut)
                break
        pieces.append((start, text[start:end]))
        start = end
    pieces.append((start, text[start:]))
    return pieces


def _pipe(nlp: Language, texts: list[str], options: ExtractOptions) -> Iterator[Any]:
    """``nlp.pipe`` over the texts, in batches of at most ``batch_size`` texts and
    ``max_batch_chars`` characters (a text longer than that alone)."""
    batch: list[str] = []
    chars = 0
    for text in texts:
        if batch and (len(batch) >= options.batch_size or chars + len(text) > options.max_batch_chars):
            yield from nlp.pipe(batch, batch_size=len(batch))
            batch, chars = [], 0
        batch.append(text)
        chars += len(text)
    if batch:
        yield from nlp.pipe(batch, batch_size=len(batch))


def _plain_doc(doc: Any, offset: int) -> tuple[list[tuple[int, int, str]], Any]:
    """A piece's entities and token attributes as plain data, offsets shifted into the whole text."""
    ents = [(ent.start_char + offset, ent.end_char + offset, ent.label_) for ent in doc.ents]
    tokens = doc.to_array(TOKEN_ATTRIBUTES).astype("int64").reshape(-1, len(TOKEN_ATTRIBUTES))
    tokens[:, 0] += offset
    if len(tokens):
        # A piece starts after a paragraph, a line or a sentence (or, inside a run of 10,000
        # characters with none of those, anywhere): a sentence starts there.
        tokens[0, 4] = 1
    return ents, tokens


def _from_pieces(
    article: CleanedArticle, pieces: list[tuple[list[tuple[int, int, str]], Any]], options: ExtractOptions
) -> ExtractedArticle:
    text = article.text
    raw = [ent for ents, _ in pieces for ent in ents]
    tokens: Any = pieces[0][1] if len(pieces) == 1 else np.concatenate([t for _, t in pieces])
    mentions, acronyms = build_mentions(text, raw)
    mentions = mentions[: options.max_entities]
    place = resolve_dateline_place(article.dateline)
    entities = canonicalise(mentions, acronyms, dateline_place=place)
    sentences = fix_sentences(text, _sentence_bounds(text, tokens))
    english = (article.language or "en").lower().startswith("en")
    quotes = (
        extract_quotes(text, sentences, mentions, entities, options.speakers)
        if options.quotes and english
        else []
    )
    return grow(
        ExtractedArticle,
        article,
        entities=mentions,
        canonical_entities=entities,
        keyphrases=rank_keyphrases(text, tokens, _names(mentions, entities), options.max_keyphrases),
        sentences=sentences,
        dateline_place=place,
        quotes=quotes,
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
