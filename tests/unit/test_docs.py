"""The README documents what the code does."""

from __future__ import annotations

import re
from pathlib import Path

from mlreport import schema
from mlreport.cli import cli

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text()


def quickstart_commands() -> list[str]:
    section = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_quickstart_has_two_commands_and_ci_runs_the_test_one() -> None:
    build, tests = quickstart_commands()
    assert build.endswith("mlreport build")
    assert "pytest" in tests
    assert tests in (REPO / ".ci" / "run").read_text()


def test_every_table_and_column_is_documented() -> None:
    for name, table_schema in schema.TABLES.items():
        name_in_docs = schema.table_path(Path(), name).as_posix()
        name_in_docs += "/" if name in schema.PARTITIONED_TABLES else ""
        (row,) = [line for line in README.splitlines() if line.startswith(f"| `{name_in_docs}`")]
        columns = row.split("|")[2]
        assert [f"`{field.name}`" for field in table_schema] == re.findall(r"`\w+`", columns)


def test_every_command_is_documented() -> None:
    for command in cli.commands:
        assert f"| `mlreport {command}" in README, command
