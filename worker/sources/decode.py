"""Bytes to text as a browser would read them: BOM, the server's charset, the page's ``<meta>``, detection.

The order is the WHATWG encoding sniffing algorithm's: a byte order mark wins; then the charset
the transport declared (HTTP ``Content-Type``); then, for HTML, the ``<meta charset>`` or
``<meta http-equiv="Content-Type">`` found by a prescan of the page's first bytes; then
detection (charset_normalizer, held to the encodings browsers know). Only WHATWG encoding labels
count, resolved the way browsers resolve them (``webencodings``: ``iso-8859-1`` and ``ascii`` are
windows-1252, ``gb2312`` is GBK, ``euc-kr`` is windows-949, ``shift_jis`` is windows-31J): a
server or page naming anything else (``unicode_escape``, ``rot13``, ``base64``, ``utf-7``, a
typo) has declared nothing, and its bytes are never handed to that Python codec.

One departure from browsers, measured (see README, "Input record"): bytes that are valid UTF-8
and not plain ASCII are read as UTF-8 whatever legacy charset is declared, since text in a
legacy encoding is almost never valid UTF-8 by accident, while pages that moved to UTF-8 and kept
their old declaration are common.

Bytes are decoded with replacement characters where they do not fit, as browsers do; text with
NUL bytes or mostly control characters is binary, not text, and raises ``UndecodableInput``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import webencodings
from charset_normalizer import from_bytes
from webencodings.labels import LABELS

from tasks.errors import UndecodableInput

# The prescan reads this much of a page for its <meta>: the HTML standard says 1024 bytes, and
# browsers look further into the <head> of pages that put scripts and styles first.
PRESCAN_BYTES = 4096
DETECT_BYTES = 200_000
MAX_BAD_CONTROL_SHARE = 0.05
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16le"), (b"\xfe\xff", "utf-16be"))
_COMMENT = re.compile(rb"<!--.*?(?:-->|$)", re.DOTALL)
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.IGNORECASE
)
# Browsers decode GBK with the GB18030 decoder (a superset); Python's gbk codec is stricter.
_PYTHON_CODEC = {"gbk": "gb18030"}
_UNDECODABLE = frozenset({"replacement"})  # ISO-2022-KR, HZ-GB-2312…: browsers refuse them
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_UTF16 = frozenset({"utf-16le", "utf-16be"})
_FALLBACK = "cp1252"


@dataclass(frozen=True, slots=True)
class Decoded:
    """Decoded text, the WHATWG name of the encoding used, and what chose it."""

    text: str
    encoding: str
    chosen_by: str  # "bom", "declared", "meta", "utf-8" (valid UTF-8), "detected"


def decode_bytes(data: bytes, declared: str | None = None, html: bool = True) -> str:
    """Decode file or page bytes to text, or raise ``UndecodableInput``; see the module docstring."""
    return decode_document(data, declared, html).text


def decode_document(data: bytes, declared: str | None = None, html: bool = True) -> Decoded:
    """Decode bytes, saying which encoding was used and why.

    ``declared`` is the charset the transport named (the HTTP ``Content-Type`` parameter), if
    any; ``html`` says whether to look for a ``<meta>`` declaration in the bytes.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return Decoded(data[len(bom) :].decode(name, "replace"), name, "bom")
    encoding, chosen_by = web_encoding(declared), "declared"
    if encoding is not None and encoding.name in _UTF16:
        return Decoded(data.decode(_codec(encoding), "replace"), encoding.name, chosen_by)
    if b"\x00" in data[:8192]:
        raise UndecodableInput("input has NUL bytes: binary, not text")
    if encoding is None and html:
        encoding, chosen_by = meta_encoding(data), "meta"
    if encoding is not None and encoding.name in _UNDECODABLE and not _valid_utf8(data):
        raise UndecodableInput(f"input declares {declared or 'an encoding'} that browsers refuse to decode")
    if encoding is not None and encoding.name not in _UNDECODABLE:
        if encoding.name != "utf-8" and not data.isascii() and _valid_utf8(data):
            return Decoded(data.decode("utf-8"), "utf-8", "utf-8")
        return Decoded(data.decode(_codec(encoding), "replace"), encoding.name, chosen_by)
    if _valid_utf8(data):
        return Decoded(data.decode("utf-8"), "utf-8", "utf-8")
    return _detected(data)


def web_encoding(label: str | None) -> webencodings.Encoding | None:
    """The encoding a WHATWG label names (``iso-8859-1`` → windows-1252), or None for anything else."""
    if not label:
        return None
    return webencodings.lookup(label)


def meta_encoding(data: bytes) -> webencodings.Encoding | None:
    """The encoding a page's ``<meta>`` declares in its first bytes (comments skipped), if a valid one.

    As the HTML standard says, a ``<meta>`` naming UTF-16 means UTF-8 (the bytes that hold it are
    ASCII-compatible), and one naming x-user-defined means windows-1252.
    """
    head = _COMMENT.sub(b"", data[:PRESCAN_BYTES])
    for match in _META_CHARSET.finditer(head):
        encoding = web_encoding(match.group(1).decode("ascii"))
        if encoding is None:
            continue
        if encoding.name in _UTF16:
            return web_encoding("utf-8")
        if encoding.name == "x-user-defined":
            return web_encoding("windows-1252")
        return encoding
    return None


def _codec(encoding: webencodings.Encoding) -> str:
    return _PYTHON_CODEC.get(encoding.name, str(encoding.codec_info.name))


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _web_codecs() -> dict[str, str]:
    """Python codec -> WHATWG name, for the encodings detection may choose from."""
    skip = _UNDECODABLE | _UTF16 | {"x-user-defined", "utf-8"}
    encodings = {web_encoding(label) for label in LABELS}
    return {_codec(e): e.name for e in encodings if e is not None and e.name not in skip}


_DETECTABLE = _web_codecs()


def _detected(data: bytes) -> Decoded:
    matches = from_bytes(data[:DETECT_BYTES], cp_isolation=sorted(_DETECTABLE))
    best = matches.best()
    if best is None or best.encoding is None:
        raise UndecodableInput("input is not text in any encoding we could detect")
    # A tie (French reads the same in windows-1250, -1252 and -1257 to the detector) goes to
    # windows-1252, the legacy encoding browsers fall back on for most of the web.
    if any(
        m.encoding == _FALLBACK and (m.chaos, m.coherence) == (best.chaos, best.coherence) for m in matches
    ):
        best = next(m for m in matches if m.encoding == _FALLBACK)
    text = data.decode(best.encoding, errors="replace")
    sample = text[:8192]
    if len(_CONTROL.findall(sample)) > MAX_BAD_CONTROL_SHARE * len(sample):
        raise UndecodableInput("input is binary, not text")
    return Decoded(text, _DETECTABLE.get(best.encoding, best.encoding), "detected")
