from __future__ import annotations

from tasks.extract.canonical import canonicalise, person_key
from tasks.models import EntityMention


def mentions(*items: tuple[str, str]) -> list[EntityMention]:
    out, offset = [], 0
    for text, label in items:
        out.append(EntityMention(text=text, label=label, start=offset, end=offset + len(text)))
        offset += len(text) + 10
    return out


def by_name(entities: list) -> dict[str, tuple[str, int]]:  # type: ignore[type-arg]
    return {e.name: (e.label, e.count) for e in entities}


def test_person_key_drops_middle_initials() -> None:
    assert person_key("Lloyd J Austin") == person_key("Lloyd Austin") == person_key("Lloyd J. Austin")


def test_canonicalise_merges_initials_and_a_later_surname() -> None:
    found = by_name(
        canonicalise(mentions(("Lloyd J Austin", "PERSON"), ("Lloyd Austin", "PERSON"), ("Austin", "PERSON")))
    )
    assert found == {"Lloyd Austin": ("PERSON", 3)}


def test_canonicalise_never_merges_two_people_sharing_a_surname() -> None:
    found = by_name(
        canonicalise(mentions(("Susan Rice", "PERSON"), ("Condoleezza Rice", "PERSON"), ("Rice", "PERSON")))
    )
    assert found == {
        "Susan Rice": ("PERSON", 1),
        "Condoleezza Rice": ("PERSON", 1),
        "Rice": ("PERSON", 1),
    }


def test_canonicalise_folds_well_known_alternate_names() -> None:
    found = by_name(canonicalise(mentions(("US", "GPE"), ("United States", "GPE"), ("U.S.", "GPE"))))
    assert found == {"United States": ("GPE", 3)}


def test_canonicalise_uses_acronyms_defined_in_the_text() -> None:
    found = by_name(
        canonicalise(
            mentions(("Islamic State", "ORG"), ("IS", "ORG"), ("IS", "ORG")),
            {"IS": "Islamic State"},
        )
    )
    assert found == {"Islamic State": ("ORG", 3)}


def test_canonicalise_keeps_dates_apart_from_numbers() -> None:
    found = by_name(canonicalise(mentions(("Monday", "DATE"), ("three", "CARDINAL"))))
    assert found == {"Monday": ("DATE", 1)}


def test_person_key_drops_suffixes_but_keeps_real_middle_names() -> None:
    assert person_key("Martin Luther King Jr.") == person_key("Martin Luther King")
    assert person_key("Hafiz Saeed Khan Orakzai") != person_key("Hafiz Orakzai")


def test_canonicalise_merges_a_lone_surname_before_the_full_name_too() -> None:
    found = by_name(canonicalise(mentions(("Austin", "PERSON"), ("Lloyd Austin", "PERSON"))))
    assert found == {"Lloyd Austin": ("PERSON", 2)}


def test_canonicalise_never_merges_people_who_share_a_first_name_or_a_surname() -> None:
    found = by_name(
        canonicalise(
            mentions(("Anna Kowalski", "PERSON"), ("Marek Kowalski", "PERSON"), ("Anna Nowak", "PERSON"))
        )
    )
    assert len(found) == 3


def test_canonicalise_never_merges_a_person_with_a_place_of_the_same_name() -> None:
    found = canonicalise(mentions(("Michael Jordan", "PERSON"), ("Jordan", "GPE")))
    assert sorted((e.name, e.label) for e in found) == [("Jordan", "GPE"), ("Michael Jordan", "PERSON")]


def test_canonicalise_treats_gpe_and_loc_of_one_name_as_one_place() -> None:
    found = by_name(canonicalise(mentions(("Africa", "LOC"), ("Africa", "GPE"), ("Africa", "LOC"))))
    assert found == {"Africa": ("LOC", 3)}


def test_canonicalise_labels_alternate_names_by_what_they_are() -> None:
    found = by_name(canonicalise(mentions(("US", "ORG"), ("United States", "GPE"))))
    assert found == {"United States": ("GPE", 2)}


def test_canonicalise_names_an_acronym_by_the_mention_holding_its_long_form() -> None:
    found = by_name(
        canonicalise(
            mentions(("US Central Command", "ORG"), ("CENTCOM", "ORG")),
            {"CENTCOM": "US Central Command"},
        )
    )
    assert found == {"US Central Command": ("ORG", 2)}


def test_canonicalise_keeps_an_acronym_apart_when_the_text_does_not_define_it() -> None:
    found = by_name(canonicalise(mentions(("Islamic State", "ORG"), ("IS", "ORG"))))
    assert found == {"Islamic State": ("ORG", 1), "IS": ("ORG", 1)}


def test_the_dateline_place_joins_the_same_place_in_the_text() -> None:
    (entity,) = canonicalise(mentions(("Nairobi", "GPE")), dateline_place="Nairobi")
    assert (entity.name, entity.label, entity.count, entity.in_dateline) == ("Nairobi", "GPE", 2, True)
    assert len(entity.mentions) == 1


def test_the_dateline_place_is_a_gpe_even_when_the_text_never_names_it() -> None:
    found = canonicalise(mentions(("Pakistan", "GPE")), dateline_place="Islamabad")
    dateline = next(e for e in found if e.in_dateline)
    assert (dateline.name, dateline.label, dateline.count, dateline.mentions) == ("Islamabad", "GPE", 1, [])


def test_the_dateline_place_never_joins_a_person_of_the_same_name() -> None:
    found = canonicalise(mentions(("Paris Hilton", "PERSON"), ("Paris", "PERSON")), dateline_place="Paris")
    assert sorted((e.name, e.label, e.count, e.in_dateline) for e in found) == [
        ("Paris", "GPE", 1, True),
        ("Paris", "PERSON", 1, False),
        ("Paris Hilton", "PERSON", 1, False),
    ]


def test_canonicalise_joins_a_company_short_name_to_its_full_name() -> None:
    found = by_name(canonicalise(mentions(("Norland Pharma", "ORG"), ("Norland", "ORG"), ("Norland", "ORG"))))
    assert found == {"Norland Pharma": ("ORG", 3)}


def test_canonicalise_keeps_a_short_name_apart_from_a_different_longer_organisation() -> None:
    found = by_name(canonicalise(mentions(("Apple", "ORG"), ("Apple Music", "ORG"))))
    assert found == {"Apple": ("ORG", 1), "Apple Music": ("ORG", 1)}


def test_canonicalise_keeps_a_short_name_apart_when_two_companies_could_own_it() -> None:
    found = by_name(
        canonicalise(mentions(("Weber Motors", "ORG"), ("Weber Energy", "ORG"), ("Weber", "ORG")))
    )
    assert len(found) == 3
