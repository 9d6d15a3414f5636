"""A learned sentence scorer, cross-validated: does learning which sentences to pick beat the rules?

Each sentence (after the summariser's caption-seam split) gets the features of
``sentence_features``; its label says whether a greedy ROUGE oracle puts it in the best
3-sentence summary of its article. A standardised logistic regression (fixed C, fixed seed) is
trained on the summary-worthy sentences of k-1 folds and picks the top sentences of the
articles of the k-th fold, which it has never seen. Only these out-of-fold summaries are
reported. C was picked from a handful of values while exploring this same dev data, so if
anything the out-of-fold score flatters the model; it still does not beat the plain rules, so
the summariser does not ship it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
from rouge_stats import rouge_f1
from sentence_features import ArticleView, sentence_features
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from tasks.models import ExtractedArticle
from tasks.summarise.caption_seams import split_caption_seams
from tasks.summarise.sentence_filters import is_summary_worthy

REGULARISATION_C = 0.01


@dataclass
class Example:
    """One article as the learner sees it."""

    sentences: list[str]
    features: np.ndarray
    worthy: np.ndarray
    oracle: np.ndarray


def make_example(article: ExtractedArticle, reference: str, budget: int) -> Example:
    """Features, summary-worthiness and oracle labels of every sentence of an article."""
    spans = split_caption_seams(article.text, [(s.start, s.end) for s in article.sentences])
    view = ArticleView(article.text, spans, article.entities, article.canonical_entities, article.keyphrases)
    sentences = [article.text[start:end] for start, end in spans]
    return Example(
        sentences=sentences,
        features=np.array(sentence_features(view)).reshape(len(sentences), -1),
        worthy=np.array([is_summary_worthy(s) for s in sentences], dtype=bool),
        oracle=_greedy_oracle(sentences, reference, budget),
    )


def _greedy_oracle(sentences: list[str], reference: str, budget: int) -> np.ndarray:
    """1 for the sentences that greedily maximise ROUGE-1 + ROUGE-2 F1 against the reference."""
    chosen: list[int] = []
    best = 0.0
    for _ in range(min(budget, len(sentences))):
        gains = []
        for index in range(len(sentences)):
            if index not in chosen:
                summary = " ".join(sentences[i] for i in sorted([*chosen, index]))
                gains.append((rouge_f1(reference, summary)[:2].sum(), index))
        score, index = max(gains)
        if score <= best:
            break
        chosen.append(index)
        best = score
    labels = np.zeros(len(sentences))
    labels[chosen] = 1
    return labels


def out_of_fold_summaries(
    examples: list[Example | None], budget: int, folds: int = 5, seed: int = 0
) -> list[str]:
    """The summary of every article by a model trained on the other folds ("" for a missing one)."""
    present = [i for i, example in enumerate(examples) if example is not None]
    random.Random(seed).shuffle(present)
    summaries = [""] * len(examples)
    for fold in range(folds):
        test = present[fold::folds]
        train = [examples[i] for i in present if i not in set(test)]
        features = np.vstack([e.features[e.worthy] for e in train if e is not None])
        labels = np.concatenate([e.oracle[e.worthy] for e in train if e is not None])
        model = make_pipeline(StandardScaler(), LogisticRegression(C=REGULARISATION_C, max_iter=5_000))
        model.fit(features, labels)
        for index in test:
            example = examples[index]
            assert example is not None
            scores = model.predict_proba(example.features)[:, 1] if len(example.sentences) else []
            summaries[index] = " ".join(example.sentences[i] for i in _pick(example, scores, budget))
    return summaries


def _pick(example: Example, scores: np.ndarray | list[float], budget: int) -> list[int]:
    count = len(example.sentences)
    if count <= 2:
        return list(range(count))
    ranked = sorted((i for i in range(count) if example.worthy[i]), key=lambda i: -scores[i])
    return sorted(ranked[:budget]) or list(range(min(budget, count)))
