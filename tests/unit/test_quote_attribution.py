"""Speaker rules of round 8 (issue 19), on author-written sentences with entities given by hand."""

from __future__ import annotations

import pytest

from tasks.extract.quotes import extract_quotes
from tasks.extract.unspoken import is_title
from tests.unit.test_quotes import given, quotes_of


@pytest.mark.parametrize("cue", ["stressed", "reiterated", "emphasised", "vowed", "cautioned", "assures"])
def test_verbs_that_stress_repeat_or_assure_are_cues(cue: str) -> None:
    text = f"Rain fell on the town. “The bridge will open on time and on budget,” Ann Lee {cue}."
    (quote,) = quotes_of(text, people=("Ann Lee",), speakers="rules")
    assert (quote.speaker_entity, quote.cue) == ("Ann Lee", cue)


def test_an_inverted_present_cue_names_the_speaker_after_it() -> None:
    text = "Rain fell. “We are thrilled to be back on the road next year,” comments Ann Lee in a statement."
    (quote,) = quotes_of(text, people=("Ann Lee",), speakers="rules")
    assert (quote.speaker, quote.cue) == ("Ann Lee", "comments")


def test_a_participle_right_after_the_quotation_leaves_the_sentence_subject_speaking() -> None:
    # ", saying he trusted …" is no inverted "said X": Tom Reed said it, before the quotation.
    text = (
        "Rain fell. Tom Reed said the plan was “not, in itself, a breach of the rules”, "
        "saying he trusted the courts."
    )
    (quote,) = quotes_of(text, people=("Tom Reed",), speakers="rules")
    assert (quote.speaker, quote.speaker_entity) == ("Tom Reed", "Tom Reed")


@pytest.mark.parametrize(
    "attribution",
    [
        "lead researcher and county water engineer Ann Lee said",
        "study co-author Ann Lee, a water engineer at the county office in Leeds, said",
    ],
)
def test_a_long_title_before_a_full_name_after_the_quotation(attribution: str) -> None:
    text = f"Rain fell. “The river has never risen this fast in the records we keep,” {attribution}."
    (quote,) = quotes_of(text, people=("Ann Lee",), places=("Leeds",), speakers="rules")
    assert (quote.speaker, quote.speaker_entity) == ("Ann Lee", "Ann Lee")


def test_a_verb_before_a_name_after_the_quotation_is_no_title() -> None:
    text = "Rain fell. “The river has never risen this fast,” the crowd heard and Ann Lee said nothing."
    (quote,) = quotes_of(text, people=("Ann Lee",), speakers="rules")
    assert quote.speaker_entity is None


def test_a_cue_word_inside_a_name_is_no_cue() -> None:
    # "States" of "the United States" is no "states"; the quotation is a term nobody is said to say.
    text = "Rain fell. The United States faced criticism, while its ally cheered the “historic” move."
    (quote,) = quotes_of(text, places=("United States",), speakers="rules")
    assert (quote.kind, quote.speaker, quote.cue) == ("scare", None, None)


def test_titles_in_a_list_keep_the_comma_inside_their_marks() -> None:
    text = (
        "Rain fell. According to Ann Lee, expect the hits, including “Walk On The Water,” "
        "“Take It To The Edge Of Town,” and “Home Again Tonight For All Of Us.”"
    )
    quotes = quotes_of(text, people=("Ann Lee",), speakers="rules")
    assert [q.kind for q in quotes] == ["scare", "scare", "scare"]
    assert all(q.speaker is None for q in quotes)


@pytest.mark.parametrize(
    ("words", "listed", "title"),
    [
        ("Walk On The Water,", True, True),
        ("Walk On The Water,", False, False),  # speech ending in a comma before its attribution
        ("Yes,", True, False),  # one word and a comma: speech, even in a list
        ("Jesus Is Just Alright With Me", True, True),
        ("Jesus Is Just Alright With Me", False, False),  # six words: a title only in a list
        ("Long Road Home Again Tonight.", True, True),  # the sentence's stop inside the last item's marks
        ("We will walk on the water", True, False),
    ],
)
def test_what_a_listed_title_is(words: str, listed: bool, title: bool) -> None:
    assert is_title(words.split(), listed) is title


def test_a_people_s_adjective_is_no_body_a_later_they_means() -> None:
    text = (
        "Rain fell. Two Danish politicians wrote to the board. "
        "“We did nothing wrong and we never will,” they said in a statement."
    )
    (quote,) = quotes_of(text, groups=("Danish",), speakers="rules")
    assert (quote.speaker, quote.speaker_entity) == ("they", None)


def test_words_of_a_body_s_name_are_no_person_s() -> None:
    # The model may take a ship for a person; the cruise line is not that "person".
    text = (
        "The Acme Star left port on Monday. Acme Cruise Lines said the ship was "
        "“safe and comfortable and waiting for calmer seas”."
    )
    (quote,) = quotes_of(text, people=("Acme Star",), orgs=("Acme Cruise Lines",), speakers="rules")
    assert quote.speaker_entity == "Acme Cruise Lines"


def test_a_person_taken_for_a_body_is_still_found_by_surname() -> None:
    text = (
        "Magistrate Ray Tullin heard the case in May. Later Magistrate Tullin said the death was "
        "“a tragic accident that nobody could have foreseen”."
    )
    sentences, mentions, entities = given(
        text, people=("Magistrate Ray Tullin",), orgs=("Magistrate Tullin",)
    )
    (quote,) = extract_quotes(text, sentences, mentions, entities, "rules")
    assert quote.speaker_entity == "Magistrate Ray Tullin"


def test_a_capitalised_word_ending_like_a_verb_may_stand_in_a_long_title() -> None:
    text = (
        "Rain fell. “The river has never risen this fast,” former United Nations envoy and "
        "county water engineer Ann Lee said."
    )
    (quote,) = quotes_of(text, people=("Ann Lee",), orgs=("United Nations",), speakers="rules")
    assert (quote.speaker, quote.speaker_entity) == ("Ann Lee", "Ann Lee")
