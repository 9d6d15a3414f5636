"""The readability candidate: hidden blocks stay out, and skipping readability's cleaner changes no text."""

from __future__ import annotations

import copy

import lxml.html
from readability import Document

from tasks.clean.html_extract import parse_html
from tasks.clean.readability_text import readability_paragraphs

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
