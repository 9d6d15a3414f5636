from __future__ import annotations

import pytest

from tasks.extract.acronyms import find_acronym_definitions


@pytest.mark.parametrize(
    ("text", "acronym", "long_form"),
    [
        ("the self-styled Islamic State (IS) said", "IS", "Islamic State"),
        ("US Central Command (CENTCOM) Commander", "CENTCOM", "Central Command"),
        ("Chief of Army Staff (COAS) General", "COAS", "Chief of Army Staff"),
        ("at the General Headquarters (GHQ) last week", "GHQ", "General Headquarters"),
        ("The World Health Organization (WHO) is", "WHO", "World Health Organization"),
    ],
)
def test_find_acronym_definitions_finds_the_long_form(text: str, acronym: str, long_form: str) -> None:
    found = find_acronym_definitions(text)
    start, end = found[acronym]
    assert text[start:end] == long_form


@pytest.mark.parametrize(
    "text",
    ["He was born in Paris (France) in 1950.", "costs rose (see Table 2)", "the team (AB) won"],
)
def test_find_acronym_definitions_ignores_parentheses_that_define_nothing(text: str) -> None:
    assert find_acronym_definitions(text) == {}
