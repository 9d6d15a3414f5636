"""Speaker rules of round 3 (issue 19), on author-written sentences with entities given by hand."""

from __future__ import annotations

import pytest

from tasks.extract.genders import Genders
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
    text = "Rain fell. Ann Lee - a chef and food writer -suggests the menu is ‘far too long’ for her."
    (quote,) = quotes_of(text, people=("Ann Lee",))
    assert quote.speaker_entity == "Ann Lee"


@pytest.mark.parametrize(
    "text",
    [
        "Critic Ann Lee said it was ‘strange’ that the league fined two Acme players, adding: ‘Let it go.’",
        "Ann Lee was ‘furious’ and would not hand over the keys on Friday, calling the flat ‘my home.’",
    ],
)
def test_a_participle_with_no_subject_in_its_clause_takes_the_sentence_opener(text: str) -> None:
    quote = quotes_of(text, people=("Ann Lee",), orgs=("Acme",))[-1]
    assert quote.speaker_entity == "Ann Lee"


def test_the_whole_name_is_the_mention_not_its_first_word() -> None:
    text = "Critic Ann Lee said it was ‘strange’ that the league fined two players, adding: ‘Let them play.’"
    quote = quotes_of(text, people=("Ann Lee",))[-1]
    assert (quote.speaker, quote.speaker_entity) == ("Ann Lee", "Ann Lee")


def test_a_listener_in_the_attribution_does_not_stop_the_next_quotation_carrying_on() -> None:
    # One sentence, as the model often leaves a quotation that follows an attribution.
    text = (
        "‘The kettle needs descaling,’ a plumber tells reporter Ann Lee on camera. ‘That explains the taste.’"
    )
    at = text.index("Ann Lee")
    mention = EntityMention(start=at, end=at + 7, text="Ann Lee", label="PERSON")
    entity = CanonicalEntity(name="Ann Lee", label="PERSON", count=1, mentions=[Span(start=at, end=at + 7)])
    first, second = extract_quotes(text, [Span(start=0, end=len(text))], [mention], [entity])
    assert (
        (second.speaker, second.speaker_entity)
        == ("a plumber", None)
        == (first.speaker, first.speaker_entity)
    )


def test_a_possessive_title_may_stand_before_the_name_after_a_quotation() -> None:
    text = "It was close. ‘We lost the plot,’ Reed's campaign manager Ann Lee admitted after the count."
    (quote,) = quotes_of(text, people=("Reed", "Ann Lee"))
    assert quote.speaker_entity == "Ann Lee"


@pytest.mark.parametrize(
    "text",
    [
        # The sentence's subject is a thing: "it" is that thing, not the body named before.
        "Acme lobbied for years. The ordinance, passed by the council last week, forbids what it "
        "describes as ‘noisy leaf blowers’.",
        # The last to speak was a body nobody names: "it" is that body.
        "Acme was named in the report. The committee said costs had risen. It added that the ‘rainy day "
        "fund’ was nearly empty.",
    ],
)
def test_it_means_the_unnamed_thing_or_body_of_its_sentence(text: str) -> None:
    (quote,) = quotes_of(text, orgs=("Acme",))
    assert quote.speaker_entity is None


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        (
            "Data came out. The board reviewing complaints against Acme said the backlog ‘keeps "
            "growing every month’.",
            None,
        ),
        # ... unless a relative clause makes it the subject.
        ("Tom Reed sails with Ann Lee, right, who says ‘the sea is our second home’.", "Ann Lee"),
    ],
)
def test_a_name_after_against_or_with_is_no_subject(text: str, entity: str | None) -> None:
    (quote,) = quotes_of(text, people=("Tom Reed", "Ann Lee"), orgs=("Acme",))
    assert quote.speaker_entity == entity


def test_a_sentence_adverb_after_a_quotation_is_no_name_opening_its_attribution() -> None:
    # One sentence, as the model leaves a quotation ending in "!" and the sentence after it.
    text = (
        "Ann Lee, 41, added that she has slept much better since she moved to the quiet side of "
        "town: ‘It is bliss!’ "
        "However, doctor Tom Reed told the paper that he doubts it."
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
        "Coaches Tom Reed and Ann Lee met the press on Friday. "
        f"Asked about the keeper, the {word} said he was ‘not ready yet’ for the final."
    )
    (quote,) = quotes_of(text, people=people, orgs=orgs)
    assert (quote.speaker, quote.speaker_entity) == (f"the {word}", entity)


@pytest.mark.parametrize(
    "text",
    [
        # The comma closing the aside is missing: the name it describes speaks, not the description.
        "The ferry was late. Åsa Berg, a nurse at the Umeå hospital said the crew had ‘done their best’.",
        # A stray comma between a name and its cue.
        "The ferry was late. Ward councillor Åsa Berg, said the crew had ‘done their best’.",
    ],
)
def test_a_name_beside_a_description_speaks_when_a_comma_is_missing_or_stray(text: str) -> None:
    (quote,) = quotes_of(text, people=("Åsa Berg",), places=("Umeå",))
    assert (quote.speaker, quote.speaker_entity) == ("Åsa Berg", "Åsa Berg")


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        # A place or a time opening the sentence is no name the description stands beside.
        ("The ferry was late. In New York, a spokesman said the crew had ‘done their best’.", "a spokesman"),
        ("The ferry was late. Last week, the captain said the crew had ‘done their best’.", "the captain"),
    ],
)
def test_a_place_or_time_before_a_description_does_not_speak(text: str, speaker: str) -> None:
    (quote,) = quotes_of(text, places=("New York",))
    assert quote.speaker == speaker


@pytest.mark.parametrize("speakers", ["rules", "learned"])
def test_a_role_described_by_its_owner_is_the_person_with_that_role(speakers: str) -> None:
    # "Acme's coach" is the coach named before with that title, not the club that owns the role.
    text = (
        "Acme coach Åsa Berg watched from the stand. The club lost again. "
        "‘We will be back next season,’ said Acme's coach."
    )
    (quote,) = quotes_of(text, people=("Åsa Berg",), orgs=("Acme",), speakers=speakers)
    assert quote.speaker_entity == "Åsa Berg"


@pytest.mark.parametrize(
    ("text", "sex"),
    [
        ("Ann Lee said she was tired.", "f"),
        # The pronoun after a quotation attributes it, maybe to someone else: it tells nothing of Ann Lee.
        ('The panel then heard from Ann Lee. "It was a long night," he said.', None),
    ],
)
def test_a_pronoun_after_a_quotation_tells_nothing_of_the_name_before_it(text: str, sex: str | None) -> None:
    start = text.index("Ann Lee")
    mention = EntityMention(text="Ann Lee", label="PERSON", start=start, end=start + len("Ann Lee"))
    assert Genders(text, [mention], {start: "Ann Lee"}).of("Ann Lee") == sex


@pytest.mark.parametrize(
    "text",
    [
        # A modal and a perception verb stand between a subject and its cue ...
        "Police arrived. ‘We were both hurt,’ Ann Lee can be heard saying in the video.",
        # ... but a name that is also a modal is a name.
        "Police arrived. But Mrs May also said officers must end ‘frivolous’ claims.",
        # A participle's subject opens its clause: the thing right before it is an object.
        "Police arrived. However, Ann Lee made light of the incident writing: ‘Nobody was hurt.’",
    ],
)
def test_the_subject_of_a_cue_past_modals_and_objects(text: str) -> None:
    (quote,) = quotes_of(text, people=("Ann Lee", "May"), speakers="rules")
    assert quote.speaker_entity in {"Ann Lee", "May"}
    assert quote.speaker_entity == ("May" if "May" in text else "Ann Lee")


@pytest.mark.parametrize("heading", ["Acme coach Ann Lee: ", "Ann Lee:"])
def test_a_heading_naming_a_person_before_a_colon_attributes_the_quotation(heading: str) -> None:
    text = f"The home side lost 12-30. {heading}‘We were poor in the first half and we know it.’"
    (quote,) = quotes_of(text, people=("Ann Lee",), speakers="rules")
    assert (quote.speaker, quote.speaker_entity) == ("Ann Lee", "Ann Lee")


@pytest.mark.parametrize(
    "text",
    [
        "Fans gathered outside. A banner hung from the stand read: ‘We want our club back, not your money.’",
        "He posted a photo of the team with the caption ‘What a day this has been for all of us.’",
        "The band played on. ‘We will walk on through the wind and the rain tonight,’ Ann Lee sang.",
    ],
)
def test_what_a_sign_or_caption_reads_and_a_song_s_words_have_no_speaker(text: str) -> None:
    (quote,) = quotes_of(text, people=("Ann Lee",), speakers="rules")
    assert (quote.speaker, quote.kind) == (None, "scare")


def test_a_misspelt_speaker_choice_is_refused_not_taken_as_rules() -> None:
    text = "“We will win,” Ann Lee said."
    with pytest.raises(ValueError, match="speakers must be one of"):
        quotes_of(text, people=("Ann Lee",), speakers="Rules")  # type: ignore[arg-type]


@pytest.mark.parametrize("adverb", ["instead", "still", "now", "even", "first", "earlier", "already"])
def test_an_adverb_between_a_subject_and_its_cue_is_passed_over(adverb: str) -> None:
    text = f"Ann Lee left early. Tom Reed stayed on. He {adverb} told the paper: “It was my own fault.”"
    (quote,) = quotes_of(text, people=("Ann Lee", "Tom Reed"), speakers="rules")
    assert (quote.speaker, quote.speaker_entity) == ("He", "Tom Reed")


def test_a_participle_of_the_quoted_words_is_no_cue_and_the_next_cue_names_the_speaker() -> None:
    text = "Rain fell. “The council wants a bigger deal than the small one” announced in May, said Tom Reed."
    (quote,) = quotes_of(text, people=("Tom Reed",), speakers="rules")
    assert (quote.speaker, quote.speaker_entity, quote.cue) == ("Tom Reed", "Tom Reed", "said")


@pytest.mark.parametrize("cue", ["shouts", "yells", "screams", "exclaims", "complains"])
def test_present_forms_of_verbs_of_saying_are_cues(cue: str) -> None:
    text = f"Rain fell on the town. “Open the door, we are coming in,” an officer {cue}. The door opened."
    (quote,) = quotes_of(text, speakers="rules")
    assert (quote.speaker, quote.cue) == ("an officer", cue)


@pytest.mark.parametrize("closing", ["!", "?"])
def test_an_attribution_after_the_last_sentence_cut_at_the_mark(closing: str) -> None:
    # The sentence splitter ends a sentence at "!" or "?" inside the marks; the attribution after
    # it is the text's last sentence.
    text = f"Rain fell on the town. “Is anyone in there{closing}” Ann Lee said."
    (quote,) = quotes_of(text, people=("Ann Lee",), speakers="rules")
    assert (quote.speaker, quote.speaker_entity) == ("Ann Lee", "Ann Lee")
