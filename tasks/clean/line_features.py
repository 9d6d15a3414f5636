"""What a line of flattened page text looks like, as numbers: the inputs of the line classifier.

Each line of a page that a scraper flattened to text gets a fixed-length vector describing the
line itself (length, whether it ends like a sentence, how much of it is lower-case prose, digits,
separators, known boilerplate phrases), where it sits (position on the page, whether it falls in
the best run of prose lines, its distance to the page's repeated headline) and what its
neighbours look like. Nothing here depends on a language's vocabulary beyond the boilerplate
phrases, so the same features serve every language the cleaner sees.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from tasks.clean.boilerplate import (
    best_run,
    headline_of,
    is_boilerplate_line,
    is_content_line,
    is_headline,
)
from tasks.clean.words import CLOSERS, SENTENCE_STOPS, word_tokens

_SENTENCE_END = re.compile(f"[{re.escape(SENTENCE_STOPS)}][{re.escape(CLOSERS)}]*$")
_SEPARATORS = re.compile(r"[|•·»«›/>]")
_DATE_OR_TIME = re.compile(
    r"\b(?:\d{1,2}:\d{2}|\d{4}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}|"
    r"\d+\s+(?:minutes?|hours?|days?|weeks?)\s+ago)\b",
    re.IGNORECASE,
)
WINDOW = 3

FEATURE_NAMES: tuple[str, ...] = (
    "log_words",
    "ends_sentence",
    "ends_colon",
    "boilerplate_phrase",
    "content_line",
    "lower_word_share",
    "capitalised_word_share",
    "digit_share",
    "mean_word_length",
    "commas_per_word",
    "separators",
    "date_or_time",
    "repeated_on_page",
    "position",
    "in_best_run",
    "run_distance",
    "is_headline",
    "after_headline",
    "lines_after_headline",
    "between_headline_and_run_end",
    "window_content_share",
    "window_log_words",
    "prev_log_words",
    "next_log_words",
    "prev_content",
    "next_content",
    "prev_ends_sentence",
    "next_ends_sentence",
    "bias",
)


def _own_features(line: str) -> tuple[float, ...]:
    words = word_tokens(line)
    count = len(words) or 1
    stripped = line.rstrip()
    return (
        math.log1p(len(words)),
        float(bool(_SENTENCE_END.search(stripped))),
        float(stripped.endswith(":")),
        float(is_boilerplate_line(line)),
        float(is_content_line(line)),
        sum(word.islower() for word in words) / count,
        sum(word[:1].isupper() for word in words) / count,
        sum(word.isdigit() for word in words) / count,
        min(sum(len(word) for word in words) / count, 15.0) / 15.0,
        min(line.count(",") / count, 1.0),
        min(len(_SEPARATORS.findall(line)), 5) / 5.0,
        float(bool(_DATE_OR_TIME.search(line))) if len(words) <= 12 else 0.0,
    )


def line_features(
    lines: Sequence[str], title: str | None = None, run: tuple[int, int] | None = None
) -> list[list[float]]:
    """One feature vector per line, in the order of ``FEATURE_NAMES``.

    ``run`` is the rules' best run of the lines when the caller has it (``best_run``), else it is found.
    """
    total = len(lines)
    if not total:
        return []
    own = [_own_features(line) for line in lines]
    counts = Counter(line.strip().lower() for line in lines)
    run = run if run is not None else best_run(lines, title)
    headline = headline_of(title) if title else ""
    anchors = [index for index, line in enumerate(lines) if headline and is_headline(line, headline)]
    first_anchor = anchors[0] if anchors else None
    anchor_set = set(anchors)
    last_anchor: int | None = None  # the nearest headline line above the current one
    content = [row[4] for row in own]
    log_words = [row[0] for row in own]
    ends = [row[1] for row in own]
    vectors = []
    for index, line in enumerate(lines):
        low, high = max(0, index - WINDOW), min(total, index + WINDOW + 1)
        window = high - low
        if run is None:
            in_run, distance = 0.0, 1.0
        else:
            in_run = float(run[0] <= index < run[1])
            gap = run[0] - index if index < run[0] else index - run[1] + 1 if index >= run[1] else 0
            distance = min(gap, 20) / 20.0
        vectors.append(
            [
                *own[index],
                float(counts[line.strip().lower()] > 1),
                index / total,
                in_run,
                distance,
                float(index in anchor_set),
                float(first_anchor is not None and index > first_anchor),
                min(index - last_anchor, 50) / 50.0 if last_anchor is not None else 1.0,
                float(first_anchor is not None and run is not None and first_anchor < index < run[1]),
                sum(content[low:high]) / window,
                sum(log_words[low:high]) / window,
                log_words[index - 1] if index else 0.0,
                log_words[index + 1] if index + 1 < total else 0.0,
                content[index - 1] if index else 0.0,
                content[index + 1] if index + 1 < total else 0.0,
                ends[index - 1] if index else 0.0,
                ends[index + 1] if index + 1 < total else 0.0,
                1.0,
            ]
        )
        if index in anchor_set:
            last_anchor = index
    return vectors
