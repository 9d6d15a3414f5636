"""tasks.clean.author_search finds and deletes the elements trafilatura's own author XPaths find.

Every comparison runs trafilatura's expressions (``trafilatura.xpaths``, with their ``re:test``)
beside the one-pass search on the same markup: an upgrade of trafilatura that changes what its
expressions find fails here (and ``test_author_xpaths_are_still_trafilaturas`` in
test_page_metadata.py fails when their text changes at all).
"""

from __future__ import annotations

import copy
import functools
import gc
import random
import weakref

import lxml.etree
import lxml.html
import pytest
from trafilatura import xpaths
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.metadata import extract_metainfo

from tasks.clean.author_search import (
    DISCARD,
    FIRST,
    SECOND,
    THIRD,
    TIME_OR_FIGURE,
    found,
    marked_elements,
    prune_and_search,
)

# Attribute values around every word of the expressions: as they are, inside longer values, at the
# start and elsewhere, in other cases, and near misses.
_WORDS = [
    *("author", "Author", "authorname", "author-name", "AuthorName", "authorName", "author_name"),
    *("zuozhe", "bianji", "xiaobian", "channel-name", "submitted-by", "posted-by", "journalist-name"),
    *("screenname", "writer", "Byline", "byline", "byl", "BBL", "username", "comments", "Comments"),
    *("commentlist", "comment-list", "comments-list", "ProductReviews", "sidebar", "is-hidden", "quote"),
    *("embedly-instagram", "article-share", "article-support", "article-other", "print", "category"),
    *("meta-date", "meta-reviewer", "title", "date", "COMMENTS", "auth", "other", "author name"),
    *("AuthorCard", "AuthorURL", "authorcard", "me", "Figure", "figure", "BylineBlock", "byl ine"),
]
_VALUES = [value for word in _WORDS for value in (word, f"{word} y", f"x-{word}y")]
_TAGS = ("a", "address", "div", "link", "p", "span", "strong", "h3", "h4", "section", "li", "author")
_ATTRIBUTES = ("class", "id", "itemprop", "rel", "data-testid", "data-component", "title")
# Tags that pass each expression's element-name test and none: enough for the rarer attributes.
_SOME_TAGS = ("a", "div", "p", "h3", "section", "li")


def _tree(html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(html)


@functools.cache
def _attribute_page() -> lxml.html.HtmlElement:
    """Every tag with a class or an id set to every value, one element each, the other attributes on
    fewer tags, plus the elements the expressions name: <author>, <time>, <figure>, and <rel>
    children saying "me" or not."""
    body = "".join(
        f'<{tag} {attribute}="{value}">{tag} {attribute} {value}</{tag}>'
        for attribute in _ATTRIBUTES
        for tag in (_TAGS if attribute in ("class", "id") else _SOME_TAGS)
        for value in _VALUES
    )
    named = "".join(
        f"<{tag}>{tag} alone<rel>{text}</rel></{tag}><{tag} class='x'><rel>no</rel><rel>{text}</rel></{tag}>"
        for tag in (*_TAGS, "time", "figure", "rel")
        for text in ("me", "me ", "Me", "<b>m</b>e")
    )
    return _tree(f"<html class='print author'><body id='comments'>{body}{named}</body></html>")


# trafilatura's expressions, each beside the bit that stands for it here.
_EXPRESSIONS = [
    *zip((FIRST, SECOND, THIRD), xpaths.AUTHOR_XPATHS, strict=True),
    *zip((DISCARD, TIME_OR_FIGURE), xpaths.AUTHOR_DISCARD_XPATHS, strict=True),
]


@pytest.mark.parametrize(
    ("bit", "expression"), _EXPRESSIONS, ids=["first", "second", "third", "discard", "time"]
)
def test_each_expression_finds_what_trafilaturas_finds(bit: int, expression: lxml.etree.XPath) -> None:
    tree = _attribute_page()  # shared by the five: neither search changes it
    expected = expression(tree)
    marked = marked_elements(tree)
    if bit in (FIRST, SECOND, THIRD):
        mine = list(found(marked, bit))
    else:
        mine = [element for element, bits in marked if bits & bit]
    assert len(expected) > 10  # the page holds many matches for each: the comparison is not of nothing
    assert mine == expected  # the same elements, in the same (document) order


# Small pages on the search as a whole: which expression wins, what pruning hides, text lengths.
PAGES = {
    "second before first in the page": '<div class="byline">Ann Lee</div><span class="author">Bob Ray</span>',
    "third only": '<li class="writer-box">Cy Twombly</li>',
    "author element": "<p class='authorname'>x</p><author>Dee Dee</author>",
    "rel me": "<p>intro</p><div><rel>me</rel>Eve Arden</div><span class='author'>Later Name</span>",
    "rel me after a pruned time": "<div><rel><time>a</time>me</rel>Fay Wray</div><p class='byline'>Other</p>",
    "byline in comments": '<div id="comments"><p class="author">Troll One</p></div>'
    '<p class="byline">Gil Scott</p>',
    "byline in a figure": "<figure><span class='author'>Photo Person</span></figure>"
    "<h4 class='xauthor'>Hal Foster</h4>",
    "sidebar": "<section class='sidebar-x'><a rel='author'>Side Guy</a></section>"
    "<a rel='author'>Ida Wells</a>",
    "data attributes": '<div data-component="FigureX"><b data-component="Byline">No</b></div>'
    '<i data-component="TopByline">Jo March</i><p data-testid="AuthorCard">Kay Lynn</p>',
    "itemprop": '<span itemprop="author name">Lou Reed</span><em itemprop="creator author">Max Ernst</em>',
    "too short and too long": f"<p class='author'>Al</p><p class='author'>{'word ' * 30}</p>"
    "<p class='author'>Ned Kelly</p>",
    "tails kept when pruning": "<p>a<span class='date'>d</span>b<time>t</time>c"
    "<span class='quote'>q</span></p><p class='byline'>x<span class='print'>y</span>Ola Nordmann</p>",
    "nothing": "<p>Just a paragraph.</p>",
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_search_matches_trafilatura(name: str) -> None:
    page = f"<html><head><title>t</title></head><body>{PAGES[name]}</body></html>"
    theirs, mine = _tree(page), _tree(page)
    expected = extract_metainfo(
        prune_unwanted_nodes(theirs, xpaths.AUTHOR_DISCARD_XPATHS), xpaths.AUTHOR_XPATHS, len_limit=120
    )
    assert prune_and_search(mine) == expected
    assert lxml.etree.tostring(mine) == lxml.etree.tostring(theirs)  # pruned alike, tails and all


def test_search_finds_the_expected_names() -> None:
    """The pages above do name the authors the comparison above expects (it is not of Nones)."""
    names = {name: prune_and_search(_tree(f"<html><body>{PAGES[name]}</body></html>")) for name in PAGES}
    assert names["second before first in the page"] == "Bob Ray"
    assert names["rel me"] == "me Eve Arden"
    assert names["rel me after a pruned time"] == "me Fay Wray"
    assert names["byline in comments"] == "Gil Scott"
    assert names["too short and too long"] == "Ned Kelly"
    assert names["nothing"] is None


def _random_page(rng: random.Random) -> str:
    """Nested markup drawn from the expressions' words, tags and the elements they name."""

    def element(depth: int) -> str:
        tag = rng.choice((*_TAGS, "time", "figure", "rel", "b"))
        attributes = " ".join(
            f'{rng.choice(_ATTRIBUTES)}="{rng.choice(_VALUES)}"' for _ in range(rng.choice((0, 0, 1, 1, 2)))
        )
        inner = (
            "".join(element(depth + 1) for _ in range(rng.randint(0, 3)))
            if depth < 4
            else rng.choice(("me", "Al", "Pat Doe"))
        )
        text, tail = rng.choice(("", "me", "Sam Roe ")), rng.choice(("", "tail"))
        return f"<{tag} {attributes}>{text}{inner}</{tag}>{tail}"

    return f"<html><body>{''.join(element(0) for _ in range(4))}</body></html>"


def test_random_pages_match_trafilatura() -> None:
    rng = random.Random(18)
    authors = 0
    for _ in range(300):
        page = _random_page(rng)
        theirs = _tree(page)
        mine = copy.deepcopy(theirs)
        expected = extract_metainfo(
            prune_unwanted_nodes(theirs, xpaths.AUTHOR_DISCARD_XPATHS), xpaths.AUTHOR_XPATHS, len_limit=120
        )
        assert prune_and_search(mine) == expected, page
        assert lxml.etree.tostring(mine) == lxml.etree.tostring(theirs), page
        authors += expected is not None
    assert authors > 50  # most random pages name someone: the comparison is not of Nones


def test_a_fragment_root_is_not_its_own_discard() -> None:
    """trafilatura's discard expression is ``.//*``: the tree it is given is never deleted."""
    theirs = lxml.html.fragment_fromstring(
        "<div class='quote'><div class='quote'>x</div><p class='byline'>Uma Thurman</p></div>"
    )
    mine = copy.deepcopy(theirs)
    expected = extract_metainfo(
        prune_unwanted_nodes(theirs, xpaths.AUTHOR_DISCARD_XPATHS), xpaths.AUTHOR_XPATHS, len_limit=120
    )
    assert prune_and_search(mine) == expected == "Uma Thurman"
    assert lxml.etree.tostring(mine) == lxml.etree.tostring(theirs)


def test_the_search_keeps_no_page_alive() -> None:
    """Its cache of attribute values holds plain strings: an XPath's value knows its element (and
    so its whole page), which a worker's cache must not keep after the page is done."""
    tree = _tree("<html><body><p class='byline unique-to-this-test'>Ann Lee</p></body></html>")
    byline = tree.find(".//p")
    alive = weakref.ref(byline)
    assert prune_and_search(tree) == "Ann Lee"
    del tree, byline
    gc.collect()
    assert alive() is None
