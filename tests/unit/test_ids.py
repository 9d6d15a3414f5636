from __future__ import annotations

import pytest

from tasks.ids import canonical_url, derive_article_id


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Example.COM/a/b?utm_source=x&b=2&a=1#frag", "https://example.com/a/b?a=1&b=2"),
        ("http://example.com:80/x", "http://example.com/x"),
        ("https://example.com:8443/x?fbclid=abc", "https://example.com:8443/x"),
        ("https://example.com", "https://example.com/"),
        ("http://[::1]:8080/a", "http://[::1]:8080/a"),  # an IPv6 literal keeps its brackets
        ("http://[2001:DB8::1]/a", "http://[2001:db8::1]/a"),
        ("http://example.com:99999/a", "http://example.com:99999/a"),  # no port at all: kept, no crash
    ],
)
def test_canonical_url_drops_tracking_and_noise(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_derive_article_id_is_stable_for_the_same_url() -> None:
    first = derive_article_id("https://example.com/story?utm_medium=rss", "text one")
    second = derive_article_id("https://EXAMPLE.com/story", "different text")
    assert first == second
    assert len(first) == 24


def test_derive_article_id_from_content_ignores_whitespace_only() -> None:
    assert derive_article_id(None, "A  story\nabout things") == derive_article_id("", "A story about things")
    assert derive_article_id(None, "A story about things") != derive_article_id(
        None, "A story about other things"
    )
