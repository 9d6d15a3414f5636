"""The line classifier: gradient-boosted trees that say how likely a line is article text.

The trees are trained by ``bench/train_line_model.py`` on the development pages of the
article-extraction benchmark (flattened to text) and stored as plain numbers in
``line_model.json``: for each tree its nodes' feature, threshold, children and leaf value. No
page text is stored, and loading it runs no code (JSON, never pickle). Scoring walks every tree
for all lines of a page at once with numpy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from tasks.line_features import FEATURE_NAMES

MODEL_FILE = "line_model.json"
LEAF = -1


@dataclass(frozen=True, slots=True)
class Tree:
    """One regression tree, as parallel arrays indexed by node (leaves have feature ``LEAF``)."""

    feature: npt.NDArray[np.int64]
    threshold: npt.NDArray[np.float32]
    left: npt.NDArray[np.int64]
    right: npt.NDArray[np.int64]
    value: npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class LineModel:
    """A boosted ensemble of trees over ``FEATURE_NAMES``, and the probability a line must reach."""

    features: tuple[str, ...]
    initial: float
    learning_rate: float
    trees: tuple[Tree, ...]
    keep_threshold: float

    def probabilities(self, vectors: list[list[float]]) -> npt.NDArray[np.float64]:
        """The probability that each line (one feature vector each) is article text."""
        if not vectors:
            return np.zeros(0)
        # The trainer compares float32 features with its thresholds; so must we.
        rows = np.asarray(vectors, dtype=np.float32)
        index = np.arange(len(rows))
        raw = np.full(len(rows), self.initial)
        for tree in self.trees:
            node = np.zeros(len(rows), dtype=np.int64)
            while True:
                feature = tree.feature[node]
                inner = feature != LEAF
                if not inner.any():
                    break
                go_left = rows[index, np.where(inner, feature, 0)] <= tree.threshold[node]
                node = np.where(inner, np.where(go_left, tree.left[node], tree.right[node]), node)
            raw += self.learning_rate * tree.value[node]
        probabilities: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-raw))
        return probabilities

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
        raise ValueError("the line model was trained on other features than tasks.line_features makes")
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
    text = resources.files("tasks").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    return model_from_json(json.loads(text))
