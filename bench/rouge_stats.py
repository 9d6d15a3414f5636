"""ROUGE scoring and the bootstrap confidence interval of a difference between two systems."""

from __future__ import annotations

import numpy as np
from rouge_score import rouge_scorer

METRICS = ("rouge1", "rouge2", "rougeL")
_SCORER = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)


def rouge_f1(reference: str, summary: str) -> np.ndarray:
    """ROUGE-1, -2 and -L F1 (x100) of one summary against its reference, with stemming."""
    if not summary.strip():
        return np.zeros(len(METRICS))
    scores = _SCORER.score(reference, summary)
    return np.array([scores[metric].fmeasure * 100 for metric in METRICS])


def score_all(references: list[str], summaries: list[str]) -> np.ndarray:
    """One row of ROUGE-1/2/L F1 per article."""
    return np.array([rouge_f1(ref, summary) for ref, summary in zip(references, summaries, strict=True)])


def bootstrap_difference(
    ours: np.ndarray, theirs: np.ndarray, resamples: int = 10_000, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean of (ours - theirs) per metric and its 95% bootstrap interval (low, high), by article."""
    differences = ours - theirs
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(differences), size=(resamples, len(differences)))
    means = differences[picks].mean(axis=1)
    return differences.mean(axis=0), np.percentile(means, 2.5, axis=0), np.percentile(means, 97.5, axis=0)
