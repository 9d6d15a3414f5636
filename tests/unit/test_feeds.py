"""Feeds parsed with feedparser: RSS 2.0, Atom, relative links, dates, and what is not a feed."""

from __future__ import annotations

import pytest

from worker.sources.errors import InvalidFeed
from worker.sources.feeds import parse_feed

FEED_URL = "http://news.test:8080/feeds/main.xml"

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
  <title>Harbour Gazette</title><language>en-gb</language>
  <item>
    <title>Bridge closes for repairs &amp; works</title>
    <link>https://news.test/2025/bridge.html?utm_source=rss</link>
    <author>desk@news.test (Ana Lima)</author>
    <pubDate>Mon, 06 Jan 2025 10:00:00 +0100</pubDate>
  </item>
  <item><title>Only a title, no link</title></item>
  <item><guid isPermaLink="true">https://news.test/2025/guid-only.html</guid></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>City Desk</title>
  <entry>
    <title>Trams return</title>
    <link rel="alternate" href="https://news.test/trams.html"/>
    <author><name>Bo Chen</name></author>
    <updated>2025-02-03T04:05:06Z</updated><id>urn:uuid:1</id>
  </entry>
</feed>"""

RELATIVE = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Relative</title>
  <item><title>Root-relative</title><link>/local/one.html</link></item>
  <item><title>Path-relative</title><link>two.html</link></item>
</channel></rss>"""

XML_BASE = b"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://other.test/section/">
  <title>Based</title>
  <entry><title>E</title><link href="story.html"/><id>urn:2</id></entry>
</feed>"""


def test_rss_entries_carry_link_title_author_and_date_in_utc() -> None:
    feed = parse_feed(RSS, FEED_URL)
    assert feed.title == "Harbour Gazette" and feed.language == "en-gb"
    first = feed.entries[0]
    assert first.url == "https://news.test/2025/bridge.html?utm_source=rss"
    assert first.title == "Bridge closes for repairs & works"
    assert first.author == "Ana Lima"
    assert first.published == "2025-01-06T09:00:00+00:00"
    assert feed.entries[1].url == "https://news.test/2025/guid-only.html"
    assert feed.without_link == 1


def test_atom_entries_are_read_too() -> None:
    feed = parse_feed(ATOM, FEED_URL)
    (entry,) = feed.entries
    assert (entry.url, entry.title, entry.author, entry.published) == (
        "https://news.test/trams.html",
        "Trams return",
        "Bo Chen",
        "2025-02-03T04:05:06+00:00",
    )
    assert feed.source == "City Desk"


def test_relative_links_resolve_against_the_feed_url_or_its_xml_base() -> None:
    feed = parse_feed(RELATIVE, FEED_URL)
    assert [e.url for e in feed.entries] == [
        "http://news.test:8080/local/one.html",
        "http://news.test:8080/feeds/two.html",
    ]
    assert parse_feed(XML_BASE, FEED_URL).entries[0].url == "https://other.test/section/story.html"


def test_a_feed_without_a_title_is_named_by_its_host() -> None:
    feed = parse_feed(b'<rss version="2.0"><channel><item><link>/a</link></item></channel></rss>', FEED_URL)
    assert feed.source == "news.test"


@pytest.mark.parametrize(
    "body",
    [b"<html><body><p>A web page, not a feed.</p></body></html>", b"\x00\x01\x02 binary", b""],
    ids=["html", "binary", "empty"],
)
def test_what_is_not_a_feed_is_refused(body: bytes) -> None:
    with pytest.raises(InvalidFeed, match="not an RSS or Atom feed"):
        parse_feed(body, FEED_URL)


def test_a_url_string_is_never_fetched_by_the_parser() -> None:
    # feedparser fetches a str that looks like a URL; parse_feed hands it bytes as a stream.
    with pytest.raises(InvalidFeed):
        parse_feed(b"http://127.0.0.1:1/feed.xml", FEED_URL)


@pytest.mark.parametrize(
    "reference", [b"&#xD800;", b"&#xdfff;", b"&#55296;", b"&#x110000;", b"&#99999999999999999999;"]
)
def test_a_character_reference_to_no_character_costs_that_character_only(reference: bytes) -> None:
    # Not well-formed XML, so feedparser's lenient parser reads it, and used to raise on it.
    body = RSS.replace(b"Harbour Gazette", b"Harbour " + reference + b" Gazette").replace(
        b"Bridge closes", b"Bridge " + reference + b" closes"
    )
    feed = parse_feed(body, FEED_URL)
    assert feed.title == "Harbour \ufffd Gazette"
    assert [e.url for e in feed.entries] == [e.url for e in parse_feed(RSS, FEED_URL).entries]
    assert feed.entries[0].title == "Bridge \ufffd closes for repairs & works"


def test_a_feed_the_parser_cannot_read_is_an_invalid_feed_not_a_crash() -> None:
    # In UTF-16 the bad reference is out of reach of the byte-level repair: the parser's own
    # exception (UnicodeEncodeError) must come out as this feed's InvalidFeed.
    body = RSS.replace(b"Harbour Gazette", b"Harbour &#xD800; Gazette").decode().replace("utf-8", "utf-16")
    with pytest.raises(InvalidFeed, match="could not be parsed"):
        parse_feed(body.encode("utf-16"), FEED_URL)
