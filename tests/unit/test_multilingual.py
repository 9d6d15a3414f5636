"""Every script comes out as it was written: pages given as text, as bytes, declared or not."""

from __future__ import annotations

import pytest

from tasks.clean import clean_article
from tasks.html_extract import parse_html
from tasks.models import ArticleRecord
from tests.multilingual import SAMPLES, Sample, expected_text, page

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
    assert clean_article(ArticleRecord(id="m", html=html)).text == "\n\n".join(MIXED)


@pytest.mark.parametrize("sample", [s for s in SAMPLES if s.legacy], ids=lambda s: s.key)
def test_a_page_text_with_a_stale_legacy_meta_comes_out_as_written(sample: Sample) -> None:
    article = clean_article(ArticleRecord(id="s", html=page(sample, sample.legacy[0])))
    assert article.text == expected_text(sample)
