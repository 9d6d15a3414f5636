from __future__ import annotations

from tasks.canonical import canonicalise, person_key
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
