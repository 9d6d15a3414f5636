from __future__ import annotations

from tasks.clean.combine import choose_paragraphs, combine_paragraphs, is_prose, needs_support

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


# A longer article: the two paragraphs of BODY and four more.
ARTICLE = [
    *BODY,
    "The port expects the terminal to handle twice the containers of the old quay within five years.",
    "Shipping lines have already booked most of the berths for the first season, the authority said.",
    "Residents of the old town asked for a cap on night-time work after complaints about the noise.",
    "The authority promised to publish noise measurements every month once the cranes are running.",
]


def _article_only(lines: list[str]) -> list[str]:
    """Stands in for the text path: keeps the article's lines."""
    return [line for line in lines if line in ARTICLE]


def test_choose_takes_trafilatura_when_readability_picked_a_stray_block() -> None:
    notice = ["We will never share your address with anyone, and you can leave at any time."]
    extracted = ["Home", "World", *ARTICLE, "Most read", "Sign up for our newsletter"]
    # Readability's block is prose nobody confirms and far shorter than trafilatura's: a stray block.
    assert combine_paragraphs(notice, extracted) == notice
    assert choose_paragraphs(notice, extracted, _article_only) == ARTICLE


def test_choose_takes_readability_when_trafilatura_found_only_contacts() -> None:
    # A press release broken into short lines: no paragraph is prose on its own, trafilatura only
    # found the contact block at its end.
    release = [
        "The harbour authority said on Monday that the new container",
        "terminal will open in March, two years later than planned,",
        "after divers found an unexploded mine from the war in the channel.",
    ]
    contacts = ["Media contact:", "Jane Doe, +1 555 0100"]
    assert choose_paragraphs(release, contacts, _article_only) == release


def test_choose_keeps_the_combination_when_the_extractors_agree() -> None:
    primary = ["Photo: Jan Kowalski / Reuters", *BODY]
    assert choose_paragraphs(primary, BODY, _article_only) == combine_paragraphs(primary, BODY) == BODY


PROSE = "The council approved the new tram line on Monday after a long debate about its cost and route."


def test_needs_support_not_for_a_block_that_is_nearly_all_prose() -> None:
    block = [PROSE] * 6 + ["Transport"]  # a subheading among six paragraphs of prose
    assert not needs_support(block)


def test_needs_support_for_short_lines_empty_blocks_and_unfinished_sentences() -> None:
    assert needs_support([])
    assert needs_support([PROSE, "Photo: Jane Doe", "Share", "More news", "Sign up", "Contact us"])
    assert needs_support(["The council approved the new tram line on Monday after a long debate and"])
    caption = "A caption that runs on for quite a few words without ever ending like a"
    assert needs_support([PROSE, caption] * 2)
