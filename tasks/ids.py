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
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:  # not a port number at all: kept as written, it still names this URL
        port_text = parts.netloc.rpartition(":")[2]
        return urlunsplit((scheme, f"{host}:{port_text}", parts.path or "/", parts.query, ""))
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
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
