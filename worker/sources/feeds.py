"""RSS and Atom feeds, parsed with feedparser into the entries to fetch: link, title, author, date.

Relative links are resolved against the feed's ``xml:base`` or its own URL; dates become ISO 8601
in UTC. Parsing is pure: it takes the bytes the fetcher got and never touches the network itself.

A feed is hostile input. A character reference to no character (``&#xD800;``, ``&#x110000;``)
becomes U+FFFD before parsing, as an HTML parser would read it (feedparser's lenient parser
raises on it); anything else the parser raises is this feed's ``InvalidFeed``, never the poller's.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from time import struct_time
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from worker.sources.errors import InvalidFeed

_EMAIL_AND_NAME = re.compile(r"^\S+@\S+\s+\((.+)\)$")
_CHARACTER_REFERENCE = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,40})|([0-9]{1,40}));")
_REPLACEMENT = b"&#xFFFD;"


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One entry of a feed: the article page to fetch, and what the feed says about it."""

    url: str
    title: str | None = None
    author: str | None = None
    published: str | None = None


@dataclass(frozen=True, slots=True)
class Feed:
    """A parsed feed: its title and language, its entries, and how many had no usable link."""

    url: str
    title: str | None
    language: str | None
    entries: list[FeedEntry] = field(default_factory=list)
    without_link: int = 0

    @property
    def source(self) -> str:
        """What the articles' ``source`` field says: the feed's title, else its host."""
        return self.title or urlsplit(self.url).hostname or self.url


def parse_feed(body: bytes, url: str, content_type: str | None = None) -> Feed:
    """Parse RSS 2.0, RSS 1.0 or Atom bytes fetched from ``url``; raise ``InvalidFeed`` otherwise."""
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    try:
        # A stream, never a str: given a str, feedparser would treat it as a URL or a file name.
        parsed: Any = feedparser.parse(io.BytesIO(_repair_references(body)), response_headers=headers)
    except Exception as exc:  # a lenient parser of hostile bytes: whatever it raises is about them
        raise InvalidFeed(f"{url} could not be parsed ({type(exc).__name__}: {exc})") from exc
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        raise InvalidFeed(f"{url} is not an RSS or Atom feed" + (f" ({problem})" if problem else ""))
    entries: list[FeedEntry] = []
    without_link = 0
    for entry in parsed.entries:
        link = _entry_link(entry)
        if not link:
            without_link += 1
            continue
        entries.append(
            FeedEntry(
                url=urljoin(url, link),
                title=_text(entry.get("title")),
                author=_author(entry),
                published=_iso(entry.get("published_parsed") or entry.get("updated_parsed")),
            )
        )
    return Feed(
        url=url,
        title=_text(parsed.feed.get("title")),
        language=_text(parsed.feed.get("language")),
        entries=entries,
        without_link=without_link,
    )


def _repair_references(body: bytes) -> bytes:
    """Numeric character references to no character (surrogates, past U+10FFFF) as U+FFFD."""

    def repair(match: re.Match[bytes]) -> bytes:
        hexadecimal, decimal = match.groups()
        code = int(hexadecimal, 16) if hexadecimal else int(decimal)
        return _REPLACEMENT if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF else match.group(0)

    return _CHARACTER_REFERENCE.sub(repair, body)


def _entry_link(entry: Any) -> str | None:
    link = (entry.get("link") or "").strip()
    if link:
        return str(link)
    for candidate in entry.get("links") or []:
        if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
            return str(candidate["href"]).strip()
    guid = (entry.get("id") or "").strip()
    return str(guid) if guid.startswith(("http://", "https://")) else None


def _author(entry: Any) -> str | None:
    """The author's name; RSS writes ``email (Name)``, of which the name is what we want."""
    name = _text((entry.get("author_detail") or {}).get("name") or entry.get("author"))
    match = _EMAIL_AND_NAME.match(name or "")
    return match.group(1).strip() if match else name


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def _iso(value: struct_time | None) -> str | None:
    if not value:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC).isoformat()
    except (TypeError, ValueError):
        return None
