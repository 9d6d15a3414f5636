"""Summary quality: newsflow's summariser against Lead-k, sumy, a keyword scorer and published systems.

    python -m bench.summary_quality [DATA_DIR]      (default: ../shared/data)

Reads ``news_summarization_frank/cnndm.jsonl`` and ``xsum.jsonl`` (never copied into the repo),
runs our clean and extract stages in-process as ``newsflow process`` does (``worker.stages``),
then scores, with the ``rouge-score`` package (F1, Porter stemming), in one run and on the same
articles: our summariser; Lead-k on the raw article text and on our cleaned text (raw text split
into sentences by the same spaCy model and sentence repair as the extract stage); sumy's TextRank
and LexRank and a newspaper-style keyword/position scorer on our cleaned text's sentences; and
the published systems in
``peer_summaries``. Articles the clean stage dead-letters score 0 for every system that works on
cleaned text. Prints markdown tables, the bootstrap 95% interval of ours - Lead-k, and the time
of the summarise stage alone.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import numpy as np

from bench.rouge_stats import bootstrap_difference, rouge_f1, score_all
from bench.summary_baselines import SumyRanker, lead, newspaper_style
from tasks.errors import PermanentError
from tasks.extract.stage import fix_sentences
from tasks.models import ExtractedArticle, Span
from tasks.summarise.caption_seams import split_caption_seams
from tasks.summarise.sentence_filters import is_summary_worthy
from tasks.summarise.stage import SummaryOptions, summarise_article
from worker import stages
from worker.nlp import pipeline_for
from worker.settings import Settings

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO / ".." / "shared" / "data"
DATASETS = (("cnndm", "CNN/DailyMail", (3,)), ("xsum", "XSum", (1, 3)))
TIMING_REPEATS = 5
ORACLE_POOL = 5
Picker = Callable[[list[str], int], list[int]]


def main(argv: list[str] | None = None) -> int:
    """Run the whole comparison and print its tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--resamples", type=int, default=10_000, help="bootstrap resamples")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    folder = args.data.resolve() / "news_summarization_frank"
    if not folder.is_dir():
        print(f"no data: {folder} does not exist", file=sys.stderr)
        return 1
    settings = Settings()
    print(
        f"# Summary quality, one run: rouge-score {version('rouge-score')} (F1, stemming), "
        f"sumy {version('sumy')}, spaCy model {settings.spacy_model}, data {folder}\n"
    )
    for name, label, budgets in DATASETS:
        rows = [json.loads(line) for line in (folder / f"{name}.jsonl").read_text().splitlines() if line]
        report_dataset(settings, label, rows, budgets, args)
    synthetic_timings()
    return 0


def report_dataset(
    settings: Settings, label: str, rows: list[dict], budgets: tuple[int, ...], args: argparse.Namespace
) -> None:
    """Score every system on one dataset and print its tables."""
    references = [row["summary"] for row in rows]
    articles = clean_and_extract(settings, rows)
    raw_sentences = split_raw(settings, [row["text"] for row in rows])
    cleaned_sentences = [_sentences(article) for article in articles]
    lost = sum(article is None for article in articles)
    print(
        f"## {label}: {len(rows)} articles, {lost} dead-lettered by the clean stage (score 0 where cleaned)\n"
    )
    print("| system | sentences | ROUGE-1 | ROUGE-2 | ROUGE-L | words |")
    print("|---|---|---|---|---|---|")
    timings: dict[str, list[float]] = {}
    differences: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []
    for budget in budgets:
        ours, seconds = summarise_all(articles, budget)
        timings.setdefault("newsflow summarise stage", seconds)
        ours_scores = _row("**newsflow (ours)**", budget, references, ours)
        _row(
            "ours without the caption-seam split",
            budget,
            references,
            _filtered_lead(cleaned_sentences, budget),
        )
        lead_raw = _row(
            f"Lead-{budget}, raw text", budget, references, _pick_all(lead, raw_sentences, budget)
        )
        lead_clean = _row(
            f"Lead-{budget}, our cleaned text", budget, references, _pick_all(lead, cleaned_sentences, budget)
        )
        for system, picker in (
            ("sumy TextRank", SumyRanker("textrank")),
            ("sumy LexRank", SumyRanker("lexrank")),
        ):
            summaries, seconds = _timed_pick_all(picker, cleaned_sentences, budget)
            timings.setdefault(system, seconds)
            _row(system, budget, references, summaries)
        _row(
            "newspaper-style keywords + position",
            budget,
            references,
            _pick_all(newspaper_style, cleaned_sentences, budget),
        )
        if budget == 3 and label.startswith("CNN"):
            _row(
                f"oracle: best {budget} of our first {ORACLE_POOL} worthy sentences, chosen by the "
                "reference (a bound, not a system)",
                budget,
                references,
                oracle_summaries(articles, references, budget),
            )
        differences.append((budget, ours_scores, lead_clean, lead_raw))
    for system in rows[0]["peer_summaries"]:
        _row(f"published: {system}", 0, references, [row["peer_summaries"][system] for row in rows])
    print()
    print_differences(differences, args)
    print_timings(timings, articles)


def synthetic_timings() -> None:
    """The summarise stage on made-up articles: the worst case (nothing worth a summary), long ones."""
    question = "Would sentence {} of this made-up article ever be worth putting in a summary?"
    statement = "Sentence {} of this made-up article tells the reader one more small thing."
    cases = (
        ("800 words, no sentence worth a summary (every one is read)", question, 800),
        ("50,000 words, no sentence worth a summary (every one is read)", question, 50_000),
        ("50,000 words of plain sentences", statement, 50_000),
    )
    print("| made-up article (summarise stage alone, median of 5 runs) | ms |")
    print("|---|---|")
    for name, template, words in cases:
        sentences = [template.format(i) for i in range(words // len(template.split()) + 1)]
        text = " ".join(sentences)
        spans, at = [], 0
        for sentence in sentences:
            spans.append(Span(start=at, end=at + len(sentence)))
            at += len(sentence) + 1
        article = ExtractedArticle(id="synthetic", text=text, sentences=spans)
        runs = []
        for _ in range(TIMING_REPEATS):
            started = time.perf_counter()
            summarise_article(article, SummaryOptions())
            runs.append(time.perf_counter() - started)
        print(f"| {name} | {statistics.median(runs) * 1000:.2f} |")
    print()


def print_differences(
    differences: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]], args: argparse.Namespace
) -> None:
    """Mean and bootstrap 95% interval of ours - Lead-k, per metric."""
    print(
        f"| difference (bootstrap 95% interval, {args.resamples} resamples) | ROUGE-1 | ROUGE-2 | ROUGE-L |"
    )
    print("|---|---|---|---|")
    for budget, ours, lead_clean, lead_raw in differences:
        for name, other in ((f"cleaned Lead-{budget}", lead_clean), (f"raw Lead-{budget}", lead_raw)):
            mean, low, high = bootstrap_difference(ours, other, args.resamples, args.seed)
            cells = " | ".join(
                f"{m:+.2f} [{lo:+.2f}, {hi:+.2f}]" for m, lo, hi in zip(mean, low, high, strict=True)
            )
            print(f"| ours - {name} | {cells} |")
    print()


def print_timings(timings: dict[str, list[float]], articles: list[ExtractedArticle | None]) -> None:
    """Time per article of the summarise stage alone and of the sumy rankers, same run."""
    words = [len(a.text.split()) for a in articles if a is not None]
    base = timings["newsflow summarise stage"]
    print(f"| time per article (median of {TIMING_REPEATS} runs) | mean ms | max ms | ms per 800 words |")
    print("|---|---|---|---|")
    for system, seconds in timings.items():
        per_800 = sum(seconds) / max(1, sum(words)) * 800 * 1000
        ratio = (
            "" if seconds is base else f" ({statistics.fmean(seconds) / statistics.fmean(base):.0f}x ours)"
        )
        mean, worst = statistics.fmean(seconds) * 1000, max(seconds) * 1000
        print(f"| {system}{ratio} | {mean:.2f} | {worst:.2f} | {per_800:.2f} |")
    print()


def clean_and_extract(settings: Settings, rows: list[dict]) -> list[ExtractedArticle | None]:
    """Our clean and extract stages, in-process; None for an article the clean stage rejects."""
    cleaned = []
    for row in rows:
        record = {key: row.get(key) for key in ("id", "url", "text", "source")}
        try:
            cleaned.append(stages.run_clean(settings, record))
        except PermanentError:
            cleaned.append(None)
    extracted = iter(stages.run_extract(settings, [c for c in cleaned if c is not None]))
    return [None if c is None else next(extracted) for c in cleaned]


def split_raw(settings: Settings, texts: list[str]) -> list[list[str]]:
    """The raw texts' sentences, by the same model and sentence repair as the extract stage."""
    nlp = pipeline_for(settings, "en")
    result = []
    with nlp.memory_zone():
        for text, doc in zip(texts, nlp.pipe(texts, batch_size=settings.nlp_batch_size), strict=True):
            spans = fix_sentences(text, [(sent.start_char, sent.end_char) for sent in doc.sents])
            result.append([text[span.start : span.end] for span in spans])
    return result


def summarise_all(articles: list[ExtractedArticle | None], budget: int) -> tuple[list[str], list[float]]:
    """Our summaries, and the summarise stage's time per article (median of several runs)."""
    options = SummaryOptions(max_sentences=budget)
    summaries, seconds = [], []
    for article in articles:
        if article is None:
            summaries.append("")
            continue
        runs = []
        for _ in range(TIMING_REPEATS):
            started = time.perf_counter()
            summary = summarise_article(article, options)
            runs.append(time.perf_counter() - started)
        summaries.append(summary.summary)
        seconds.append(statistics.median(runs))
    return summaries, seconds


def _sentences(article: ExtractedArticle | None) -> list[str] | None:
    return None if article is None else [article.text[s.start : s.end] for s in article.sentences]


def _pick_all(picker: Picker, sentences: list[list[str] | None], budget: int) -> list[str]:
    return [" ".join(s[i] for i in picker(s, budget)) if s is not None else "" for s in sentences]


def _timed_pick_all(
    picker: Picker, sentences: list[list[str] | None], budget: int
) -> tuple[list[str], list[float]]:
    summaries, seconds = [], []
    for article in sentences:
        started = time.perf_counter()
        summaries.append(" ".join(article[i] for i in picker(article, budget)) if article is not None else "")
        if article is not None:
            seconds.append(time.perf_counter() - started)
    return summaries, seconds


def _filtered_lead(sentences: list[list[str] | None], budget: int) -> list[str]:
    """Ours without the seam split: the first summary-worthy sentences of the extract stage's spans."""
    summaries = []
    for article in sentences:
        if article is None:
            summaries.append("")
            continue
        worthy = [s for s in article if is_summary_worthy(s)] if len(article) > 2 else article
        summaries.append(" ".join(worthy[:budget] or article[:budget]))
    return summaries


def oracle_summaries(
    articles: list[ExtractedArticle | None], references: list[str], budget: int
) -> list[str]:
    """Per article, the best ROUGE-2 choice of ``budget`` sentences among our first worthy ones.

    Uses the reference, so it is no summariser: it shows how much a better choice among the
    sentences ours already considers could gain, i.e. the room a sentence scorer would have.
    """
    summaries = []
    for article, reference in zip(articles, references, strict=True):
        if article is None:
            summaries.append("")
            continue
        spans = split_caption_seams(article.text, [(s.start, s.end) for s in article.sentences])
        pool = [article.text[a:b] for a, b in spans if is_summary_worthy(article.text[a:b])][:ORACLE_POOL]
        if len(article.sentences) <= 2 or len(pool) <= budget:  # no choice to make: ours it is
            summaries.append(summarise_article(article, SummaryOptions(max_sentences=budget)).summary)
            continue
        choices = (" ".join(choice) for choice in itertools.combinations(pool, budget))
        summaries.append(max(choices, key=lambda summary: rouge_f1(reference, summary)[1]))
    return summaries


def _row(system: str, budget: int, references: list[str], summaries: list[str]) -> np.ndarray:
    scores = score_all(references, summaries)
    mean = scores.mean(axis=0)
    words = statistics.fmean(len(s.split()) for s in summaries)
    print(f"| {system} | {budget or '-'} | {mean[0]:.2f} | {mean[1]:.2f} | {mean[2]:.2f} | {words:.0f} |")
    return scores


if __name__ == "__main__":
    sys.exit(main())
