"""The direction of imports between stages (the README's "Architecture")."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "mlreport"


def modules_loaded_by(statement: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``statement``."""
    code = f"{statement}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PACKAGE.parent,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def loaded(modules: set[str], *roots: str) -> list[str]:
    return sorted(m for m in modules if any(m == r or m.startswith(r + ".") for r in roots))


def test_analysis_loads_no_mlflow_dask_or_plotly_and_no_later_stage() -> None:
    modules = modules_loaded_by("import mlreport.analysis")
    assert "mlreport.analysis" in modules
    assert loaded(modules, "mlflow", "dask", "distributed", "dask_ml", "plotly") == []
    assert loaded(modules, "mlreport.run", "mlreport.export", "mlreport.site") == []


def test_the_parquet_contract_imports_no_stage() -> None:
    modules = modules_loaded_by("import mlreport.schema, mlreport.dataset")
    stages = ("mlreport.run", "mlreport.export", "mlreport.analysis", "mlreport.site")
    assert loaded(modules, *stages, "mlreport.text", "mlflow", "dask") == []


def _module_name(file: Path) -> str:
    parts = file.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(tree: ast.Module, importer: str, is_package: bool) -> list[str]:
    """Every module (or module attribute) a file imports, as dotted names."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = importer.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names.extend(f"{base}.{alias.name}" for alias in node.names)
    return names


def crossing(importer: str, names: list[str]) -> list[str]:
    """The names that reach a private module (a ``_name`` part) of mlreport belonging to
    a package the importer is not inside."""
    found = []
    for name in names:
        parts = name.split(".")
        private = [i for i, part in enumerate(parts) if part.startswith("_")]
        if parts[0] != "mlreport" or not private:
            continue
        owner = ".".join(parts[: private[0]])
        if importer != owner and not importer.startswith(owner + "."):
            found.append(name)
    return found


def private_imports_across_packages() -> list[str]:
    """``importer -> name`` for each such import in the package."""
    found = []
    for file in sorted(PACKAGE.rglob("*.py")):
        importer = _module_name(file)
        tree = ast.parse(file.read_text(encoding="utf-8"))
        names = _imported(tree, importer, file.name == "__init__.py")
        found.extend(f"{importer} -> {name}" for name in crossing(importer, names))
    return found


def test_no_module_imports_another_packages_private_module() -> None:
    assert private_imports_across_packages() == []


@pytest.mark.parametrize(
    ("importer", "statement", "allowed"),
    [
        ("mlreport.site._pages", "from mlreport.analysis._runs import Trial", False),
        ("mlreport.diff", "from mlreport.site import _charts", False),
        ("mlreport.diff", "from mlreport.text import display", True),
        ("mlreport.site._pages", "from mlreport.site._models import Page", True),
        ("mlreport.site._pages", "from mlreport._fs import file_digest", True),
        ("mlreport.site._pages", "from . import _format", True),
    ],
)
def test_the_private_import_rule(importer: str, statement: str, allowed: bool) -> None:
    names = _imported(ast.parse(statement), importer, is_package=False)
    assert (not crossing(importer, names)) is allowed
