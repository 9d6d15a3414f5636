"""``newsflow process``: the in-process path, driven through the real CLI entry point (no Redis)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tests.conftest import RECIPE_LIST, RECIPE_PAGE, RECIPE_PROSE, SAMPLES, SHARE_BAR
from worker.cli import main


def test_process_writes_one_output_record_per_input_line(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    lines = [
        {
            "id": "good-1",
            "text": "ISLAMABAD – Officials met on Monday to discuss the new alliance against militants.",
        },
        {"id": "bad-1", "title": "no body"},
        {
            "id": "good-2",
            "html": (
                "<html><body><article><p>The council in Ghent approved the new library budget "
                "on Friday after a long debate.</p></article></body></html>"
            ),
        },
    ]
    source.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    output = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["process", str(source), "-o", str(output)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in output.read_text().splitlines()]
    assert [r["id"] for r in records] == ["good-1", "bad-1", "good-2"]
    assert records[1]["error"]["class"] == "InvalidRecord"
    first = records[0]
    for field in (
        "id",
        "url",
        "title",
        "source",
        "published",
        "language",
        "text",
        "dateline",
        "entities",
        "canonical_entities",
        "keyphrases",
        "summary",
        "summary_sentences",
        "timings",
        "enqueued_at",
        "published_at",
        "pipeline_version",
    ):
        assert field in first
    assert first["dateline"] == "ISLAMABAD"
    assert "processed 2, failed 1" in result.stderr


def test_process_marks_duplicates_of_earlier_records_in_input_order(tmp_path: Path) -> None:
    story = (
        "The harbour authority said on Monday that the new container terminal will open in March, "
        "two months later than planned. Dredging of the approach channel took longer than expected "
        "after divers found an old mine. The terminal will double the port's capacity, it said."
    )
    other = (
        "A late frost destroyed most of the apricot blossom in the valley this spring, and growers "
        "expect the smallest harvest in thirty years, the regional farmers' union said on Friday."
    )
    lines = [
        {"id": "original", "text": story},
        {"id": "unrelated", "text": other},
        {"id": "copy", "text": story},
        {"id": "edited", "text": story.replace("two months", "ten weeks")},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    result = CliRunner().invoke(main, ["process", str(source), "-j", "2"])
    assert result.exit_code == 0, result.output
    records = {r["id"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert records["original"].get("duplicate_of") is None
    assert records["unrelated"].get("duplicate_of") is None
    assert (records["copy"]["duplicate_of"], records["copy"]["duplicate_kind"]) == ("original", "exact")
    assert (records["edited"]["duplicate_of"], records["edited"]["duplicate_kind"]) == ("original", "near")


def test_process_reads_the_sample_folder() -> None:
    result = CliRunner().invoke(main, ["process", str(SAMPLES)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 6 and all("error" not in r for r in records)


def test_process_reports_a_missing_file_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["process", str(tmp_path / "missing.jsonl")])
    assert result.exit_code == 1
    assert "no such file" in result.output and "Traceback" not in result.output


def test_process_body_only_keeps_the_short_lines_of_text_files(tmp_path: Path) -> None:
    folder = tmp_path / "bodies"
    folder.mkdir()
    (folder / "tarts.txt").write_text(RECIPE_PAGE)
    texts = {}
    for flags in ([], ["--body-only"]):
        output = tmp_path / f"out{len(flags)}.jsonl"
        result = CliRunner().invoke(main, ["process", str(folder), "-o", str(output), *flags])
        assert result.exit_code == 0, result.output
        (record,) = [json.loads(line) for line in output.read_text().splitlines()]
        texts[bool(flags)] = record["text"].split("\n\n")
    assert "250 g flour" not in texts[False]
    assert texts[True] == [*RECIPE_PROSE, *RECIPE_LIST, *SHARE_BAR]
