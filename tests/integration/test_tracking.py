"""The tracking layer against a real SQLite MLflow store."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from mlreport import schema
from mlreport.errors import TrackingError
from mlreport.run.tracking import PARAM_VALUE_LIMIT, FinishedRun, RunRecord, Tracker

pytestmark = pytest.mark.integration


@pytest.fixture
def tracker(tmp_path: Path) -> Tracker:
    return Tracker(f"sqlite:///{tmp_path / 'mlflow.db'}")


def test_log_respects_mlflow_batch_limits(tracker: Tracker) -> None:
    experiment_id = tracker.experiment_id("big", description="")
    run_id = tracker.start_run(experiment_id, name="big", tags={})
    record = RunRecord(
        params={f"p{i:03d}": str(i) for i in range(250)},
        metrics={f"m{i:04d}": float(i) for i in range(2500)},
        tags={f"t{i:03d}": "x" * 10 for i in range(150)},
    )
    tracker.log(run_id, record)
    data = tracker.client.get_run(run_id).data
    assert data.params == record.params
    assert data.metrics == record.metrics
    assert {k: v for k, v in data.tags.items() if k.startswith("t")} == record.tags


def test_descriptions_follow_the_experiment_file(tracker: Tracker) -> None:
    experiment_id = tracker.experiment_id("e", description="first")
    assert tracker.experiment_id("e", description="second") == experiment_id
    tags = tracker.client.get_experiment(experiment_id).tags
    assert tags[schema.EXPERIMENT_DESCRIPTION_TAG] == "second"
    tracker.experiment_id("e", description="")
    tags = tracker.client.get_experiment(experiment_id).tags
    assert tags.get(schema.EXPERIMENT_DESCRIPTION_TAG, "") == ""


def test_only_the_latest_finished_search_counts_as_current(tracker: Tracker) -> None:
    experiment_id = tracker.experiment_id("e", description="")

    def search(model: str, fingerprint: str, start: int, status: str = "FINISHED") -> None:
        run_id = tracker.start_run(
            experiment_id,
            name=f"{model} search",
            start_time=start,
            tags={
                schema.TAG_ROLE: schema.ROLE_SEARCH,
                schema.TAG_MODEL: model,
                schema.TAG_CONFIG_HASH: fingerprint,
            },
        )
        tracker.finish(run_id, status=status, end_time=start + 10)

    search("m", "A", 1_000)
    search("m", "B", 2_000)  # config A -> B: B is what the site shows
    search("n", "C", 1_000)
    search("n", "D", 2_000, status="FAILED")  # an unfinished latest search: run it again
    assert tracker.current_fingerprints(experiment_id) == {"m": "B"}


def _hostile_finished_runs(parent: str) -> list[FinishedRun]:
    """Finished runs with the contents that break naive writers."""
    name = '<img src=x onerror=alert(1)> | **trial** "é" \n second line'
    return [
        FinishedRun(
            name=f"{name} {index}",
            tags={schema.TAG_ROLE: schema.ROLE_TRIAL, "note": f"<b>{index}</b>\nline"},
            record=RunRecord(
                params={"alpha": 0.001 * index, "long": "x" * 7000, "ünï": "<script>"},
                metrics={"nan": math.nan, "inf": math.inf, "-inf": -math.inf, "one": 1.0},
                tags={"extra": "&amp; ` | *"},
                history={
                    # steps out of order, a repeated point, a NaN and a value that decreases
                    "val_accuracy": [
                        (3, 0.7, 1003),
                        (1, 0.5, 1001),
                        (1, 0.5, 1001),
                        (2, 0.9, 1002),
                        (4, math.nan, 1004),
                        (5, 0.6, 1005),
                    ]
                },
            ),
            start_time=1000 + index,
            end_time=2000 + index,
            status="FAILED" if index == 2 else "FINISHED",
            parent_run_id=parent,
        )
        for index in range(3)
    ]


def _as_logged(tracker: Tracker, run_id: str) -> dict[str, Any]:
    """Everything MLflow returns about a run, but its id and artifact folder."""
    run = tracker.client.get_run(run_id)
    histories = {
        key: sorted(
            (m.step, m.timestamp, "nan" if math.isnan(m.value) else m.value)
            for m in tracker.client.get_metric_history(run_id, key)
        )
        for key in run.data.metrics
    }
    return {
        "name": run.info.run_name,
        "status": run.info.status,
        "times": (run.info.start_time, run.info.end_time),
        "stage": run.info.lifecycle_stage,
        "user": run.info.user_id,
        "artifact_folder": run.info.artifact_uri.rsplit("/", 2)[-1],
        "params": run.data.params,
        "metrics": {k: "nan" if math.isnan(v) else v for k, v in run.data.metrics.items()},
        "tags": run.data.tags,
        "histories": histories,
    }


def test_one_transaction_writes_what_the_client_writes(tracker: Tracker) -> None:
    """The SQL fast path for finished runs against create_run + log_batch + set_terminated."""
    experiment_id = tracker.experiment_id("fast", description="")
    parent = tracker.start_run(experiment_id, name="search", tags={})
    runs = _hostile_finished_runs(parent)
    fast_ids = tracker.log_finished_runs(experiment_id, runs)
    client_ids = [tracker._log_finished_run(experiment_id, run) for run in runs]
    fast = [_as_logged(tracker, run_id) for run_id in fast_ids]
    slow = [_as_logged(tracker, run_id) for run_id in client_ids]
    assert fast == slow
    # and they are what was asked for, not merely equal
    assert fast[0]["name"] == runs[0].name
    assert fast[0]["params"]["long"] == "x" * PARAM_VALUE_LIMIT
    assert fast[1]["metrics"]["val_accuracy"] == 0.6  # the highest step is the latest
    assert fast[1]["histories"]["val_accuracy"][:2] == [(1, 1001, 0.5), (2, 1002, 0.9)]
    assert fast[2]["status"] == "FAILED"
    assert fast[0]["tags"][schema.PARENT_RUN_TAG] == parent
    found = tracker.client.search_runs(
        [experiment_id], filter_string=f"tags.`{schema.PARENT_RUN_TAG}` = '{parent}'"
    )
    assert {run.info.run_id for run in found} == {*fast_ids, *client_ids}


def test_finished_runs_in_a_deleted_experiment_are_refused(tracker: Tracker) -> None:
    experiment_id = tracker.experiment_id("gone", description="")
    parent = tracker.start_run(experiment_id, name="search", tags={})
    tracker.client.delete_experiment(experiment_id)
    with pytest.raises(TrackingError, match="not active"):
        tracker.log_finished_runs(experiment_id, _hostile_finished_runs(parent))
