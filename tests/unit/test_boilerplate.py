from __future__ import annotations

import pytest

from tasks.clean.boilerplate import (
    has_page_furniture,
    is_boilerplate_line,
    strip_boilerplate,
    strip_share_widget,
)

SEED_TAIL = [
    "Share This:",
    "Welcome! Login in to your account",
    "Remember meLost your password?",
    "Don't have account. Register",
    "Lost Password",
]


@pytest.mark.parametrize(
    "line",
    [
        *SEED_TAIL,
        "Advertisement",
        "We use cookies to improve your experience.",
        "Sign up for our newsletter",
    ],
)
def test_is_boilerplate_line_catches_page_furniture(line: str) -> None:
    assert is_boilerplate_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "The minister said he would register his objection in parliament next week.",
        "Share prices fell sharply on Monday after the announcement.",
        "Remember the flood of 1953?",
    ],
)
def test_is_boilerplate_line_keeps_prose(line: str) -> None:
    assert not is_boilerplate_line(line)


def test_strip_boilerplate_drops_the_tail_and_keeps_the_body() -> None:
    body = [
        "The council voted on Tuesday to build a new bridge across the river, officials said.",
        "Construction will start next year and take about three years to finish, the mayor said.",
    ]
    assert strip_boilerplate(["Home", "News", *body, *SEED_TAIL]) == body


def test_headline_of_drops_the_site_name() -> None:
    from tasks.clean.boilerplate import headline_of

    assert headline_of("Bridge to close for six weeks - The Gazette") == "Bridge to close for six weeks"
    assert headline_of("News | Bridge to close for six weeks") == "Bridge to close for six weeks"


def test_strip_boilerplate_prefers_the_prose_under_the_headline_to_a_teaser_list() -> None:
    # Three teasers outweigh the short article on their own; the headline above the article decides.
    teasers = [
        f"Teaser story number {n} about another topic entirely with a long lead that goes on and on "
        "without ever ending"
        for n in range(3)
    ]
    menu = ["Home", "News", "Sport", "Weather", "Opinion", "Culture", "Contact"]
    body = [
        "The council voted on Tuesday to build a new bridge across the river, officials said.",
        "Construction will start next year and take about three years to finish, the mayor said.",
    ]
    lines = [*teasers, *menu, "Bridge to close for six weeks", "March 3, 2026", *body, "Share This:"]
    assert strip_boilerplate(lines) == teasers
    assert strip_boilerplate(lines, title="Bridge to close for six weeks - The Gazette") == body


def test_a_share_bar_glued_to_the_first_sentence_is_cut_off_not_the_article() -> None:
    line = (
        "Share this withEmailFacebookMessengerTwitterPinterestWhatsAppLinkedinCopy this linkThe council met."
    )
    assert strip_share_widget(line) == "The council met."
    assert not is_boilerplate_line(
        line + " It voted to build a bridge over the river and to open it by the summer."
    )


@pytest.mark.parametrize("line", ["Share prices fell sharply on Monday.", "Shared ownership is rising."])
def test_strip_share_widget_leaves_prose_alone(line: str) -> None:
    assert strip_share_widget(line) == line


ARTICLE = [
    "The harbour authority said on Monday that the new container terminal will open in March.",
    "Dredging took longer than expected after divers found an unexploded mine from the war.",
]


@pytest.mark.parametrize(
    "furniture",
    [
        ["Home", "World", "Business"],  # a menu: short unpunctuated lines in a row
        ["Bridge works start early", "Mayor opens the new library", "Ferry fares go up again"],  # teasers
        ["Home | News | Sport | Weather"],  # a link bar flattened onto one line
        ["Share This:"],  # a boilerplate phrase
    ],
)
def test_has_page_furniture_finds_menus_link_bars_and_boilerplate(furniture: list[str]) -> None:
    assert has_page_furniture([*ARTICLE, *furniture])
    assert not has_page_furniture(ARTICLE)


@pytest.mark.parametrize(
    "lines",
    [
        ["Ingredients", "250 g flour", "2 eggs"],  # a list: digits break the run
        ["Scorers :", "Northport - Ana Silva 12", "Standings :"],  # labels end with a colon
        ["Group A", "Northport 3", "Group B", "Eastfield 1"],  # section labels between table rows
        ["The background", *ARTICLE],  # one sub-heading
        ["By Jane Doe", "Reuters"],  # a byline and an agency: two short lines, not three
    ],
)
def test_has_page_furniture_leaves_article_copy_alone(lines: list[str]) -> None:
    assert not has_page_furniture([*ARTICLE, *lines])
