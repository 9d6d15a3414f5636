"""The line classifier: gradient-boosted trees that say how likely a line is article text.

The trees are trained by ``bench/train_line_model.py`` on the development pages of the
article-extraction benchmark (flattened to text) and stored as plain numbers in
``line_model.json``: for each tree its nodes' feature, threshold, children and leaf value. No
page text is stored, and loading it runs no code (JSON, never pickle). Scoring pads every tree to the
same depth and walks all trees for all lines of a page at once with numpy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from tasks.clean.line_features import FEATURE_NAMES

MODEL_FILE = "line_model.json"
LEAF = -1
CHUNK_LINES = 2048


@dataclass(frozen=True, slots=True)
class Tree:
    """One regression tree, as parallel arrays indexed by node (leaves have feature ``LEAF``)."""

    feature: npt.NDArray[np.int64]
    threshold: npt.NDArray[np.float32]
    left: npt.NDArray[np.int64]
    right: npt.NDArray[np.int64]
    value: npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class DenseTrees:
    """All trees padded to one depth and stacked: level-order splits and leaves, one row per tree.

    A leaf above the full depth becomes splits that always go left (threshold +inf) over copies
    of its value, so every tree is walked in exactly ``depth`` vectorised steps.
    """

    depth: int
    feature: npt.NDArray[np.int64]  # (trees, 2**depth - 1)
    threshold: npt.NDArray[np.float32]  # (trees, 2**depth - 1)
    leaf: npt.NDArray[np.float64]  # (trees, 2**depth)


def dense_trees(trees: tuple[Tree, ...]) -> DenseTrees:
    """The trees in the padded, stacked form ``LineModel.probabilities`` walks."""

    def depth_of(tree: Tree, node: int = 0) -> int:
        if tree.feature[node] == LEAF:
            return 0
        return 1 + max(depth_of(tree, int(tree.left[node])), depth_of(tree, int(tree.right[node])))

    depth = max((depth_of(tree) for tree in trees), default=0)
    splits, leaves = 2**depth - 1, 2**depth
    feature = np.zeros((len(trees), splits), dtype=np.int64)
    threshold = np.full((len(trees), splits), np.inf, dtype=np.float32)
    leaf = np.zeros((len(trees), leaves), dtype=np.float64)
    for row, tree in enumerate(trees):
        stack = [(0, 0)]  # (node in the tree, position in the padded level order)
        while stack:
            node, position = stack.pop()
            if tree.feature[node] == LEAF:
                # A leaf above the bottom: every padded descendant on the bottom level carries its value.
                below = depth - ((position + 1).bit_length() - 1)
                first = (position + 1) * 2**below - 1  # its leftmost descendant on the bottom level
                leaf[row, first - splits : first - splits + 2**below] = tree.value[node]
                continue
            feature[row, position] = tree.feature[node]
            threshold[row, position] = tree.threshold[node]
            stack.append((int(tree.left[node]), 2 * position + 1))
            stack.append((int(tree.right[node]), 2 * position + 2))
    return DenseTrees(depth, feature, threshold, leaf)


@dataclass(frozen=True, slots=True)
class LineModel:
    """A boosted ensemble of trees over ``FEATURE_NAMES``, and the probability a line must reach."""

    features: tuple[str, ...]
    initial: float
    learning_rate: float
    trees: tuple[Tree, ...]
    keep_threshold: float
    dense: DenseTrees = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "dense", dense_trees(self.trees))

    def probabilities(self, vectors: list[list[float]]) -> npt.NDArray[np.float64]:
        """The probability that each line (one feature vector each) is article text."""
        if not vectors:
            return np.zeros(0)
        # The trainer compares float32 features with its thresholds; so must we.
        rows = np.asarray(vectors, dtype=np.float32)
        # A chunk of lines at a time: the walk holds a (lines x trees) array, which a page of
        # 100,000 one-word lines would make hundreds of megabytes.
        parts = [self._raw(rows[start : start + CHUNK_LINES]) for start in range(0, len(rows), CHUNK_LINES)]
        probabilities: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-np.concatenate(parts)))
        return probabilities

    def _raw(self, rows: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        dense = self.dense
        trees = np.arange(dense.feature.shape[0])
        node = np.zeros((len(rows), len(trees)), dtype=np.int64)
        for _ in range(dense.depth):
            values = np.take_along_axis(rows, dense.feature[trees, node], axis=1)
            node = 2 * node + 1 + (values > dense.threshold[trees, node])
        leaves = dense.leaf[trees, node - (2**dense.depth - 1)]
        raw: npt.NDArray[np.float64] = self.initial + self.learning_rate * leaves.sum(axis=1)
        return raw

    def to_json(self) -> dict[str, Any]:
        """The model as JSON-ready numbers."""
        return {
            "features": list(self.features),
            "initial": self.initial,
            "learning_rate": self.learning_rate,
            "keep_threshold": self.keep_threshold,
            "trees": [
                {
                    "feature": tree.feature.tolist(),
                    "threshold": [round(float(t), 9) for t in tree.threshold],
                    "left": tree.left.tolist(),
                    "right": tree.right.tolist(),
                    "value": [round(float(v), 9) for v in tree.value],
                }
                for tree in self.trees
            ],
        }


def model_from_json(data: dict[str, Any]) -> LineModel:
    """A model from what ``LineModel.to_json`` wrote; refuses one built on other features."""
    if tuple(data["features"]) != FEATURE_NAMES:
        raise ValueError("the line model was trained on other features than tasks.clean.line_features makes")
    trees = tuple(
        Tree(
            feature=np.asarray(tree["feature"], dtype=np.int64),
            threshold=np.asarray(tree["threshold"], dtype=np.float32),
            left=np.asarray(tree["left"], dtype=np.int64),
            right=np.asarray(tree["right"], dtype=np.int64),
            value=np.asarray(tree["value"], dtype=np.float64),
        )
        for tree in data["trees"]
    )
    return LineModel(
        features=FEATURE_NAMES,
        initial=float(data["initial"]),
        learning_rate=float(data["learning_rate"]),
        trees=trees,
        keep_threshold=float(data["keep_threshold"]),
    )


@cache
def shipped_model() -> LineModel:
    """The model that ships with newsflow (``tasks/line_model.json``)."""
    text = resources.files("tasks.clean").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    return model_from_json(json.loads(text))
