"""The layout that keeps the architecture visible: a pure core, no import cycles, small modules."""

from __future__ import annotations

import ast
import statistics
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = sorted((ROOT / "tasks").rglob("*.py"))
SHELL = sorted((ROOT / "worker").rglob("*.py"))
INFRASTRUCTURE = {"celery", "kombu", "redis", "prometheus_client", "worker"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, top_level_only: bool = False) -> set[str]:
    """The modules a file imports (all of them, or only those imported when it is loaded)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


@pytest.mark.parametrize("module", CORE, ids=module_name)
def test_core_modules_import_no_infrastructure(module: Path) -> None:
    roots = {name.split(".")[0] for name in imported_modules(module)}
    assert not roots & INFRASTRUCTURE, f"{module_name(module)} imports {roots & INFRASTRUCTURE}"


def test_each_stage_is_a_package_with_its_entry_point() -> None:
    for stage in ("clean", "extract", "summarise"):
        assert (ROOT / "tasks" / stage / "stage.py").is_file()
        assert (ROOT / "tasks" / stage / "__init__.py").is_file()


def test_no_import_cycles_at_load_time() -> None:
    known = {module_name(path): path for path in CORE + SHELL}
    graph = {
        name: {m for m in imported_modules(path, top_level_only=True) if m in known and m != name}
        for name, path in known.items()
    }
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            raise AssertionError("import cycle: " + " -> ".join([*trail[trail.index(name) :], name]))
        if name in done:
            return
        for child in sorted(graph[name]):
            visit(child, [*trail, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])


def test_modules_stay_small() -> None:
    sizes = {module_name(path): len(path.read_text(encoding="utf-8").splitlines()) for path in CORE + SHELL}
    too_big = {name: lines for name, lines in sizes.items() if lines > 400}
    assert not too_big, f"modules over 400 lines: {too_big}"
    assert statistics.median(sizes.values()) < 150
