"""The article's lines in flattened page text: all of them when the text carries no page
furniture, the rules where the text is nearly all article, the line classifier's pick elsewhere.

Text without a boilerplate phrase, a link bar or a menu (``tasks.clean.boilerplate.has_page_furniture``)
is article copy already (wire copy with its results tables, a CMS body with its lists) and is kept
whole.

The rules of ``tasks.clean.boilerplate`` find the best run of prose lines. When that run holds nearly
all the words (text that is already an article, or carries only a short tail of furniture, like
the seed article), it is the body: the rules keep short lines inside an article (sub-headings,
one-line quotes) that the classifier, trained on whole pages, would drop. Otherwise every line
gets the features of ``tasks.clean.line_features`` and the line model's probability of being article
text, and the lines that reach the model's threshold are the body. When the model keeps too
little to be an article (a page unlike anything it was trained on), the rules choose after all.
"""

from __future__ import annotations

from tasks.clean.boilerplate import best_run, has_page_furniture, run_lines
from tasks.clean.line_features import line_features
from tasks.clean.line_model import LineModel, shipped_model
from tasks.clean.words import count_words

# Fewer words than this from the model, and the rules' pick is used instead.
MIN_MODEL_WORDS = 20
# The rules' run holds at least this share of the words: the text is (nearly) all article.
RULES_SHARE = 0.9


def article_lines(lines: list[str], title: str | None = None, model: LineModel | None = None) -> list[str]:
    """The lines of text that are the article, in order: all of them when it carries no page furniture."""
    lines = [line for line in lines if line.strip()]
    if not has_page_furniture(lines):
        return lines
    return page_article_lines(lines, title, model)


def page_article_lines(
    lines: list[str], title: str | None = None, model: LineModel | None = None
) -> list[str]:
    """The lines of flattened page text (furniture in it) that are the article, in order."""
    lines = [line for line in lines if line.strip()]
    if not lines:
        return []
    run = best_run(lines, title)
    by_rules = run_lines(lines, run)
    if _words(by_rules) >= RULES_SHARE * _words(lines):
        return by_rules
    model = model or shipped_model()
    probabilities = model.probabilities(line_features(lines, title, run))
    kept = [line for line, p in zip(lines, probabilities, strict=True) if p >= model.keep_threshold]
    return kept if _words(kept) >= MIN_MODEL_WORDS else by_rules


def _words(lines: list[str]) -> int:
    return sum(count_words(line) for line in lines)
