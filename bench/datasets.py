"""Loading the shared datasets the bench scripts read (never copied into the repository)."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ARTICLES = "zyte_article_extraction"
FULLPAGE = "zyte_fullpage_text_boilerplate"


@dataclass(frozen=True, slots=True)
class Page:
    """One benchmark page: its id, URL, HTML, full-page text and true article body."""

    id: str
    url: str
    html: str
    raw_text: str
    truth: str


def load_pages(data: Path) -> list[Page]:
    """The benchmark's pages with their HTML, full-page text and ground truth, in id order."""
    folder = data / ARTICLES
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    raw = _raw_texts(data / FULLPAGE / "pages.jsonl")
    pages = []
    for page_id in (folder / "ids.txt").read_text().split():
        html = gzip.decompress((folder / "html" / f"{page_id}.html.gz").read_bytes()).decode("utf-8")
        entry = truth[page_id]
        pages.append(Page(page_id, entry["url"], html, raw.get(page_id, ""), entry["articleBody"]))
    return pages


def load_peers(data: Path) -> dict[str, dict[str, str]]:
    """Other extractors' outputs on the same pages: system name -> {page id: article body}."""
    peers = {}
    for path in sorted((data / ARTICLES / "peers").glob("*.json")):
        content: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        output = content["output"] if "output" in content and "version" in content else content
        peers[path.stem] = {key: value.get("articleBody") or "" for key, value in output.items()}
    return peers


L3S = "l3s_gn1"
L3S_TEXT = "l3s_gn1_fullpage_text"
CONLL = "conll2003_en_test"


@dataclass(frozen=True, slots=True)
class RawPage:
    """A page as a crawler has it: its original bytes (any charset), flattened text and true body."""

    id: str
    url: str
    body: bytes
    raw_text: str
    truth: str


def load_l3s(data: Path) -> list[RawPage]:
    """The L3S-GN1 development pages: original bytes, flattened text and article body, in id order."""
    folder = data / L3S
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    raw = _raw_texts(data / L3S_TEXT / "pages.jsonl")
    pages = []
    for page_id in (folder / "ids.txt").read_text().split():
        body = gzip.decompress((folder / "html" / f"{page_id}.html.gz").read_bytes())
        entry = truth[page_id]
        pages.append(RawPage(page_id, entry["url"], body, raw.get(page_id, ""), entry["articleBody"]))
    return pages


def _raw_texts(path: Path) -> dict[str, str]:
    """A full-page text set's flattened pages: page id -> raw text."""
    raw: dict[str, str] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            raw[item["id"]] = item["raw_text"]
    return raw
