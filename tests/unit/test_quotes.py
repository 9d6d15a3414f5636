"""Quotations and their speakers on author-written sentences (no model: entities given by hand)."""

from __future__ import annotations

import re

import pytest

from tasks.extract.quote_marks import find_quote_spans
from tasks.extract.quotes import extract_quotes
from tasks.extract.sentences import split_sentences_plain
from tasks.models import CanonicalEntity, EntityMention, Quote, Span


def quotes_of(
    text: str, people: tuple[str, ...] = (), orgs: tuple[str, ...] = (), places: tuple[str, ...] = ()
) -> list[Quote]:
    """extract_quotes with every whole-word occurrence of each name as a mention of one entity
    (its longest name), the way the extract stage hands them over."""
    mentions: list[EntityMention] = []
    entities: list[CanonicalEntity] = []
    for label, names in (("PERSON", people), ("ORG", orgs), ("GPE", places)):
        for name in names:
            spans = [
                Span(start=m.start(), end=m.end())
                for m in re.finditer(rf"\b{re.escape(name)}\b", text)
                if not any(m.start() >= e.start and m.end() <= e.end for e in mentions)
            ]
            mentions += [EntityMention(start=s.start, end=s.end, text=name, label=label) for s in spans]
            entities.append(CanonicalEntity(name=name, label=label, count=len(spans), mentions=spans))
    mentions.sort(key=lambda m: m.start)
    return extract_quotes(text, split_sentences_plain(text), mentions, entities)


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
