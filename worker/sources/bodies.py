"""Response bodies read within a size limit that holds after decompression, too.

httpx decodes ``Content-Encoding`` a whole network chunk at a time, before anyone can count: one
64 KB chunk of a gzip bomb comes out as 64 MB, so a size check on the decoded chunks stops a
bomb only after the memory is spent (a 600 MB bomb cost the producer 115 MB more than a plain
page, and eight fetches run at once). Here the raw bytes are inflated by zlib with ``max_length``,
so no more than the limit (plus one byte to tell) is ever produced. Producers ask only for the
codings decoded here (``ACCEPT_ENCODING``); a server that sends another gets a clear failure.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

from tasks.errors import InputTooLarge
from worker.sources.errors import FetchFailed

ACCEPT_ENCODING = "gzip, deflate"
# zlib's window bits: gzip's header and trailer, zlib's (HTTP "deflate"), or raw deflate.
_GZIP, _ZLIB, _RAW = zlib.MAX_WBITS | 16, zlib.MAX_WBITS, -zlib.MAX_WBITS


def read_body(
    raw: Iterable[bytes], coding: str | None, limit: int, url: str, truncate: bool = False
) -> bytes:
    """The body of raw chunks decoded from ``coding``, at most ``limit`` bytes.

    Past the limit it raises ``InputTooLarge``, or with ``truncate`` returns the first ``limit``
    bytes. An unknown coding, or bytes that do not inflate, raise ``FetchFailed``.
    """
    coding = (coding or "identity").strip().lower()
    if coding not in ("identity", "gzip", "x-gzip", "deflate"):
        raise FetchFailed(f"{url} answered in content coding {coding!r}, which was not asked for")
    inflater = _Inflater(coding) if coding != "identity" else None
    body = bytearray()
    try:
        for chunk in raw:
            room = limit - len(body)
            body += chunk if inflater is None else inflater.inflate(chunk, room + 1)
            if len(body) > limit:
                if truncate:
                    return bytes(body[:limit])
                raise InputTooLarge(f"{url} is over the limit of {limit} bytes (stopped reading)")
    except zlib.error as exc:
        raise FetchFailed(f"{url} sent a {coding} body that does not inflate ({exc})") from exc
    return bytes(body)


class _Inflater:
    """zlib inflation that never produces more than asked for; HTTP deflate as zlib or raw."""

    def __init__(self, coding: str) -> None:
        self._deflate = coding == "deflate"
        self._inflater = zlib.decompressobj(_ZLIB if self._deflate else _GZIP)
        self._started = False

    def inflate(self, data: bytes, max_length: int) -> bytes:
        """At most ``max_length`` bytes of output for ``data`` (the rest means: too large)."""
        if self._deflate and not self._started:
            self._started = True
            try:
                return self._inflater.decompress(data, max_length)
            except zlib.error:  # servers send raw deflate under "deflate" too
                self._inflater = zlib.decompressobj(_RAW)
        return self._inflater.decompress(data, max_length)
