"""Speaker rules of round 3 (issue 19), on author-written sentences with entities given by hand."""

from __future__ import annotations

import pytest

from tests.unit.test_quotes import quotes_of


@pytest.mark.parametrize(
    "text",
    [
        "Rain fell. “We played well in the second half,” recalls Ann Lee.",
        "Rain fell. “We played well in the second half,” Ann Lee fired back.",
        "Rain fell. Ann Lee dismissed the claims as “plain wrong” on Monday.",
        "Rain fell. Ann Lee shouted across the pitch: “Keep going!”",
    ],
)
def test_more_verbs_of_saying_are_cues(text: str) -> None:
    (quote,) = quotes_of(text, people=("Ann Lee",))
    assert quote.speaker_entity == "Ann Lee"


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        # "reports" after a preposition is a noun: the attribution after the quotation names the speaker.
        (
            "Crowds gathered amid reports of a fire ‘Nobody is hurt,’ a fire officer told reporters.",
            "a fire officer",
        ),
        # "continued to" is no saying: the cue before it is.
        ("Ann Lee said the team continued to train ‘as hard as ever’ all week.", "Ann Lee"),
        # "asks to" is no saying either.
        ("Ann Lee says nobody who asks to join will be ‘turned away’ this year.", "Ann Lee"),
    ],
)
def test_a_cue_word_used_as_a_noun_or_before_to_is_no_cue(text: str, speaker: str) -> None:
    (quote,) = quotes_of(text, people=("Ann Lee",))
    assert quote.speaker == speaker


@pytest.mark.parametrize(
    "text",
    [
        "The ferry was late. ‘We waited all night,’ Åsa Berg, a nurse from Umeå, Sweden, told the paper.",
        "The ferry was late. ‘We waited all night,’ Åsa Berg, 31, who was on board, told the paper.",
    ],
)
def test_a_name_opening_the_attribution_speaks_whatever_aside_follows(text: str) -> None:
    (quote,) = quotes_of(text, people=("Åsa Berg",), places=("Umeå", "Sweden"))
    assert (quote.speaker, quote.speaker_entity) == ("Åsa Berg", "Åsa Berg")


def test_the_one_told_is_never_the_speaker() -> None:
    text = (
        "‘We waited all night,’ Åsa Berg, 31, who was on board, told Radio North. "
        "‘Nobody came to help,’ she said."
    )
    first, second = quotes_of(text, people=("Åsa Berg", "Radio North"))
    assert first.speaker_entity == second.speaker_entity == "Åsa Berg"
