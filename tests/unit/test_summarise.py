from __future__ import annotations

import re

import pytest

from tasks.models import ExtractedArticle, Span
from tasks.summarise.stage import SummaryOptions, is_summary_worthy, select_sentences, summarise_article


def article(text: str) -> ExtractedArticle:
    """An extracted article whose sentences end at . ! ? or a line break, as a splitter would."""
    spans = []
    for match in re.finditer(r"[^.!?\n]+[.!?]*[\"'’”]?", text):
        start, end = match.start(), match.end()
        while start < end and text[start].isspace():
            start += 1
        if end > start:
            spans.append(Span(start=start, end=end))
    return ExtractedArticle(id="a", text=text, sentences=spans)


def numbered(count: int) -> str:
    return " ".join(
        f"Sentence number {i} tells the reader something new about the story." for i in range(count)
    )


def test_summary_sentences_are_sentences_of_the_text_in_order() -> None:
    text = numbered(8)
    result = summarise_article(article(text), SummaryOptions(max_sentences=3))
    assert len(result.summary_sentences) == 3
    for sentence in result.summary_sentences:
        assert text[sentence.start : sentence.end] == sentence.text
    starts = [s.start for s in result.summary_sentences]
    assert starts == sorted(starts)
    assert result.summary == " ".join(s.text for s in result.summary_sentences)


@pytest.mark.parametrize("text", ["Only one sentence here.", "What now? Nobody knows."])
def test_a_short_article_is_its_own_summary(text: str) -> None:
    assert summarise_article(article(text)).summary == text


def test_an_article_without_sentences_has_an_empty_summary() -> None:
    result = summarise_article(ExtractedArticle(id="a", text="   ", sentences=[]))
    assert result.summary == ""
    assert result.summary_sentences == []


@pytest.mark.parametrize("budget", [12, 25, 40])
def test_summary_respects_a_word_budget(budget: int) -> None:
    result = summarise_article(article(numbered(8)), SummaryOptions(max_sentences=5, max_words=budget))
    assert 1 <= len(result.summary_sentences) <= 5
    assert len(result.summary.split()) <= max(budget, len(result.summary_sentences[0].text.split()))


def test_the_first_sentence_is_kept_even_when_it_alone_is_over_the_word_budget() -> None:
    result = summarise_article(article(numbered(4)), SummaryOptions(max_sentences=3, max_words=5))
    assert len(result.summary_sentences) == 1


def test_summary_skips_captions_questions_prompts_and_bylines() -> None:
    text = (
        "By Jane Doe\n\n"
        "Pictured: the new bridge over the river at dawn on Tuesday.\n\n"
        "The council opened a new bridge across the river on Tuesday after three years of work.\n\n"
        "Will it ease the traffic in the town centre at last?\n\n"
        "Click here to see more pictures of the bridge on the day it opened.\n\n"
        "Long wait: Residents queue to be the first across the bridge\n\n"
        "About two thousand people walked across it in the first hour, the council said.\n\n"
        "The bridge cost twelve million pounds, a third less than the council had planned.\n\n"
        "Its builders now hope to win the contract for a second bridge further down the river."
    )
    result = summarise_article(article(text), SummaryOptions(max_sentences=3))
    assert [s.text for s in result.summary_sentences] == [
        "The council opened a new bridge across the river on Tuesday after three years of work.",
        "About two thousand people walked across it in the first hour, the council said.",
        "The bridge cost twelve million pounds, a third less than the council had planned.",
    ]


def test_a_caption_run_into_a_sentence_is_split_off_and_skipped() -> None:
    text = (
        "Opened: The mayor cuts the ribbon on the new bridge over the river A council that spent three"
        " years building a bridge opened it to traffic on Tuesday. About two thousand people walked"
        " across it in the first hour, the council said. The bridge cost twelve million pounds, a third"
        " less than the council had planned."
    )
    result = summarise_article(article(text), SummaryOptions(max_sentences=3))
    assert result.summary_sentences[0].text.startswith("A council that spent three years")
    assert "Opened:" not in result.summary
    for sentence in result.summary_sentences:
        assert text[sentence.start : sentence.end] == sentence.text


def test_when_no_sentence_is_worthy_the_first_ones_are_taken() -> None:
    text = "Is it? Was it? Could it be? Nobody? Why?"
    result = summarise_article(article(text), SummaryOptions(max_sentences=2))
    assert [s.text for s in result.summary_sentences] == ["Is it?", "Was it?"]


def test_a_very_long_article_is_summarised_from_its_opening() -> None:
    text = numbered(20_000)
    bounds = [(s.start, s.end) for s in article(text).sentences]
    chosen = select_sentences(text, bounds, SummaryOptions(max_sentences=3))
    assert chosen == bounds[:3]


def test_is_summary_worthy_is_the_filter_the_summariser_uses() -> None:
    assert not is_summary_worthy("Click here to read the full report on the council's decision.")
    assert is_summary_worthy("The council voted on Tuesday to build a new bridge across the river.")
