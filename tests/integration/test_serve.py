"""`mlreport serve` serves the built site over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from mlreport.config import SiteSettings
from mlreport.site import build_site
from tests.builders import DatasetBuilder
from tests.conftest import REPO

pytestmark = pytest.mark.integration


def test_serve_serves_the_built_site(tmp_path: Path) -> None:
    builder = DatasetBuilder()
    builder.experiment("1", "served")
    builder.run("r1", "1", name="only run", metrics={"loss": 1.0})
    build_site(
        builder.write(tmp_path / "export"),
        tmp_path / "site",
        settings=SiteSettings(),
        work_dir=tmp_path / "work",
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    server = subprocess.Popen(
        [sys.executable, "-m", "mlreport", "serve", "--port", "0"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        url = line.split(" on ", 1)[1].split(" ", 1)[0]
        with urllib.request.urlopen(url + "runs.html", timeout=10) as response:
            assert response.status == 200
            assert "served" in response.read().decode()
        with urllib.request.urlopen(url + "data/mlflow/1/runs-0.js", timeout=10) as response:
            assert "only run" in response.read().decode()  # the runs table's data
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_without_a_site_is_a_clear_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mlreport", "serve"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )
    assert result.returncode == 1
    assert (
        result.stderr.strip() == "error: site/index.html does not exist: run `mlreport build` first"
    )
