"""The readability candidate: hidden blocks stay out, and skipping readability's cleaner changes no text."""

from __future__ import annotations

import copy
import random
import re

import lxml.html
import pytest
from readability import Document
from readability.readability import REGEXES, clean

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


@pytest.mark.parametrize(
    "run", ["\xa0" * 255, "\t" * 300, "\xa0 " * 200, "\u2009\xa0" * 130, " " * 255, "\xa0" * 254]
)
def test_clean_length_counts_long_runs_inside_long_lines(run: str) -> None:
    text = f"{'word ' * 60}{run}end\n\t\t{'more ' * 60}\xa0\xa0x"
    assert clean_length(text) == len(clean(text))


def test_clean_length_of_indented_markup_text() -> None:
    text = "\n\t\t\t\n  Title\t here  \n\r\n\t\t<x>  a,\xa0\xa0b\t\tc \t d\n\n   \n" * 3
    assert clean_length(text) == len(clean(text))


def _prepared(page: str) -> tuple[PrunedDocument, PrunedDocument]:
    tree = parse_html(page)
    assert tree is not None
    ours, theirs = PrunedDocument(copy.deepcopy(tree)), PrunedDocument(copy.deepcopy(tree))
    ours._html(True), theirs._html(True)
    return ours, theirs


def test_unlikely_pattern_is_lower_case_words_so_lowered_ascii_matches_it_without_ignorecase() -> None:
    # PrunedDocument lowers an ASCII "class id" and drops IGNORECASE: exact only while the pattern
    # itself is lower case with no escapes (an upper-case letter or "\\S" would change meaning).
    pattern = REGEXES["unlikelyCandidatesRe"].pattern
    assert pattern == pattern.lower() and "\\" not in pattern
    assert REGEXES["unlikelyCandidatesRe"].flags & re.IGNORECASE


def test_unlikely_candidates_ignore_case_as_readability_does() -> None:
    # Upper case, and a long s (U+017F) that readability's IGNORECASE pattern takes for an "s".
    page = PAGE.replace(
        "<footer>",
        '<div class="SideBar">Side one</div><div id="MENU-top">Menu two</div>'
        '<div class="\u017fidebar">Side three</div><div class="Ärger-Comment">Comment four</div>'
        '<div class="main-Menu">kept: main</div><div class="" id="">kept: empty</div><footer>',
    )
    ours, theirs = _prepared(page)
    ours.remove_unlikely_candidates()
    Document.remove_unlikely_candidates(theirs)
    result = lxml.html.tostring(ours.html)
    assert result == lxml.html.tostring(theirs.html)
    assert b"Side one" not in result and b"Menu two" not in result and b"Comment four" not in result
    assert "Side three" not in result.decode()
    assert b"kept: main" in result and b"kept: empty" in result


def test_paragraph_scores_with_links_in_nested_candidates_are_readabilitys_own() -> None:
    link = '<a href="/x">a linked  phrase,\n\t in the text</a>'
    page = PAGE.replace(
        "<footer>",
        f"<div class='related'><div><p>First paragraph {link} and then more words, more words.</p>"
        f"<p>Second paragraph with {link} and {link} again, long enough to count.</p></div>"
        f"<p>{link}{link}{link} only links here, and a few words.</p></div><footer>",
    )
    ours, theirs = _prepared(page)
    scores = ours.score_paragraphs()
    expected = Document.score_paragraphs(theirs)
    paths = ours.html.getroottree().getpath, theirs.html.getroottree().getpath
    assert [(paths[0](e), s["content_score"]) for e, s in scores.items()] == [
        (paths[1](e), s["content_score"]) for e, s in expected.items()
    ]
    assert any(s["content_score"] > 0 for s in scores.values())


SANITIZED = f"""<html><body><div id="article">
<h2 class="comment-title">Comments</h2><h2><a href="/h">A linked heading</a></h2><h3>Plain heading</h3>
<p>{PROSE}</p><p><a href="/s">Sign up</a> for our newsletter today</p>
<p>Subscribe to the paper, it is good.</p>
<form><input name="q"></form><textarea>x</textarea>
<iframe src="https://www.youtube.com/embed/x" srcdoc="y"></iframe><iframe src="https://ads.example/x"></iframe>
<div class="gallery"><p>One photo. {PROSE}</p><img src="1"><img src="2"><img src="3"><img src="4"></div>
<ul><li>one</li><li>two</li></ul><div><li>a</li><li>b</li></div>
<div><input type="text"><input type="hidden"><p>{PROSE}</p><p>x</p><p>y</p></div>
<div><input type="text"><input type="text"><p>{PROSE}</p><p>Two inputs and three paragraphs.</p><p>z</p></div>
<p><a href="/m">Read more about the bridge</a> here</p>
<article><section><a href="/s">0123456789</a> and then some more words in here.</section></article>
<div>short</div>
<div class="links"><a href="/1">Link one and more</a> <a href="/2">Link two and more</a> and text</div>
<section class="article-body"><a href="/1">A link in the body section here</a> text text text text</section>
<div class="content"><a href="/1">A very long link that fills the block.....</a> x</div>
<div><embed src="x">An embed with a caption that is short enough</div>
<div><embed src="x"><embed src="y">{PROSE}</div>
<div>{PROSE * 3}</div><div class="big-photo"><img src="a"></div><div>{PROSE * 3}</div>
<div>{PROSE}</div><div class="small-photo"><img src="b"></div><div>{PROSE}</div>
<div>{"a," * 10}</div><div>{"b," * 9}</div><div class="sidebar-widget">{PROSE}</div>
<h2>Table of contents</h2><ul><li><a href="#a">A</a></li></ul>
<div>They said:</div><div><blockquote>quoted</blockquote></div>
</div></body></html>"""


@pytest.mark.parametrize("keep_all_images", [False, True])
def test_sanitize_is_readabilitys_own(keep_all_images: bool) -> None:
    ours, theirs = _prepared(SANITIZED)
    body = ours.html.find("body"), theirs.html.find("body")
    candidates = ours.score_paragraphs(), Document.score_paragraphs(theirs)
    result = ours.sanitize(body[0], candidates[0], keep_all_images)
    expected = Document.sanitize(theirs, body[1], candidates[1], keep_all_images)
    assert result == expected
    assert "Comments" not in result and "Plain heading" in result and "VIDEO" in result
    assert "ads.example" not in result and "Table of contents" in result
    assert "big-photo" in result and ("small-photo" in result) == keep_all_images
    assert "a,a," in result and "b,b," not in result and "Read more" in result and "0123456789" in result
    assert ("One photo" in result) == keep_all_images and "Two inputs" not in result and '"hidden"' in result
