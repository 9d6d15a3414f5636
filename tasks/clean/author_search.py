"""trafilatura's byline search (its author XPaths after its pruning XPaths), answered in one pass.

trafilatura finds an author in a page's markup by deleting the elements of
``AUTHOR_DISCARD_XPATHS`` (comment sections, sidebars, figures, dates…) and then asking each of
``AUTHOR_XPATHS`` in turn for elements whose class, id, itemprop, rel, data-testid or
data-component says "author" (``trafilatura.metadata.extract_metainfo``): the first element whose
text is 3 to 119 characters long is the author. libxml2 answers each of those five expressions by
testing every element of the page, a dozen string tests each.

Here one XPath hands over every value of those six attributes (and the ``author``, ``time``,
``figure`` elements and the parents of ``rel`` elements), in document order; each attribute value
is tested in Python against all the expressions' conditions on it at once (one regular-expression
search tells most values apart, and the answers for the others are cached: class names repeat),
and the expressions' element-name tests are applied to the few elements one of them names. The elements
deleted, and the elements asked for their text and in which order, are the ones trafilatura's
expressions give (``tests/unit/test_author_search.py`` runs both on every alternative).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from functools import lru_cache

from lxml.etree import XPath, _ElementUnicodeResult
from lxml.html import HtmlElement
from trafilatura.utils import trim
from trafilatura.xml import delete_element

# One bit per expression: trafilatura's three AUTHOR_XPATHS in their order, then its two
# AUTHOR_DISCARD_XPATHS ("//time|//figure" needs no attribute).
FIRST, SECOND, THIRD, DISCARD, TIME_OR_FIGURE = 1, 2, 4, 8, 16
_AUTHOR_EXPRESSIONS = (FIRST, SECOND, THIRD)
# A parent of a <rel> element: the first expression's ``rel='me'`` asks for a child <rel> whose text
# is "me" (a child element, not the rel attribute), tested once the page is pruned.
_REL_PARENT = 32

# Each expression's tests of one attribute: (expression, values it equals, prefixes, substrings),
# the ``re:test`` patterns written out as the plain words they alternate.
AttributeTest = tuple[int, frozenset[str], tuple[str, ...], tuple[str, ...]]
ATTRIBUTE_TESTS: dict[str, tuple[AttributeTest, ...]] = {
    "class": (
        (FIRST, frozenset({"author"}), (), ("authorname", "author-name", "AuthorName", "authorName")),
        (
            SECOND,
            frozenset({"byline", "username", "byl", "BBL"}),
            (),
            (
                *("author", "channel-name", "zuozhe", "bianji", "xiaobian"),
                *("submitted-by", "posted-by", "journalist-name"),
            ),
        ),
        (THIRD, frozenset(), (), ("Author", "author", "screenname", "writer", "Byline", "byline")),
        (
            DISCARD,
            frozenset({"comments", "title", "date"}),
            ("Comments", "comments"),
            (
                *("commentlist", "comments-list", "sidebar", "is-hidden", "quote", "embedly-instagram"),
                *("article-share", "article-support", "print", "category", "meta-date", "meta-reviewer"),
            ),
        ),
    ),
    "id": (
        (FIRST, frozenset({"author"}), (), ()),
        (SECOND, frozenset(), (), ("author", "zuozhe", "bianji", "xiaobian")),
        (THIRD, frozenset(), (), ("Author", "author")),
        (DISCARD, frozenset({"comments"}), ("comments",), ("commentlist", "comment-list", "ProductReviews")),
    ),
    "itemprop": (
        (FIRST, frozenset({"author name"}), (), ()),
        (SECOND | THIRD, frozenset(), (), ("author",)),
    ),
    "rel": ((FIRST, frozenset({"author"}), (), ()),),
    "data-testid": ((FIRST, frozenset({"AuthorCard", "AuthorURL"}), (), ()),),
    "data-component": ((THIRD, frozenset(), (), ("Byline",)), (DISCARD, frozenset(), (), ("Figure",))),
}
# The elements each expression accepts (``self::a or self::div …``); the third accepts any.
TAGS = {
    FIRST: frozenset({"a", "address", "div", "link", "p", "span", "strong"}),
    SECOND: frozenset({"a", "div", "h3", "h4", "p", "span"}),
    DISCARD: frozenset({"a", "div", "section", "span"}),
}
# Elements an expression names outright: ``//author`` (first), ``//time|//figure`` (pruning).
_AUTHOR_ELEMENT = 64
_NAMED = {"author": _AUTHOR_ELEMENT, "time": TIME_OR_FIGURE, "figure": TIME_OR_FIGURE}

_CANDIDATES = XPath(
    "//@class|//@id|//@itemprop|//@rel|//@data-testid|//@data-component|//author|//time|//figure|//rel/.."
)


def _any_word(tests: tuple[AttributeTest, ...]) -> re.Pattern[str]:
    """A value without any of the words the tests look for (equal to, starting with or containing)
    passes none of them: one search tells most values apart."""
    words = {word for _, equals, prefixes, substrings in tests for word in (*equals, *prefixes, *substrings)}
    return re.compile("|".join(map(re.escape, sorted(words))))


_ANY_WORD = {name: _any_word(tests) for name, tests in ATTRIBUTE_TESTS.items()}


def attribute_mask(name: str, value: str) -> int:
    """The expressions whose test of attribute ``name`` this value passes (their element-name tests aside)."""
    if not _ANY_WORD[name].search(value):
        return 0
    return _mask(str(name), str(value))  # plain strings: an XPath's "smart" one would keep its page alive


@lru_cache(maxsize=4096)
def _mask(name: str, value: str) -> int:
    """``attribute_mask`` for a value with one of the words in it (class values repeat: kept)."""
    mask = 0
    for expression, equals, prefixes, substrings in ATTRIBUTE_TESTS[name]:
        if value in equals or value.startswith(prefixes) or any(word in value for word in substrings):
            mask |= expression
    return mask


@lru_cache(maxsize=1024)
def _tag_mask(tag: str) -> int:
    """The expressions whose element-name test an element named ``tag`` passes."""
    return THIRD | sum(expression for expression, tags in TAGS.items() if tag in tags)


def marked_elements(tree: HtmlElement) -> list[tuple[HtmlElement, int]]:
    """Every element one of the expressions finds in the page, in document order, with its bits."""
    marked: list[tuple[HtmlElement, int]] = []
    owner: HtmlElement | None = None
    mask = 0
    for item in _CANDIDATES(tree):
        if isinstance(item, _ElementUnicodeResult):  # an attribute value, which knows its element
            bits = attribute_mask(item.attrname, item)
            if not bits:
                continue
            element = item.getparent()
        else:
            element = item  # an author, time or figure element, or a <rel> element's parent
            bits = _NAMED.get(element.tag, _REL_PARENT)
        if element is owner:  # its attributes follow an element (document order): one entry
            mask |= bits
            continue
        if owner is not None:
            marked.append((owner, mask))
        owner, mask = element, bits
    if owner is not None:
        marked.append((owner, mask))
    return [(element, bits) for element, mask in marked if (bits := _element_bits(element, mask, tree))]


def _element_bits(element: HtmlElement, mask: int, tree: HtmlElement) -> int:
    """An element's attribute bits narrowed to the expressions whose element-name test it passes."""
    tag_mask = _tag_mask(element.tag)
    bits = mask & (tag_mask | TIME_OR_FIGURE)
    if mask & _AUTHOR_ELEMENT:
        bits |= FIRST
    if mask & _REL_PARENT and tag_mask & FIRST and not bits & FIRST:
        bits |= _REL_PARENT  # its <rel> child is read once the page is pruned
    if element is tree:  # the discard expression is ``.//*``: the tree's descendants only
        bits &= ~DISCARD
    return bits


def prune_and_search(tree: HtmlElement, len_limit: int = 120) -> str | None:
    """What ``extract_metainfo(prune_unwanted_nodes(tree, AUTHOR_DISCARD_XPATHS), AUTHOR_XPATHS, 120)``
    returns; ``tree`` (a page's root element) is pruned in place, as trafilatura prunes its copy."""
    marked = marked_elements(tree)
    removed = [element for element, bits in marked if bits & (DISCARD | TIME_OR_FIGURE)]
    for element in removed:
        delete_element(element)
    gone = set(removed)
    for expression in _AUTHOR_EXPRESSIONS:
        for element in found(marked, expression, gone):
            content = trim(" ".join(element.itertext()))
            if content and 2 < len(content) < len_limit:
                return content
    return None


def found(
    marked: list[tuple[HtmlElement, int]], expression: int, gone: AbstractSet[HtmlElement] = frozenset()
) -> Iterator[HtmlElement]:
    """The elements an author expression finds in the page (``marked_elements``) once the ``gone``
    elements are deleted from it, in document order."""
    for element, bits in marked:
        if not bits & expression and not (expression == FIRST and bits & _REL_PARENT and _rel_me(element)):
            continue
        if gone and (element in gone or any(ancestor in gone for ancestor in element.iterancestors())):
            continue
        yield element


def _rel_me(element: HtmlElement) -> bool:
    """``rel='me'``: a child <rel> element whose text is "me"."""
    return any(child.tag == "rel" and child.text_content() == "me" for child in element)
