"""Bodies read within the size limit after decompression: a compression bomb never inflates past it."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib

import pytest

from tasks.errors import InputTooLarge
from worker.sources.bodies import read_body
from worker.sources.errors import FetchFailed

PAGE = b"<html><body><p>The harbour bridge will close for six weeks of repairs.</p></body></html>"


def chunks(data: bytes, size: int = 65_536) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize(
    ("coding", "encoded"),
    [
        (None, PAGE),
        ("identity", PAGE),
        ("gzip", gzip.compress(PAGE)),
        ("x-gzip", gzip.compress(PAGE)),
        ("deflate", zlib.compress(PAGE)),  # HTTP's deflate: zlib's format
        ("deflate", zlib.compress(PAGE)[2:-4]),  # and the raw deflate some servers send instead
    ],
)
def test_a_body_is_decoded_from_its_coding(coding: str | None, encoded: bytes) -> None:
    assert read_body(chunks(encoded, 7), coding, 10_000, "http://news.test/") == PAGE


def test_a_gzip_bomb_is_stopped_at_the_limit_without_inflating_past_it() -> None:
    bomb = chunks(gzip.compress(b"\0" * 50_000_000, compresslevel=9))  # 50 MB in about 50 KB
    tracemalloc.start()
    try:
        with pytest.raises(InputTooLarge, match="over the limit of 100000"):
            read_body(bomb, "gzip", 100_000, "http://news.test/bomb")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Inflating a whole network chunk at once (what httpx does) would hold tens of megabytes.
    assert peak < 2_000_000
    assert read_body(bomb, "gzip", 100_000, "http://news.test/bomb", truncate=True) == b"\0" * 100_000


def test_an_encoding_not_asked_for_or_a_body_that_does_not_inflate_is_a_failure() -> None:
    with pytest.raises(FetchFailed, match="'br'"):
        read_body([PAGE], "br", 10_000, "http://news.test/")
    with pytest.raises(FetchFailed, match="does not inflate"):
        read_body([PAGE], "gzip", 10_000, "http://news.test/")
