"""Counting words in every script: as before where words have spaces, in words where they have none."""

from __future__ import annotations

import re

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from tasks.clean.stage import clean_article, repair_text
from tasks.clean.words import count_words, word_tokens
from tasks.errors import EmptyArticle
from tasks.models import ArticleRecord
from tests.multilingual import SAMPLES, Sample, expected_text

# Marks as the regex module knows them (its Unicode can be newer than Python's unicodedata).
UNSPACED_OR_MARK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\p{M}]")
# Text in spaced scripts only, without combining marks: Latin, Cyrillic, Greek, Arabic, Hebrew…
# letters, digits, punctuation, symbols and every kind of space (no Thai, Lao, Myanmar or Khmer).
spaced_text = st.text(
    alphabet=st.characters(
        codec="utf-8",
        exclude_categories=("Mn", "Mc", "Me", "Cs"),
        max_codepoint=0x2E7F,  # Han radicals, kana and ideographs start at U+2E80
    ).filter(lambda ch: not UNSPACED_OR_MARK.match(ch)),
    max_size=200,
)


@given(spaced_text)
def test_words_of_spaced_scripts_are_counted_exactly_as_before(text: str) -> None:
    assert word_tokens(text) == re.findall(r"\w+", text)
    assert count_words(text) == len(text.split())


def test_an_emoji_variation_selector_is_no_word() -> None:
    assert word_tokens("Check them out below~⬇️") == ["Check", "them", "out", "below"]


def test_combining_marks_stay_in_their_word() -> None:
    # re's \w+ breaks Devanagari at every vowel sign and virama: "हिन्दी" came out as three words.
    assert word_tokens("हिन्दी भाषा में समाचार") == ["हिन्दी", "भाषा", "में", "समाचार"]
    assert word_tokens("שָׁלוֹם עוֹלָם") == ["שָׁלוֹם", "עוֹלָם"]


def test_thai_is_split_into_its_words() -> None:
    text = "ประชาชนจำนวนมากเดินทางมาพักผ่อน"  # "many people came to relax": one run, six or so words
    words = word_tokens(text)
    assert "".join(words) == text
    assert words[:3] == ["ประชาชน", "จำนวน", "มาก"]
    assert 5 <= len(words) <= 8
    assert count_words(f"{text} {text}") == 2 * len(words)


def test_chinese_and_japanese_are_split_into_words_with_numbers_and_latin_apart() -> None:
    assert word_tokens("上海国际汽车展览会今天开幕") == ["上海", "国际", "汽车", "展览", "会", "今天", "开幕"]
    assert word_tokens("2030年までにＪＲの路線") == ["2030", "年", "まで", "に", "ＪＲ", "の", "路線"]
    assert count_words("中文网") == 2
    assert count_words("，。！") == 1  # punctuation alone is still one token, as split() counts it


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.key)
def test_every_sample_has_as_many_words_as_a_reader_would_count(sample: Sample) -> None:
    """Each sample is three paragraphs of a few sentences: dozens of words in any script."""
    assert 45 <= count_words(expected_text(sample)) <= 120


@pytest.mark.parametrize(
    "sample", [s for s in SAMPLES if s.language in ("ja", "zh", "th")], ids=lambda s: s.key
)
def test_an_article_without_spaces_between_words_is_not_empty(sample: Sample) -> None:
    article = clean_article(ArticleRecord(id="u", text="\n".join(sample.paragraphs), body_only=True))
    assert article.text == expected_text(sample)
    with pytest.raises(EmptyArticle, match="words of article text"):
        clean_article(ArticleRecord(id="s", text=sample.paragraphs[0][:3]))


def test_full_width_characters_are_kept_as_written() -> None:
    text = "展览会将持续七天，预计接待观众超过五十万人次。ＪＲ線は１２時から運転を再開。ｶﾀｶﾅ"
    assert repair_text(text) == text


def test_a_long_paragraph_without_spaces_is_no_title_line() -> None:
    ja = next(s for s in SAMPLES if s.language == "ja")
    text = "\n".join(ja.paragraphs)
    article = clean_article(ArticleRecord(id="t", text=text))
    assert article.title is None
    assert article.text == expected_text(ja)
