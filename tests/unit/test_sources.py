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
        {"text": "one", "origin": f"{path}:1"},
        {"html": "<p>two</p>", "origin": f"{path}:4"},
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
    assert items[1].record == {"text": "ok", "origin": f"{path}:2"}


def test_a_folder_gives_text_and_html_records_that_say_which_file_they_came_from(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A text article.")
    (tmp_path / "b.html").write_text("<html><p>An HTML article.</p></html>")
    (tmp_path / "c.png").write_bytes(b"\x89PNG")
    (tmp_path / "2024" / "05").mkdir(parents=True)
    (tmp_path / "2024" / "05" / "d.jsonl").write_text(
        json.dumps({"text": "Mine."}) + "\n" + json.dumps({"text": "Theirs.", "origin": "cms:42"}) + "\n"
    )
    records = [item.record for item in iter_source(str(tmp_path), 1000)]
    assert records == [
        {"text": "Mine.", "origin": "2024/05/d.jsonl:1"},
        {"text": "Theirs.", "origin": "cms:42"},
        {"text": "A text article.", "origin": "a.txt"},
        {"html": "<html><p>An HTML article.</p></html>", "origin": "b.html"},
    ]
    (item,) = iter_source(str(tmp_path / "a.txt"), 1000)
    assert item.record == {"text": "A text article.", "origin": str(tmp_path / "a.txt")}


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be"])
def test_a_utf16_jsonl_file_gives_its_records(tmp_path: Path, codec: str) -> None:
    records = [{"text": "Ελλάδα\u2028two lines"}, {"html": "<p>日本語</p>"}]
    path = tmp_path / "in.jsonl"
    text = "".join(json.dumps(r, ensure_ascii=False) + "\r\n" for r in records)
    path.write_bytes(("\ufeff" + text).encode(codec) if codec.endswith("be") else text.encode(codec))
    items = list(iter_source(str(path), 1000))
    assert [item.record for item in items] == [
        {**r, "origin": f"{path}:{n}"} for n, r in enumerate(records, 1)
    ]
    assert all(item.error is None for item in items)


def test_a_text_file_is_not_read_by_a_meta_it_mentions(tmp_path: Path) -> None:
    text = "Le café coûte 2 € à Paris. Writing <meta charset=koi8-r> in HTML changes the encoding."
    (tmp_path / "a.txt").write_bytes(text.encode("cp1252"))
    (item,) = iter_source(str(tmp_path / "a.txt"), 1000)
    assert item.record is not None and item.record["text"] == text


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
