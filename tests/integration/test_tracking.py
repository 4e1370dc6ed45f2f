"""The tracking layer against a real SQLite MLflow store."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlreport import schema
from mlreport.tracking import RunRecord, Tracker

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
