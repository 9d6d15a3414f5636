"""Train the text path's line classifier and measure it cross-validated, against the rules.

    python -m bench.train_line_model [DATA] [--folds 5] [--seeds 3] [--write]

Every line of every development page of ``zyte_fullpage_text_boilerplate`` (the article-extraction
benchmark's pages flattened to text, boilerplate in) becomes one example: the features of
``tasks.clean.line_features``, labelled article text when most of its word 4-gram shingles are in the
page's true article body, weighted by its share of the page's words (so that a page counts the
same however many lines it has, as in the benchmark's per-page score). Gradient-boosted trees
(scikit-learn, fixed hyper-parameters, fixed seed) learn from those.

Printed, side by side and from one run: the rules alone (``tasks.clean.boilerplate``), the text path
(``tasks.clean.text_body``: rules where they hold nearly all the words, else the model) cross-validated
(each page's lines picked by a model trained on the other folds only, repeated over several fold
shuffles), and with the shipped model on the pages it was trained on (in-sample, shown only to
tell how much it flatters). The same again for the true bodies fed back in as input, which
should come out whole. ``--write`` fits on all development pages and
writes ``tasks/line_model.json``. Needs the ``bench`` extra (scikit-learn).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.ensemble import GradientBoostingClassifier

from bench.datasets import load_pages
from bench.scoring import Score, score, shingles
from tasks.clean.boilerplate import strip_boilerplate
from tasks.clean.line_features import FEATURE_NAMES, line_features
from tasks.clean.line_model import LEAF, MODEL_FILE, LineModel, Tree, model_from_json, shipped_model
from tasks.clean.stage import clean_article, flattened_page_lines
from tasks.clean.text_body import article_lines
from tasks.errors import NewsflowError
from tasks.models import ArticleRecord

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
MODEL_PATH = Path(__file__).resolve().parents[1] / "tasks" / MODEL_FILE
TREES = 100
DEPTH = 3
LEARNING_RATE = 0.1
KEEP_THRESHOLD = 0.45
# A line is article text when more than this share of its shingles are in the true body.
LABEL_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class PageLines:
    """One page as the learner sees it: its candidate lines, their features, labels and weights."""

    id: str
    title: str | None
    lines: list[str]
    features: list[list[float]]
    labels: list[int]
    weights: list[float]


def page_lines(page_id: str, raw_text: str, truth: str) -> PageLines:
    """A page's lines as the clean stage sees them, labelled against the true body."""
    title, _byline, lines = flattened_page_lines(raw_text, None)
    lines = [line for line in lines if line.strip()]
    true_shingles = shingles(truth)
    labels, words = [], []
    for line in lines:
        own = shingles(line)
        inside = sum((own & true_shingles).values())
        labels.append(int(inside > LABEL_SHARE * max(1, sum(own.values()))))
        words.append(len(line.split()))
    total = max(1, sum(words))
    return PageLines(
        page_id, title, lines, line_features(lines, title), labels, [100.0 * w / total for w in words]
    )


def fit(pages: list[PageLines], keep_threshold: float = KEEP_THRESHOLD) -> LineModel:
    """Boosted trees trained on the pages' lines, exported as a ``LineModel``."""
    rows = np.asarray([row for page in pages for row in page.features], dtype=np.float64)
    labels = np.asarray([label for page in pages for label in page.labels])
    weights = np.asarray([weight for page in pages for weight in page.weights])
    booster = GradientBoostingClassifier(
        n_estimators=TREES, max_depth=DEPTH, learning_rate=LEARNING_RATE, random_state=0
    ).fit(rows, labels, sample_weight=weights)
    trees = []
    for estimator in booster.estimators_[:, 0]:
        tree = estimator.tree_
        feature = np.where(tree.feature < 0, LEAF, tree.feature).astype(np.int64)
        trees.append(
            Tree(
                feature=feature,
                threshold=tree.threshold.astype(np.float32),
                left=tree.children_left.astype(np.int64),
                right=tree.children_right.astype(np.int64),
                value=tree.value[:, 0, 0].astype(np.float64),
            )
        )
    initial = float(booster._raw_predict_init(rows[:1])[0, 0])
    model = LineModel(FEATURE_NAMES, initial, LEARNING_RATE, tuple(trees), keep_threshold)
    # The exported trees must score exactly as scikit-learn does.
    ours = model.probabilities(rows.tolist())
    theirs = booster.predict_proba(rows)[:, 1]
    if not np.allclose(ours, theirs, atol=1e-6):
        raise AssertionError(f"exported model disagrees with scikit-learn by {np.abs(ours - theirs).max()}")
    return model


def out_of_fold(
    pages: list[PageLines], clean: list[PageLines], folds: int, seed: int
) -> tuple[dict[str, str], dict[str, str]]:
    """Each page's text, and its clean body's, as picked with a model trained on the other folds only."""
    order = list(range(len(pages)))
    random.Random(seed).shuffle(order)
    texts: dict[str, str] = {}
    clean_texts: dict[str, str] = {}
    for fold in range(folds):
        held = set(order[fold::folds])
        model = fit([page for index, page in enumerate(pages) if index not in held])
        for index in held:
            page, body = pages[index], clean[index]
            texts[page.id] = "\n".join(article_lines(page.lines, page.title, model))
            clean_texts[body.id] = "\n".join(article_lines(body.lines, body.title, model))
    return texts, clean_texts


def cross_validated(
    pages: list[PageLines], clean: list[PageLines], truth: dict[str, str], folds: int, seeds: int
) -> list[tuple[Score, Score]]:
    """Out-of-fold scores on the full pages and on their already-clean bodies, one pair per fold shuffle."""
    results = []
    for seed in range(seeds):
        texts, clean_texts = out_of_fold(pages, clean, folds, seed)
        results.append((score(truth, texts, truth), score(truth, clean_texts, truth)))
    return results


def load(data: Path) -> tuple[list[PageLines], list[PageLines], dict[str, str]]:
    """The development pages as labelled lines, their true bodies as input too, and the true bodies.

    Feeding the true body back in asks what the text path does to text that is already an article
    (every line of it should be kept); the learner never trains on those.
    """
    pages = load_pages(data)
    truth = {page.id: page.truth for page in pages}
    full = [page_lines(page.id, page.raw_text, page.truth) for page in pages]
    clean = [page_lines(page.id, page.truth, page.truth) for page in pages]
    return full, clean, truth


def _mean(results: list[Score]) -> Score:
    return Score(
        statistics.mean(r.f1 for r in results),
        statistics.mean(r.precision for r in results),
        statistics.mean(r.recall for r in results),
        statistics.mean(r.accuracy for r in results),
        results[0].pages,
    )


def _row(name: str, result: Score) -> str:
    return f"{name:<52} {result.f1:6.3f} {result.precision:6.3f} {result.recall:6.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=3, help="fold shuffles to average over")
    parser.add_argument("--write", action="store_true", help=f"fit on all pages and write {MODEL_PATH}")
    args = parser.parse_args(argv)
    pages, clean, truth = load(args.data)

    def rules(group: list[PageLines]) -> Score:
        return score(truth, {p.id: "\n".join(strip_boilerplate(p.lines, p.title)) for p in group}, truth)

    def body_only(group: list[PageLines]) -> Score:
        # The clean stage itself, told the text is the body: dateline and byline still come off.
        texts = {}
        for page in group:
            try:
                record = ArticleRecord(id=page.id, text=truth[page.id], body_only=True)
                texts[page.id] = clean_article(record).text
            except NewsflowError:
                texts[page.id] = ""
        return score(truth, texts, truth)

    def shipped(group: list[PageLines]) -> Score:
        model = shipped_model()
        return score(truth, {p.id: "\n".join(article_lines(p.lines, p.title, model)) for p in group}, truth)

    folds = cross_validated(pages, clean, truth, args.folds, args.seeds)
    print(f"{len(pages)} pages, {sum(len(p.lines) for p in pages)} lines; word-4-gram shingle scores")
    for name, group, column in (
        ("full-page text (boilerplate in)", pages, 0),
        ("already-clean text (the true bodies fed back in)", clean, 1),
    ):
        print(f"\n{name:<52} {'F1':>6} {'P':>6} {'R':>6}")
        print(_row("rules only (best prose run, tasks.clean.boilerplate)", rules(group)))
        for seed, result in enumerate(folds):
            print(_row(f"text path, {args.folds}-fold out-of-fold, shuffle {seed}", result[column]))
        print(_row(f"text path, out-of-fold mean of {len(folds)}", _mean([r[column] for r in folds])))
        print(_row("text path with the shipped model (in-sample)", shipped(group)))
        if column == 1:
            print(_row("clean stage, record marked body_only", body_only(group)))
    if args.write:
        model = fit(pages)
        MODEL_PATH.write_text(json.dumps(model.to_json(), separators=(",", ":")) + "\n", encoding="utf-8")
        model_from_json(json.loads(MODEL_PATH.read_text(encoding="utf-8")))
        print(f"wrote {MODEL_PATH} ({MODEL_PATH.stat().st_size:,} bytes, {len(model.trees)} trees)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
