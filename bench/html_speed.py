"""The clean stage's HTML speed beside trafilatura's, side by side in one process, with F1 for both.

    python -m bench.html_speed [DATA] [ROUNDS]     # DATA defaults to ../shared/data, ROUNDS to 3

On the Zyte dev pages (HTML as text) and the L3S-GN1 dev pages (original bytes: ours decodes them
as an ``.html`` file is decoded, trafilatura decodes them itself), each system runs over every page
in turn, rounds alternating (ours, trafilatura, ours, …), and its best round counts: the machine is
shared, and the best round is the least disturbed one. pages/s is per core (one process). Then
where our HTML path's time goes, part by part, each part timed alone over every page.
``bench.clean_quality`` prints the same tables as part of its full run.
"""

from __future__ import annotations

import copy
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import trafilatura

from bench.datasets import load_l3s, load_pages
from bench.scoring import score
from tasks.clean.combine import needs_support
from tasks.clean.html_extract import parse_html, repair_markup, trafilatura_document
from tasks.clean.page_metadata import EVERYTHING, page_metadata, search_author
from tasks.clean.readability_text import readability_paragraphs
from tasks.clean.stage import clean_article
from tasks.errors import NewsflowError
from tasks.models import ArticleRecord
from worker.sources.decode import decode_bytes

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@dataclass(frozen=True, slots=True)
class Job:
    """One page as each system gets it: our record's HTML and trafilatura's input."""

    id: str
    url: str
    html: str
    theirs: str | bytes
    truth: str


def zyte_jobs(data: Path) -> list[Job]:
    """The Zyte dev pages: both systems get the page's HTML text."""
    return [Job(p.id, p.url, p.html, p.html, p.truth) for p in load_pages(data)]


def l3s_jobs(data: Path) -> list[Job]:
    """The L3S dev pages: trafilatura gets the original bytes, we decode them as a file is decoded."""
    jobs = []
    for page in load_l3s(data):
        try:
            html = decode_bytes(page.body)
        except NewsflowError:
            html = ""
        jobs.append(Job(page.id, page.url, html, page.body, page.truth))
    return jobs


def ours(job: Job) -> str:
    """Our clean stage's text for the page ("" when it rejects it)."""
    try:
        return clean_article(ArticleRecord(id=job.id, url=job.url, html=job.html)).text
    except NewsflowError:
        return ""


def theirs(job: Job) -> str:
    """trafilatura's default extraction of the page."""
    return trafilatura.extract(job.theirs, url=job.url) or ""


def side_by_side(
    jobs: Sequence[Job], systems: dict[str, Callable[[Job], str]], rounds: int
) -> dict[str, tuple[dict[str, str], float]]:
    """Each system's outputs and best pages/s, the systems taking turns round by round."""
    best = dict.fromkeys(systems, 0.0)
    outputs: dict[str, dict[str, str]] = {}
    for _ in range(rounds):
        for name, system in systems.items():
            started = time.perf_counter()
            outputs[name] = {job.id: system(job) for job in jobs}
            best[name] = max(best[name], len(jobs) / (time.perf_counter() - started))
    return {name: (outputs[name], best[name]) for name in systems}


def speed_table(sets: dict[str, list[Job]], rounds: int = 3) -> str:
    """The table: per set, our pages/s and trafilatura's, their ratio, and both F1s."""
    lines = [
        f"HTML path speed, one process (pages/s per core, best of {rounds} alternating rounds)",
        "| pages | newsflow clean pages/s | trafilatura "
        f"{trafilatura.__version__} defaults pages/s | ratio | F1 newsflow | F1 trafilatura |",
        "|---|---|---|---|---|---|",
    ]
    for name, jobs in sets.items():
        for job in jobs[:3]:  # warm-up: imports and caches are not charged to the first system
            ours(job)
            theirs(job)
        results = side_by_side(jobs, {"ours": ours, "theirs": theirs}, rounds)
        truth = {job.id: job.truth for job in jobs}
        ids = list(truth)
        (our_out, our_speed), (their_out, their_speed) = results["ours"], results["theirs"]
        lines.append(
            f"| {name} ({len(jobs)}) | {our_speed:.1f} | {their_speed:.1f} | {our_speed / their_speed:.2f} "
            f"| {score(truth, our_out, ids).f1:.4f} | {score(truth, their_out, ids).f1:.4f} |"
        )
    return "\n".join(lines)


def time_breakdown(jobs: Sequence[Job], rounds: int = 3) -> str:
    """Milliseconds per page of each part of the HTML path and of the whole, each timed alone.

    Each part runs over every page, ``rounds`` times in turn with the others; its best round counts.
    """
    trees = [(tree, job.url) for job in jobs if (tree := parse_html(repair_markup(job.html))) is not None]
    records = [ArticleRecord(id=job.id, url=job.url, html=job.html) for job in jobs]
    asked = [needs_support(readability_paragraphs(copy.deepcopy(tree))) for tree, _url in trees]
    parts: dict[str, Callable[[], object]] = {
        "parse": lambda: [parse_html(repair_markup(job.html)) for job in jobs],
        "metadata": lambda: [page_metadata(tree, url, EVERYTHING) for tree, url in trees],
        "copy": lambda: [copy.deepcopy(tree) for tree, _url in trees],
        "readability": lambda: [readability_paragraphs(tree) for tree in copies],
        "trafilatura text (where asked)": lambda: [
            trafilatura_document(tree, url, with_metadata=False)
            for (tree, url), ask in zip(trees, asked, strict=True)
            if ask
        ],
        "author search": lambda: [search_author(tree) for tree in pruned],
        "whole clean stage": lambda: [ours_record(record) for record in records],
    }
    best = dict.fromkeys(parts, float("inf"))
    for _ in range(rounds):
        # readability and the author search change the tree they get: each round gives them copies.
        copies = [copy.deepcopy(tree) for tree, _url in trees]
        pruned = [copy.deepcopy(tree) for tree, _url in trees]
        for name, work in parts.items():
            started = time.perf_counter()
            work()
            best[name] = min(best[name], (time.perf_counter() - started) * 1000 / len(jobs))
    whole = best.pop("whole clean stage")
    best["the rest (combining, ftfy, paragraphs, dateline, language)"] = whole - sum(best.values())
    cells = ", ".join(f"{name} {ms:.1f}" for name, ms in best.items())
    return (
        f"HTML path, ms per page, best of {rounds} rounds: whole clean stage {whole:.1f} = {cells}; "
        f"trafilatura's text asked on {sum(asked)} of {len(asked)} pages"
    )


def ours_record(record: ArticleRecord) -> str:
    """Our clean stage on a record already built."""
    try:
        return clean_article(record).text
    except NewsflowError:
        return ""


def main(argv: list[str]) -> int:
    """Print the speed table and the part-by-part breakdown for both page sets."""
    warnings.filterwarnings("ignore")
    data = Path(argv[1]) if len(argv) > 1 else DEFAULT_DATA
    rounds = int(argv[2]) if len(argv) > 2 else 3
    sets = {"zyte dev": zyte_jobs(data), "l3s_gn1 dev, original bytes": l3s_jobs(data)}
    print(speed_table(sets, rounds))
    for name, jobs in sets.items():
        print(f"{name}: {time_breakdown(jobs, rounds)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
