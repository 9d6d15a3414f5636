"""Each mention cleanup rule, on hand-built spans (no model needed)."""

from __future__ import annotations

from tasks.extract.acronyms import find_acronym_definitions
from tasks.extract.mentions import add_acronym_mentions, build_mentions, harmonise_labels
from tasks.extract.titles import drop_titles
from tasks.models import EntityMention


def spans(text: str, *items: tuple[str, str]) -> list[tuple[int, int, str]]:
    """Character spans of each (text, label), searching forward from the previous one."""
    out, cursor = [], 0
    for part, label in items:
        start = text.index(part, cursor)
        out.append((start, start + len(part), label))
        cursor = start + len(part)
    return out


def mentions(text: str, *items: tuple[str, str]) -> list[EntityMention]:
    return [EntityMention(text=text[s:e], label=lab, start=s, end=e) for s, e, lab in spans(text, *items)]


def found(result: list[EntityMention]) -> list[tuple[str, str]]:
    return [(m.text, m.label) for m in result]


def test_a_title_before_a_person_is_not_an_organisation_but_its_place_stays() -> None:
    text = "He met US National Security Adviser (NSA) Susan Rice in the US on Monday."
    raw = mentions(text, ("US National Security Adviser", "ORG"), ("NSA", "ORG"), ("Susan Rice", "PERSON"))
    raw += mentions(text[40:], ("US", "GPE"))
    raw[-1] = raw[-1].model_copy(update={"start": raw[-1].start + 40, "end": raw[-1].end + 40})
    kept, definitions = drop_titles(text, raw, find_acronym_definitions(text))
    assert found(kept) == [("US", "GPE"), ("Susan Rice", "PERSON"), ("US", "GPE")]
    assert "NSA" not in definitions


def test_a_rank_and_its_acronym_before_a_person_are_dropped() -> None:
    text = "Rice met Chief of Army Staff (COAS) General Raheel Sharif at noon."
    raw = mentions(text, ("Rice", "PERSON"), ("Army", "ORG"), ("COAS", "ORG"), ("Raheel Sharif", "PERSON"))
    kept, definitions = drop_titles(text, raw, find_acronym_definitions(text))
    assert found(kept) == [("Rice", "PERSON"), ("Raheel Sharif", "PERSON")]
    assert definitions == {}


def test_a_title_naming_a_service_before_a_person_is_dropped_but_the_service_alone_stays() -> None:
    text = (
        "Chief of Defence Forces (CDF) General Ann Mwangi met Inspector General of Police Tom Kilonzo "
        "and the Air Force band played."
    )
    raw = mentions(
        text,
        ("Chief of Defence Forces", "ORG"),
        ("CDF", "ORG"),
        ("Ann Mwangi", "PERSON"),
        ("Tom Kilonzo", "PERSON"),
        ("Air Force", "ORG"),
    )
    kept, definitions = drop_titles(text, raw, find_acronym_definitions(text))
    assert found(kept) == [("Ann Mwangi", "PERSON"), ("Tom Kilonzo", "PERSON"), ("Air Force", "ORG")]
    assert "CDF" not in definitions


def test_an_organisation_before_a_role_word_keeps_its_name() -> None:
    text = "Islamic State leader Abu Bakr spoke, and Pakistan Army chief General Asim Munir listened."
    raw = mentions(
        text,
        ("Islamic State", "ORG"),
        ("Abu Bakr", "PERSON"),
        ("Pakistan Army", "ORG"),
        ("Asim Munir", "PERSON"),
    )
    kept, _ = drop_titles(text, raw, {})
    assert found(kept) == found(raw)


def test_a_long_form_the_model_took_for_a_person_becomes_the_acronyms_entity() -> None:
    text = "at the General Headquarters (GHQ) in Rawalpindi; the GHQ said"
    raw = mentions(text, ("Headquarters", "PERSON"), ("Rawalpindi", "GPE"), ("GHQ", "ORG"))
    raw = [m for m in raw if m.start != text.index("GHQ")]  # the model tags only the later GHQ
    result = add_acronym_mentions(text, raw, find_acronym_definitions(text))
    assert found(result) == [
        ("General Headquarters", "ORG"),
        ("GHQ", "ORG"),
        ("Rawalpindi", "GPE"),
        ("GHQ", "ORG"),
    ]


def test_every_use_of_a_defined_acronym_is_tagged_but_not_inside_other_words() -> None:
    text = "the Islamic State (IS) grew. IS fighters, anti-IS slogans and ISLAND."
    raw = mentions(text, ("Islamic State", "ORG"))
    result = add_acronym_mentions(text, raw, find_acronym_definitions(text))
    assert [(m.text, m.start) for m in result] == [("Islamic State", 4), ("IS", 19), ("IS", 29)]


def test_a_lone_surname_called_an_organisation_is_the_person_it_ends() -> None:
    text = "Dr Wanjiru Kamau led the study. Kamau said it worked."
    result = harmonise_labels(mentions(text, ("Wanjiru Kamau", "PERSON"), ("Kamau", "ORG")))
    assert found(result) == [("Wanjiru Kamau", "PERSON"), ("Kamau", "PERSON")]


def test_a_surname_two_people_share_is_not_given_to_either() -> None:
    text = "Anna Kowalski and Marek Kowalski ran. Kowalski won."
    raw = mentions(text, ("Anna Kowalski", "PERSON"), ("Marek Kowalski", "PERSON"), ("Kowalski", "ORG"))
    assert found(harmonise_labels(raw))[-1] == ("Kowalski", "ORG")


def test_a_place_named_like_a_person_stays_a_place() -> None:
    text = "George Washington was born far from Washington."
    raw = mentions(text, ("George Washington", "PERSON"), ("Washington", "GPE"))
    assert found(harmonise_labels(raw)) == found(raw)


def test_well_known_alternate_names_take_their_own_label() -> None:
    text = "The US said. The UN agreed."
    raw = mentions(text, ("US", "ORG"), ("UN", "GPE"))
    assert found(harmonise_labels(raw)) == [("US", "GPE"), ("UN", "ORG")]


def test_the_same_text_takes_the_label_most_of_its_mentions_have() -> None:
    text = "Ajax won. Ajax lost. Ajax drew."
    raw = mentions(text, ("Ajax", "ORG"), ("Ajax", "ORG"), ("Ajax", "GPE"))
    assert [m.label for m in harmonise_labels(raw)] == ["ORG", "ORG", "ORG"]


def test_build_mentions_maps_an_acronym_to_the_mention_that_holds_its_long_form() -> None:
    text = "US Central Command (CENTCOM) chief General Lloyd Austin. CENTCOM said."
    raw = spans(text, ("US Central Command", "ORG"), ("Lloyd Austin", "PERSON"))
    result, acronyms = build_mentions(text, raw)
    assert acronyms == {"CENTCOM": "US Central Command"}
    assert [m.text for m in result] == ["US Central Command", "CENTCOM", "Lloyd Austin", "CENTCOM"]


def test_build_mentions_can_skip_a_step() -> None:
    text = "the White House said"
    raw = spans(text, ("the White House", "ORG"))
    assert [m.text for m in build_mentions(text, raw)[0]] == ["White House"]
    assert [m.text for m in build_mentions(text, raw, frozenset({"trim"}))[0]] == ["the White House"]
