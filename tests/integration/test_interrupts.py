"""A build stopped during a search (SIGTERM, SIGKILL, Ctrl-C): one clean line, and no run
of mlreport's left RUNNING once the next build has run."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from pathlib import Path

import pytest

from mlreport import schema
from mlreport.cli import INTERRUPTED, STALE_RUNS_CLOSED, TERMINATED
from mlreport.errors import Terminated
from mlreport.run._stale import KILLED_GONE, interrupt_reason
from tests.conftest import REPO, run_cli

pytestmark = pytest.mark.integration

#: Long enough a search to be stopped in the middle of it.
SLOW = """
name: stopped
data: {kind: synthetic, n_samples: 2000, n_features: 10, n_informative: 4}
models:
  - name: forest
    estimator: sklearn.ensemble.RandomForestClassifier
    params: {n_estimators: 50}
    search:
      strategy: random
      n_iter: 60
      cv: 3
      space:
        max_depth: {distribution: randint, low: 2, high: 12}
        min_samples_leaf: {distribution: randint, low: 1, high: 20}
"""
#: What the next build runs: the same experiment, a quick search.
QUICK = """
name: stopped
data: {kind: synthetic, n_samples: 200, n_features: 4, n_informative: 2}
models:
  - name: forest
    estimator: sklearn.ensemble.RandomForestClassifier
    params: {n_estimators: 5}
    search: {strategy: grid, cv: 2, space: {max_depth: [2, 3]}}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "experiments").mkdir()
    (tmp_path / "experiments" / "stopped.yaml").write_text(SLOW)
    return tmp_path


@contextmanager
def build_in_a_search(project: Path) -> Iterator[subprocess.Popen[str]]:
    """``mlreport build`` in its own process group (as a terminal or a CI runner starts
    it), handed over once its search run is RUNNING in the store; whatever is left of
    the group is killed on the way out."""
    env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    with (project / "out.txt").open("w") as out, (project / "err.txt").open("w") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "mlreport", "build"],
            cwd=project,
            env=env,
            stdout=out,
            stderr=err,
            text=True,
            start_new_session=True,
            # Ctrl-C as a terminal delivers it: a test run started in the background
            # (`pytest &`, some CI runners) passes SIGINT on ignored, and so would the build
            preexec_fn=_sigint_as_in_a_terminal,
        )
    try:
        deadline = time.monotonic() + 300
        while not running_searches(project):
            assert process.poll() is None, (project / "err.txt").read_text()
            assert time.monotonic() < deadline, "the search never started"
            time.sleep(0.1)
        yield process
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)


def _sigint_as_in_a_terminal() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def running_searches(project: Path) -> list[str]:
    """Run ids of RUNNING search runs in the project's store."""
    database = project / "mlflow.db"
    if not database.is_file():
        return []
    query = (
        "SELECT r.run_uuid FROM runs r JOIN tags t ON t.run_uuid = r.run_uuid "
        "WHERE r.status = 'RUNNING' AND t.key = ? AND t.value = ?"
    )
    try:
        with closing(sqlite3.connect(database, timeout=5)) as connection:
            rows = connection.execute(query, (schema.TAG_ROLE, schema.ROLE_SEARCH)).fetchall()
    except sqlite3.OperationalError:  # the tables are being created
        return []
    return [row[0] for row in rows]


def runs(project: Path) -> dict[str, tuple[str, int | None, str | None]]:
    """Run id -> (status, end time, killed reason) of every mlreport run in the store."""
    query = (
        "SELECT r.run_uuid, r.status, r.end_time, k.value FROM runs r "
        "JOIN tags role ON role.run_uuid = r.run_uuid AND role.key = ? "
        "LEFT JOIN tags k ON k.run_uuid = r.run_uuid AND k.key = ?"
    )
    with closing(sqlite3.connect(project / "mlflow.db")) as connection:
        rows = connection.execute(query, (schema.TAG_ROLE, schema.TAG_KILLED_REASON))
        return {run_id: (status, end, reason) for run_id, status, end, reason in rows}


def next_build(project: Path) -> subprocess.CompletedProcess[str]:
    (project / "experiments" / "stopped.yaml").write_text(QUICK)
    done = run_cli("build", cwd=project)
    assert done.returncode == 0, done.stderr
    return done


def test_sigterm_stops_a_build_like_ctrl_c_and_closes_its_runs(project: Path) -> None:
    """Issue 17 item 5: SIGTERM (a cancelled CI job) during a search gives one line and
    exit code 143, and the search run is KILLED with the reason."""
    with build_in_a_search(project) as build:
        (search,) = running_searches(project)
        build.send_signal(signal.SIGTERM)  # to the process alone, as `kill PID` does
        assert build.wait(timeout=120) == 128 + signal.SIGTERM
    err = (project / "err.txt").read_text()
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == f"error: {TERMINATED}"
    status, end_time, reason = runs(project)[search]
    assert (status, reason) == ("KILLED", interrupt_reason(Terminated()))
    assert end_time is not None
    next_build(project)
    assert not [run for run in runs(project).values() if run[0] == "RUNNING"]


def test_the_next_build_closes_the_runs_of_a_killed_build(project: Path) -> None:
    """Issue 17 item 5: after SIGKILL during a search, the next build marks the search
    KILLED, with an end time and the reason, and says so."""
    with build_in_a_search(project) as build:
        (search,) = running_searches(project)
        build.send_signal(signal.SIGKILL)
        build.wait(timeout=60)
    assert runs(project)[search][0] == "RUNNING"  # nothing could close it
    done = next_build(project)
    assert STALE_RUNS_CLOSED.format(count=1) in done.stdout
    status, end_time, reason = runs(project)[search]
    assert status == "KILLED" and end_time is not None
    assert reason == KILLED_GONE.format(pid=build.pid, host=socket.gethostname())
    assert not [run for run in runs(project).values() if run[0] == "RUNNING"]


def test_ctrl_c_prints_no_worker_traceback(project: Path) -> None:
    """Issue 17 item 8: Ctrl-C reaches the whole process group, dask's workers too; the
    output is the one-line message, without their tracebacks."""
    with build_in_a_search(project) as build:
        (search,) = running_searches(project)
        os.killpg(build.pid, signal.SIGINT)  # what a terminal does on Ctrl-C
        assert build.wait(timeout=120) == 130, (project / "err.txt").read_text()
    err = (project / "err.txt").read_text()
    assert "Traceback" not in err, err
    assert err.strip().splitlines()[-1] == f"error: {INTERRUPTED}"
    assert runs(project)[search][:1] == ("KILLED",)
