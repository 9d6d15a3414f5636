from __future__ import annotations

import pytest

from tasks.summarise.sentence_filters import (
    ends_like_a_sentence,
    has_attribution,
    has_caption_label,
    has_caption_words,
    is_byline,
    is_caption,
    is_context_less_quote,
    is_list_like,
    is_prompt,
    is_question,
    is_summary_worthy,
    quote_share,
)

GOOD = "The council voted on Tuesday to build a new bridge across the river by 2027."


def test_is_summary_worthy_keeps_a_plain_news_sentence() -> None:
    assert is_summary_worthy(GOOD)


@pytest.mark.parametrize(
    "sentence",
    [
        "Click here to read the full report on the council's decision.",
        "Scroll down for video of the bridge being opened by the mayor.",
        "Sign up for our newsletter to get the latest council news every day.",
        "Read more about the plans for the bridge on our local news pages.",
    ],
)
def test_is_prompt_finds_page_prompts(sentence: str) -> None:
    assert is_prompt(sentence)
    assert not is_summary_worthy(sentence)


@pytest.mark.parametrize(
    "sentence",
    ["By Jane Doe", "By JANE DOE and John Roe, Science Editor", "Updated: 10:31 GMT, 3 April 2015"],
)
def test_is_byline_finds_bylines_and_timestamps(sentence: str) -> None:
    assert is_byline(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "By the end of the week the council had changed its mind about the bridge.",
        "By 1929 the arrows could guide pilots across the whole country.",
    ],
)
def test_is_byline_leaves_sentences_that_start_with_by(sentence: str) -> None:
    assert not is_byline(sentence)
    assert is_summary_worthy(sentence)


def test_is_byline_gives_up_quickly_on_a_long_run_of_capitalised_words() -> None:
    assert not is_byline("By " + "Word " * 5_000 + "end")


@pytest.mark.parametrize(
    "sentence",
    [
        "Pictured: the new bridge at dawn on the day it opened to traffic.",
        "Strictly business: The mayor cuts the ribbon on the new bridge with her deputy.",
        "Long wait: Residents queued for hours to be the first to cross the bridge.",
        "SCROLL DOWN FOR VIDEO The mayor opened the bridge on Tuesday morning.",
    ],
)
def test_is_caption_finds_captions(sentence: str) -> None:
    assert is_caption(sentence)
    assert not is_summary_worthy(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "He said: 'The bridge will be finished by the spring of next year.'",
        "The mayor put it thus: 'We built a bridge and we built it on time.'",
        "Mr Smith told reporters: 'I have never seen so many people on one bridge.'",
    ],
)
def test_a_speaker_and_a_colon_is_not_a_caption_label(sentence: str) -> None:
    assert not has_caption_label(sentence)
    assert not is_caption(sentence)


def test_a_caption_without_final_punctuation_is_not_summary_worthy() -> None:
    caption = "The mayor of the town cuts the ribbon on the new bridge on Tuesday morning"
    assert not ends_like_a_sentence(caption)
    assert not is_summary_worthy(caption)
    assert ends_like_a_sentence(GOOD)
    assert ends_like_a_sentence("The mayor said the bridge was 'a triumph.'")


def test_has_caption_words_is_a_weaker_sign_that_is_not_filtered_alone() -> None:
    sentence = "The mayor, pictured at the opening, said the bridge had cost less than planned."
    assert has_caption_words(sentence)
    assert has_caption_words("The mayor (left) and her deputy (right) cross the bridge together.")
    assert not has_caption_words(GOOD)
    assert is_summary_worthy(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "What will the council decide about the bridge next year?",
        "She asked: 'Who is going to pay for all of this in the end?'",
        'He wondered aloud whether the bridge was "worth the money?"',
    ],
)
def test_is_question_finds_questions_inside_closing_quotes_too(sentence: str) -> None:
    assert is_question(sentence)
    assert not is_summary_worthy(sentence)


def test_quote_share_measures_how_much_of_a_sentence_is_quoted() -> None:
    assert quote_share("‘I’d be over the moon to cross it every morning of my life.’") > 0.9
    assert quote_share(GOOD) == 0.0
    half = quote_share("The mayor said on Tuesday that the bridge was 'a triumph for the town'.")
    assert 0.1 < half < 0.6


def test_a_quote_without_a_speaker_is_context_less_but_an_attributed_one_is_not() -> None:
    bare = "‘It is the best thing that has happened to this town in fifty years.’"
    attributed = "‘It is the best thing that has happened to this town in fifty years,’ she said."
    assert is_context_less_quote(bare)
    assert not is_summary_worthy(bare)
    assert has_attribution(attributed)
    assert not is_context_less_quote(attributed)
    assert is_summary_worthy(attributed)


def test_is_list_like_finds_lists_but_not_sentences_with_commas() -> None:
    squad = "Provisional squad: Smith, Jones, Brown, Taylor, Wilson, Evans, Thomas, Roberts, Walker."
    scores = "Results | Leeds 2 | York 1 | Hull 0 | Bath 3 | Derby 4 | Stoke 2."
    prose = "The case against Smith, of Mill Road, Leeds, and Jones, of High Street, York, was dropped."
    assert is_list_like(squad)
    assert is_list_like(scores)
    assert not is_list_like(prose)
    assert not is_summary_worthy(squad)


def test_short_fragments_are_not_summary_worthy() -> None:
    assert not is_summary_worthy("He was 88.")
    assert not is_summary_worthy("Too short.")
