"""The dependency rule that keeps the core pure: text-processing modules import no infrastructure."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TASKS = Path(__file__).resolve().parents[2] / "tasks"
FORBIDDEN = {"celery", "redis", "prometheus_client", "worker", "kombu"}
PURE_MODULES = sorted(p for p in TASKS.glob("*.py") if p.name not in {"pipeline.py", "__init__.py"})


@pytest.mark.parametrize("module", PURE_MODULES, ids=lambda p: p.name)
def test_pure_stage_modules_import_no_infrastructure(module: Path) -> None:
    tree = ast.parse(module.read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & FORBIDDEN, f"{module.name} imports {imported & FORBIDDEN}"


def test_the_core_stage_modules_exist() -> None:
    assert {"clean.py", "extract.py", "summarise.py", "models.py", "errors.py"} <= {
        p.name for p in PURE_MODULES
    }
