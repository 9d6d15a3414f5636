"""Main text and metadata from an HTML page, through trafilatura."""

from __future__ import annotations

from dataclasses import dataclass

import trafilatura

from tasks.errors import UnsupportedContent


@dataclass(frozen=True, slots=True)
class HtmlExtraction:
    """What an HTML page yields: its main text (paragraphs split by newlines) and metadata."""

    text: str
    title: str | None
    author: str | None
    published: str | None
    site_name: str | None
    language: str | None


def extract_html(html: str, url: str | None = None) -> HtmlExtraction:
    """Extract the main text and metadata of an HTML page; never fetches anything."""
    try:
        document = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            deduplicate=False,
        )
    except (ValueError, TypeError, RecursionError) as exc:
        raise UnsupportedContent(f"HTML could not be parsed: {type(exc).__name__}") from exc
    if not isinstance(document, trafilatura.settings.Document):
        return HtmlExtraction("", None, None, None, None, None)
    return HtmlExtraction(
        text=document.text or "",
        title=document.title or None,
        author=document.author or None,
        published=document.date or None,
        site_name=document.sitename or None,
        language=document.language or None,
    )
