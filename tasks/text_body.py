"""The article's lines in flattened page text: the line classifier's pick, the rules as a fallback.

Every line gets the features of ``tasks.line_features`` and the line model's probability of being
article text; the lines that reach the model's threshold are the body. When the model keeps too
little to be an article (a page unlike anything it was trained on), the rules of
``tasks.boilerplate`` choose instead: the best run of prose lines without the furniture.
"""

from __future__ import annotations

from tasks.boilerplate import strip_boilerplate
from tasks.line_features import line_features
from tasks.line_model import LineModel, shipped_model

# Fewer words than this from the model, and the rules' pick is used instead.
MIN_MODEL_WORDS = 20


def article_lines(lines: list[str], title: str | None = None, model: LineModel | None = None) -> list[str]:
    """The lines of flattened page text that are the article, in order."""
    lines = [line for line in lines if line.strip()]
    if not lines:
        return []
    model = model or shipped_model()
    probabilities = model.probabilities(line_features(lines, title))
    kept = [line for line, p in zip(lines, probabilities, strict=True) if p >= model.keep_threshold]
    if sum(len(line.split()) for line in kept) >= MIN_MODEL_WORDS:
        return kept
    return strip_boilerplate(lines, title)
