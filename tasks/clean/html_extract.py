"""Main text and metadata from an HTML page: trafilatura and readability-lxml, combined.

The page is parsed once (lxml's HTML parser, which never fetches a DTD, an entity or any other
resource) and that one tree serves every reader: the metadata search (``tasks.clean.page_metadata``:
trafilatura's own steps, only for the fields the record lacks) reads it, trafilatura copies it for
its main text (without comments, with tables) when it is asked, readability-lxml prunes a copy of
it (it runs first, since its answer decides whether trafilatura is asked at all), and the author
search prunes the tree itself, last.
Their paragraphs are combined by agreement (``tasks.clean.combine``): readability's paragraphs that
trafilatura confirms, plus the ones that are prose on their own. When readability finds nothing,
trafilatura's text is used as it is; when the two disagree about where the article is and their
combination is a stray short block, the fuller candidate wins.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import re
from dataclasses import dataclass

import lxml.etree
import lxml.html
import trafilatura

from tasks.clean.combine import choose_paragraphs, needs_support
from tasks.clean.joiners import Joiners, shield_joiners
from tasks.clean.page_metadata import EVERYTHING, PageMetadata, Wanted, page_metadata, search_author
from tasks.clean.readability_text import readability_paragraphs
from tasks.clean.text_body import article_lines
from tasks.errors import UnsupportedContent

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class HtmlExtraction:
    """What an HTML page yields: its main text (paragraphs split by newlines) and metadata."""

    text: str
    title: str | None
    author: str | None
    published: str | None
    site_name: str | None
    language: str | None


EMPTY = HtmlExtraction("", None, None, None, None, None)
# Characters XML (and so lxml) refuses in text, as UTF-8 bytes: the control characters (one byte
# each, never part of a longer sequence) and the non-characters U+FFFE and U+FFFF.
_CONTROL_BYTES = bytes(range(0x00, 0x09)) + b"\x0b\x0c" + bytes(range(0x0E, 0x20))
_NON_CHARACTERS = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")


# Every element is an ``HtmlElement`` (with lxml.html's methods: ``text_content``, ``drop_tree``,
# ...), chosen in C. ``lxml.html.HTMLParser`` asks a Python method for an element's class each
# time an element is touched (2.2 million calls for 414 pages, 7 % of the HTML path), only to give
# form controls classes of their own that no reader here uses.
_HTML_ELEMENTS = lxml.etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement,
    comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity,
)


def parse_html(html: str) -> lxml.html.HtmlElement | None:
    """Parse a page with lxml's HTML parser (no network, no external entities); None if it has no tree.

    The page is text already (decoded by its producer or by ``worker.sources.decode``): it goes to
    the parser as UTF-8 bytes *with the parser told so*, so neither the page's own ``<meta
    charset>`` nor an XML declaration can make libxml2 read it in another encoding (bytes without
    an encoding are read as the ``<meta>`` says, or as ISO-8859-1; a ``str`` with an XML
    encoding declaration is refused by lxml outright).
    """
    parser = lxml.etree.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, encoding="utf-8")
    parser.set_element_class_lookup(_HTML_ELEMENTS)
    try:
        cleaned = _xml_bytes(html)
        tree = lxml.html.document_fromstring(cleaned, parser=parser)
    except (lxml.etree.LxmlError, ValueError) as exc:
        _raise_past_limits(parser)
        log.debug("HTML not parsed: %s", type(exc).__name__)
        return None
    except RecursionError as exc:
        raise UnsupportedContent("HTML is nested too deeply to parse") from exc
    _raise_past_limits(parser)
    return tree if isinstance(tree, lxml.html.HtmlElement) else None


def _xml_bytes(html: str) -> bytes:
    """The page as UTF-8 without the characters XML refuses (lone surrogates become "?").

    Deleting bytes (``bytes.translate``) is three times faster than a regular expression over the
    text, and pages run to hundreds of kilobytes."""
    data = html.encode("utf-8", "replace").translate(None, _CONTROL_BYTES)
    for sequence in _NON_CHARACTERS:
        if sequence in data:
            data = data.replace(sequence, b"")
    return data


def _raise_past_limits(parser: lxml.etree.HTMLParser) -> None:
    """libxml2 stops reading a page past its limits (256 nested elements without XML_PARSE_HUGE):
    what it kept is a truncated tree, often empty, so say what happened instead of finding no text."""
    for error in parser.error_log:
        if error.type_name == "ERR_RESOURCE_LIMIT" or "Excessive depth" in error.message:
            if "depth" in error.message:
                raise UnsupportedContent(
                    "HTML is nested deeper than the HTML parser allows (256 elements): "
                    "the page cannot be read whole"
                )
            raise UnsupportedContent(f"HTML is past the HTML parser's limits ({error.message.strip()})")


def trafilatura_document(
    tree: lxml.html.HtmlElement, url: str | None, with_metadata: bool = True
) -> trafilatura.settings.Document | None:
    """trafilatura's main text (no comments, tables kept, no fallbacks) and, if asked, metadata of a
    page; the tree is left as it was (trafilatura works on a copy of it)."""
    try:
        document = trafilatura.bare_extraction(
            tree,
            url=url,
            with_metadata=with_metadata,
            include_comments=False,
            include_tables=True,
            include_images=False,
            deduplicate=False,
            fast=True,
        )
    except RecursionError as exc:
        raise UnsupportedContent("HTML is nested too deeply to extract") from exc
    except Exception as exc:  # one candidate of two: the page still has readability's
        log.debug("trafilatura failed: %s", type(exc).__name__)
        return None
    return document if isinstance(document, trafilatura.settings.Document) else None


# A <title> start tag, and its end tag anywhere in the page.
_TITLE_START = re.compile(r"<title\b[^>]*>", re.IGNORECASE)
_TITLE_END = re.compile(r"</title\s*>", re.IGNORECASE)
_TITLE_STOP = re.compile(r"[<\n]")
# An <html> start tag written as an empty element ("<html … />") near the top of the page.
_EMPTY_HTML_TAG = re.compile(r"(<html\b[^>]*?)\s*/>", re.IGNORECASE)


def repair_markup(html: str) -> str:
    """The page with two breakages repaired that make lxml's parser (libxml2) drop its whole body.

    - A page that lost its ``</title>`` (a truncated or spliced crawl): the parser reads
      everything after ``<title>`` as the title's text, so no extractor finds any body. The title
      is closed at its first line break or markup, where a real title never goes on.
    - ``<html … />``: libxml2 closes the document at the empty ``html`` element and drops the rest
      (trafilatura's loader repairs the same); the slash goes.
    """
    start = _TITLE_START.search(html)
    if start is not None and not _TITLE_END.search(html, start.end()):
        stop = _TITLE_STOP.search(html, start.end())
        end = stop.start() if stop else len(html)
        html = f"{html[:end]}</title>{html[end:]}"
    head = html[:4096]
    empty_html = _EMPTY_HTML_TAG.search(head)
    if empty_html is not None and "<" not in empty_html.group(1)[1:]:
        html = html[: empty_html.start()] + empty_html.group(1) + ">" + html[empty_html.end() :]
    return html


# An HTML tag of the elements every page is made of (not "<3" or "a <b> c" in running text).
_TAG = re.compile(
    r"</?(?:html|head|body|title|meta|link|script|style|div|span|p|a|br|hr|img|table|tbody|tr|td|th|"
    r"ul|ol|li|h[1-6]|b|i|em|strong|font|center|form|input|iframe|noscript|article|section|nav|"
    r"header|footer)\b[^<>]{0,500}>",
    re.IGNORECASE,
)
# Text that is this much markup is a page's source, not text that quotes a tag or two.
PAGE_SOURCE_MIN_TAGS = 10
PAGE_SOURCE_MARKUP_SHARE = 0.25


def is_page_source(text: str) -> bool:
    """True for "text" that is a page's HTML source: a quarter of it, or more, is tags."""
    tags = _TAG.findall(text)
    return len(tags) >= PAGE_SOURCE_MIN_TAGS and sum(map(len, tags)) >= PAGE_SOURCE_MARKUP_SHARE * len(text)


def extract_html(html: str, url: str | None = None, wanted: Wanted = EVERYTHING) -> HtmlExtraction:
    """Extract the main text and the ``wanted`` metadata of an HTML page; never fetches anything."""
    html, joiners = shield_joiners(html)  # trafilatura would drop them
    extraction = _extract_html(html, url, wanted)
    return _with_joiners(extraction, joiners) if joiners else extraction


def _with_joiners(extraction: HtmlExtraction, joiners: Joiners) -> HtmlExtraction:
    """The extraction with the stand-ins turned back into joiners in every field read from the page's
    text (the date and the language are not)."""
    return dataclasses.replace(
        extraction,
        text=joiners.restore(extraction.text) or "",
        title=joiners.restore(extraction.title),
        author=joiners.restore(extraction.author),
        site_name=joiners.restore(extraction.site_name),
    )


def _extract_html(html: str, url: str | None, wanted: Wanted) -> HtmlExtraction:
    tree = parse_html(repair_markup(html))
    if tree is None:
        return EMPTY
    metadata = _metadata(tree, url, wanted)
    # readability prunes the tree it gets; the pristine one is still needed by trafilatura (which
    # copies it) and by the author search (which prunes it, last).
    readable = readability_paragraphs(copy.deepcopy(tree))
    if needs_support(readable):
        document = trafilatura_document(tree, url or metadata.url, with_metadata=False)
        extracted = _lines(document.text if document else "")
        paragraphs = choose_paragraphs(readable, extracted, article_lines)
    else:
        paragraphs = list(readable)
    author = _author(tree) if metadata.needs_author_search else metadata.author
    return HtmlExtraction(
        text="\n".join(paragraphs),
        title=metadata.title,
        author=author,
        published=metadata.published,
        site_name=metadata.site_name,
        language=None,
    )


def _metadata(tree: lxml.html.HtmlElement, url: str | None, wanted: Wanted) -> PageMetadata:
    """The page's metadata; none when trafilatura's or htmldate's code fails on the page (the text
    is still read: metadata is never a reason to lose an article)."""
    try:
        return page_metadata(tree, url, wanted)
    except RecursionError as exc:
        raise UnsupportedContent("HTML is nested too deeply to read its metadata") from exc
    except Exception as exc:
        log.debug("metadata not read: %s", type(exc).__name__)
        return PageMetadata()


def _author(tree: lxml.html.HtmlElement) -> str | None:
    """The author named in the page's bylines; None when the search fails on the page."""
    try:
        return search_author(tree)
    except RecursionError as exc:
        raise UnsupportedContent("HTML is nested too deeply to read its author") from exc
    except Exception as exc:
        log.debug("author not read: %s", type(exc).__name__)
        return None


def _lines(text: str | None) -> list[str]:
    lines = (" ".join(line.split()) for line in (text or "").split("\n"))
    return [line for line in lines if line]
