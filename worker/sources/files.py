"""Input records from JSONL files, folders of .txt/.html files, and stdin."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from tasks.errors import UndecodableInput
from worker.sources.decode import decode_bytes

TEXT_SUFFIXES = frozenset({".txt", ".text"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson", ".json"})


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
            yield from _iter_file(file, max_bytes)
        return
    if not _supported(path):
        raise SourceError(f"{source}: unsupported file type {path.suffix!r} (use .jsonl, .txt or .html)")
    yield from _iter_file(path, max_bytes)


def _supported(path: Path) -> bool:
    return path.suffix.lower() in TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES


def _iter_file(path: Path, max_bytes: int) -> Iterator[SourceItem]:
    suffix = path.suffix.lower()
    try:
        if suffix in JSONL_SUFFIXES:
            with path.open("rb") as handle:
                yield from _iter_jsonl(handle, str(path), max_bytes)
            return
        size = path.stat().st_size
        if size > max_bytes:
            yield SourceItem(
                str(path),
                error=f"InputTooLarge: file is {size} bytes, over the limit of {max_bytes}",
            )
            return
        yield _document_item(str(path), path.read_bytes(), html=suffix in HTML_SUFFIXES)
    except OSError as exc:
        raise SourceError(f"{path}: {exc.strerror or exc}") from exc


def _iter_stream(handle: BinaryIO, name: str, max_bytes: int) -> Iterator[SourceItem]:
    head = handle.peek(64)[:64] if hasattr(handle, "peek") else b""
    if head.lstrip()[:1] == b"{" or not head:
        yield from _iter_jsonl(handle, name, max_bytes)
        return
    data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        yield SourceItem(name, error=f"InputTooLarge: input is over the limit of {max_bytes} bytes")
        return
    looks_html = data.lstrip()[:1] == b"<"
    yield _document_item(name, data, html=looks_html)


def _iter_jsonl(handle: BinaryIO, name: str, max_bytes: int) -> Iterator[SourceItem]:
    # JSON escapes can double a text's size; the record's own text is held to max_bytes later.
    max_line = 2 * max_bytes + 65_536
    line_number = 0
    while True:
        line = handle.readline(max_line + 2)
        if not line:
            return
        line_number += 1
        origin = f"{name}:{line_number}"
        if len(line) - line.endswith(b"\n") > max_line:
            # Skip the rest of the over-long line without holding it in memory.
            while line and not line.endswith(b"\n"):
                line = handle.readline(1 << 20)
            yield SourceItem(origin, error=f"InputTooLarge: line is over the limit of {max_line} bytes")
            continue
        if not line.strip():
            continue
        try:
            record = json.loads(decode_bytes(line))
        except UndecodableInput as exc:
            yield SourceItem(origin, error=f"UndecodableInput: {exc}")
        except json.JSONDecodeError as exc:
            yield SourceItem(origin, error=f"InvalidRecord: not valid JSON ({exc.msg} at column {exc.colno})")
        else:
            yield SourceItem(origin, record=record)


def _document_item(origin: str, data: bytes, html: bool) -> SourceItem:
    try:
        text = decode_bytes(data)
    except UndecodableInput as exc:
        return SourceItem(origin, error=f"UndecodableInput: {exc}")
    return SourceItem(origin, record={"html": text} if html else {"text": text})
