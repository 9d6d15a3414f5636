"""Zero-width joiners survive the HTML path, though trafilatura drops every format character."""

from __future__ import annotations

import pytest

from tasks.clean.html_extract import extract_html
from tasks.clean.joiners import JOINER, NON_JOINER, has_joiners, shield_joiners
from tasks.clean.stage import clean_article
from tasks.models import ArticleRecord
from tests.multilingual import SAMPLES

PERSIAN = next(sample for sample in SAMPLES if sample.language == "fa")


def _short_page(title: str, paragraph: str) -> str:
    # One paragraph: readability's answer alone is doubtful, so trafilatura's text is read too.
    return f"<html><head><title>{title}</title></head><body><div><p>{paragraph}</p></div></body></html>"


@pytest.mark.parametrize(
    "written",
    ["\u200c", "&zwnj;", "&#8204;", "&#x200C;", "&#x200c;", "&#08204;"],
    ids=["character", "named", "decimal", "hex-upper", "hex-lower", "zero-padded"],
)
def test_a_non_joiner_written_any_way_comes_out_of_a_short_persian_page(written: str) -> None:
    paragraph = PERSIAN.paragraphs[0].replace(NON_JOINER, written)
    extraction = extract_html(_short_page(PERSIAN.title.replace(NON_JOINER, written), paragraph))
    assert extraction.text == PERSIAN.paragraphs[0]
    assert extraction.title == PERSIAN.title


def test_a_joiner_comes_out_as_it_went_in() -> None:
    # A Devanagari half-form (ra + virama + ZWJ) and an emoji sequence, beside a non-joiner.
    paragraph = (
        "The council's notice, printed in Hindi as \u0930\u094d\u200d\u092f and signed with "
        "\U0001f469\u200d\U0001f4bb, was read aloud at the meeting on Monday evening by the clerk, "
        "who said the new timetable for the ferry will start next month after a short trial."
    )
    extraction = extract_html(_short_page("Notice", paragraph + " " + PERSIAN.paragraphs[2]))
    assert extraction.text == paragraph + " " + PERSIAN.paragraphs[2]
    assert extraction.text.count(JOINER) == 2 and NON_JOINER in extraction.text


def test_the_clean_stage_keeps_the_non_joiners_of_a_short_persian_page() -> None:
    html = _short_page(PERSIAN.title, PERSIAN.paragraphs[1])
    article = clean_article(ArticleRecord(id="fa-short", html=html))
    assert article.text == PERSIAN.paragraphs[1] and article.title == PERSIAN.title
    assert article.language == "fa"


def test_a_page_without_joiners_is_read_as_it_is() -> None:
    html = _short_page("Ferry timetable", "The ferry leaves at nine &#8203; and at ten &#x2019; daily.")
    assert not has_joiners(html)
    assert shield_joiners(html) == (html, None)


def test_the_stand_ins_are_letters_the_page_does_not_use() -> None:
    html = "a\u200cb\u200dc \U0001e800"  # the first stand-in letter is in the page already
    shielded, joiners = shield_joiners(html)
    assert joiners is not None and "\U0001e800" not in (joiners.non_joiner, joiners.joiner)
    assert joiners.non_joiner.isprintable() and joiners.joiner.isprintable()
    assert NON_JOINER not in shielded and JOINER not in shielded
    assert joiners.restore(shielded) == html
