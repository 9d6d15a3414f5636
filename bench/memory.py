"""RSS of the extract stage over many distinct articles (``--memory N``).

Every article is the opening of a real news text (its first 600 characters, so 50,000 articles
take minutes, not hours) with a few made-up words that no other article has, so the vocabulary
would keep growing without ``nlp.memory_zone()``; RSS is read from /proc.
"""

from __future__ import annotations

import random
import string
import time
from pathlib import Path
from typing import Any

from tasks.extract.stage import ExtractOptions, extract_articles
from tasks.models import CleanedArticle

BATCH = 64
REPORT_EVERY = 5_000
OPENING = 600


def rss_mb() -> float:
    """This process's resident set size in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _unique_words(rng: random.Random, count: int) -> str:
    return " ".join(
        "".join(rng.choice(string.ascii_lowercase) for _ in range(9)).capitalize() for _ in range(count)
    )


def measure_memory(nlp: Any, texts: list[str], total: int) -> None:
    """Run ``total`` distinct articles through the extract stage and print RSS every 5,000."""
    rng = random.Random(4)
    print(f"## Memory: {total:,} distinct articles through the extract stage, batches of {BATCH}\n")
    print("| articles | RSS MB | elapsed s |")
    print("|---:|---:|---:|")
    print(f"| 0 | {rss_mb():.0f} | 0 |", flush=True)
    started = time.perf_counter()
    done = 0
    marks: dict[int, float] = {}
    while done < total:
        size = min(BATCH, total - done)
        batch = [
            CleanedArticle(
                id=str(done + i),
                text=f"{_unique_words(rng, 3)} said on Monday. " + texts[(done + i) % len(texts)][:OPENING],
            )
            for i in range(size)
        ]
        extract_articles(nlp, batch, ExtractOptions(batch_size=BATCH))
        before = done
        done += size
        if done // REPORT_EVERY > before // REPORT_EVERY or done == total:
            marks[done] = rss_mb()
            print(f"| {done:,} | {marks[done]:.0f} | {time.perf_counter() - started:.0f} |", flush=True)
    first = next((v for k, v in marks.items() if k >= REPORT_EVERY), None)
    if first:
        print(f"\nRSS after {total:,} / after {REPORT_EVERY:,}: {marks[done] / first:.3f}\n")
