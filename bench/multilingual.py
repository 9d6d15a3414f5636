"""The multilingual page set (tests/multilingual.py) through the clean stage: is every script right?

Each sample's page, in every variant (UTF-8 with and without ``<meta charset>``, legacy bytes with
and without one, text in JSON with and without a stale legacy ``<meta>``), is decoded as a file
would be (``worker.sources.decode``) and cleaned; a page is right when its text equals the text of
its UTF-8 original, which must be the paragraphs as written. Also the legacy bytes with their
charset named only by the server (``http-declared``, as a fetch decodes them), the text path (the
paragraphs as a record's ``text``) and the language detected. Undeclared legacy bytes rely on detection:
they are measured, not required.

    .venv/bin/python -m bench.multilingual
"""

from __future__ import annotations

import sys
from collections import defaultdict

from tasks.clean.stage import clean_article
from tasks.errors import NewsflowError
from tasks.models import ArticleRecord
from tests.multilingual import CODECS, SAMPLES, Sample, Variant, all_variants, expected_text, page
from worker.sources.decode import decode_bytes

KINDS = (
    "utf8-declared",
    "utf8-undeclared",
    "json",
    "legacy-declared",
    "json-legacy-meta",
    "http-declared",
    "legacy-undeclared",
    "text",
)


def _clean(record: ArticleRecord) -> tuple[str, str | None]:
    try:
        article = clean_article(record)
    except NewsflowError as exc:
        return f"<{type(exc).__name__}>", None
    return article.text, article.language


def clean_variant(variant: Variant) -> tuple[str, str | None]:
    """The cleaned text and language of one variant, decoded as a file would be."""
    if isinstance(variant.body, bytes):
        try:
            html = decode_bytes(variant.body)
        except NewsflowError as exc:
            return f"<{type(exc).__name__}>", None
    else:
        html = variant.body
    return _clean(ArticleRecord(id=variant.name, html=html))


def _text_variant(sample: Sample) -> tuple[str, str | None]:
    return _clean(ArticleRecord(id=sample.key, text="\n".join(sample.paragraphs)))


def _http_variants(sample: Sample) -> list[tuple[str, tuple[str, str | None]]]:
    """The page without a <meta>, its charset named only by the server (as a fetch gets it)."""
    found = []
    for label in sample.legacy:
        body = page(sample).encode(CODECS[label])
        html = decode_bytes(body, declared=label)
        found.append((f"{sample.key}-http-{label}", _clean(ArticleRecord(id=sample.key, html=html))))
    return found


def multilingual_table() -> str:
    """A markdown table: per variant, the share of pages that come out as their UTF-8 original."""
    right: dict[str, list[bool]] = defaultdict(list)
    written: dict[str, list[bool]] = defaultdict(list)
    language: dict[str, list[bool]] = defaultdict(list)
    wrong: dict[str, list[str]] = defaultdict(list)
    originals = {}
    for sample in SAMPLES:
        originals[sample.key], _ = clean_variant(next(v for v in all_variants() if v.sample == sample))
    outcomes = [(v.kind, v.name, v.sample, clean_variant(v)) for v in all_variants()]
    outcomes += [("text", s.key, s, _text_variant(s)) for s in SAMPLES]
    outcomes += [("http-declared", name, s, got) for s in SAMPLES for name, got in _http_variants(s)]
    for kind, name, sample, (text, detected) in outcomes:
        same = text == originals[sample.key]
        right[kind].append(same)
        written[kind].append(text == expected_text(sample))
        language[kind].append(detected == sample.language)
        if not same or text != expected_text(sample):
            wrong[kind].append(name)
    lines = [
        f"Multilingual set (tests/multilingual.py): {len(SAMPLES)} stories in "
        f"{len({s.language for s in SAMPLES})} languages through the clean stage",
        "| variant | pages | same text as the UTF-8 original | text as written | language right | wrong |",
        "|---|---|---|---|---|---|",
    ]
    for kind in KINDS:
        pages = len(right[kind])
        shares = (sum(column[kind]) / pages for column in (right, written, language))
        cells = " | ".join(f"{share:.0%}" for share in shares)
        lines.append(f"| {kind} | {pages} | {cells} | {', '.join(wrong[kind])} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Print the table."""
    del argv
    print(multilingual_table())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
