"""The example GitHub Actions workflows are valid YAML and run only what the CLI has."""

from __future__ import annotations

import shlex
from pathlib import Path

import click
import yaml

from mlreport.cli import cli

WORKFLOWS = sorted(
    (Path(__file__).resolve().parents[2] / "examples" / "github-actions").glob("*.yml")
)


def _commands(workflow: dict) -> list[list[str]]:  # type: ignore[type-arg]
    """Every `mlreport ...` command line of the workflow's run steps, as words."""
    found = []
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            script = step.get("run", "")
            for line in script.replace("\\\n", " ").splitlines() or [script]:
                words = shlex.split(line.split("||")[0].split("#")[0]) if "mlreport" in line else []
                if words[:1] == ["mlreport"]:
                    found.append(words)
    return found


def test_there_is_a_nightly_and_a_pull_request_workflow() -> None:
    names = {path.stem for path in WORKFLOWS}
    assert names == {"nightly", "pull-request"}
    for path in WORKFLOWS:
        workflow = yaml.safe_load(path.read_text())
        assert workflow["jobs"] and workflow["name"], path
        # YAML 1.1 reads the key `on` as True
        assert True in workflow or "on" in workflow, path


def test_every_command_and_option_the_workflows_run_exists() -> None:
    used = set()
    for path in WORKFLOWS:
        for words in _commands(yaml.safe_load(path.read_text())):
            name = words[1]
            assert name in cli.commands, (path.name, words)
            used.add(name)
            command = cli.commands[name]
            options = {
                opt
                for param in command.params
                if isinstance(param, click.Option)
                for opt in (*param.opts, *param.secondary_opts)
            }
            for word in words[2:]:
                if word.startswith("--"):
                    assert word.split("=")[0] in options, (path.name, name, word)
    assert {"build", "check", "publish", "diff"} <= used


def test_the_baseline_is_read_from_where_publish_puts_the_export() -> None:
    from mlreport.publish import PUBLISHED_EXPORT

    archives = [
        line
        for path in WORKFLOWS
        for line in path.read_text().splitlines()
        if "git archive" in line
    ]
    assert archives, "the workflows restore the published export with git archive"
    for line in archives:
        assert f"git archive FETCH_HEAD {PUBLISHED_EXPORT} " in line + " ", line
    nightly = (WORKFLOWS[0].parent / "nightly.yml").read_text()
    assert "mlreport publish --site site --data export" in nightly
