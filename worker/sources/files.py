"""Input records from JSONL files, folders of .txt/.html files, and stdin.

Each record from a file says where it came from in its ``origin`` field (unless it names one
itself): the file's path relative to the folder given (or as given, for a file), with the line
number for a JSONL record (``2024/05/a.html``, ``feed.jsonl:7``). It is carried to the output
record, so a folder's results can be matched to its files.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from tasks.errors import UndecodableInput
from worker.sources.decode import decode_bytes

TEXT_SUFFIXES = frozenset({".txt", ".text"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson", ".json"})
# JSON is UTF-8 (RFC 8259), but editors on Windows save "Unicode" text as UTF-16 with a BOM.
_UTF16_BOMS = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}


class SourceError(Exception):
    """A source that cannot be read at all (missing file, unsupported type)."""


@dataclass(frozen=True, slots=True)
class SourceItem:
    """One item read from a source: a raw record, or the reason it could not be read."""

    origin: str
    record: Any = None
    error: str | None = None


def marked_body_only(items: Iterable[SourceItem]) -> Iterator[SourceItem]:
    """The items with every record marked ``body_only`` (the operator vouches the texts are bodies).

    A record that says ``body_only`` itself keeps its own value.
    """
    for item in items:
        if isinstance(item.record, dict) and "body_only" not in item.record:
            yield SourceItem(item.origin, record={**item.record, "body_only": True})
        else:
            yield item


def iter_source(source: str, max_bytes: int) -> Iterator[SourceItem]:
    """The items of one source: a JSONL file, a .txt/.html file, a folder of those, or ``-``."""
    if source == "-":
        yield from _iter_stream(sys.stdin.buffer, "<stdin>", max_bytes)
        return
    path = Path(source)
    if not path.exists():
        raise SourceError(f"{source}: no such file or folder")
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and _supported(p))
        if not files:
            raise SourceError(f"{source}: no .jsonl, .txt or .html files in this folder")
        for file in files:
            yield from _iter_file(file, max_bytes, file.relative_to(path).as_posix())
        return
    if not _supported(path):
        raise SourceError(f"{source}: unsupported file type {path.suffix!r} (use .jsonl, .txt or .html)")
    yield from _iter_file(path, max_bytes, source)


def _supported(path: Path) -> bool:
    return path.suffix.lower() in TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES


def _iter_file(path: Path, max_bytes: int, origin: str) -> Iterator[SourceItem]:
    suffix = path.suffix.lower()
    try:
        if suffix in JSONL_SUFFIXES:
            with path.open("rb") as handle:
                yield from _iter_jsonl(handle, str(path), max_bytes, origin)
            return
        size = path.stat().st_size
        if size > max_bytes:
            yield SourceItem(
                str(path),
                error=f"InputTooLarge: file is {size} bytes, over the limit of {max_bytes}",
            )
            return
        yield _document_item(str(path), path.read_bytes(), html=suffix in HTML_SUFFIXES, origin=origin)
    except OSError as exc:
        raise SourceError(f"{path}: {exc.strerror or exc}") from exc


def _iter_stream(handle: BinaryIO, name: str, max_bytes: int) -> Iterator[SourceItem]:
    head = handle.peek(64)[:64] if hasattr(handle, "peek") else b""
    if head.lstrip()[:1] == b"{" or not head or _utf16_head(head).lstrip()[:1] == "{":
        yield from _iter_jsonl(handle, name, max_bytes)
        return
    data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        yield SourceItem(name, error=f"InputTooLarge: input is over the limit of {max_bytes} bytes")
        return
    looks_html = data.lstrip()[:1] == b"<"
    yield _document_item(name, data, html=looks_html)


class _Lines(Protocol):
    def readline(self, size: int = -1, /) -> bytes: ...


def _iter_jsonl(
    handle: BinaryIO, name: str, max_bytes: int, origin: str | None = None
) -> Iterator[SourceItem]:
    # JSON escapes can double a text's size; the record's own text is held to max_bytes later.
    max_line = 2 * max_bytes + 65_536
    utf16 = _Utf8Lines(handle) if _utf16_head(_peek(handle)) else None
    try:
        yield from _jsonl_items(utf16 or handle, name, max_line, origin)
    finally:
        if utf16 is not None:
            utf16.detach()


def _jsonl_items(lines: _Lines, name: str, max_line: int, origin: str | None) -> Iterator[SourceItem]:
    line_number = 0
    while True:
        line = lines.readline(max_line + 2)
        if not line:
            return
        line_number += 1
        where = f"{name}:{line_number}"
        if len(line) - line.endswith(b"\n") > max_line:
            # Skip the rest of the over-long line without holding it in memory.
            while line and not line.endswith(b"\n"):
                line = lines.readline(1 << 20)
            yield SourceItem(where, error=f"InputTooLarge: line is over the limit of {max_line} bytes")
            continue
        if not line.strip():
            continue
        try:
            record = json.loads(decode_bytes(line, html=False))
        except UndecodableInput as exc:
            yield SourceItem(where, error=f"UndecodableInput: {exc}")
        except json.JSONDecodeError as exc:
            yield SourceItem(where, error=f"InvalidRecord: not valid JSON ({exc.msg} at column {exc.colno})")
        else:
            if origin is not None and isinstance(record, dict) and "origin" not in record:
                record["origin"] = f"{origin}:{line_number}"
            yield SourceItem(where, record=record)


def _document_item(where: str, data: bytes, html: bool, origin: str | None = None) -> SourceItem:
    try:
        text = decode_bytes(data, html=html)
    except UndecodableInput as exc:
        return SourceItem(where, error=f"UndecodableInput: {exc}")
    record = {"html": text} if html else {"text": text}
    return SourceItem(where, record=record if origin is None else {**record, "origin": origin})


def _peek(handle: BinaryIO) -> bytes:
    return handle.peek(64)[:64] if hasattr(handle, "peek") else b""


def _utf16_head(head: bytes) -> str:
    """The start of a UTF-16 text (byte order mark first) as text; empty for anything else."""
    codec = _UTF16_BOMS.get(head[:2])
    return head[2 : len(head) & ~1].decode(codec, "replace") if codec else ""


class _Utf8Lines:
    """The lines of a UTF-16 file as UTF-8 bytes (read as bytes, a UTF-16 line ends in the middle of
    its newline, and every line after the first starts with a NUL)."""

    def __init__(self, handle: BinaryIO) -> None:
        # newline="": lines end at \n, \r or \r\n only, never at a U+2028 inside a JSON string.
        self._text = io.TextIOWrapper(handle, encoding="utf-16", errors="replace", newline="")

    def readline(self, size: int = -1, /) -> bytes:
        return self._text.readline(size).encode("utf-8", "surrogatepass")

    def detach(self) -> None:
        """Let go of the binary handle without closing it (stdin stays open)."""
        self._text.detach()
