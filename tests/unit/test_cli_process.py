"""``newsflow process``: the in-process path, driven through the real CLI entry point (no Redis)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import RECIPE_LIST, RECIPE_PAGE, RECIPE_PROSE, SAMPLES, SHARE_BAR
from worker.cli.commands import main
from worker.sources.files import SourceItem


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


GERMAN = (
    "Der Stadtrat von Köln hat am Dienstag beschlossen, eine neue Brücke über den Rhein zu bauen. "
    "Die Bauarbeiten sollen im nächsten Frühjahr beginnen und drei Jahre dauern."
)
PORT_STORY = (
    "The harbour authority in Rotterdam said on Tuesday that ship traffic rose by three percent, "
    "and its director Anna de Vries expects more growth next year."
)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_process_writes_one_line_per_input_in_order_whatever_breaks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    from worker import stages
    from worker.settings import get_settings

    # A real extract failure: no model can load for German. And a summarise failure injected for
    # one article (the pool processes are forked: they inherit it).
    monkeypatch.setenv("NEWSFLOW_SPACY_MODELS", '{"de": "de_no_such_model"}')
    get_settings.cache_clear()
    summarise = stages.run_summarise

    def run_summarise(settings: Any, article: Any) -> Any:
        if article.id == "breaks-summarise":
            raise RuntimeError("summariser fell over")
        return summarise(settings, article)

    monkeypatch.setattr(stages, "run_summarise", run_summarise)
    lines = [
        {"id": "good-1", "text": PORT_STORY},
        {"id": "lone-\ud800", "text": PORT_STORY},
        {"url": "https://example.com/\ud800", "text": PORT_STORY},
        {"id": "nul", "text": "The council met.\x00 It approved \ud800 the budget after a long debate."},
        {"id": "german", "text": GERMAN},
        {"id": "breaks-summarise", "text": PORT_STORY.replace("three", "four")},
        {"id": "odd-language", "text": PORT_STORY.replace("three", "five"), "language": "evil\nlabel"},
        {"id": "good-2", "text": PORT_STORY.replace("three", "six")},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(line) + "\n" for line in lines))
    output = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["process", str(source), "-o", str(output), "-j", jobs])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [r["origin"] if "error" in r else r["id"] for r in records] == [
        "good-1",
        f"{source}:2",
        f"{source}:3",
        f"{source}:4",
        f"{source}:5",
        f"{source}:6",
        "odd-language",
        "good-2",
    ]
    errors = [(r["id"], r["error"]["stage"], r["error"]["class"]) for r in records if "error" in r]
    assert errors == [
        ("lone-\ud800", "clean", "InvalidRecord"),
        (None, "clean", "InvalidRecord"),
        ("nul", "clean", "UndecodableInput"),
        ("german", "extract", "ModelNotInstalled"),
        ("breaks-summarise", "summarise", "RuntimeError"),
    ]
    assert records[6]["language"] == "en"  # the detector is sure: the declared nonsense plays no part
    assert "processed 3, failed 5" in result.stderr


def test_process_names_each_file_of_a_folder_the_same_way_in_results_and_errors(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "port.txt").write_text(PORT_STORY)
    (folder / "short.txt").write_text("Too short.")
    output = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["process", str(folder), "-o", str(output)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [(r["origin"], "error" in r) for r in records] == [("short.txt", True), ("sub/port.txt", False)]


def _dies_on_poison(batch: list[Any], settings: Any) -> Iterator[dict[str, Any]]:
    """A stand-in for one batch's work: a record with id "poison" kills its process outright."""
    for item in batch:
        if item.record.get("id") == "poison":
            os._exit(137)  # what SIGKILL or the OOM killer leaves behind: no exception, no answer
        yield {"id": item.record["id"], "pid": os.getpid()}


@pytest.mark.timeout(120)
def test_a_pool_process_that_dies_costs_only_its_own_record(monkeypatch: pytest.MonkeyPatch) -> None:
    """``process -j 2`` used to wait forever when a pool process died; now the record that kills
    its process gets an error record and every other record its result, in input order."""
    from worker.cli import process as process_module
    from worker.settings import Settings

    monkeypatch.setattr(process_module, "_process_batch", _dies_on_poison)
    ids = [f"a{i}" for i in range(7)] + ["poison"] + [f"b{i}" for i in range(9)]
    items = [SourceItem(f"item:{i}", {"id": article_id}) for i, article_id in enumerate(ids)]
    settings = Settings(nlp_batch_size=3, duplicate_detection=False, warm_up_date_parser=False)
    outputs = list(process_module.process_items(items, settings, jobs=2))
    assert [o["id"] for o in outputs] == ids
    died = [o for o in outputs if "error" in o]
    assert [o["id"] for o in died] == ["poison"]
    assert died[0]["error"]["class"] == "ProcessDied"
    assert died[0]["origin"] == "item:7"
