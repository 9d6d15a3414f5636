from __future__ import annotations

import pytest

from tasks.clean.stage import CleanOptions, clean_article, unglue_sentences
from tasks.errors import EmptyArticle, InputTooLarge, UndecodableInput
from tasks.models import parse_record
from tasks.quote_marks import find_quote_spans
from tests.conftest import (
    RECIPE_BODY,
    RECIPE_LIST,
    RECIPE_PROSE,
    SAMPLES,
    SEED_BOILERPLATE,
    SHARE_BAR,
    SeedCase,
)


def test_clean_article_strips_the_seed_boilerplate_and_splits_the_dateline(
    seed_case: SeedCase, seed_text: str
) -> None:
    cleaned = clean_article(parse_record({"text": seed_text}))
    assert cleaned.dateline == seed_case.dateline
    assert cleaned.title == seed_case.title
    assert cleaned.text.startswith(seed_case.first_words)
    for line in SEED_BOILERPLATE:
        assert line not in cleaned.text
    # No body sentence is lost: the last one is still there.
    assert cleaned.text.endswith(seed_case.last_words)
    assert "\n\n" in cleaned.text and "\n\n\n" not in cleaned.text


def test_clean_article_extracts_html_main_text_and_metadata() -> None:
    html = (SAMPLES / "chess-championship.html").read_text()
    cleaned = clean_article(parse_record({"html": html}))
    assert cleaned.title == "Teenager wins chess title in Valletta"
    assert cleaned.author == "Tomas Grech"
    assert cleaned.published == "2026-10-14"
    assert cleaned.dateline == "VALLETTA"
    assert cleaned.text.startswith("Sixteen-year-old Lucia Borg")
    for furniture in (
        "cookies",
        "Related stories",
        "Privacy policy",
        "Great result for Malta",
        "Log in",
    ):
        assert furniture not in cleaned.text


def test_clean_article_repairs_mojibake() -> None:
    cleaned = clean_article(
        parse_record({"text": "The cafÃ© opened on Monday, and the owner said it was busy all day long."})
    )
    assert "café" in cleaned.text


def test_clean_article_splits_a_byline_into_author() -> None:
    text = (
        "Bridge to close\n\nBy Maren Lindqvist\n\n"
        "GOTHENBURG – The city's main bridge will close for six weeks of repairs, officials said on Tuesday."
    )
    cleaned = clean_article(parse_record({"text": text}))
    assert (cleaned.title, cleaned.byline, cleaned.author, cleaned.dateline) == (
        "Bridge to close",
        "By Maren Lindqvist",
        "Maren Lindqvist",
        "GOTHENBURG",
    )


def test_clean_article_rejects_input_over_the_limit() -> None:
    with pytest.raises(InputTooLarge):
        clean_article(parse_record({"text": "word " * 1000}), CleanOptions(max_input_chars=100))


def test_clean_article_rejects_binary_input() -> None:
    with pytest.raises(UndecodableInput):
        clean_article(parse_record({"text": "\x00\x01\x02" * 100}))


def test_clean_article_rejects_html_with_no_text() -> None:
    with pytest.raises(EmptyArticle):
        clean_article(parse_record({"html": "<html><body><nav><a href='/'>Home</a></nav></body></html>"}))


def test_clean_article_unglues_sentences_run_together() -> None:
    text = "The lab opened in May.Dr Venter said it would hire forty people.It is the first one here."
    cleaned = clean_article(parse_record({"text": text}))
    assert (
        cleaned.text
        == "The lab opened in May. Dr Venter said it would hire forty people. It is the first one here."
    )


@pytest.mark.parametrize(
    "glued",
    [
        'Ann Lee said: "We had a plan for the town."The money came late."Her deputy, Tom Orr, said: '
        '"It did."Orr joined in 2019.',
        'He ate it all."School food is bad. It is awful."Officials said they would act."We will fix '
        'it," one said.',
        'He said: "It was cold."We left early."The ferry runs twice a week in winter.',
    ],
)
def test_unglue_sentences_keeps_what_a_glued_quote_mark_does(glued: str) -> None:
    # The space goes before a mark that opens (a quotation or its next paragraph) and after one
    # that closes, so the quotations read from the spaced text are those of the glued one.
    spaced = unglue_sentences(glued)
    assert '."' not in spaced.replace('." ', "")
    assert [glued[a:b].replace(" ", "") for a, b in find_quote_spans(glued)] == [
        spaced[a:b].replace(" ", "") for a, b in find_quote_spans(spaced)
    ]


def test_unglue_sentences_puts_the_space_on_the_side_the_mark_belongs_to() -> None:
    assert (
        unglue_sentences('She said: "We lost the vote."The rest can wait."Voters were angry.')
        == 'She said: "We lost the vote. "The rest can wait." Voters were angry.'
    )


# The shared recipe body with a byline and a dateline on top.
BYLINED_RECIPE = f"By Ana Ferreira\nLISBON – {RECIPE_BODY}Bake for 15 minutes\n"


def test_text_without_page_furniture_keeps_every_line() -> None:
    kept = clean_article(parse_record({"text": BYLINED_RECIPE}))
    assert kept.text.split("\n\n") == [*RECIPE_PROSE, *RECIPE_LIST, "Bake for 15 minutes"]
    # Normalising still happens: the byline and the dateline come off the top.
    assert kept.byline == "By Ana Ferreira"
    assert kept.author == "Ana Ferreira"
    assert kept.dateline == "LISBON"


def test_body_only_text_keeps_every_line_the_text_path_would_drop() -> None:
    page = BYLINED_RECIPE + "\n".join(SHARE_BAR)
    looked_for = clean_article(parse_record({"text": page}))
    dropped = [line for line in ("Ingredients", "250 g flour", "2 eggs") if line not in looked_for.text]
    assert dropped  # with page furniture around them the short lines read like furniture too
    assert "Share This:" not in looked_for.text

    kept = clean_article(parse_record({"text": page, "body_only": True}))
    assert kept.text.split("\n\n") == [*RECIPE_PROSE, *RECIPE_LIST, "Bake for 15 minutes", *SHARE_BAR]
    assert kept.byline == "By Ana Ferreira"
    assert kept.dateline == "LISBON"


def test_a_menu_on_top_makes_text_a_page_even_when_its_first_item_looks_like_a_title() -> None:
    menu = ("Home", "World", "Food and drink")
    cleaned = clean_article(parse_record({"text": "\n".join((*menu, *RECIPE_PROSE))}))
    assert cleaned.text.split("\n\n") == list(RECIPE_PROSE)


def test_wire_copy_with_a_results_table_comes_out_whole() -> None:
    wire = [
        "Results of the regional cup matches played on Saturday, the league said in a statement.",
        "Northport 2 Eastfield 1 ( halftime 1-1 )",
        "Scorers :",
        "Northport - Ana Silva 12 , Tom Berg 77 .",
        "Eastfield - Joe Mart 30",
        "Attendance : 4,000 .",
        "Standings ( played , won , drawn , lost , points ) :",
        "Northport 1 1 0 0 3",
        "Eastfield 1 0 0 1 0",
    ]
    cleaned = clean_article(parse_record({"text": "\n".join(wire)}))
    assert cleaned.text.split("\n\n") == wire


def test_body_only_drops_only_a_first_line_that_repeats_the_title() -> None:
    body = "Custard tarts of Lisbon\n" + RECIPE_BODY
    kept = clean_article(parse_record({"text": body, "title": "Custard tarts of Lisbon", "body_only": True}))
    assert not kept.text.startswith("Custard tarts")
    untitled = clean_article(parse_record({"text": "Short first line\n" + body, "body_only": True}))
    assert untitled.text.startswith("Short first line")
    assert untitled.title is None
