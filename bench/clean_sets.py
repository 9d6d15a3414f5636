"""The clean stage on the page sets beyond the Zyte benchmark, for ``bench.clean_quality``.

- L3S-GN1 pages in their original bytes (any charset, declared or not), decoded by the same code
  that reads an ``.html`` file, beside trafilatura given the same bytes; and the same pages
  flattened to text.
- Clean copy: how many of its words the text path keeps with ``body_only`` off (CoNLL-2003
  Reuters documents with their results tables, and the true article bodies of both page sets).
- CoNLL-2003 entity F1 of the whole pipeline (clean with ``body_only`` off, then extract), its
  entities mapped back onto the document, beside the raw model on the same text.
- How often a page comes out empty or as a stray short block where an extractor we run reads
  the article.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import trafilatura

from bench.conll import Tally, read_documents, to_tokens
from bench.datasets import CONLL, RawPage, load_l3s
from bench.scoring import Score, page_counts, score
from tasks.clean.html_extract import parse_html, repair_markup, trafilatura_document
from tasks.clean.readability_text import readability_paragraphs
from tasks.clean.stage import clean_article
from tasks.errors import NewsflowError
from tasks.models import ArticleRecord, CleanedArticle
from worker.sources.decode import decode_bytes

# A page counts as read by an extractor when that extractor's text scores at least this F1, and
# as lost by ours (a stray block) when ours scores under STRAY_F1 on it.
READ_F1 = 0.7
STRAY_F1 = 0.5
# A clean document "loses" text when the clean stage keeps less than this share of its words.
LOSS_SHARE = 0.8


def page_f1(truth: str, text: str) -> float:
    """The benchmark's F1 of one page."""
    tp, fp, fn = page_counts(truth, text)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


@dataclass(frozen=True, slots=True)
class Failures:
    """Pages that came out empty or as a stray block, and how many of them an extractor we run reads."""

    empty: int
    empty_read: int
    stray: int

    def cell(self) -> str:
        """The table cell: empty (read by one of our extractors) / stray blocks."""
        return f"{self.empty} ({self.empty_read}) / {self.stray}"


def failures(truth: dict[str, str], ours: dict[str, str], readers: Sequence[dict[str, str]]) -> Failures:
    """Count empty outputs and stray blocks against what the given extractors read."""
    empty = empty_read = stray = 0
    for page, true in truth.items():
        read = any(page_f1(true, reader.get(page, "")) >= READ_F1 for reader in readers)
        if not ours.get(page, "").strip():
            empty += 1
            empty_read += read
        elif read and page_f1(true, ours[page]) < STRAY_F1:
            stray += 1
    return Failures(empty, empty_read, stray)


def clean_text(record: ArticleRecord) -> str:
    """The clean stage's text, or "" when it rejects the record."""
    try:
        return clean_article(record).text
    except NewsflowError:
        return ""


def timed(pages: Sequence[RawPage], system: Callable[[RawPage], str]) -> tuple[dict[str, str], float]:
    """A system's outputs on every page, and its pages per second."""
    started = time.perf_counter()
    outputs = {page.id: system(page) for page in pages}
    return outputs, len(pages) / (time.perf_counter() - started)


def our_bytes(page: RawPage) -> str:
    """Our clean stage on a page's original bytes, decoded as an ``.html`` file is."""
    try:
        html = decode_bytes(page.body)
    except NewsflowError:
        return ""
    return clean_text(ArticleRecord(id=page.id, url=page.url, html=html))


def our_text(page: RawPage) -> str:
    """Our clean stage on a page flattened to text, boilerplate included."""
    return clean_text(ArticleRecord(id=page.id, url=page.url, text=page.raw_text))


def trafilatura_bytes(page: RawPage) -> str:
    """trafilatura's defaults on the same bytes (it decodes them itself)."""
    return trafilatura.extract(page.body, url=page.url) or ""


def our_extractors(page: RawPage) -> tuple[str, str]:
    """Readability's and trafilatura's own candidates as our clean stage runs them (no choice)."""
    try:
        tree = parse_html(repair_markup(decode_bytes(page.body)))
    except NewsflowError:
        return "", ""
    if tree is None:
        return "", ""
    readable = "\n".join(readability_paragraphs(copy.deepcopy(tree)))
    document = trafilatura_document(tree, page.url)
    return readable, (document.text or "") if document is not None else ""


def row(name: str, result: Score, speed: float | None = None, fails: Failures | None = None) -> str:
    """One table row."""
    rate = f"{speed:.1f}" if speed is not None else ""
    cell = fails.cell() if fails is not None else ""
    return (
        f"| {name} | {result.f1:.4f} | {result.precision:.4f} | {result.recall:.4f} "
        f"| {result.accuracy:.3f} | {rate} | {cell} |"
    )


HEADER = (
    "| system | F1 | precision | recall | accuracy | pages/s (1 process) "
    "| empty (read by an extractor we run) / stray blocks |\n|---|---|---|---|---|---|---|"
)


def l3s_tables(data: Path) -> None:
    """L3S-GN1 as original bytes (ours and trafilatura) and as flattened text (ours and do nothing)."""
    pages = load_l3s(data)
    truth = {page.id: page.truth for page in pages}
    ids = list(truth)
    ours, ours_speed = timed(pages, our_bytes)
    theirs, theirs_speed = timed(pages, trafilatura_bytes)
    candidates = {page.id: our_extractors(page) for page in pages}
    readable = {page: pair[0] for page, pair in candidates.items()}
    extracted = {page: pair[1] for page, pair in candidates.items()}
    readers = [readable, extracted]
    print(f"HTML (original bytes) → main text: {len(pages)} pages of l3s_gn1 (dev)")
    print(HEADER)
    ours_failures = failures(truth, ours, readers)
    print(row("**newsflow clean (this run)**", score(truth, ours, ids), ours_speed, ours_failures))
    print(
        row(
            f"trafilatura {trafilatura.__version__} defaults, same bytes (this run)",
            score(truth, theirs, ids),
            theirs_speed,
            failures(truth, theirs, [theirs]),
        )
    )
    print(row("readability alone, as our stage runs it", score(truth, readable, ids)))
    print(row("trafilatura alone, as our stage runs it", score(truth, extracted, ids)))
    print()
    texts, texts_speed = timed(pages, our_text)
    print(f"Full-page text → main text: the same {len(pages)} pages flattened (l3s_gn1_fullpage_text)")
    print(HEADER)
    text_failures = failures(truth, texts, [])
    name = "**newsflow clean, text path (this run)**"
    print(row(name, score(truth, texts, ids), texts_speed, text_failures))
    print(row("do nothing (raw_text as is)", score(truth, {p.id: p.raw_text for p in pages}, ids)))
    print()


def words_kept(texts: Iterable[str]) -> tuple[float, int, int]:
    """(share of words the text path keeps, documents losing more than 1 - LOSS_SHARE, documents)."""
    total = kept = losing = documents = 0
    for text in texts:
        before = len(text.split())
        after = len(clean_text(ArticleRecord(id="kept", text=text)).split())
        total, kept, documents = total + before, kept + min(after, before), documents + 1
        losing += after < LOSS_SHARE * before
    return (kept / total if total else 0.0), losing, documents


def clean_copy_table(data: Path, bodies: Mapping[str, Iterable[str]]) -> None:
    """Share of words kept from text that is article copy already, with body_only off."""
    conll = [document.text for document in read_documents(data / CONLL / "test.txt")]
    print("Clean copy through the text path, body_only off: share of words kept (dateline, byline and a")
    print(f"first line taken as the title come off), and documents keeping under {LOSS_SHARE:.0%} of theirs")
    print("| text | documents | words kept | documents losing text |\n|---|---|---|---|")
    for name, texts in {"conll2003_en_test (Reuters wire copy, results tables)": conll, **bodies}.items():
        share, losing, documents = words_kept(texts)
        print(f"| {name} | {documents} | {share:.3f} | {losing} |")
    print()


def conll_entities(data: Path, model: str) -> None:
    """CoNLL-2003 entity F1: raw model, and the pipeline (clean, then extract) with body_only off and on."""
    from tasks.extract.stage import ExtractOptions, extract_articles
    from worker.nlp import load_pipeline

    nlp = load_pipeline(model)
    documents = read_documents(data / CONLL / "test.txt")
    raw = [
        [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        for doc in nlp.pipe([d.text for d in documents], batch_size=64)
    ]
    rows = [("raw model on the document's text", raw)]
    for body_only in (False, True):
        cleaned: list[CleanedArticle] = []
        for index, document in enumerate(documents):
            record = ArticleRecord(id=str(index), text=document.text, body_only=body_only)
            try:
                cleaned.append(clean_article(record))
            except NewsflowError:
                cleaned.append(CleanedArticle(id=str(index), text=""))
        extracted = extract_articles(nlp, cleaned, ExtractOptions(batch_size=64))
        spans = [
            mapped_spans(document.text, article.text, [(m.start, m.end, m.label) for m in article.entities])
            for document, article in zip(documents, extracted, strict=True)
        ]
        rows.append((f"pipeline: clean (body_only {'on' if body_only else 'off'}) + extract", spans))
    gold = sum(len(d.gold) for d in documents)
    print(f"CoNLL-2003 dev through the pipeline: {len(documents)} documents, {gold} gold entities")
    print("| system | P | R | F1 |\n|---|---|---|---|")
    for name, found in rows:
        tally = Tally()
        for document, entities in zip(documents, found, strict=True):
            tally.add(document.gold, to_tokens(document, entities))
        precision, recall, f1 = tally.prf()
        print(f"| {name} | {precision:.3f} | {recall:.3f} | {f1:.3f} |")
    print()


def mapped_spans(
    original: str, cleaned: str, spans: list[tuple[int, int, str]]
) -> list[tuple[int, int, str]]:
    """Entity spans of the cleaned text moved onto the original, paragraph by paragraph.

    Each cleaned paragraph is looked for in the original after the previous one; an entity in a
    paragraph that cannot be found (changed by the clean stage) is dropped.
    """
    shifts: list[tuple[int, int, int]] = []  # (start in cleaned, end in cleaned, offset to add)
    cursor = position = 0
    for paragraph in cleaned.split("\n\n"):
        found = original.find(paragraph, cursor)
        if found >= 0:
            shifts.append((position, position + len(paragraph), found - position))
            cursor = found + len(paragraph)
        position += len(paragraph) + 2
    moved = []
    for start, end, label in spans:
        for low, high, offset in shifts:
            if low <= start and end <= high:
                moved.append((start + offset, end + offset, label))
                break
    return moved
