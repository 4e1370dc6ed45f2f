"""What a user reads: progress in a log, the tracking store named first, library warnings
counted on one line, a locked store or a full disk as one line."""

from __future__ import annotations

import os
import pty
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager, suppress
from pathlib import Path

import pytest

from mlreport._store import STORE_FULL, STORE_LOCKED
from mlreport.cli import LIBRARY_WARNINGS
from mlreport.run.tracking import Tracker
from tests.conftest import REPO, run_cli

pytestmark = pytest.mark.integration

#: LogisticRegression stopped after one iteration: a ConvergenceWarning on every fit.
UNCONVERGED = """
name: tiny
data: {kind: synthetic, n_samples: 200, n_features: 4, n_informative: 2}
models:
  - name: lr
    estimator: sklearn.linear_model.LogisticRegression
    params: {max_iter: 1}
    search: {strategy: grid, cv: 2, space: {C: [0.5, 2.0]}}
"""
PROGRESS_LINE = re.compile(r"^\[(\d\d):(\d\d)\] (.*)$", re.MULTILINE)
WARNINGS_LINE = re.compile(
    "^" + re.escape(LIBRARY_WARNINGS).replace(re.escape("{count}"), r"(\d+)") + "$",
    re.MULTILINE,
)


def project_with(tmp_path: Path, experiment: str = UNCONVERGED) -> Path:
    (tmp_path / "experiments").mkdir()
    (tmp_path / "experiments" / "tiny.yaml").write_text(experiment)
    return tmp_path


@contextmanager
def a_terminal() -> Iterator[int]:
    """A pseudo-terminal's end for a child's stream; what it writes there is drained."""
    main, child_end = pty.openpty()
    drain = threading.Thread(target=_drain, args=(main,), daemon=True)
    drain.start()
    try:
        yield child_end
    finally:
        os.close(child_end)
        drain.join(timeout=10)
        os.close(main)


def _drain(fd: int) -> None:
    with suppress(OSError):  # EIO once the child's end is closed
        while os.read(fd, 4096):
            pass


@pytest.mark.parametrize("stderr_to", ["the log", "a terminal"])
def test_a_build_piped_to_a_file_prints_progress_lines_while_it_runs(
    tmp_path: Path, stderr_to: str
) -> None:
    """Issue 17 item 8: with no terminal, progress is plain timed lines, written while
    the build runs; the first line names the store, and that it will be created. So it
    is for `mlreport build > build.log` typed in a terminal (stderr still one)."""
    project = project_with(tmp_path)
    log = tmp_path / "build.log"
    env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    seen_while_running = ""
    with ExitStack() as stack:
        out = stack.enter_context(log.open("w"))
        err = stack.enter_context(a_terminal()) if stderr_to == "a terminal" else subprocess.STDOUT
        build = subprocess.Popen(
            [sys.executable, "-m", "mlreport", "build"],
            cwd=project,
            env=env,
            stdout=out,
            stderr=err,
        )
        try:
            while build.poll() is None:
                text = log.read_text()
                if build.poll() is None:  # still running after the file was read
                    seen_while_running = text
                time.sleep(0.05)
        finally:
            build.kill()
    assert build.wait() == 0, log.read_text()
    assert PROGRESS_LINE.search(seen_while_running), seen_while_running

    lines = log.read_text().splitlines()
    database = (project / "mlflow.db").resolve()
    assert lines[0] == (
        f"tracking store: sqlite:///mlflow.db ({database} does not exist yet: it will be created)"
    )
    progress = PROGRESS_LINE.findall(log.read_text())
    said = [text for _, _, text in progress]
    assert "tiny / lr: 2 candidates, 2 folds" in said  # the search starts
    assert "tiny / lr: done" in said  # and finishes
    assert any(text.startswith("export: ") for text in said)
    assert any(text.startswith("site: ") for text in said)
    stamps = [int(minutes) * 60 + int(seconds) for minutes, seconds, _ in progress]
    assert stamps == sorted(stamps)


def test_library_warnings_are_one_line_and_in_full_with_debug(tmp_path: Path) -> None:
    """Issue 17 item 8: the ConvergenceWarning of every fit (on dask workers) is counted
    on one line instead of printed; --debug prints it."""
    project = project_with(tmp_path)
    quiet = run_cli("run", cwd=project)
    assert quiet.returncode == 0, quiet.stderr
    assert "ConvergenceWarning" not in quiet.stdout + quiet.stderr
    counted = WARNINGS_LINE.search(quiet.stdout)
    assert counted and int(counted.group(1)) >= 1, quiet.stdout

    debug = run_cli("run", "--force", "--debug", cwd=project)
    assert debug.returncode == 0, debug.stderr
    assert not WARNINGS_LINE.search(debug.stdout)
    shown = [line for line in debug.stderr.splitlines() if "ConvergenceWarning" in line]
    assert shown and all(line.startswith("warning: ") for line in shown)
    assert "(on a dask worker)" in shown[0]


def test_a_locked_store_is_one_line(tmp_path: Path) -> None:
    """Issue 17 item 8: another writer holding the SQLite store gives one line (after
    MLflow's own wait for the lock) and a non-zero exit, not 80 lines of traceback."""
    project = project_with(tmp_path)
    Tracker("sqlite:///" + str(project / "mlflow.db"))  # the store, made by MLflow
    with closing(sqlite3.connect(project / "mlflow.db", isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")  # another writer, in the middle of a transaction
        done = run_cli("run", cwd=project)
        other.execute("ROLLBACK")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "error: " + STORE_LOCKED.format(uri="sqlite:///mlflow.db")
    ]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MiB tmpfs (root only: skipped elsewhere), unmounted afterwards."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_full_disk_under_the_store_is_one_line(tmp_path: Path, small_disk: Path) -> None:
    """Issue 17 item 8: a store whose disk is full (a real one: a small tmpfs filled up)
    gives one line and a non-zero exit."""
    project = project_with(tmp_path)
    uri = f"sqlite:///{small_disk / 'mlflow.db'}"
    Tracker(uri)  # the store, made by MLflow while there is room
    with (small_disk / "filler").open("wb", buffering=0) as filler, suppress(OSError):
        while True:  # until the disk is full
            filler.write(b"\0" * 4096)
    done = run_cli("run", "--tracking-uri", uri, cwd=project)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == ["error: " + STORE_FULL.format(uri=uri)]
