from __future__ import annotations

import json
from pathlib import Path

import pytest

from tasks.errors import UndecodableInput
from worker.sources.decode import decode_bytes
from worker.sources.files import SourceError, SourceItem, iter_source, marked_body_only


def test_jsonl_lines_become_records_and_bad_lines_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(
        json.dumps({"text": "one"}) + "\n\n{not json\n" + json.dumps({"html": "<p>two</p>"}) + "\n"
    )
    items = list(iter_source(str(path), 1000))
    assert [item.record for item in items if item.error is None] == [
        {"text": "one"},
        {"html": "<p>two</p>"},
    ]
    errors = [item for item in items if item.error]
    assert (
        len(errors) == 1 and errors[0].origin.endswith(":3") and errors[0].error.startswith("InvalidRecord")
    )


def test_an_over_long_jsonl_line_is_rejected_and_the_next_line_still_read(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"text": "x" * 100_000}) + "\n" + json.dumps({"text": "ok"}) + "\n")
    items = list(iter_source(str(path), 1000))
    assert items[0].error and items[0].error.startswith("InputTooLarge")
    assert items[1].record == {"text": "ok"}


def test_a_folder_gives_text_and_html_records(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A text article.")
    (tmp_path / "b.html").write_text("<html><p>An HTML article.</p></html>")
    (tmp_path / "c.png").write_bytes(b"\x89PNG")
    records = [item.record for item in iter_source(str(tmp_path), 1000)]
    assert records == [
        {"text": "A text article."},
        {"html": "<html><p>An HTML article.</p></html>"},
    ]


def test_a_binary_file_is_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "bin.txt").write_bytes(bytes(range(256)) * 4)
    (item,) = iter_source(str(tmp_path / "bin.txt"), 10_000)
    assert item.error and item.error.startswith("UndecodableInput")


def test_missing_and_unsupported_sources_raise_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        list(iter_source(str(tmp_path / "nope.jsonl"), 1000))
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    with pytest.raises(SourceError, match="unsupported file type"):
        list(iter_source(str(tmp_path / "x.pdf"), 1000))


def test_decode_bytes_honours_a_declared_charset() -> None:
    page = '<html><head><meta charset="iso-8859-1"></head><body>café</body></html>'.encode("latin-1")
    assert "café" in decode_bytes(page)


def test_decode_bytes_refuses_binary() -> None:
    with pytest.raises(UndecodableInput):
        decode_bytes(b"\x00\x01\x02\x03" * 100)


def test_marked_body_only_marks_records_but_not_errors_or_records_that_decide_for_themselves() -> None:
    items = [
        SourceItem("a.txt", record={"text": "body"}),
        SourceItem("b.jsonl:1", record={"text": "page", "body_only": False}),
        SourceItem("c.bin", error="UndecodableInput: binary"),
    ]
    marked = list(marked_body_only(items))
    assert marked[0].record == {"text": "body", "body_only": True}
    assert marked[1].record == {"text": "page", "body_only": False}
    assert marked[2] == items[2]
    assert items[0].record == {"text": "body"}  # the input items are left as they were
