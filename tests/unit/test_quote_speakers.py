"""Speaker rules of round 3 (issue 19), on author-written sentences with entities given by hand."""

from __future__ import annotations

import pytest

from tasks.extract.names import HONORIFICS, TITLE_WORDS
from tasks.extract.quotes import extract_quotes
from tasks.extract.speaker_phrases import HONORIFICS as PHRASE_HONORIFICS
from tasks.models import CanonicalEntity, EntityMention, Span
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


def test_a_quotation_inside_narration_does_not_carry_on_the_last_speaker() -> None:
    text = "‘We sang all night,’ said Ann Lee. Her band then recorded ‘Green Fields,’ a song about home."
    first, second = quotes_of(text, people=("Ann Lee",))
    assert first.speaker_entity == "Ann Lee"
    assert second.speaker is None


def test_a_quotation_opening_its_sentence_carries_on_even_where_the_model_missed_the_stop() -> None:
    text = "Ann Lee said: ‘We sang all night.’ She was tired. ‘We will sing again.’"
    cut = text.index("She")
    one_sentence = [Span(start=0, end=cut - 1), Span(start=cut, end=len(text))]  # the model's cut
    mentions = [EntityMention(start=0, end=7, text="Ann Lee", label="PERSON")]
    entities = [CanonicalEntity(name="Ann Lee", label="PERSON", count=1, mentions=[Span(start=0, end=7)])]
    first, second = extract_quotes(text, one_sentence, mentions, entities)
    assert first.speaker_entity == second.speaker_entity == "Ann Lee"


def test_a_cue_after_and_shares_the_subject_of_the_verb_before() -> None:
    text = "Tom Reed says that when the gate fell, Ann Lee ran out and told her son ‘stay inside’ at once."
    (quote,) = quotes_of(text, people=("Tom Reed", "Ann Lee"))
    assert quote.speaker_entity == "Ann Lee"


def test_a_cue_after_and_with_a_quotation_before_it_keeps_that_quotation_s_speaker() -> None:
    text = "Ann Lee called the plan ‘a waste of money’ and said Tom Reed had ‘no idea’ what to do."
    first, second = quotes_of(text, people=("Ann Lee", "Tom Reed"))
    assert first.speaker_entity == second.speaker_entity == "Ann Lee"


def test_a_person_inside_the_clause_before_and_is_no_subject() -> None:
    text = "Jo Hart, a lawyer, admitted her client had hit Tom Reed but added he was ‘not a violent man’."
    (quote,) = quotes_of(text, people=("Jo Hart", "Tom Reed"))
    assert quote.speaker_entity == "Jo Hart"


def test_honorifics_are_one_list_and_all_title_words() -> None:
    assert {word.lower() for word in HONORIFICS} <= TITLE_WORDS
    assert {"Mr", "Mr.", "Dame", "Dame."} <= PHRASE_HONORIFICS


def test_dame_before_a_surname_tells_her_sex() -> None:
    text = (
        "Ann Lee met Tom Reed and his staff on Monday. "
        "Dame Lee insisted the vote would not change. But she added it was ‘another matter’ now."
    )
    (quote,) = quotes_of(text, people=("Ann Lee", "Tom Reed"))
    assert (quote.speaker, quote.speaker_entity) == ("she", "Ann Lee")


@pytest.mark.parametrize(
    "text",
    [
        "Rain fell. ‘The roof leaked all winter,’ Ann Lee remembers.",
        "Rain fell. Ann Lee suggests the plan was ‘rushed’ and ‘badly costed’ from the start.",
        "Rain fell. The firm sells ‘luxury living’, as Ann Lee calls it, to buyers abroad.",
    ],
)
def test_round_four_verbs_of_saying_are_cues(text: str) -> None:
    quote = quotes_of(text, people=("Ann Lee",))[0]
    assert quote.speaker_entity == "Ann Lee"


def test_a_cue_after_a_spaced_dash_closing_an_aside_is_a_cue() -> None:
    text = "Rain fell. Ann Lee - a lawyer and critic -suggests the firm was ‘careless’ with data."
    (quote,) = quotes_of(text, people=("Ann Lee",))
    assert quote.speaker_entity == "Ann Lee"


@pytest.mark.parametrize(
    "text",
    [
        "Rain fell. Critic Ann Lee said it was ‘odd’ that police chased two Acme staff, adding: ‘Stop now.’",
        "Rain fell. Ann Lee had been ‘very upset’ and refused to leave on Monday, calling them ‘my friends.’",
    ],
)
def test_a_participle_with_no_subject_in_its_clause_takes_the_sentence_opener(text: str) -> None:
    quote = quotes_of(text, people=("Ann Lee",), orgs=("Acme",))[-1]
    assert quote.speaker_entity == "Ann Lee"


def test_the_whole_name_is_the_mention_not_its_first_word() -> None:
    text = "Rain fell. Critic Ann Lee said it was ‘odd’ that police chased two staff, adding: ‘Stop now.’"
    quote = quotes_of(text, people=("Ann Lee",))[-1]
    assert (quote.speaker, quote.speaker_entity) == ("Ann Lee", "Ann Lee")


def test_a_listener_in_the_attribution_does_not_stop_the_next_quotation_carrying_on() -> None:
    # One sentence, as the model often leaves a quotation that follows an attribution.
    text = "‘It is a deep clean,’ a nurse tells blogger Ann Lee in a video. ‘So that is the smell.’"
    at = text.index("Ann Lee")
    mention = EntityMention(start=at, end=at + 7, text="Ann Lee", label="PERSON")
    entity = CanonicalEntity(name="Ann Lee", label="PERSON", count=1, mentions=[Span(start=at, end=at + 7)])
    first, second = extract_quotes(text, [Span(start=0, end=len(text))], [mention], [entity])
    assert (
        (second.speaker, second.speaker_entity) == ("a nurse", None) == (first.speaker, first.speaker_entity)
    )


def test_a_possessive_title_may_stand_before_the_name_after_a_quotation() -> None:
    text = "It was hard. ‘He did it,’ Reed's defence lawyer Ann Lee conceded as the case opened."
    (quote,) = quotes_of(text, people=("Reed", "Ann Lee"))
    assert quote.speaker_entity == "Ann Lee"


@pytest.mark.parametrize(
    "text",
    [
        # The sentence's subject is a thing: "it" is that thing, not the body named before.
        "Acme lobbied for years. The bill, signed by the mayor on Monday, bans what it calls ‘cruel traps’.",
        # The last to speak was a body nobody names: "it" is that body.
        "Acme was named in the report. The panel said numbers had grown. It noted that the ‘watch list’ "
        "now holds thousands of names.",
    ],
)
def test_it_means_the_unnamed_thing_or_body_of_its_sentence(text: str) -> None:
    (quote,) = quotes_of(text, orgs=("Acme",))
    assert quote.speaker_entity is None


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        (
            "Data came out. The panel monitoring sanctions against Acme said the flow ‘is higher than ever’.",
            None,
        ),
        # ... unless a relative clause makes it the subject.
        ("Tom Reed went out with Ann Lee, left, who says ‘we will keep going till we drop’.", "Ann Lee"),
    ],
)
def test_a_name_after_against_or_with_is_no_subject(text: str, entity: str | None) -> None:
    (quote,) = quotes_of(text, people=("Tom Reed", "Ann Lee"), orgs=("Acme",))
    assert quote.speaker_entity == entity


def test_a_sentence_adverb_after_a_quotation_is_no_name_opening_its_attribution() -> None:
    # One sentence, as the model leaves a quotation ending in "!" and the sentence after it.
    text = (
        "Ann Lee, 30, added that she has seen a real change in her skin since she started going "
        "there: ‘Wow, it works!’ "
        "However, surgeon Tom Reed told the paper that he doubts it."
    )
    mentions, entities = [], []
    for name in ("Ann Lee", "Tom Reed"):
        at = text.index(name)
        mentions.append(EntityMention(start=at, end=at + len(name), text=name, label="PERSON"))
        span = Span(start=at, end=at + len(name))
        entities.append(CanonicalEntity(name=name, label="PERSON", count=1, mentions=[span]))
    (quote,) = extract_quotes(text, [Span(start=0, end=len(text))], mentions, entities)
    assert quote.speaker_entity == "Ann Lee"


@pytest.mark.parametrize(
    ("word", "people", "orgs", "entity"),
    [
        ("latter", ("Tom Reed", "Ann Lee"), (), "Ann Lee"),
        ("former", ("Tom Reed", "Ann Lee"), (), "Tom Reed"),
        # The model took one of the two for an organisation: still one of a pair of people.
        ("latter", ("Tom Reed",), ("Ann Lee",), "Ann Lee"),
    ],
)
def test_the_latter_and_the_former_are_one_of_the_pair_just_named(
    word: str, people: tuple[str, ...], orgs: tuple[str, ...], entity: str
) -> None:
    text = (
        "Pundits Tom Reed and Ann Lee were critical of the striker. "
        f"Of the 31-year-old, the {word} said he had become ‘a bit of a liability’ this year."
    )
    (quote,) = quotes_of(text, people=people, orgs=orgs)
    assert (quote.speaker, quote.speaker_entity) == (f"the {word}", entity)
