"""Output folders: mlreport replaces only folders its own marker names as its output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlreport._fs import (
    NO_MARKER,
    NOT_AN_OUTPUT,
    OTHER_OUTPUT,
    OUTPUT_MARKER,
    ensure_replaceable,
    output_kind,
)
from mlreport.dataset import NO_DATASET
from mlreport.errors import MlreportError
from tests.conftest import run_cli
from tests.integration.test_cli import SMALL, project_with

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small SQLite store with one run, made by MLflow itself."""
    from mlflow.tracking import MlflowClient

    database = tmp_path_factory.mktemp("store") / "mlflow.db"
    client = MlflowClient(f"sqlite:///{database}")
    run = client.create_run(client.create_experiment("e")).info.run_id
    client.log_metric(run, "m", 1.0)
    client.set_terminated(run)
    return database


def web_app(root: Path) -> Path:
    """The issue's repro: a web app's ``public/`` with a manifest.json of its own."""
    public = root / "w" / "public"
    public.mkdir(parents=True)
    (public / "manifest.json").write_text('{"name":"app"}\n')
    (public / "app.js").write_text("x\n")
    return public


def refusal(folder: Path, reason: str = NO_MARKER) -> str:
    return "error: " + NOT_AN_OUTPUT.format(path=folder.resolve(), reason=reason)


def test_export_refuses_a_folder_with_a_manifest_of_its_own_unless_overwrite(
    tmp_path: Path, store: Path
) -> None:
    """Issue 17 item 1: `mlreport export --out w/public` kept deleting app.js."""
    public = web_app(tmp_path)
    uri = ["--tracking-uri", f"sqlite:///{store}"]
    refused = run_cli("export", "--out", "w/public", *uri, cwd=tmp_path)
    assert refused.returncode == 1
    assert refused.stderr.strip() == refusal(public)
    assert "--overwrite" in refused.stderr
    assert (public / "app.js").read_text() == "x\n"
    assert (public / "manifest.json").read_text() == '{"name":"app"}\n'

    forced = run_cli("export", "--out", "w/public", "--overwrite", *uri, cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert not (public / "app.js").exists()
    marker = json.loads((public / OUTPUT_MARKER).read_text())
    assert marker == {"tool": "mlreport", "output": "export", "format": 1}
    again = run_cli("export", "--out", "w/public", *uri, cwd=tmp_path)  # its own output
    assert again.returncode == 0, again.stderr
    assert "histories of 0 changed runs read" in again.stdout  # and reused


def test_build_refuses_a_foreign_export_folder_before_training(tmp_path: Path) -> None:
    """Issue 17 item 1: `build` used the same manifest.json check before minutes of work."""
    project = project_with(tmp_path, small=SMALL)
    public = web_app(project)
    refused = run_cli("build", "--data", "w/public", cwd=project)
    assert refused.returncode == 1
    assert refused.stderr.strip() == refusal(public)
    assert (public / "app.js").read_text() == "x\n"
    assert not (project / "mlflow.db").exists()  # nothing ran


def test_a_site_command_refuses_a_site_of_an_earlier_version_and_another_output(
    tmp_path: Path, store: Path
) -> None:
    """Issue 17 item 1: a site is recognised by its marker only. An earlier version's site
    (its rebuild record, no marker) is refused once with the flag; an export is no site."""
    assert run_cli("export", "--tracking-uri", f"sqlite:///{store}", cwd=tmp_path).returncode == 0
    old_site = tmp_path / "site"
    old_site.mkdir()
    (old_site / ".mlreport-site").write_text("{}")
    (old_site / "index.html").write_text("old")
    refused = run_cli("site", cwd=tmp_path)
    assert refused.returncode == 1
    assert refused.stderr.strip() == refusal(old_site)
    assert (old_site / "index.html").read_text() == "old"
    forced = run_cli("site", "--overwrite", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert output_kind(old_site) == "site"
    (old_site / ".mlreport-site").unlink()  # the rebuild record only: a full build
    assert run_cli("site", cwd=tmp_path).returncode == 0
    into_export = run_cli("site", "--out", "export", cwd=tmp_path)
    assert into_export.returncode == 1
    reason = OTHER_OUTPUT.format(found="export", output="site")
    assert into_export.stderr.strip() == refusal(tmp_path / "export", reason)


def test_site_without_an_export_says_there_is_none(tmp_path: Path) -> None:
    """Issue 17 item 1 (and 8): `site` with no export said the folder "is not an mlreport
    export"; it says there is none and how to make one."""
    done = run_cli("site", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip() == "error: " + NO_DATASET.format(
        path="export", manifest="manifest.json"
    )
    assert "no export in export" in done.stderr and "mlreport build" in done.stderr


@pytest.mark.parametrize(
    "marker",
    [
        "not json",
        '["mlreport"]',
        '{"tool": "other", "output": "site", "format": 1}',
        '{"tool": "mlreport", "output": "site"}',
        '{"tool": "mlreport", "output": "site", "format": "1"}',
        '{"tool": "mlreport", "output": 3, "format": 1}',
    ],
)
def test_only_a_valid_marker_makes_a_folder_mlreports(tmp_path: Path, marker: str) -> None:
    """Issue 17 item 1: the marker's content is checked, not only that it exists."""
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / OUTPUT_MARKER).write_text(marker)
    with pytest.raises(MlreportError) as refused:
        ensure_replaceable(folder, output="site")
    assert str(refused.value) == NOT_AN_OUTPUT.format(path=folder, reason=NO_MARKER)
    ensure_replaceable(folder, output="site", overwrite=True)
    (folder / OUTPUT_MARKER).write_text('{"tool": "mlreport", "output": "site", "format": 1}')
    ensure_replaceable(folder, output="site")


def test_the_current_folder_is_refused_even_with_overwrite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17 item 1: the existing rule stays: never the current folder or its parents."""
    inner = tmp_path / "a" / "b"
    inner.mkdir(parents=True)
    monkeypatch.chdir(inner)
    for folder in (inner, tmp_path / "a"):
        with pytest.raises(MlreportError, match="current folder"):
            ensure_replaceable(folder, output="export", overwrite=True)
