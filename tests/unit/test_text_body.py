"""The text path's line classifier: features, the shipped trees, and the lines it keeps."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tasks.clean.line_features import FEATURE_NAMES, line_features
from tasks.clean.line_model import LEAF, LineModel, Tree, model_from_json, shipped_model
from tasks.clean.text_body import article_lines

MENU = ["Home", "News", "World", "Business", "Sport", "Weather", "Opinion", "Subscribe", "Log in"]
BODY = [
    "The city council voted on Tuesday to close the old river bridge for six weeks of repairs, "
    "officials said after a meeting that ran late into the evening.",
    "Engineers found cracks in two of the supports last month, and the mayor said the town could "
    "not wait for the next budget to fix them before the winter floods arrive.",
    "Buses will run every ten minutes between the two banks while the work goes on, and cyclists "
    "will be allowed to use the rail bridge downstream, the transport office said.",
    "Shop owners near the bridge said they feared losing customers, but most agreed that the "
    "repairs could not be put off any longer after the inspection report was published.",
]
FOOTER = [
    "Share this:",
    "Facebook",
    "Twitter",
    "Related stories",
    "Bridge repairs: what you need to know",
    "Council approves new parking rules",
    "Leave a comment",
    "© 2026 The Gazette. All rights reserved.",
    "Privacy policy",
    "Terms of use",
]
TITLE = "Old river bridge to close for six weeks - The Gazette"
PAGE = [*MENU, "Old river bridge to close for six weeks", "March 3, 2026", *BODY, *FOOTER]


def test_every_line_gets_one_value_per_feature() -> None:
    vectors = line_features(PAGE, TITLE)
    assert len(vectors) == len(PAGE)
    assert {len(vector) for vector in vectors} == {len(FEATURE_NAMES)}
    assert line_features([], TITLE) == []


def test_the_shipped_model_keeps_the_body_and_drops_menu_and_footer() -> None:
    kept = article_lines(PAGE, TITLE)
    assert all(line in kept for line in BODY)
    assert not any(line in kept for line in MENU + FOOTER)


def test_the_shipped_model_is_built_on_the_features_we_compute() -> None:
    model = shipped_model()
    assert model.features == FEATURE_NAMES
    assert len(model.trees) > 0
    probabilities = model.probabilities(line_features(PAGE, TITLE))
    assert probabilities.shape == (len(PAGE),)
    assert ((probabilities >= 0) & (probabilities <= 1)).all()


def test_a_model_written_for_other_features_is_refused() -> None:
    data = shipped_model().to_json()
    data["features"] = [*data["features"][:-1], "something_else"]
    with pytest.raises(ValueError, match="other features"):
        model_from_json(data)


def test_the_model_survives_a_round_trip_through_json() -> None:
    model = shipped_model()
    again = model_from_json(json.loads(json.dumps(model.to_json())))
    vectors = line_features(PAGE, TITLE)
    assert np.allclose(model.probabilities(vectors), again.probabilities(vectors))


def _stump(feature: int, threshold: float, low: float, high: float) -> Tree:
    return Tree(
        feature=np.array([feature, LEAF, LEAF]),
        threshold=np.array([threshold, 0, 0], dtype=np.float32),
        left=np.array([1, -1, -1]),
        right=np.array([2, -1, -1]),
        value=np.array([0.0, low, high]),
    )


def test_trees_are_walked_left_at_or_below_the_threshold_and_summed() -> None:
    words = FEATURE_NAMES.index("log_words")
    model = LineModel(
        FEATURE_NAMES,
        initial=0.5,
        learning_rate=0.5,
        trees=(_stump(words, 1.0, -4.0, 2.0),) * 2,
        keep_threshold=0.5,
    )
    short, long = [0.0] * len(FEATURE_NAMES), [0.0] * len(FEATURE_NAMES)
    short[words], long[words] = 1.0, 3.0
    raw = 0.5 + 0.5 * np.array([-8.0, 4.0])
    assert np.allclose(model.probabilities([short, long]), 1 / (1 + np.exp(-raw)))


def test_when_the_model_keeps_too_little_the_rules_choose() -> None:
    # A model that keeps nothing: every line falls to the rules, which keep the prose run.
    never = LineModel(FEATURE_NAMES, initial=-20.0, learning_rate=1.0, trees=(), keep_threshold=0.5)
    assert article_lines(PAGE, TITLE, never) == BODY


def test_text_that_is_all_article_keeps_its_short_lines() -> None:
    # A sub-heading and a one-line quote inside an article are not furniture.
    article = [BODY[0], "Repairs", BODY[1], "“We had no choice,” she said.", BODY[2], BODY[3]]
    assert article_lines(article, TITLE) == article


def test_headline_features_count_lines_from_the_nearest_headline_above() -> None:
    headline = "Old river bridge to close for six weeks"
    lines = [headline, BODY[0], BODY[1], headline, BODY[2]]
    vectors = line_features(lines, TITLE)
    is_headline = [v[FEATURE_NAMES.index("is_headline")] for v in vectors]
    after = [v[FEATURE_NAMES.index("lines_after_headline")] for v in vectors]
    assert is_headline == [1.0, 0.0, 0.0, 1.0, 0.0]
    assert after == [1.0, 1 / 50, 2 / 50, 3 / 50, 1 / 50]
