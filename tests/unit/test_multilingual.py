"""Every script comes out as it was written: pages given as text, as bytes, declared or not."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tasks.clean.html_extract import parse_html, trafilatura_document
from tasks.clean.readability_text import readability_paragraphs
from tasks.clean.stage import clean_article
from tasks.models import ArticleRecord
from tests.multilingual import SAMPLES, Sample, all_variants, expected_text, page, write_files
from worker.cli.commands import main

MIXED = (
    "Городские власти объявили о строительстве новых станций метро.",
    "서울시는 내년부터 대중교통 요금이 인상된다고 밝혔다.",
    "افتتحت أمانة عمان الكبرى أمس مكتبة عامة جديدة.",
    "Le conseil municipal a voté un budget élargi pour les écoles.",
)


def _mixed_page(prolog: str, meta: str) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in MIXED)
    body = f"<body><article>{paragraphs}</article></body>"
    return f"{prolog}<html><head>{meta}<title>T</title></head>{body}</html>"


@pytest.mark.parametrize(
    ("prolog", "meta"),
    [
        ("", ""),
        ("", '<meta charset="utf-8">'),
        ("", "<meta charset=windows-1256>"),
        ("", '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'),
        ('<?xml version="1.0" encoding="iso-8859-1"?>', ""),
    ],
    ids=["no-meta", "utf-8", "windows-1256", "http-equiv-latin-1", "xml-declaration"],
)
def test_a_page_given_as_text_is_parsed_as_that_text_whatever_it_declares(prolog: str, meta: str) -> None:
    html = _mixed_page(prolog, meta)
    tree = parse_html(html)
    assert tree is not None
    assert [p.text_content() for p in tree.iter("p")] == list(MIXED)
    assert readability_paragraphs(copy.deepcopy(tree)) == list(MIXED)
    document = trafilatura_document(tree, None)
    assert document is not None and document.text.split("\n") == list(MIXED)
    assert clean_article(ArticleRecord(id="m", html=html)).text == "\n\n".join(MIXED)


@pytest.mark.parametrize("sample", [s for s in SAMPLES if s.legacy], ids=lambda s: s.key)
def test_a_page_text_with_a_stale_legacy_meta_comes_out_as_written(sample: Sample) -> None:
    article = clean_article(ArticleRecord(id="s", html=page(sample, sample.legacy[0])))
    assert article.text == expected_text(sample)


def test_process_gives_every_declared_variant_of_the_set_as_written_with_its_origin(tmp_path: Path) -> None:
    chosen = [variant for variant in all_variants() if variant.declared]
    written = write_files(tmp_path / "pages", chosen)
    output = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["process", str(tmp_path / "pages"), "-o", str(output)])
    assert result.exit_code == 0, result.output
    records = {r["origin"]: r for r in map(json.loads, output.read_text().splitlines())}
    assert set(records) == set(written)
    wrong = {
        origin: (record.get("error") or record["text"][:60], record.get("language"))
        for origin, record in records.items()
        if (record.get("text"), record.get("language"), record.get("title"))
        != (
            expected_text(written[origin].sample),
            written[origin].sample.language,
            written[origin].sample.title,
        )
    }
    assert wrong == {}
