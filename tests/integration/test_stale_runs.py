"""Which RUNNING runs the next `mlreport run` closes (issue 17 item 5), on a real store
and real processes."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from mlreport import schema
from mlreport.run._execute import close_stale_runs
from mlreport.run._stale import KILLED_GONE, KILLED_REUSED, process_tags
from mlreport.run.tracking import Tracker

pytestmark = pytest.mark.integration


def test_only_runs_of_processes_gone_from_this_host_are_closed(tmp_path: Path) -> None:
    """Issue 17 item 5: a run whose process ended, or whose process id now belongs to a
    process started later, is KILLED with the reason; runs of a live process, of another
    host, or without the tags are left RUNNING."""
    tracker = Tracker(f"sqlite:///{tmp_path / 'mlflow.db'}")
    experiment_id = tracker.experiment_id("e", description="")
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    host = socket.gethostname()
    alive = process_tags()
    where = {
        "gone": {**alive, schema.TAG_PID: ended.stdout.strip()},
        "reused": {**alive, schema.TAG_PROCESS_START: "1000000000.00"},
        "alive": alive,
        "elsewhere": {**alive, schema.TAG_HOST: host + "-other", schema.TAG_PID: "1"},
        "untagged": {},
    }
    run_ids = {
        name: tracker.start_run(
            experiment_id, name=name, tags={schema.TAG_ROLE: schema.ROLE_SEARCH, **tags}
        )
        for name, tags in where.items()
    }
    not_mlreports = tracker.start_run(experiment_id, name="user's own", tags=where["gone"])

    assert close_stale_runs(tracker) == 2
    runs = {name: tracker.client.get_run(run_id) for name, run_id in run_ids.items()}
    assert {name: run.info.status for name, run in runs.items()} == {
        "gone": "KILLED",
        "reused": "KILLED",
        "alive": "RUNNING",
        "elsewhere": "RUNNING",
        "untagged": "RUNNING",
    }
    pid = alive[schema.TAG_PID]
    assert runs["gone"].data.tags[schema.TAG_KILLED_REASON] == KILLED_GONE.format(
        pid=ended.stdout.strip(), host=host
    )
    assert runs["reused"].data.tags[schema.TAG_KILLED_REASON] == KILLED_REUSED.format(
        pid=pid, host=host
    )
    assert runs["gone"].info.end_time is not None
    assert tracker.client.get_run(not_mlreports).info.status == "RUNNING"
    assert close_stale_runs(tracker) == 0
