"""Broken markup that makes lxml's parser drop a page's whole body is repaired before parsing."""

from __future__ import annotations

import re

import lxml.html
from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.clean.html_extract import _xml_bytes, is_page_source, parse_html, repair_markup
from tasks.clean.stage import clean_article
from tasks.models import parse_record

PARAGRAPHS = [
    "The harbour authority said on Monday that the new container terminal will open in March, two "
    "years later than planned.",
    "Dredging took longer than expected after divers found an unexploded mine from the war near the "
    "entrance of the channel.",
    "Shipping lines have already booked most of the berths for the first season, the authority said "
    "in a statement.",
]
BODY = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)


def test_a_page_that_lost_its_title_end_tag_still_gives_its_article() -> None:
    head = "<html><head><title>Terminal to open in March\n<script>var x = 1;</script></head>"
    page = f"{head}<body><article>{BODY}</article></body></html>"
    assert "</title>" not in page
    cleaned = clean_article(parse_record({"html": page}))
    assert cleaned.text.split("\n\n") == PARAGRAPHS


def test_an_empty_html_start_tag_does_not_end_the_page() -> None:
    head = '<!DOCTYPE html>\n<html lang="en" /><head><title>T</title></head>'
    page = f"{head}<body><article>{BODY}</article></body></html>"
    cleaned = clean_article(parse_record({"html": page}))
    assert cleaned.text.split("\n\n") == PARAGRAPHS


def test_repair_markup_leaves_sound_pages_alone() -> None:
    page = f"<html><head><title>T</title></head><body>{BODY}<p>a <br/> b</p></body></html>"
    assert repair_markup(page) == page


def test_page_source_given_as_text_is_cleaned_as_html() -> None:
    source = (
        "<html><head><title>Terminal to open</title><script>var x = 1;</script></head><body>"
        '<div class="nav"><ul><li><a href="/">Home</a></li><li><a href="/w">World</a></li></ul></div>'
        f"<article>{BODY}</article><footer><p>Copyright</p></footer></body></html>"
    )
    assert is_page_source(source)
    cleaned = clean_article(parse_record({"text": source}))
    assert cleaned.text.split("\n\n") == PARAGRAPHS


def test_text_that_quotes_a_tag_or_two_is_still_text() -> None:
    question = "Readers wrote in to ask what the <b> and <i> tags in last week's story meant."
    text = "\n".join([*PARAGRAPHS, question])
    assert not is_page_source(text)
    assert "<b>" in clean_article(parse_record({"text": text})).text


def test_the_parsed_tree_is_lxml_htmls_own_tree_with_lxml_htmls_methods_on_every_element() -> None:
    page = (
        "<html><head><title>T</title></head><body><form><label>Name</label><input name=q>"
        f"<select><option>a</option></select><textarea>t</textarea></form>{BODY}</body></html>"
    )
    tree = parse_html(page)
    assert tree is not None
    theirs = lxml.html.document_fromstring(page)
    assert lxml.html.tostring(tree) == lxml.html.tostring(theirs)
    assert all(isinstance(element, lxml.html.HtmlElement) for element in tree.iter())
    assert tree.text_content() == theirs.text_content()
    tree.find(".//form").drop_tree()
    assert tree.text_content().strip().startswith("T")


# What XML refuses, as characters: the control characters and the two non-characters.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet=st.sampled_from([*map(chr, range(0x80)), "\ufffe", "\uffff", "\ufffd", "é", "\ud800"]))
)
def test_the_bytes_the_parser_gets_are_the_page_without_what_xml_refuses(page: str) -> None:
    assert _xml_bytes(page) == _NOT_XML.sub("", page).encode("utf-8", "replace")
