"""Train the learned speaker chooser and measure it cross-validated against the rules.

    python -m bench.train_speaker_model [DATA] [--folds 5] [--shuffles 5] [--write] [--by-publisher]

Every quotation the extract stage's rules find that matches a hand-labelled one
(``bench/data/quotes/cnndm_quotes.json``: 167 CNN/DM, 30 BBC and 31 Zyte articles; the unseen
splits are left out), matched as ``bench.quote_quality`` matches them, becomes one choice among its candidates
(``tasks.extract.speaker_choice``: the rules' answer, the entities named from the sentence
before to the sentence after, nobody). A candidate is right when ``bench.quote_quality`` would
score that speaker right. A logistic regression (scikit-learn, fixed C) scores candidates; the
best-scoring one is chosen.

Printed: speaker accuracy of the rules alone and of the learned chooser, out of fold only
(articles split into folds, so no article's quotations are both trained and tested on), per fold
and per shuffle, with mean and spread; then out-of-fold accuracy per labelled split; then the
weights of a model fitted on all articles. ``--by-publisher`` adds the chooser fitted on the CNN/DM
articles alone and scored on the BBC ones (XSum, all-digit ids), beside the rules: how it carries
to a publisher it has not seen. ``--write`` writes that model to
``tasks/extract/speaker_model.json``. Needs the ``bench`` extra (scikit-learn).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from bench.quote_quality import BATCH, LABELS, SPLITS, UNSEEN, Found, _best, _speaker_right, _texts
from tasks.extract.quotes import rule_quotes
from tasks.extract.speaker_choice import MODEL_FILE
from tasks.extract.speaker_features import FEATURE_NAMES, NONE, UNNAMED, Candidate, candidates_for
from tasks.extract.stage import ExtractOptions, extract_articles
from tasks.models import CleanedArticle
from worker.nlp import load_pipeline
from worker.settings import Settings

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
MODEL_PATH = Path(__file__).resolve().parents[1] / "tasks" / "extract" / MODEL_FILE
C = 1.0
SOURCES = "FRANK CNN/DM and XSum (BBC), Zyte article bodies"


@dataclass(frozen=True, slots=True)
class Choice:
    """One matched quotation: its candidates' vectors, which are right, which is the rules'."""

    article: str
    split: str
    vectors: list[list[float]]
    right: list[bool]
    rules: int


def main() -> None:
    """Cross-validate rules against the learned chooser; optionally write the model."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--shuffles", type=int, default=5)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--by-publisher", action="store_true")
    args = parser.parse_args()
    choices = build_choices(args.data)
    articles = sorted({c.article for c in choices})
    reachable = sum(any(c.right) for c in choices)
    print(
        f"{len(choices)} matched quotations in {len(articles)} articles; a right candidate exists "
        f"for {reachable} ({reachable / len(choices):.3f}); {len(FEATURE_NAMES)} features\n"
    )
    cross_validate(choices, articles, args.folds, args.shuffles)
    if args.by_publisher:
        by_publisher(choices)
    model = fit(choices)
    weights = sorted(zip(FEATURE_NAMES, model.coef_[0], strict=True), key=lambda p: -abs(p[1]))
    print("\n## Weights fitted on all articles (largest first)\n")
    print(", ".join(f"{name} {w:+.2f}" for name, w in weights))
    if args.write:
        data = {
            "features": list(FEATURE_NAMES),
            "weights": [round(float(w), 6) for w in model.coef_[0]],
            "intercept": round(float(model.intercept_[0]), 6),
            "trained_on": f"{len(articles)} hand-labelled articles ({SOURCES}), {len(choices)} quotations",
        }
        MODEL_PATH.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"\nwrote {MODEL_PATH}")


def build_choices(data: Path) -> list[Choice]:
    """The candidates of every rules' quotation that matches a labelled one."""
    # The unseen split stays out of training: it measures the shipped model.
    labels = [
        a for a in json.loads(LABELS.read_text(encoding="utf-8"))["articles"] if a["split"] not in UNSEEN
    ]
    texts = _texts(data)
    nlp = load_pipeline(Settings().spacy_model)
    records = [CleanedArticle(id=a["id"], text=texts[a["id"]]) for a in labels]
    done = extract_articles(nlp, records, ExtractOptions(batch_size=BATCH, quotes=False))
    choices: list[Choice] = []
    for gold_article, article in zip(labels, done, strict=True):
        ruled = rule_quotes(article.text, article.sentences, article.entities, article.canonical_entities)
        if ruled is None:
            continue
        found = [Found(q.start, q.end, None, None) for q in ruled.quotes]
        used: set[int] = set()
        for gold in gold_article["quotes"]:
            match = _best(gold, found, used)
            if match is None:
                continue
            used.add(match)
            if ruled.rules[match] == "title":
                rules_right = _speaker_right(gold, _found_of_quote(ruled.quotes[match]))
                vectors, right, rules = [[0.0] * len(FEATURE_NAMES)], [rules_right], 0
            else:
                candidates = candidates_for(article.text, ruled, article.canonical_entities, match)
                vectors = [c.vector() for c in candidates]
                right = [_speaker_right(gold, _found(article.text, c)) for c in candidates]
                rules = next(i for i, c in enumerate(candidates) if c.features.get("is_rules"))
                assert right[rules] == _speaker_right(gold, _found_of_quote(ruled.quotes[match]))
            choices.append(Choice(article.id, gold_article["split"], vectors, right, rules))
    return choices


def _found(text: str, candidate: Candidate) -> Found:
    span = candidate.span
    if candidate.key == NONE:
        return Found(0, 0, None, None, named=False)
    if candidate.key == UNNAMED:
        name = text[span[0] : span[1]] if span else None
        return Found(0, 0, span, name, named=False)
    return Found(0, 0, span, candidate.entity, named=True)


def _found_of_quote(quote: Any) -> Found:
    span = (quote.speaker_start, quote.speaker_end) if quote.speaker_start is not None else None
    return Found(0, 0, span, quote.speaker_entity or quote.speaker, named=quote.speaker_entity is not None)


def fit(choices: list[Choice]) -> LogisticRegression:
    """A logistic regression on every candidate of these quotations (right or not)."""
    rows = [v for c in choices for v in c.vectors]
    targets = [r for c in choices for r in c.right]
    model = LogisticRegression(C=C, max_iter=2000)
    model.fit(np.asarray(rows), np.asarray(targets, dtype=int))
    return model


def by_publisher(choices: list[Choice]) -> None:
    """The chooser fitted on CNN/DM alone, scored on the BBC (XSum) articles, beside the rules."""
    bbc = [c for c in choices if c.article.isdigit()]
    cnndm = [c for c in choices if not c.article.isdigit()]
    if not bbc or not cnndm:
        return
    learned = picks(fit(cnndm), bbc)
    rules = sum(c.right[c.rules] for c in bbc) / len(bbc)
    print(
        f"\n## Fitted on CNN/DM ({len(cnndm)} quotations), scored on BBC ({len(bbc)})\n\n"
        f"rules {rules:.3f}, learned {sum(learned) / len(bbc):.3f}; a right candidate exists for "
        f"{sum(any(c.right) for c in bbc) / len(bbc):.3f}"
    )


def picks(model: LogisticRegression, choices: list[Choice]) -> list[bool]:
    """Whether the model's best candidate is right, per quotation."""
    out = []
    for choice in choices:
        scores = model.decision_function(np.asarray(choice.vectors))
        out.append(choice.right[int(np.argmax(scores))])
    return out


def cross_validate(choices: list[Choice], articles: list[str], folds: int, shuffles: int) -> None:
    """Out-of-fold accuracy per fold and shuffle: rules alone against the learned chooser."""
    by_article: dict[str, list[Choice]] = defaultdict(list)
    for choice in choices:
        by_article[choice.article].append(choice)
    print(f"## {folds}-fold cross-validation by article, {shuffles} shuffles (out of fold only)\n")
    print("| shuffle | rules (mean over folds) | learned | learned - rules per fold (min / max) |")
    print("|---|---|---|---|")
    fold_diffs: list[float] = []
    totals = {"rules": [], "learned": []}  # pooled accuracy per shuffle
    per_split: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    for shuffle in range(shuffles):
        order = list(articles)
        random.Random(shuffle).shuffle(order)
        rules_fold, learned_fold, pooled_r, pooled_l = [], [], 0, 0
        for fold in range(folds):
            test = set(order[fold::folds])
            train = [c for c in choices if c.article not in test]
            held = [c for a in sorted(test) for c in by_article[a]]
            model = fit(train)
            learned = picks(model, held)
            rules = [c.right[c.rules] for c in held]
            rules_fold.append(sum(rules) / len(held))
            learned_fold.append(sum(learned) / len(held))
            pooled_r += sum(rules)
            pooled_l += sum(learned)
            if shuffle == 0:
                for c, r, w in zip(held, rules, learned, strict=True):
                    per_split[c.split].append((r, w))
        diffs = [b - a for a, b in zip(rules_fold, learned_fold, strict=True)]
        fold_diffs += diffs
        totals["rules"].append(pooled_r / len(choices))
        totals["learned"].append(pooled_l / len(choices))
        print(
            f"| {shuffle} | {statistics.mean(rules_fold):.3f} | {statistics.mean(learned_fold):.3f} | "
            f"{statistics.mean(diffs):+.3f} ({min(diffs):+.3f} / {max(diffs):+.3f}) |"
        )
    learned_sd = statistics.pstdev(totals["learned"])
    diff_mean, diff_sd = statistics.mean(fold_diffs), statistics.stdev(fold_diffs)
    print(
        f"\npooled over shuffles: rules {statistics.mean(totals['rules']):.3f}, learned "
        f"{statistics.mean(totals['learned']):.3f} (sd over shuffles {learned_sd:.3f}); "
        f"per-fold difference mean {diff_mean:+.3f}, sd {diff_sd:.3f}, "
        f"folds where learned wins / ties / loses: {sum(d > 0 for d in fold_diffs)} / "
        f"{sum(d == 0 for d in fold_diffs)} / {sum(d < 0 for d in fold_diffs)}"
    )
    print("\n## Out of fold, per labelled split (shuffle 0)\n")
    print("| split | quotations | rules | learned |\n|---|---|---|---|")
    for split in SPLITS:
        pairs = per_split.get(split, [])
        if pairs:
            r = sum(a for a, _ in pairs) / len(pairs)
            w = sum(b for _, b in pairs) / len(pairs)
            print(f"| {split} | {len(pairs)} | {r:.3f} | {w:.3f} |")


if __name__ == "__main__":
    main()
