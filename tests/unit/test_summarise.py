from __future__ import annotations

import re

from tasks.models import ExtractedArticle, Span
from tasks.summarise import SummaryOptions, is_summary_worthy, summarise_article


def article(text: str) -> ExtractedArticle:
    spans = [
        Span(start=m.start(), end=m.end()) for m in re.finditer(r"[^.!?\n]+[.!?]?", text) if m.group().strip()
    ]
    spans = [
        Span(
            start=s.start + (len(text[s.start : s.end]) - len(text[s.start : s.end].lstrip())),
            end=s.end,
        )
        for s in spans
    ]
    return ExtractedArticle(id="a", text=text, sentences=spans)


def test_summary_sentences_are_sentences_of_the_text_in_order() -> None:
    text = " ".join(f"Sentence number {i} tells the reader something new about the story." for i in range(8))
    result = summarise_article(article(text), SummaryOptions(max_sentences=3))
    assert len(result.summary_sentences) == 3
    for sentence in result.summary_sentences:
        assert text[sentence.start : sentence.end] == sentence.text
    starts = [s.start for s in result.summary_sentences]
    assert starts == sorted(starts)


def test_a_short_article_is_its_own_summary() -> None:
    text = "Only one sentence here."
    assert summarise_article(article(text)).summary == text


def test_summary_respects_a_word_budget() -> None:
    text = " ".join(f"Sentence number {i} tells the reader something new about the story." for i in range(8))
    result = summarise_article(article(text), SummaryOptions(max_sentences=5, max_words=25))
    assert len(result.summary.split()) <= 25


def test_is_summary_worthy_skips_what_never_belongs_in_a_summary() -> None:
    assert not is_summary_worthy("Click here to read the full report on the council's decision.")
    assert not is_summary_worthy("What will the council decide about the bridge next year?")
    assert not is_summary_worthy("Photo: the bridge at dawn")
    assert not is_summary_worthy("Too short.")
    assert is_summary_worthy("The council voted on Tuesday to build a new bridge across the river.")
