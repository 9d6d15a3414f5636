"""The readability candidate: hidden blocks stay out, and skipping readability's cleaner changes no text."""

from __future__ import annotations

import copy
import random

import lxml.html
import pytest
from readability import Document
from readability.readability import clean

from tasks.clean.html_extract import parse_html
from tasks.clean.readability_text import PrunedDocument, clean_length, readability_paragraphs

PROSE = (
    "The council voted on Tuesday to close the old river bridge for six weeks of repairs, officials "
    "said after a meeting that ran late into the evening and drew a large crowd of residents. "
)
PAGE = f"""<html><head><title>Bridge</title><style>p {{ color: red }}</style>
<script>var tracking = "never article text";</script></head>
<body><nav><a href="/">Home</a> <a href="javascript:void(0)" onclick="go()">Menu</a></nav>
<article><h1>Old bridge to close</h1>
<p>{PROSE}</p><p style="font-weight: bold">{PROSE.replace("Tuesday", "Monday")}</p>
<div hidden><p>Hidden teaser text that a reader never sees on the page at all, however long.</p></div>
<div style="display: none"><p>Invisible newsletter prompt that is styled out of sight on load.</p></div>
<p>{PROSE.replace("council", "committee")}</p><!-- a comment --></article>
<footer>© 2026 The Gazette</footer></body></html>"""


def test_hidden_and_invisible_blocks_are_not_article_text() -> None:
    tree = parse_html(PAGE)
    assert tree is not None
    text = "\n".join(readability_paragraphs(tree))
    assert "council voted on Tuesday" in text and "committee voted" in text
    assert "Hidden teaser" not in text
    assert "Invisible newsletter" not in text
    assert "tracking" not in text


def test_skipping_readabilitys_cleaner_gives_the_text_its_own_parse_gives() -> None:
    tree = parse_html(PAGE)
    assert tree is not None
    ours = readability_paragraphs(copy.deepcopy(tree))
    theirs_html = Document(PAGE).summary(html_partial=True)
    theirs = lxml.html.fragment_fromstring(theirs_html, create_parent="div").text_content()
    assert " ".join(" ".join(ours).split()) == " ".join(theirs.split())


def test_clean_length_is_the_length_of_readabilitys_clean_on_random_whitespace() -> None:
    rng = random.Random(18)
    alphabet = ["a", "b", ",", " ", " ", "\t", "\n", "\r", "\xa0", "\u2009", "\x0b"]
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        assert clean_length(text) == len(clean(text)), repr(text)


@pytest.mark.parametrize("run_length", [2, 254, 255, 256, 600])
@pytest.mark.parametrize("char", [" ", "\t", "\n", "\r", "\xa0", " \t", "\t "])
def test_clean_length_is_the_length_of_readabilitys_clean_on_long_runs(run_length: int, char: str) -> None:
    text = f" x{char * run_length}y \t z{char * run_length}"
    assert clean_length(text) == len(clean(text))


def test_link_density_is_readabilitys_own() -> None:
    page = PAGE.replace("<footer>", '<footer><a href="/a">About  us</a>\n\t<a href="/c"> Contact </a>')
    tree = parse_html(page)
    assert tree is not None
    document = PrunedDocument(tree)
    elements = list(document._html(True).iter("body", "article", "nav", "footer", "p", "a"))
    assert len(elements) > 8
    for element in elements:
        assert document.get_link_density(element) == Document.get_link_density(document, element)


def test_misused_divs_become_paragraphs_as_readability_makes_them() -> None:
    page = PAGE.replace(
        "<footer>",
        "<div>Loose <b>text</b> here<br>after a break<span>inline</span></div>"
        "<div><div>inner</div>tail text</div><div><a href='/x'>only a link</a></div>"
        "<div><picture></picture>text</div><div><em>x<img src='a.png'></em></div>"
        "<footer>",
    )
    tree = parse_html(page)
    assert tree is not None
    ours, theirs = PrunedDocument(copy.deepcopy(tree)), PrunedDocument(copy.deepcopy(tree))
    ours._html(True), theirs._html(True)
    ours.transform_misused_divs_into_paragraphs()
    Document.transform_misused_divs_into_paragraphs(theirs)
    assert lxml.html.tostring(ours.html) == lxml.html.tostring(theirs.html)
    assert b"<p>" in lxml.html.tostring(ours.html)


def test_unlikely_candidates_are_removed_as_readability_removes_them() -> None:
    page = PAGE.replace(
        "<footer>",
        '<div class="sidebar">Side</div><div id="comments"><article>kept: holds an article</article></div>'
        '<pre><span class="menu">kept: inside pre</span></pre><div class="footer-content">kept: content</div>'
        '<ul class="pagination"><li>1</li></ul><footer class="site-footer">',
    )
    tree = parse_html(page)
    assert tree is not None
    ours, theirs = PrunedDocument(copy.deepcopy(tree)), PrunedDocument(copy.deepcopy(tree))
    ours._html(True), theirs._html(True)
    ours.remove_unlikely_candidates()
    Document.remove_unlikely_candidates(theirs)
    result = lxml.html.tostring(ours.html)
    assert result == lxml.html.tostring(theirs.html)
    assert b"Side" not in result and b"pagination" not in result
    assert b"holds an article" in result and b"inside pre" in result and b"kept: content" in result


def test_paragraph_scores_are_readabilitys_own() -> None:
    page = PAGE.replace(
        "<footer>",
        "<div class='related'><p>One, two,  three\n\t and four,\u00a0five items in a list of links.</p>"
        "<td>Short cell</td><blockquote>A quoted line,\t\twith commas, long enough to count.</blockquote>"
        "</div>"
        "<footer>",
    )
    tree = parse_html(page)
    assert tree is not None
    document = PrunedDocument(tree)
    document._html(True)
    ours = document.score_paragraphs()
    theirs = Document.score_paragraphs(document)
    assert len(ours) >= 3
    assert [(element, scores["content_score"]) for element, scores in ours.items()] == [
        (element, scores["content_score"]) for element, scores in theirs.items()
    ]
