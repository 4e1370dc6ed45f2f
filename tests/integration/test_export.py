"""The export's two readers, bulk SQL and MlflowClient, against one real SQLite store."""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from mlreport import schema
from mlreport.export import export_store
from mlreport.tracking import FinishedRun, RunRecord, Tracker

pytestmark = pytest.mark.integration

HOSTILE = '<img src=x onerror=alert(1)> | **bold** "é" 😀\nsecond line'


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A store with what breaks exports: hostile names, NaN/inf, long params, deletions."""
    import mlflow

    root = tmp_path_factory.mktemp("store")
    uri = f"sqlite:///{root / 'mlflow.db'}"
    home = os.getcwd()
    os.chdir(root)  # artifacts of the default experiment go under the working directory
    try:
        tracker = Tracker(uri)
        experiment_id = tracker.experiment_id(HOSTILE, description=HOSTILE)
        parent = tracker.start_run(experiment_id, name=HOSTILE, tags={"note": HOSTILE})
        tracker.log_finished_runs(
            experiment_id,
            [
                FinishedRun(
                    name=f"trial {index} {HOSTILE}",
                    tags={"html": f"<b>{index}</b>"},
                    record=RunRecord(
                        params={"long": "x" * 6000, "a key/with: spaces": index},
                        metrics={"nan": math.nan, "inf": math.inf, "-inf": -math.inf},
                        history={
                            "val": [(step, step / 10_000, 1000 + step) for step in range(10_000)]
                        },
                    ),
                    start_time=1000,
                    end_time=2000 + index,
                    status="FAILED" if index else "FINISHED",
                    parent_run_id=parent,
                )
                for index in range(2)
            ],
        )
        tracker.finish(parent)
        client = tracker.client
        empty = client.create_run(experiment_id, run_name="no metrics").info.run_id
        client.set_terminated(empty, "KILLED")
        gone = client.create_run(experiment_id, run_name="deleted run").info.run_id
        client.log_metric(gone, "m", 1.0, step=3)
        client.delete_run(gone)
        old = client.create_experiment("deleted experiment", tags={"t": HOSTILE})
        client.create_run(old, run_name="in a deleted experiment")
        client.delete_experiment(old)
        mlflow.set_tracking_uri(uri)
        with mlflow.start_run(experiment_id=experiment_id, run_name="plain mlflow"):
            mlflow.log_param("p", HOSTILE)
            mlflow.log_metric("same step", 1.0, step=1, timestamp=5)
            mlflow.log_metric("same step", 2.0, step=1, timestamp=5)
            mlflow.log_metric("same step", 0.5, step=1, timestamp=4)
            mlflow.log_text("text", "notes/a.txt")
            mlflow.log_text("deeper", "notes/deeper/b.txt")
        yield uri
    finally:
        os.chdir(home)


def _tables(folder: Path) -> dict[str, list[dict[str, object]]]:
    """Every table's rows, NaN as text so that equal tables compare equal."""
    tables = {}
    for name in schema.TABLES:
        rows = pq.read_table(folder / f"{name}.parquet").to_pylist()
        tables[name] = sorted(
            (
                {k: "nan" if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
                for row in rows
            ),
            key=repr,
        )
    return tables


def test_the_bulk_sql_reader_and_the_client_reader_export_the_same_dataset(
    store: str, tmp_path: Path
) -> None:
    fast = export_store(store, tmp_path / "fast", fast=True)
    generic = export_store(store, tmp_path / "generic", fast=False)
    assert fast.row_counts == generic.row_counts
    fast_tables, generic_tables = _tables(tmp_path / "fast"), _tables(tmp_path / "generic")
    for name in schema.TABLES:
        assert fast_tables[name] == generic_tables[name], name
    # and the content is what was logged, not merely equal
    assert fast.row_counts["metric_history"] >= 2 * 10_000
    runs = {row["run_name"]: row for row in fast_tables["runs"]}
    assert runs["deleted run"]["lifecycle_stage"] == "deleted"
    assert runs[f"trial 1 {HOSTILE}"]["status"] == "FAILED"
    assert runs[f"trial 1 {HOSTILE}"]["duration_s"] == 1.001
    parent_id = runs[HOSTILE]["run_id"]
    assert runs[f"trial 0 {HOSTILE}"]["parent_run_id"] == parent_id
    stages = {row["name"]: row["lifecycle_stage"] for row in fast_tables["experiments"]}
    assert stages["deleted experiment"] == "deleted"
    latest = {(row["run_id"], row["key"]): row["value"] for row in fast_tables["metrics"]}
    trial = runs[f"trial 0 {HOSTILE}"]["run_id"]
    assert latest[(trial, "nan")] == "nan"
    assert latest[(trial, "inf")] == math.inf
    assert latest[(trial, "-inf")] == -math.inf
    assert latest[(trial, "val")] == 0.9999
    assert latest[(runs["plain mlflow"]["run_id"], "same step")] == 2.0
    params = {(row["run_id"], row["key"]): row["value"] for row in fast_tables["params"]}
    assert params[(trial, "long")] == "x" * 6000
    paths = {row["path"] for row in fast_tables["artifacts"]}
    assert "notes/a.txt" in paths


def test_sql_tracking_uris_map_to_connectorx_addresses(store: str) -> None:
    from mlreport._store_sql import connectorx_uri

    assert connectorx_uri(store) is not None
    assert connectorx_uri("sqlite:///mlflow.db") == f"sqlite://{Path('mlflow.db').resolve()}"
    assert connectorx_uri("postgresql+psycopg2://u:p@h:5432/db") == "postgresql://u:p@h:5432/db"
    assert connectorx_uri("http://localhost:5000") is None
    assert connectorx_uri("file:///tmp/mlruns") is None
