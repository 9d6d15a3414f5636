"""The keyphrase rankers the bench compares: ours, the RAKE-like one it replaced, pytextrank
(TextRank over noun chunks, which needs the tagger and parser) and YAKE; the last two only when
the ``bench`` extra is installed."""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench import rake_baseline
from tasks.extract.canonical import canonicalise
from tasks.extract.keyphrases import rank_keyphrases
from tasks.extract.mentions import build_mentions
from tasks.extract.stage import TOKEN_ATTRIBUTES, ExtractOptions, _names, extract_articles
from tasks.models import CleanedArticle

BATCH = 64


@dataclass
class Ranker:
    """One keyphrase ranker: its phrases for texts and its extra cost per article."""

    name: str
    needs: str
    rank: Callable[[list[str]], list[list[str]]]
    cost_ms: Callable[[list[str]], float]


def available(nlp: Any, model: str) -> list[Ranker]:
    """Every ranker that can run here."""
    rankers = [
        Ranker(
            "ours: PositionRank over names and content-word runs", "senter+ner", _ours(nlp), _ours_cost(nlp)
        ),
        Ranker("before: RAKE-like", "senter+ner", _rake(nlp), _rake_cost(nlp)),
    ]
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # pytextrank prints a path on import
            import pytextrank  # noqa: F401
        import spacy
    except ImportError:
        print("(pytextrank not installed: pip install -e '.[bench]')")
    else:
        full = spacy.load(model)
        full.add_pipe("textrank")
        rankers.append(
            Ranker(
                "pytextrank 3 (TextRank, noun chunks)",
                "full pipeline + parser",
                _pytextrank(full),
                _pytextrank_cost(nlp, full),
            )
        )
    try:
        import yake
    except ImportError:
        print("(yake not installed: pip install -e '.[bench]')")
    else:
        extractor = yake.KeywordExtractor(lan="en", n=3, top=10)
        rankers.append(Ranker("YAKE (n<=3)", "none (own tokeniser)", _yake(extractor), _yake_cost(extractor)))
    return rankers


def _ours(nlp: Any) -> Callable[[list[str]], list[list[str]]]:
    def rank(texts: list[str]) -> list[list[str]]:
        articles = [CleanedArticle(id=str(i), text=t) for i, t in enumerate(texts)]
        return [
            [k.text for k in a.keyphrases]
            for a in extract_articles(nlp, articles, ExtractOptions(batch_size=BATCH))
        ]

    return rank


def _ours_cost(nlp: Any) -> Callable[[list[str]], float]:
    def cost(texts: list[str]) -> float:
        spent = 0.0
        with nlp.memory_zone():
            for doc in nlp.pipe(texts, batch_size=BATCH):
                raw = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
                mentions, acronyms = build_mentions(doc.text, raw)
                names = _names(mentions, canonicalise(mentions, acronyms))
                started = time.perf_counter()
                tokens = doc.to_array(TOKEN_ATTRIBUTES).astype("int64").tolist()
                rank_keyphrases(doc.text, tokens, names)
                spent += time.perf_counter() - started
        return 1000 * spent / len(texts)

    return cost


def _rake_words(doc: Any) -> list[rake_baseline.Word]:
    return [rake_baseline.Word(t.text, t.is_stop, t.is_alpha, t.is_sent_start) for t in doc]


def _rake(nlp: Any) -> Callable[[list[str]], list[list[str]]]:
    def rank(texts: list[str]) -> list[list[str]]:
        with nlp.memory_zone():
            return [
                [k.text for k in rake_baseline.rank_keyphrases(_rake_words(d))]
                for d in nlp.pipe(texts, batch_size=BATCH)
            ]

    return rank


def _rake_cost(nlp: Any) -> Callable[[list[str]], float]:
    def cost(texts: list[str]) -> float:
        spent = 0.0
        with nlp.memory_zone():
            for doc in nlp.pipe(texts, batch_size=BATCH):
                started = time.perf_counter()
                rake_baseline.rank_keyphrases(_rake_words(doc))
                spent += time.perf_counter() - started
        return 1000 * spent / len(texts)

    return cost


def _pytextrank(full: Any) -> Callable[[list[str]], list[list[str]]]:
    def rank(texts: list[str]) -> list[list[str]]:
        with full.memory_zone():
            return [[p.text for p in d._.phrases[:10]] for d in full.pipe(texts, batch_size=BATCH)]

    return rank


def _pytextrank_cost(nlp: Any, full: Any) -> Callable[[list[str]], float]:
    def cost(texts: list[str]) -> float:
        started = time.perf_counter()
        with nlp.memory_zone():
            list(nlp.pipe(texts, batch_size=BATCH))
        base = time.perf_counter() - started
        started = time.perf_counter()
        with full.memory_zone():
            for doc in full.pipe(texts, batch_size=BATCH):
                _ = doc._.phrases[:10]
        return 1000 * (time.perf_counter() - started - base) / len(texts)

    return cost


def _yake(extractor: Any) -> Callable[[list[str]], list[list[str]]]:
    def rank(texts: list[str]) -> list[list[str]]:
        return [[k for k, _ in extractor.extract_keywords(t)] for t in texts]

    return rank


def _yake_cost(extractor: Any) -> Callable[[list[str]], float]:
    def cost(texts: list[str]) -> float:
        started = time.perf_counter()
        for text in texts:
            extractor.extract_keywords(text)
        return 1000 * (time.perf_counter() - started) / len(texts)

    return cost
