"""tasks.clean.page_metadata finds what trafilatura's extract_metadata finds, and only what is wanted."""

from __future__ import annotations

import lxml.etree
import lxml.html
import pytest
import trafilatura

from tasks.clean.page_metadata import EVERYTHING, Wanted, page_metadata, search_author

# One page whose metadata sits in <meta> tags, one in JSON-LD, one only in the page's own markup.
PAGES = {
    "meta": """<html><head><title>Harbour reopens | The Coast Times</title>
<meta property="og:title" content="Harbour reopens after storm">
<meta name="author" content="Jane Doe"><meta property="og:site_name" content="The Coast Times">
<meta property="article:published_time" content="2024-03-05T10:00:00Z"></head>
<body><article><h1>Harbour reopens after storm</h1>
<p>The harbour reopened on Tuesday.</p></article></body></html>""",
    "json-ld": """<html><head><title>Mayor resigns</title><script type="application/ld+json">
{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Mayor resigns over budget",
 "author": {"@type": "Person", "name": "Ann Smith"}, "datePublished": "2023-11-02",
 "publisher": {"@type": "Organization", "name": "Daily Post"}}</script></head>
<body><h1>Mayor resigns over budget</h1><p>The mayor resigned on Thursday.</p></body></html>""",
    "markup": """<html><head><title>Floods in the valley - example.org</title></head><body>
<h1>Floods in the valley</h1><p class="byline">By <span class="author">Tom Baker</span></p>
<p>Published 12 January 2022</p><p>Rivers burst their banks overnight.</p>
<div class="comments"><p class="author">Troll Account</p></div></body></html>""",
}


def _tree(html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(html)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_metadata_matches_trafilatura(name: str) -> None:
    url = "https://example.org/news/story"
    expected = trafilatura.extract_metadata(_tree(PAGES[name]), url)
    tree = _tree(PAGES[name])
    found = page_metadata(tree, url, EVERYTHING)
    author = search_author(tree) if found.needs_author_search else found.author
    assert (found.title, author, found.published, found.site_name) == (
        expected.title,
        expected.author,
        expected.date,
        expected.sitename,
    )
    assert found.title and found.published  # the pages do name them: the comparison is not of Nones


def test_page_metadata_leaves_the_tree_as_it_was() -> None:
    tree = _tree(PAGES["markup"])
    before = lxml.etree.tostring(tree)
    page_metadata(tree, None, EVERYTHING)
    assert lxml.etree.tostring(tree) == before


def test_page_metadata_skips_what_the_record_has() -> None:
    found = page_metadata(_tree(PAGES["markup"]), None, Wanted(title=False, author=False, date=False))
    assert (found.title, found.published, found.needs_author_search) == (None, None, False)
