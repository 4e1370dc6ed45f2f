"""The package layout keeps its promises: which modules import which, what loads what,
which Python it needs."""

from __future__ import annotations

import ast
import importlib
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import mlreport.run

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "mlreport"
#: Commands that never run a search must not load scikit-learn or dask to start.
LIGHT_MODULES = ("mlreport.cli", "mlreport.pipeline", "mlreport.export", "mlreport.run.tracking")
HEAVY_MODULES = ("sklearn", "dask", "distributed", "dask_ml")


def imported_modules(folder: Path) -> dict[str, set[str]]:
    """Module file (relative to the repository) -> every mlreport module it imports,
    at module level or inside functions."""
    found: dict[str, set[str]] = {}
    for path in sorted(folder.rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        found[path.relative_to(REPO).as_posix()] = {n for n in names if n.startswith("mlreport")}
    return found


@pytest.mark.parametrize(("stage", "sibling"), [("run", "export"), ("export", "run")])
def test_run_and_export_do_not_import_each_other(stage: str, sibling: str) -> None:
    offending = {
        module: sorted(n for n in names if n.split(".")[:2] == ["mlreport", sibling])
        for module, names in imported_modules(PACKAGE / stage).items()
    }
    assert not {module: names for module, names in offending.items() if names}


def test_the_parquet_contract_imports_no_stage() -> None:
    stages = {"config", "run", "export", "analysis", "text", "site"}
    for module in ("schema.py", "dataset.py"):
        names = imported_modules(PACKAGE)[f"mlreport/{module}"]
        assert not {n for n in names if n.split(".")[1:2] and n.split(".")[1] in stages}


def test_commands_that_run_no_search_load_neither_scikit_learn_nor_dask() -> None:
    code = (
        "import sys\n"
        f"for name in {LIGHT_MODULES!r}: __import__(name)\n"
        f"print(sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules))\n"
    )
    path = os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env = {**os.environ, "PYTHONPATH": path}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_the_run_stage_names_are_imported_on_first_use() -> None:
    assert sorted(mlreport.run.__all__) == sorted(mlreport.run._MODULES)
    for name in mlreport.run.__all__:
        defined = getattr(importlib.import_module(mlreport.run._MODULES[name]), name)
        assert getattr(mlreport.run, name) is defined
    with pytest.raises(AttributeError, match="no attribute 'missing'"):
        _ = mlreport.run.missing  # type: ignore[attr-defined]


def python_floor() -> tuple[int, int]:
    """The oldest Python of ``requires-python`` (a lone ``>=X.Y``)."""
    requires = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    match = re.fullmatch(r">=\s*(\d+)\.(\d+)", requires.strip())
    assert match, f"requires-python {requires!r} is not one '>=X.Y' floor"
    return int(match[1]), int(match[2])


def test_the_tools_check_the_python_floor_of_requires_python() -> None:
    major, minor = python_floor()
    tools = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]
    assert tools["ruff"]["target-version"] == f"py{major}{minor}"
    assert tools["mypy"]["python_version"] == f"{major}.{minor}"
    vermin_targets = re.findall(r"vermin .*-t=(\S+)", (REPO / ".ci" / "run").read_text())
    assert vermin_targets == [f"{major}.{minor}-"]
    assert f"Python ≥ {major}.{minor}," in (REPO / "README.md").read_text()
