"""The article-extraction benchmark's scoring: word 4-gram shingles, per-page TP/FP/FN, mean P and R.

A re-implementation of the scoring that ``zyte_article_extraction/README.md`` describes: text is
tokenised with ``\\w+``, each text becomes a multiset of word 4-gram shingles, and per page TP, FP
and FN are the multiset overlaps, normalised to sum to 1. Precision is the mean over pages of
TP/(TP+FP) (pages with TP+FP = 0 skipped; 1.0 when FP = FN = 0), recall likewise with FN, and F1 is
the harmonic mean of the two means. Accuracy is the share of pages whose token lists are equal.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

_TOKEN = re.compile(r"\w+", re.UNICODE)
NGRAM = 4


@dataclass(frozen=True, slots=True)
class Score:
    """Benchmark scores of one system over a set of pages."""

    f1: float
    precision: float
    recall: float
    accuracy: float
    pages: int


def tokens(text: str) -> list[str]:
    """The benchmark's tokens: runs of word characters."""
    return _TOKEN.findall(text)


def shingles(text: str, n: int = NGRAM) -> Counter[tuple[str, ...]]:
    """The multiset of word n-gram shingles (a text shorter than n is one short shingle)."""
    words = tokens(text)
    grams = (tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1)))
    return Counter(gram for gram in grams if gram)


def page_counts(true: str, pred: str) -> tuple[float, float, float]:
    """TP, FP and FN of one page's shingles, normalised to sum to 1."""
    true_sh, pred_sh = shingles(true), shingles(pred)
    tp = sum((true_sh & pred_sh).values())
    fp = sum((pred_sh - true_sh).values())
    fn = sum((true_sh - pred_sh).values())
    total = tp + fp + fn
    if total == 0:
        return 0.0, 0.0, 0.0
    return tp / total, fp / total, fn / total


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fn)


def score(truth: Mapping[str, str], predicted: Mapping[str, str], ids: Iterable[str]) -> Score:
    """Score predicted texts against true texts over the given page ids (missing = empty)."""
    counts, exact = [], 0
    id_list = list(ids)
    for page in id_list:
        true, pred = truth[page], predicted.get(page, "") or ""
        counts.append(page_counts(true, pred))
        exact += tokens(true) == tokens(pred)
    precisions = [_precision(*c) for c in counts if c[0] + c[1] > 0]
    recalls = [_recall(*c) for c in counts if c[0] + c[2] > 0]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(f1, precision, recall, exact / len(id_list) if id_list else 0.0, len(id_list))
