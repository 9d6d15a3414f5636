"""A page's title, author, date and site name, found the way trafilatura finds them, minus the rest.

``trafilatura.extract_metadata`` also collects categories, tags, a licence and a description that
the clean stage never reads, and it looks for a title, an author and a date even when the record
arrived with them (a feed entry names all three). Here the same trafilatura steps run in the same
order (``<meta>`` tags, then JSON-LD, then the page's headings, footer links and htmldate), only for
the fields the record still lacks, so a field found here is the one ``extract_metadata`` finds.

Its author search prunes the page first (bylines inside comment sections and related-article boxes
do not count) and trafilatura deep-copies the whole page for that; here the caller hands over a tree
it is done with, so the pruning works on it in place (``search_author``), and trafilatura's pruning
and author XPaths are answered together in one pass (``tasks.clean.author_search``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from html import unescape

import lxml.html
from htmldate import find_date
from trafilatura.json_metadata import normalize_authors
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import set_date_params
from trafilatura.utils import line_processing

from tasks.clean.author_search import prune_and_search

log = logging.getLogger(__name__)


# trafilatura's own limit on a metadata field (``Document.clean_and_trim``).
_MAX_FIELD = 10_000


@dataclass(frozen=True, slots=True)
class Wanted:
    """Which fields the record lacks and the page must give (each search has its cost)."""

    title: bool = True
    author: bool = True
    date: bool = True


EVERYTHING = Wanted()


@dataclass(slots=True)
class PageMetadata:
    """Metadata found on a page; ``needs_author_search`` says the author is still to be searched for."""

    title: str | None = None
    author: str | None = None
    published: str | None = None
    site_name: str | None = None
    url: str | None = None
    needs_author_search: bool = False


def page_metadata(tree: lxml.html.HtmlElement, url: str | None, wanted: Wanted) -> PageMetadata:
    """Title, date, site name and canonical URL of a page, leaving the tree as it was.

    The author comes from ``<meta>`` tags or JSON-LD here; when neither names one and it is
    wanted, ``needs_author_search`` is set and ``search_author`` finishes the job on a tree the
    caller no longer needs.
    """
    found = examine_meta(tree)
    if found.author and " " not in found.author:
        found.author = None  # as trafilatura: a one-word "author" is a handle or a site
    try:
        found = extract_meta_json(tree, found)
    except Exception as exc:  # as trafilatura: its JSON-LD reader has bugs on odd input
        log.debug("JSON-LD metadata not read: %s", type(exc).__name__)
    if wanted.title and not found.title:
        found.title = extract_title(tree)
    found.url = found.url or extract_url(tree, url)
    if wanted.date:
        date_config = set_date_params(True)
        date_config["url"] = found.url
        found.date = find_date(tree, **date_config)
    site_name = found.sitename or extract_sitename(tree)
    if site_name:
        site_name = site_name.lstrip("@")
        if site_name and "." not in site_name and not site_name[0].isupper():
            site_name = site_name.title()
    elif found.url and (match := META_URL.match(found.url)):
        site_name = match[1]
    return PageMetadata(
        title=_trim(found.title),
        author=_trim(found.author),
        published=_trim(found.date),
        site_name=_trim(site_name),
        url=found.url,
        needs_author_search=wanted.author and not found.author,
    )


def search_author(tree: lxml.html.HtmlElement) -> str | None:
    """The author named in the page's bylines, as trafilatura finds it (the tree is pruned in place)."""
    author = prune_and_search(tree)
    return _trim(normalize_authors(None, author)) if author else None


def _trim(value: str | None) -> str | None:
    """A field trimmed as ``Document.clean_and_trim`` trims it: length, entities, spaces, controls."""
    if not isinstance(value, str):
        return value
    if len(value) > _MAX_FIELD:
        value = value[: _MAX_FIELD - 1] + "…"
    return line_processing(unescape(value)) or None
