"""Quotations and their speakers on author-written sentences (no model: entities given by hand)."""

from __future__ import annotations

import re

import pytest

from tasks.extract.quotes import SpeakerChoice, extract_quotes
from tasks.extract.sentences import split_sentences_plain
from tasks.models import CanonicalEntity, EntityMention, Quote, Span
from tasks.quote_marks import find_quote_spans


def given(
    text: str,
    people: tuple[str, ...] = (),
    orgs: tuple[str, ...] = (),
    places: tuple[str, ...] = (),
    groups: tuple[str, ...] = (),
) -> tuple[list[Span], list[EntityMention], list[CanonicalEntity]]:
    """The text's sentences, and every whole-word occurrence of each name as a mention of one
    entity (its longest name), the way the extract stage hands them over."""
    mentions: list[EntityMention] = []
    entities: list[CanonicalEntity] = []
    for label, names in (("PERSON", people), ("ORG", orgs), ("GPE", places), ("NORP", groups)):
        for name in names:
            spans = [
                Span(start=m.start(), end=m.end())
                for m in re.finditer(rf"\b{re.escape(name)}\b", text)
                if not any(m.start() >= e.start and m.end() <= e.end for e in mentions)
            ]
            mentions += [EntityMention(start=s.start, end=s.end, text=name, label=label) for s in spans]
            entities.append(CanonicalEntity(name=name, label=label, count=len(spans), mentions=spans))
    mentions.sort(key=lambda m: m.start)
    return split_sentences_plain(text), mentions, entities


def quotes_of(
    text: str,
    people: tuple[str, ...] = (),
    orgs: tuple[str, ...] = (),
    places: tuple[str, ...] = (),
    speakers: SpeakerChoice = "learned",
    *,
    groups: tuple[str, ...] = (),
) -> list[Quote]:
    """extract_quotes on ``given``'s sentences and entities."""
    return extract_quotes(text, *given(text, people, orgs, places, groups), speakers)


def spans_text(text: str) -> list[str]:
    return [text[start:end] for start, end in find_quote_spans(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("“We will win,” she said.", ["We will win,"]),
        ('"We will win," she said.', ["We will win,"]),
        ("‘It’s the players’ night and we’re proud,’ he said.", ["It’s the players’ night and we’re proud,"]),
        ("'It's the players' night and we're proud,' he said.", ["It's the players' night and we're proud,"]),
        ("The club's fans in the '90s were loyal.", []),
        ("He called the plan ‘hopeless’ and left.", ["hopeless"]),
        ("“She told me ‘never again’ and meant it,” he said.", ["She told me ‘never again’ and meant it,"]),
    ],
)
def test_quote_marks_pair_and_apostrophes_do_not(text: str, expected: list[str]) -> None:
    assert spans_text(text) == expected


def test_a_quotation_over_a_paragraph_break_is_one_quotation() -> None:
    text = "Ann Lee said: ‘The first part ends here.\n\n‘The second part ends here.’\n\nThe end."
    assert spans_text(text) == ["The first part ends here.\n\n‘The second part ends here."]
    (quote,) = quotes_of(text, people=("Ann Lee",))
    assert quote.speaker_entity == "Ann Lee"


def test_a_quotation_left_open_ends_with_its_paragraph() -> None:
    text = "He said: ‘We are ready\n\nThe match starts at noon."
    assert spans_text(text) == ["We are ready"]


def test_said_after_the_quotation_names_the_speaker() -> None:
    text = "The mayor spoke on Monday. “The bridge opens in May,” said Maria Lopez, the mayor."
    (quote,) = quotes_of(text, people=("Maria Lopez",))
    assert (quote.text, quote.speaker, quote.speaker_entity, quote.cue, quote.kind) == (
        "The bridge opens in May,",
        "Maria Lopez",
        "Maria Lopez",
        "said",
        "direct",
    )
    assert text[quote.start : quote.end] == quote.text
    assert text[quote.speaker_start or 0 : quote.speaker_end or 0] == "Maria Lopez"


def test_a_quotation_split_by_its_attribution_gives_two_with_one_speaker() -> None:
    text = "Tom Baker spoke to reporters. “Yes,” he said, “we will.”"
    first, second = quotes_of(text, people=("Tom Baker",))
    assert (first.text, second.text) == ("Yes,", "we will.")
    assert first.speaker == "he" and first.speaker_entity == "Tom Baker"
    assert second.speaker_entity == "Tom Baker"


def test_according_to_before_and_after() -> None:
    text = (
        "“The road will reopen in June,” according to the city council. "
        "According to Jo Park, “the budget is balanced this year.”"
    )
    first, second = quotes_of(text, people=("Jo Park",))
    assert (first.speaker, first.speaker_entity, first.cue) == ("the city council", None, "according to")
    assert (second.speaker_entity, second.cue) == ("Jo Park", "according to")


def test_the_speaker_named_in_the_sentence_before() -> None:
    text = "Lawyer Bruce Park told the court his client was sorry. ‘He did not see the car coming.’"
    (quote,) = quotes_of(text, people=("Bruce Park",))
    assert quote.speaker_entity == "Bruce Park" and quote.cue == "told"


def test_a_quotation_after_another_keeps_its_speaker() -> None:
    text = "‘We trained hard all winter,’ said Ella Stone. ‘The result shows it.’"
    first, second = quotes_of(text, people=("Ella Stone",))
    assert first.speaker_entity == second.speaker_entity == "Ella Stone"


def test_a_title_refers_back_to_the_person_it_named() -> None:
    text = (
        "Senator Ruth Hale visited the port on Friday. The harbour master showed her the new cranes. "
        "“This is what jobs look like,” the senator said."
    )
    (quote,) = quotes_of(text, people=("Ruth Hale",))
    assert (quote.speaker, quote.speaker_entity) == ("the senator", "Ruth Hale")


def test_an_unnamed_speaker_keeps_no_entity() -> None:
    text = (
        "The port will close for a week, according to a senior port official. "
        "“Repairs cannot wait,” the port official said."
    )
    (quote,) = quotes_of(text, orgs=("Port Authority",))
    assert (quote.speaker, quote.speaker_entity) == ("the port official", None)


def test_a_spokesman_speaks_for_the_body_named() -> None:
    text = "A Harbour Trust spokesman said: “The works finish in spring.”"
    (quote,) = quotes_of(text, orgs=("Harbour Trust",))
    assert quote.speaker_entity == "Harbour Trust"


def test_a_short_term_nobody_says_is_a_scare_quote() -> None:
    text = "Residents left early. The storm posed a “serious threat” to the harbour."
    (quote,) = quotes_of(text)
    assert (quote.kind, quote.speaker, quote.speaker_entity) == ("scare", None, None)


def test_a_quoted_name_is_a_scare_quote_even_in_reported_speech() -> None:
    text = "Ella Stone said her horse, ‘Blue Moon’, would run on Saturday."
    (quote,) = quotes_of(text, people=("Ella Stone",))
    assert quote.kind == "scare" and quote.speaker is None


def test_a_fragment_inside_reported_speech_has_its_speaker() -> None:
    text = "Ella Stone said the plan was ‘dead in the water’ after the vote."
    (quote,) = quotes_of(text, people=("Ella Stone",))
    assert (quote.kind, quote.speaker_entity) == ("direct", "Ella Stone")


def test_an_aside_between_the_speaker_and_the_cue_is_skipped() -> None:
    text = "Ella Stone, who has trained horses for thirty years at the yard, added: ‘We go again.’"
    (quote,) = quotes_of(text, people=("Ella Stone",))
    assert quote.speaker == "Ella Stone"


def test_no_quotation_no_quotes() -> None:
    assert quotes_of("Nobody said anything in quote marks today, and that's fine.") == []


def test_a_quoted_term_is_scare_but_keeps_the_speaker_its_sentence_names() -> None:
    text = "Security analysts in Lagos said the plan could pose a “serious challenge” to the gangs."
    (quote,) = quotes_of(text, places=("Lagos",))
    assert (quote.kind, quote.speaker, quote.speaker_entity) == ("scare", "Security analysts in Lagos", None)


def test_he_after_a_newly_named_person_is_that_person_not_the_last_speaker() -> None:
    text = (
        "“The plan is sound,” said Tom Reed. The debate was led by a committee. "
        "Paul Green, who left office in 2001, backed the plan again. “It will work,” he said."
    )
    first, second = quotes_of(text, people=("Tom Reed", "Paul Green"))
    assert first.speaker_entity == "Tom Reed"
    assert (second.speaker, second.speaker_entity) == ("he", "Paul Green")


def test_he_keeps_to_the_last_speaker_when_the_people_named_are_in_his_own_sentence() -> None:
    text = (
        "Coach Dan Bell says Sam Hart would be a fine captain. "
        "He said: “Sam has been our best player all year.”"
    )
    (quote,) = quotes_of(text, people=("Dan Bell", "Sam Hart"))
    assert quote.speaker_entity == "Dan Bell"


def test_it_and_the_agency_go_to_the_body_last_said_to_speak() -> None:
    text = (
        "The probe reached the Moon, and a rover from Lunar Labs took pictures. "
        "The launch had been delayed twice, Star Agency said in an update. "
        "“The probe is healthy,” it said. “Data will follow,” the European space agency added."
    )
    first, second = quotes_of(text, orgs=("Lunar Labs", "Star Agency"), places=("European",))
    assert (first.speaker, first.speaker_entity) == ("it", "Star Agency")
    assert (second.speaker, second.speaker_entity) == ("the European space agency", "Star Agency")


def test_an_attribution_after_the_quotation_may_put_a_title_before_the_name() -> None:
    text = "A scientist spoke on Monday. “We will find water,” space agency chief scientist Ann Berry said."
    (quote,) = quotes_of(text, people=("Ann Berry",))
    assert (quote.speaker, quote.speaker_entity) == ("Ann Berry", "Ann Berry")


def test_a_name_ending_in_ly_is_no_adverb() -> None:
    text = "The ship was late. “The cargo is safe,” Kelly said from the station."
    (quote,) = quotes_of(text, people=("Kelly",))
    assert (quote.speaker, quote.speaker_entity) == ("Kelly", "Kelly")


def test_he_goes_to_the_person_after_an_inverted_cue() -> None:
    text = (
        "Jim Stone told the court he would appeal, but such appeals fail, said lawyer Ed Marsh, "
        "who is not involved. “It is a long road,” he said."
    )
    (quote,) = quotes_of(text, people=("Jim Stone", "Ed Marsh"))
    assert quote.speaker_entity == "Ed Marsh"


def test_a_cue_followed_by_on_is_a_cue_unless_it_is_called_on() -> None:
    text = "Pat Ingles, 69, loves to dance. ‘I party hard,’ she admitted on the show. He called on Pat."
    (quote,) = quotes_of(text, people=("Pat Ingles",))
    assert (quote.speaker, quote.cue, quote.speaker_entity) == ("she", "admitted", "Pat Ingles")


def test_an_honorific_before_a_bare_surname_tells_her_sex() -> None:
    text = (
        "Nicola Sturgeon met Tom Reed and his staff on Monday. "
        "Ms Sturgeon insisted the vote would not change. But she added it was ‘another matter’ now."
    )
    (quote,) = quotes_of(text, people=("Nicola Sturgeon", "Tom Reed"))
    assert (quote.speaker, quote.speaker_entity) == ("she", "Nicola Sturgeon")


def test_a_person_of_a_body_and_a_person_with_a_title_before_a_body_speak_for_it() -> None:
    text = (
        "Odds fell all week. Dan Wills of Betfast said: ‘Punters are keen.’ "
        "Prices rose too. Ann Hale, Director, Polls Scotland said: ‘The poll is clear.’"
    )
    first, second = quotes_of(text, people=("Dan Wills", "Ann Hale"), orgs=("Betfast", "Polls Scotland"))
    assert (first.speaker, first.speaker_entity) == ("Dan Wills of Betfast", "Dan Wills")
    assert second.speaker_entity == "Ann Hale"


def test_an_owner_is_not_the_subject_of_a_later_cue() -> None:
    text = "Luna's lawyer, Jim Berry, spoke on Tuesday but added the teen was ‘reckless’ that night."
    (quote,) = quotes_of(text, people=("Luna", "Jim Berry"))
    assert quote.speaker_entity == "Jim Berry"


def test_a_date_inside_a_description_names_nobody() -> None:
    text = "Rafa Diaz said he was happy. ‘It was the first match of the week,’ added the 28-year-old."
    mentions = [
        EntityMention(start=0, end=9, text="Rafa Diaz", label="PERSON"),
        EntityMention(start=text.index("28-year-old"), end=len(text) - 1, text="28-year-old", label="DATE"),
    ]
    entities = [
        CanonicalEntity(name="Rafa Diaz", label="PERSON", count=1, mentions=[Span(start=0, end=9)]),
        CanonicalEntity(
            name="28-year-old",
            label="DATE",
            count=1,
            mentions=[Span(start=mentions[1].start, end=mentions[1].end)],
        ),
    ]
    (quote,) = extract_quotes(text, split_sentences_plain(text), mentions, entities)
    assert (quote.speaker, quote.speaker_entity) == ("the 28-year-old", "Rafa Diaz")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A photo caption glued between two paragraphs took the first one's closing mark with it:
        # the first quotation ends with its last sentence, the mark after the caption opens the next.
        (
            "One neighbour said: 'We ran out to help. We held him up by his legs. Rescue: A neighbour "
            "holds the boy on the balcony 'Then the firemen came and took over.' Others watched.",
            ["We ran out to help. We held him up by his legs.", "Then the firemen came and took over."],
        ),
        # The same family nested after a comma or a colon stays nested ...
        (
            "'He came in. I said, 'Sorry Tom, what did you say there?'. 'He said he would stay.'",
            ["He came in. I said, 'Sorry Tom, what did you say there?'. 'He said he would stay."],
        ),
        # ... and so does a short term, or one whose own closing mark is followed by the outer one.
        (
            "'I was there at the start. He called the plan 'rubbish' and walked out.' Nobody moved.",
            ["I was there at the start. He called the plan 'rubbish' and walked out."],
        ),
        (
            "'I was there at the start. He told them 'we will not be moved by anyone' and left.' So it went.",
            ["I was there at the start. He told them 'we will not be moved by anyone' and left."],
        ),
        # A closing mark of the other family right after a sentence closes what is open.
        (
            "‘I saw it all from the window.” Others said 'nothing at all' later.",
            ["I saw it all from the window.", "nothing at all"],
        ),
        # Paragraphs glued without a space (texts that lost their line breaks): a straight mark
        # between a stop and a capital opens when nothing is open.
        (
            'The plan was mocked by everyone."Is my work good? Yes," he said.And he is rich.',
            ["Is my work good? Yes,"],
        ),
        (
            'He ate it all."School food is bad. It is awful."Officials said they would act."We will '
            'fix it," one said.',
            ["School food is bad. It is awful.", "We will fix it,"],
        ),
        # A quotation over glued paragraphs opens each with a mark and closes only the last: a
        # glued mark goes on with the quotation when the next mark closes or is glued in turn ...
        (
            'Ann Lee said: "We had a plan for the town."The money came late but it came."Nobody '
            'expected it. The rest is news." Lee has led the council since 2019.',
            [
                'We had a plan for the town."The money came late but it came."Nobody expected it. '
                "The rest is news."
            ],
        ),
        # ... and closes it when the next mark opens (the narration introduces another quotation),
        # when no mark follows, or when the paragraph after it attributes in the third person.
        (
            'Ann Lee said: "We had a plan."It worked."Her deputy, Tom Orr, said: "It did."Orr joined '
            "in 2019.",
            ['We had a plan."It worked.', "It did."],
        ),
        (
            'He said: "It was cold."We left early."The ferry runs twice a week in winter.',
            ['It was cold."We left early.'],
        ),
        # A plural possessive after the quotation does not take its closing mark from it.
        (
            "The court heard Smith 'charged towards' two officers, and the players' union paid his fees.",
            ["charged towards"],
        ),
    ],
)
def test_marks_lost_or_mixed_up_in_scraped_news(text: str, expected: list[str]) -> None:
    assert spans_text(text) == expected
