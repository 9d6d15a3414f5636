"""Quality and speed of the clean stage against trafilatura and the benchmark's peers, in one run.

    python -m bench.clean_quality [DATA]        # DATA defaults to ../shared/data

Prints one table: the article-extraction benchmark (word-4-gram shingle F1, precision, recall,
exact-match accuracy) for our clean stage on the HTML pages and trafilatura run on the same pages
in the same run, with the peers' stored outputs scored beside them; the same pages as full-page
text for our text path against "do nothing" and trafilatura on the text; the L3S-GN1 news pages
as original bytes and as flattened text, beside trafilatura on the same bytes; the share of words
kept from clean copy and the pipeline's CoNLL-2003 entity F1 with ``body_only`` off
(``bench.clean_sets``); the multilingual page set; the seed article check; clean-stage articles
per second in this one process (one core); then ``bench.html_speed``: our HTML pages/s per core
beside trafilatura's defaults on the Zyte and L3S dev pages, rounds alternating, their ratio and
both F1s, and where the HTML path's time goes (parsing, metadata, readability-lxml, trafilatura's
main text where it is asked, the author search and the rest), each part timed alone.
"""

from __future__ import annotations

import re
import sys
import time
import warnings
from collections.abc import Callable
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

import trafilatura

from bench import clean_sets, html_speed
from bench.datasets import Page, load_l3s, load_pages, load_peers
from bench.multilingual import multilingual_table
from bench.scoring import Score, score
from tasks.clean.html_extract import parse_html, trafilatura_document
from tasks.clean.language import detect_language
from tasks.clean.readability_text import readability_paragraphs
from tasks.clean.stage import clean_article
from tasks.errors import NewsflowError
from tasks.models import ArticleRecord
from worker.settings import Settings

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
# The seed article's page furniture: everything from this line on is not article text.
SEED_TAIL_STARTS = "Share This:"
_HTML_LANG = re.compile(r"<html[^>]*\blang=[\"']?([a-zA-Z]{2,3})", re.IGNORECASE)


def our_html(page: Page) -> str:
    """Our clean stage's text for a page's HTML."""
    return _clean(ArticleRecord(id=page.id, url=page.url, html=page.html))


def language_check(pages: list[Page]) -> str:
    """How often the detected language agrees with the page's own ``<html lang>``, and its speed."""
    agree = declared = 0
    non_english = []
    texts = []
    for page in pages:
        try:
            article = clean_article(ArticleRecord(id=page.id, url=page.url, html=page.html))
        except NewsflowError:
            continue
        texts.append(article.text)
        match = _HTML_LANG.search(page.html[:5000])
        if match:
            declared += 1
            agree += match.group(1).lower() == article.language
        if article.language != "en":
            non_english.append(f"{urlsplit(page.url).hostname}={article.language}")
    started = time.perf_counter()
    for text in texts:
        detect_language(text)
    speed = len(texts) / (time.perf_counter() - started)
    return (
        f"Language (py3langid): agrees with the page's <html lang> on {agree} of {declared} pages that "
        f"declare one; detector speed {speed:,.0f} articles/s; not English: {', '.join(non_english)}"
    )


def our_text(page: Page) -> str:
    """Our clean stage's text for a page flattened to text, boilerplate included."""
    return _clean(ArticleRecord(id=page.id, url=page.url, text=page.raw_text))


def _clean(record: ArticleRecord) -> str:
    try:
        return clean_article(record).text
    except NewsflowError:
        return ""


def trafilatura_html(page: Page) -> str:
    """trafilatura with its default settings on the page's HTML, as the benchmark ran it."""
    return trafilatura.extract(page.html, url=page.url) or ""


def trafilatura_ours(page: Page) -> str:
    """trafilatura with the settings our clean stage gives it, as the only extractor (no readability)."""
    tree = parse_html(page.html)
    document = trafilatura_document(tree, page.url) if tree is not None else None
    return (document.text or "") if document is not None else ""


def trafilatura_text(page: Page) -> str:
    """trafilatura on the full-page text, each line given to it as an HTML paragraph."""
    lines = "".join(f"<p>{escape(line)}</p>" for line in page.raw_text.splitlines() if line.strip())
    return trafilatura.extract(f"<html><body>{lines}</body></html>") or ""


def run(pages: list[Page], system: Callable[[Page], str]) -> tuple[dict[str, str], float]:
    """A system's outputs on every page, and its pages per second."""
    started = time.perf_counter()
    outputs = {page.id: system(page) for page in pages}
    return outputs, len(pages) / (time.perf_counter() - started)


def seed_check(data: Path) -> tuple[bool, bool]:
    """(no boilerplate line survives, no body sentence is lost) for the seed article."""
    seed = (data / "seed" / "seed-article.txt").read_text(encoding="utf-8")
    head, _, tail = seed.partition(SEED_TAIL_STARTS)
    tail_lines = [SEED_TAIL_STARTS] + [line.strip() for line in tail.splitlines() if line.strip()]
    cleaned = clean_article(ArticleRecord(id="seed", text=seed))
    body_lines = [line.strip() for line in head.splitlines()[1:] if line.strip()]
    body = " ".join(cleaned.text.split())
    if cleaned.dateline:
        body = f"{cleaned.dateline} – {body}"
    no_tail = not any(line in cleaned.text for line in tail_lines)
    no_loss = all(" ".join(line.split()) in body for line in body_lines)
    return no_tail, no_loss


def text_path_estimates(data: Path) -> list[tuple[str, Score]]:
    """The text path on pages its line model never saw (out-of-fold), and the rules alone.

    The shipped line model learned from these very pages, so the row above flatters it; the
    honest estimate retrains it on four fifths of the pages and scores the fifth it never saw
    (``bench.train_line_model``, needs scikit-learn from the ``bench`` extra).
    """
    try:
        from bench.train_line_model import cross_validated, load
    except ImportError:
        return []
    from tasks.clean.boilerplate import strip_boilerplate

    pages, clean, truth = load(data)
    rules = {p.id: "\n".join(strip_boilerplate(p.lines, p.title)) for p in pages}
    ((folds, _clean_folds),) = cross_validated(pages, clean, truth, folds=5, seeds=1)
    return [
        ("newsflow text path, line model 5-fold out-of-fold (never saw the page)", folds),
        ("newsflow text path, rules only (no line model)", score(truth, rules, truth)),
    ]


def row(name: str, result: Score, speed: float | None = None) -> str:
    """One table row."""
    rate = f"{speed:.1f}" if speed is not None else ""
    return (
        f"| {name} | {result.f1:.4f} | {result.precision:.4f} | {result.recall:.4f} "
        f"| {result.accuracy:.3f} | {rate} |"
    )


def main(argv: list[str]) -> int:
    """Score every system on every page and print the table."""
    warnings.filterwarnings("ignore")
    data = Path(argv[1]) if len(argv) > 1 else DEFAULT_DATA
    pages = load_pages(data)
    truth = {page.id: page.truth for page in pages}
    ids = [page.id for page in pages]
    for page in pages[:3]:  # warm-up: imports and caches are not charged to the first system
        our_html(page)
        trafilatura_html(page)
    ours, ours_speed = run(pages, our_html)
    baseline, baseline_speed = run(pages, trafilatura_html)
    alone, alone_speed = run(pages, trafilatura_ours)
    ours_t, ours_t_speed = run(pages, our_text)
    traf_t, traf_t_speed = run(pages, trafilatura_text)
    header = (
        "| system | F1 | precision | recall | accuracy | pages/s (1 process) |\n|---|---|---|---|---|---|"
    )
    print(f"HTML → main text: {len(pages)} pages of {data.name}/zyte_article_extraction")
    print(header)
    print(row("**newsflow clean (this run)**", score(truth, ours, ids), ours_speed))
    print(
        row(
            "trafilatura " + trafilatura.__version__ + " defaults (this run)",
            score(truth, baseline, ids),
            baseline_speed,
        )
    )
    print(
        row(
            "trafilatura with our settings, alone (no readability, no normalising)",
            score(truth, alone, ids),
            alone_speed,
        )
    )
    for name, outputs in load_peers(data).items():
        print(row(f"peer: {name} (stored output)", score(truth, outputs, ids)))
    print()
    print(
        f"Full-page text → main text: the same {len(pages)} pages flattened to text "
        "(zyte_fullpage_text_boilerplate)"
    )
    print(header)
    print(
        row(
            "**newsflow clean, text path (this run; its line model was trained on these pages)**",
            score(truth, ours_t, ids),
            ours_t_speed,
        )
    )
    for name, result in text_path_estimates(data):
        print(row(name, result))
    print(row("do nothing (raw_text as is)", score(truth, {p.id: p.raw_text for p in pages}, ids)))
    print(
        row("trafilatura on the text, one <p> per line (this run)", score(truth, traf_t, ids), traf_t_speed)
    )
    readers = [alone, {page.id: "\n".join(readability_paragraphs(parse_html(page.html))) for page in pages}]
    print(
        "Empty pages (read by an extractor we run) / stray blocks: HTML "
        f"{clean_sets.failures(truth, ours, readers).cell()}, trafilatura "
        f"{clean_sets.failures(truth, baseline, [baseline]).cell()}, text path "
        f"{clean_sets.failures(truth, ours_t, []).cell()}"
    )
    print()
    clean_sets.l3s_tables(data)
    bodies = {
        "zyte_article_extraction true bodies": [page.truth for page in pages],
        "l3s_gn1 true bodies": [page.truth for page in load_l3s(data)],
    }
    clean_sets.clean_copy_table(data, bodies)
    clean_sets.conll_entities(data, Settings().spacy_model)
    print("Multilingual set (tests/multilingual.py, written for the tests; no data needed)")
    print(multilingual_table())
    print()
    no_tail, no_loss = seed_check(data)
    print()
    print(
        f"Seed article: no boilerplate line survives: {'yes' if no_tail else 'NO'}; "
        f"no body sentence lost: {'yes' if no_loss else 'NO'}"
    )
    print(language_check(pages))
    print(
        f"Clean stage speed, one process: HTML {ours_speed:.1f} articles/s "
        f"({ours_speed / baseline_speed:.2f}× trafilatura alone), text {ours_t_speed:.1f} articles/s"
    )
    sets = {"zyte dev": html_speed.zyte_jobs(data), "l3s_gn1 dev, original bytes": html_speed.l3s_jobs(data)}
    print()
    print(html_speed.speed_table(sets))
    for name, jobs in sets.items():
        print(f"{name}: {html_speed.time_breakdown(jobs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
