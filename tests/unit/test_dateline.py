from __future__ import annotations

import pytest

from tasks.clean.dateline import byline_names, split_byline, split_dateline


@pytest.mark.parametrize(
    ("body", "place", "agency", "rest"),
    [
        ("ISLAMABAD – The United States has", "ISLAMABAD", None, "The United States has"),
        ("WASHINGTON (Reuters) - The Senate", "WASHINGTON", "Reuters", "The Senate"),
        ("LONDON, March 3 (AP) — Officials said", "LONDON", "AP", "Officials said"),
        ("NEW YORK: The city", "NEW YORK", None, "The city"),
        ("ST. LOUIS, Mo. — A man", "ST. LOUIS, Mo.", None, "A man"),
        ("(CNN)The council met on Tuesday.", None, "CNN", "The council met on Tuesday."),
        ("Kathmandu, Nepal (CNN)Rescuers said", "Kathmandu, Nepal", "CNN", "Rescuers said"),
        ("Boston (CNN) -- Guilty across the board.", "Boston", "CNN", "Guilty across the board."),
        ('(AP) — "We will stay," she said.', None, "AP", '"We will stay," she said.'),
    ],
)
def test_split_dateline_finds_the_place(body: str, place: str, agency: str | None, rest: str) -> None:
    found = split_dateline(body)
    assert found is not None
    assert (found.place, found.agency, found.body) == (place, agency, rest)


@pytest.mark.parametrize(
    "body",
    [
        "US takes Pakistan into confidence",
        "I – went home",
        "The UN - a body - met",
        "NASA – the agency – said",
        "(Photo) The bridge at dawn",
        "Paris (France) is a city",
        "(CNN) reported that",
    ],
)
def test_split_dateline_leaves_ordinary_sentences_alone(body: str) -> None:
    assert split_dateline(body) is None


def test_split_byline_takes_the_byline_paragraph() -> None:
    byline, rest = split_byline(["By Jane Doe and John Smith, Reuters", "Body text here."])
    assert byline == "By Jane Doe and John Smith, Reuters"
    assert rest == ["Body text here."]
    assert byline_names(byline) == "Jane Doe and John Smith"


def test_split_byline_ignores_sentences_starting_with_by() -> None:
    paragraphs = ["By the end of the week, the river had risen by two metres and flooded the town centre."]
    assert split_byline(paragraphs) == (None, paragraphs)
