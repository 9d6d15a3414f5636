"""Precision and recall of the near-duplicate detector, on copies made by editing real articles.

    python -m bench.dedup_quality [DATA]        # DATA defaults to ../shared/data; needs redis-server

Distinct real articles (the extraction benchmark's true bodies and the FRANK CNN/DailyMail and
XSum articles) are split in two halves at random. The first half is published into the detector
(a private redis-server, the same ``worker.stores.duplicates`` code the workers run); then the detector is
asked about edited copies of those articles (positives: each should be found as a duplicate of
its original) and about the other half and their edited copies (negatives: each has no original
in the index). Every query's best candidate similarity is kept, so one run prints precision and
recall at every threshold, plus how the exact-duplicate key treats re-spaced and re-punctuated copies.
"""

from __future__ import annotations

import json
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.datasets import load_pages
from tasks.duplicates import fingerprint
from worker.cli.local_redis import LocalRedis
from worker.settings import Settings
from worker.stores.duplicates import Duplicate, find_duplicate, remember
from worker.stores.redis_client import connect

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SEED = 20261127
THRESHOLDS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
FURNITURE = ["Share this article", "Advertisement", "Read more: Our top stories today", "© 2026 The Paper"]


def load_articles(data: Path) -> list[str]:
    """Distinct real article texts of at least 80 words."""
    texts = {page.truth for page in load_pages(data)}
    for name in ("cnndm.jsonl", "xsum.jsonl"):
        with (data / "news_summarization_frank" / name).open(encoding="utf-8") as lines:
            texts.update(json.loads(line)["text"] for line in lines)
    return sorted(text for text in texts if len(text.split()) >= 80)


def swap_words(share: float) -> Callable[[str, random.Random], str]:
    """An edit that replaces a share of the words with other words."""

    def edit(text: str, rng: random.Random) -> str:
        words = text.split()
        for index in rng.sample(range(len(words)), min(len(words), max(1, int(share * len(words))))):
            words[index] = rng.choice(("new", "said", "the", "report", "local", "officials", "on"))
        return " ".join(words)

    return edit


def drop_sentences(share: float) -> Callable[[str, random.Random], str]:
    """An edit that drops a share of the sentences."""

    def edit(text: str, rng: random.Random) -> str:
        sentences = _SENTENCE.split(text)
        count = min(len(sentences) - 1, max(1, int(share * len(sentences))))
        drop = set(rng.sample(range(len(sentences)), count))
        return " ".join(s for i, s in enumerate(sentences) if i not in drop)

    return edit


def add_furniture(text: str, rng: random.Random) -> str:
    """An edit that wraps the text in page furniture and a new headline."""
    return "\n".join(["Breaking: " + " ".join(text.split()[:8]), *rng.sample(FURNITURE, 2), text, *FURNITURE])


def truncate(text: str, rng: random.Random) -> str:
    """An edit that cuts the last fifth of the text."""
    words = text.split()
    return " ".join(words[: int(len(words) * 0.8)])


def combined(text: str, rng: random.Random) -> str:
    """Several small edits at once: furniture, one sentence fewer, 3% of words changed."""
    return add_furniture(swap_words(0.03)(drop_sentences(0.05)(text, rng), rng), rng)


EDITS: dict[str, Callable[[str, random.Random], str]] = {
    "3% words swapped": swap_words(0.03),
    "10% words swapped": swap_words(0.10),
    "20% words swapped": swap_words(0.20),
    "10% sentences dropped": drop_sentences(0.10),
    "25% sentences dropped": drop_sentences(0.25),
    "page furniture added": add_furniture,
    "last fifth cut": truncate,
    "combined small edits": combined,
}


def respace(text: str) -> str:
    """The same words with different spacing, case of the first letter and punctuation."""
    return "  ".join(text.replace(",", " ,").replace(".", " . ").split()).upper()


Answer = tuple[str, str | None, Duplicate | None]  # (edit, expected original id, what was found)
REUSED = "negative: unseen article reusing 3 sentences of a published one"


def build_queries(
    indexed: list[str], held_out: list[str], rng: random.Random
) -> list[tuple[str, str, str | None]]:
    """(edit name, text, expected original id): edited copies of published articles, and negatives."""
    queries: list[tuple[str, str, str | None]] = []
    for number, text in enumerate(indexed):
        for name, edit in EDITS.items():
            queries.append((name, edit(text, rng), f"a{number}"))
    for number, text in enumerate(held_out):
        queries.append(("negative: unseen article", text, None))
        queries.append(("negative: edited unseen article", combined(text, rng), None))
        background = " ".join(_SENTENCE.split(indexed[number % len(indexed)])[:3])
        queries.append((REUSED, f"{background} {text}", None))
    return queries


def run_detector(indexed: list[str], queries: list[tuple[str, str, str | None]]) -> tuple[list[Answer], str]:
    """Publish the indexed articles into a private Redis, ask about every query; answers and speed."""
    with LocalRedis() as server:
        settings = Settings(redis_url=server.url, key_prefix="dedupbench", near_duplicate_threshold=0.01)
        client = connect(settings)
        started = time.perf_counter()
        for number, text in enumerate(indexed):
            remember(client, settings, f"a{number}", fingerprint(text))
        remember_rate = len(indexed) / (time.perf_counter() - started)
        started = time.perf_counter()
        answers = [
            (name, expected, find_duplicate(client, settings, "query", fingerprint(text)))
            for name, text, expected in queries
        ]
        query_rate = len(queries) / (time.perf_counter() - started)
        exact = [find_duplicate(client, settings, "q", fingerprint(respace(text))) for text in indexed]
    exact_hits = sum(found is not None and found.kind == "exact" for found in exact)
    summary = (
        f"Exact duplicates: {exact_hits} of {len(indexed)} re-spaced, upper-cased, re-punctuated copies "
        f"found as exact\nSpeed: remember {remember_rate:,.0f} articles/s, check {query_rate:,.0f} "
        "articles/s (fingerprint + Redis round trips, one process)"
    )
    return answers, summary


def _is_hit(expected: str | None, found: Duplicate | None, threshold: float) -> tuple[bool, bool]:
    hit = found is not None and found.similarity >= threshold
    return hit, hit and found is not None and found.original_id == expected


def print_thresholds(answers: list[Answer]) -> None:
    """Precision, recall and F1 of the detector at every threshold."""
    print("| threshold | precision | recall | F1 | false positives | missed |\n|---|---|---|---|---|---|")
    for threshold in THRESHOLDS:
        tp = fp = fn = 0
        for _, expected, found in answers:
            hit, right = _is_hit(expected, found, threshold)
            tp += right
            fp += hit and not right
            fn += expected is not None and not right
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(f"| {threshold:.1f} | {precision:.4f} | {recall:.4f} | {f1:.4f} | {fp} | {fn} |")


def print_by_edit(answers: list[Answer], threshold: float) -> None:
    """How each kind of edit fares at the threshold."""
    negatives = sorted({name for name, expected, _ in answers if expected is None})
    for name in [*EDITS, *negatives]:
        rows = [(expected, found) for n, expected, found in answers if n == name]
        if name in negatives:
            flagged = sum(_is_hit(None, found, threshold)[0] for _, found in rows)
            print(f"- {name}: {flagged} of {len(rows)} wrongly flagged")
            continue
        caught = sum(_is_hit(expected, found, threshold)[1] for expected, found in rows)
        similarities = sorted(found.similarity if found else 0.0 for _, found in rows)
        median = similarities[len(similarities) // 2]
        print(f"- {name}: {caught} of {len(rows)} found (median similarity {median:.2f})")


def main(argv: list[str]) -> int:
    """Publish half the articles into the detector, query edited copies, print P/R per threshold."""
    data = Path(argv[1]) if len(argv) > 1 else DEFAULT_DATA
    rng = random.Random(SEED)
    articles = load_articles(data)
    rng.shuffle(articles)
    indexed, held_out = articles[: len(articles) // 2], articles[len(articles) // 2 :]
    queries = build_queries(indexed, held_out, rng)
    answers, summary = run_detector(indexed, queries)
    positives = sum(expected is not None for _, expected, _ in answers)
    print(
        f"Near duplicates: {len(indexed)} real articles published into the detector, "
        f"{positives} edited copies of them and {len(answers) - positives} negatives queried"
    )
    print_thresholds(answers)
    default = float(Settings.model_fields["near_duplicate_threshold"].default)
    print(f"\nBy kind of edit, at the default threshold {default}:")
    print_by_edit(answers, default)
    print(f"\n{summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
