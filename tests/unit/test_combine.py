from __future__ import annotations

from tasks.combine import combine_paragraphs, is_prose

BODY = [
    "The harbour authority said on Monday that the new container terminal will open in March.",
    "Dredging took longer than expected after divers found an unexploded mine from the war.",
]


def test_combine_keeps_confirmed_paragraphs_and_drops_unconfirmed_stubs() -> None:
    primary = ["Photo: Jan Kowalski / Reuters", *BODY, "More information:", "Provided by"]
    support = ["Harbour terminal delayed", *BODY, "Comments (3)"]
    assert combine_paragraphs(primary, support) == BODY


def test_combine_keeps_prose_only_the_primary_found() -> None:
    extra = (
        "Shipping lines have already booked most of the first year's berths at the new terminal, "
        "the chairwoman added on Tuesday."
    )
    assert combine_paragraphs([*BODY, extra], BODY) == [*BODY, extra]


def test_combine_confirms_short_paragraphs_word_by_word() -> None:
    assert combine_paragraphs(["Kyle Busch", "5040", "Menu"], ["| 1 | Kyle Busch | 5040 |"]) == [
        "Kyle Busch",
        "5040",
    ]


def test_combine_falls_back_to_the_support_when_the_primary_found_nothing() -> None:
    assert combine_paragraphs([], BODY) == BODY


def test_is_prose_needs_length_and_a_sentence_end() -> None:
    assert is_prose(BODY[0])
    assert not is_prose("The harbour authority said on Monday that the new container terminal will")
    assert not is_prose("Read more.")
