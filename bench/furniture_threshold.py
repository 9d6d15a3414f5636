"""How the text path's test for page furniture was set: every setting, on page text and clean copy.

    python -m bench.furniture_threshold [DATA]        # DATA defaults to ../shared/data

Text with no page furniture is kept whole (``tasks.clean.boilerplate.has_page_furniture``); text with
some goes through the text path's rules and line model. The test has two numbers: how many words a
menu line has at most, and how many menu lines in a row make a menu. For each setting this prints
what it costs on flattened pages (F1 of the text path when pages taken for clean copy are kept
whole, and how many are) and what it gains on clean copy (share of words kept, how many documents
are taken for clean copy): the Zyte and L3S full-page texts against the true bodies of the same
pages, the CoNLL-2003 documents and the FRANK news texts.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from unittest.mock import patch

from bench.conll import read_documents
from bench.datasets import CONLL, load_l3s, load_pages
from bench.scoring import score
from tasks.clean.boilerplate import has_page_furniture
from tasks.clean.stage import clean_article, page_lines
from tasks.errors import NewsflowError
from tasks.models import ArticleRecord

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
MENU_WORDS = (4, 6, 8, 12)
MENU_RUNS = (2, 3, 4, 5)


@dataclass(frozen=True, slots=True)
class TextSet:
    """Texts, the clean stage's output for each as a page and as a body, and true bodies if known."""

    name: str
    lines: list[list[str]]
    as_page: list[str]
    as_body: list[str]
    truth: list[str] | None


def _clean(text: str, body_only: bool) -> str:
    try:
        return clean_article(ArticleRecord(id="t", text=text, body_only=body_only)).text
    except NewsflowError:
        return ""


def text_set(name: str, texts: Sequence[str], truth: list[str] | None = None) -> TextSet:
    """A set of texts run through the text path once as pages and once as bodies.

    "As pages" is the clean stage with its clean-copy test switched off (every text is looked
    through for its article), so each setting below decides alone which texts are kept whole;
    "as bodies" is the stage with ``body_only`` (every line kept, and no first line taken for a
    title, which the stage's own clean-copy path does: its F1 can differ in the fourth decimal).
    """
    with patch("tasks.clean.stage.has_page_furniture", return_value=True):
        as_page = [_clean(text, False) for text in texts]
    return TextSet(
        name, [page_lines(text) for text in texts], as_page, [_clean(text, True) for text in texts], truth
    )


def cell(texts: TextSet, menu_words: int, menu_run: int) -> str:
    """One set's figures at one setting."""
    clean = [not has_page_furniture(lines, menu_words, menu_run) for lines in texts.lines]
    pairs = zip(clean, texts.as_page, texts.as_body, strict=True)
    chosen = [body if whole else page for whole, page, body in pairs]
    if texts.truth is not None:
        ids = [str(i) for i in range(len(chosen))]
        result = score(dict(zip(ids, texts.truth, strict=True)), dict(zip(ids, chosen, strict=True)), ids)
        return f"{result.f1:.4f} ({sum(clean)})"
    before = sum(len(t.split()) for t in texts.as_body)
    kept = sum(len(t.split()) for t in chosen)
    return f"{kept / before:.3f} ({sum(clean)}/{len(clean)})"


def main(argv: list[str]) -> int:
    """Print the table of every setting."""
    data = Path(argv[1]) if len(argv) > 1 else DEFAULT_DATA
    zyte, l3s = load_pages(data), load_l3s(data)
    frank = [
        json.loads(line)["text"]
        for name in ("cnndm.jsonl", "xsum.jsonl")
        for line in (data / "news_summarization_frank" / name).read_text(encoding="utf-8").splitlines()
    ]
    sets = [
        text_set("zyte pages", [p.raw_text for p in zyte], [p.truth for p in zyte]),
        text_set("l3s pages", [p.raw_text for p in l3s], [p.truth for p in l3s]),
        text_set("zyte bodies", [p.truth for p in zyte]),
        text_set("l3s bodies", [p.truth for p in l3s]),
        text_set("conll", [d.text for d in read_documents(data / CONLL / "test.txt")]),
        text_set("frank", frank),
    ]
    print("Pages: text-path F1 (pages taken for clean copy). Clean copy: words kept against body_only")
    print("(documents taken for clean copy / all).\n")
    print("| menu line words ≤ | menu run ≥ | " + " | ".join(s.name for s in sets) + " |")
    print("|---|---|" + "---|" * len(sets))
    for menu_words in MENU_WORDS:
        for menu_run in MENU_RUNS:
            cells = " | ".join(cell(s, menu_words, menu_run) for s in sets)
            print(f"| {menu_words} | {menu_run} | {cells} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
