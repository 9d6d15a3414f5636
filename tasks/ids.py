"""Deterministic article ids: the same article always gets the same id."""

from __future__ import annotations

import hashlib
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

ID_HEX_LENGTH = 24
TRACKING_PARAMETERS = frozenset(
    {"fbclid", "gclid", "dclid", "mc_cid", "mc_eid", "igshid", "ref", "ref_src", "cmpid"}
)


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, drop the fragment, default ports and tracking parameters."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if parts.port and not (
        (scheme == "http" and parts.port == 80) or (scheme == "https" and parts.port == 443)
    ):
        host = f"{host}:{parts.port}"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith("utm_") and key.lower() not in TRACKING_PARAMETERS
    ]
    path = parts.path or "/"
    return urlunsplit((scheme, host, path, urlencode(sorted(query)), ""))


def normalise_for_id(content: str) -> str:
    """Fold the content so that whitespace and Unicode form do not change the id."""
    return " ".join(unicodedata.normalize("NFC", content).split())


def derive_article_id(url: str | None, content: str) -> str:
    """The id of an article: from its canonical URL if it has one, else from its content."""
    basis = "url:" + canonical_url(url) if url and url.strip() else "text:" + normalise_for_id(content)
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:ID_HEX_LENGTH]
