"""Bytes to text: UTF-8 first, then the encoding an HTML page declares, then a detected one."""

from __future__ import annotations

import re

from charset_normalizer import from_bytes

from tasks.errors import UndecodableInput

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_.:-]{2,40})""", re.IGNORECASE)
MAX_BAD_CONTROL_SHARE = 0.05


def decode_bytes(data: bytes) -> str:
    """Decode file or page bytes to text, or raise ``UndecodableInput``."""
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UndecodableInput("input has NUL bytes: binary, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    best = from_bytes(data[:200_000]).best()
    if best is None or best.encoding is None:
        raise UndecodableInput("input is not text in any encoding we could detect")
    text = data.decode(best.encoding, errors="replace")
    control = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\r\n\t")
    if control > MAX_BAD_CONTROL_SHARE * min(len(text), 8192):
        raise UndecodableInput("input is binary, not text")
    return text
