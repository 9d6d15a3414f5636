"""What the live list shows of a published article (a card), and links that are safe to render."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

# Chips on a card; the card also carries more canonical names, for the search box and filters.
CARD_CHIPS = 6
CARD_NAMES = 40
SUMMARY_CHARS = 600
_LABEL_CHARS = re.compile(r"[^A-Za-z0-9_]")


def safe_url(value: Any) -> str | None:
    """The URL if it is absolute http(s), else None: never ``javascript:``, ``data:`` or relative."""
    if not isinstance(value, str) or len(value) > 4096:
        return None
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return value.strip()


def clean_label(value: Any) -> str:
    """An entity label reduced to what may go into a CSS class name (PERSON, GPE, WORK_OF_ART)."""
    return _LABEL_CHARS.sub("", str(value))[:32] or "OTHER"


def text_of(value: Any, limit: int = 1000) -> str | None:
    """A string field as a bounded string (anything else as None)."""
    return value[:limit] if isinstance(value, str) and value else None


def card(entry_id: str, article: dict[str, Any]) -> dict[str, Any]:
    """The fields of one list entry: plain, bounded data, every value still untrusted text."""
    entities = [e for e in article.get("canonical_entities") or [] if isinstance(e, dict)]
    names = [
        {
            "name": str(e.get("name", ""))[:200],
            "label": clean_label(e.get("label", "")),
            "count": e.get("count"),
        }
        for e in entities[:CARD_NAMES]
    ]
    return {
        "entry_id": entry_id,
        "id": str(article.get("id", ""))[:200],
        "title": text_of(article.get("title"), 500),
        "url": safe_url(article.get("url")),
        "source": text_of(article.get("source"), 200) or text_of(article.get("site_name"), 200),
        "language": text_of(article.get("language"), 20),
        "published": text_of(article.get("published"), 64),
        "published_at": text_of(article.get("published_at"), 64),
        "dateline": text_of(article.get("dateline"), 200),
        "summary": text_of(article.get("summary"), SUMMARY_CHARS),
        "entities": names,
        "chips": CARD_CHIPS,
        "duplicate_of": text_of(article.get("duplicate_of"), 200),
        "duplicate_kind": text_of(article.get("duplicate_kind"), 20),
    }


def dead_row(entry_id: str, fields: dict[str, str]) -> dict[str, Any]:
    """A dead letter as the page lists it (the payload stays out: it may be megabytes)."""
    try:
        failed_at: str | None = datetime.fromtimestamp(float(fields.get("failed_at", "")), UTC).isoformat(
            timespec="seconds"
        )
    except (ValueError, OverflowError, OSError):
        failed_at = None
    return {
        "entry_id": entry_id,
        "article_id": fields.get("article_id", "")[:200],
        "stage": fields.get("stage", "")[:40],
        "error_class": fields.get("error_class", "")[:100],
        "error": fields.get("error", "")[:2000],
        "attempts": fields.get("attempts", ""),
        "failed_at": failed_at,
    }
