"""The export against real stores: SQLite (bulk SQL and client readers), a file store and
an ``mlflow server`` on loopback; incremental exports; an export killed part-way."""

from __future__ import annotations

import math
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from mlreport import schema
from mlreport.dataset import read_dataset
from mlreport.export import ExportSummary, _writer, export_store
from mlreport.run.tracking import FinishedRun, RunRecord, Tracker
from tests.builders import DatasetBuilder
from tests.conftest import REPO, free_port, run_cli

pytestmark = pytest.mark.integration

HOSTILE = '<img src=x onerror=alert(1)> | **bold** "é" 😀\nsecond line'
Tables = dict[str, list[dict[str, object]]]


def log_hostile_runs(uri: str) -> None:
    """What breaks exports: hostile names, NaN/inf, long params, deletions, artifacts."""
    import mlflow

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
                    history={"val": [(step, step / 10_000, 1000 + step) for step in range(10_000)]},
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
    try:
        with mlflow.start_run(experiment_id=experiment_id, run_name="plain mlflow"):
            mlflow.log_param("p", HOSTILE)
            mlflow.log_metric("same step", 1.0, step=1, timestamp=5)
            mlflow.log_metric("same step", 2.0, step=1, timestamp=5)
            mlflow.log_metric("same step", 0.5, step=1, timestamp=4)
            mlflow.log_text("text", "notes/a.txt")
            mlflow.log_text("deeper", "notes/deeper/b.txt")
    finally:
        mlflow.set_tracking_uri(None)


@pytest.fixture(scope="module")
def sqlite_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("store")
    home = os.getcwd()
    os.chdir(root)  # artifacts of the default experiment go under the working directory
    try:
        uri = f"sqlite:///{root / 'mlflow.db'}"
        log_hostile_runs(uri)
        yield uri
    finally:
        os.chdir(home)


def read_tables(folder: Path) -> Tables:
    """Every table's rows in a canonical order (NaN as text), and the predictions files."""
    dataset = read_dataset(folder)  # the reader checks the manifest and every table
    tables = {}
    for name in schema.TABLES:
        rows = pq.read_table(schema.table_path(folder, name)).to_pylist()
        assert len(rows) == len(dataset[name]), name
        tables[name] = sorted(
            (
                {k: "nan" if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
                for row in rows
            ),
            key=repr,
        )
    tables["predictions"] = [
        {"file": path.name, "rows": pd.read_parquet(path).to_dict("records")}
        for path in sorted((folder / schema.PREDICTIONS_DIR).glob("*.parquet"))
    ]
    return tables


def assert_hostile_content(tables: Tables, summary: ExportSummary) -> None:
    """The export holds what ``log_hostile_runs`` logged, exactly."""
    assert summary.row_counts["metric_history"] >= 2 * 10_000
    runs = {row["run_name"]: row for row in tables["runs"]}
    assert runs["deleted run"]["lifecycle_stage"] == "deleted"
    assert runs[f"trial 1 {HOSTILE}"]["status"] == "FAILED"
    assert runs[f"trial 1 {HOSTILE}"]["duration_s"] == 1.001
    assert runs[f"trial 0 {HOSTILE}"]["parent_run_id"] == runs[HOSTILE]["run_id"]
    stages = {row["name"]: row["lifecycle_stage"] for row in tables["experiments"]}
    assert stages["deleted experiment"] == "deleted"
    assert stages[HOSTILE] == "active"
    latest = {(row["run_id"], row["key"]): row["value"] for row in tables["metrics"]}
    trial = runs[f"trial 0 {HOSTILE}"]["run_id"]
    assert latest[(trial, "nan")] == "nan"
    assert latest[(trial, "inf")] == math.inf
    assert latest[(trial, "-inf")] == -math.inf
    assert latest[(trial, "val")] == 0.9999
    assert latest[(runs["plain mlflow"]["run_id"], "same step")] == 2.0
    history = [r for r in tables["metric_history"] if (r["run_id"], r["key"]) == (trial, "val")]
    assert sorted(row["step"] for row in history) == list(range(10_000))
    params = {(row["run_id"], row["key"]): row["value"] for row in tables["params"]}
    assert params[(trial, "long")] == "x" * 6000
    assert params[(runs["plain mlflow"]["run_id"], "p")] == HOSTILE
    assert not [row for row in tables["metrics"] if row["run_id"] == runs["no metrics"]["run_id"]]
    paths = {row["path"] for row in tables["artifacts"]}
    assert {"notes/a.txt", "notes/deeper/b.txt"} <= paths


def test_the_bulk_sql_reader_and_the_client_reader_export_the_same_dataset(
    sqlite_store: str, tmp_path: Path
) -> None:
    fast = export_store(sqlite_store, tmp_path / "fast", fast=True)
    generic = export_store(sqlite_store, tmp_path / "generic", fast=False)
    assert fast.row_counts == generic.row_counts
    fast_tables, generic_tables = read_tables(tmp_path / "fast"), read_tables(tmp_path / "generic")
    for name in fast_tables:
        assert fast_tables[name] == generic_tables[name], name
    assert_hostile_content(fast_tables, fast)  # and it is what was logged, not merely equal


def test_a_file_store_is_exported_with_its_hostile_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = (tmp_path / "mlruns").as_uri()
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")  # MLflow 3 writes one only so
    log_hostile_runs(uri)
    monkeypatch.delenv("MLFLOW_ALLOW_FILE_STORE")  # the export reads one without
    summary = export_store(uri, tmp_path / "export")
    assert_hostile_content(read_tables(tmp_path / "export"), summary)


@pytest.fixture(scope="module")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A real ``mlflow server`` process on loopback, serving artifacts, over SQLite."""
    root = tmp_path_factory.mktemp("server")
    database = f"sqlite:///{root / 'mlflow.db'}"
    port = free_port()
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "mlflow", "server", "--backend-store-uri", database),
            *("--host", "127.0.0.1", "--port", str(port), "--workers", "1"),
        ],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=(root / "server.log").open("w"),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert server.poll() is None, (root / "server.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "mlflow server did not start in 120 s"
            time.sleep(0.5)
        yield url, database
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_an_mlflow_server_is_exported_as_the_bulk_reader_exports_its_database(
    mlflow_server: tuple[str, str], tmp_path: Path
) -> None:
    url, database = mlflow_server
    log_hostile_runs(url)
    over_http = export_store(url, tmp_path / "http")
    from_database = export_store(database, tmp_path / "database")
    http_tables, database_tables = (
        read_tables(tmp_path / "http"),
        read_tables(tmp_path / "database"),
    )
    assert_hostile_content(http_tables, over_http)
    # the database's reader cannot list artifacts the server keeps (mlflow-artifacts:/)
    assert from_database.warnings and not database_tables["artifacts"]
    for name in http_tables.keys() - {"artifacts"}:
        assert http_tables[name] == database_tables[name], name


def _finished_run(number: int) -> FinishedRun:
    return FinishedRun(
        name=f"run {number}",
        tags={"n": str(number)},
        record=RunRecord(
            params={"alpha": number},
            history={
                "val": [(step, number / (step + 1), 1000 + step) for step in range(40)],
                "loss": [(step, 1 / (step + 1), 1000 + step) for step in range(40)],
            },
        ),
        start_time=1000,
        end_time=2000,
    )


@pytest.mark.parametrize("fast", [True, False], ids=["bulk-sql", "client"])
def test_an_incremental_export_reads_only_changed_runs_and_equals_a_full_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast: bool
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(_writer, "PART_ROWS", 240)  # three runs per history file
    monkeypatch.setattr(_writer, "PART_RUNS_ESTIMATED", 3)  # the same when sizes are guessed
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    tracker = Tracker(uri)
    client = tracker.client
    experiment_id = tracker.experiment_id("incremental", description="")
    old = tracker.log_finished_runs(experiment_id, [_finished_run(n) for n in range(30)])
    running = tracker.start_run(experiment_id, name="running", tags={})
    tracker.log(running, RunRecord(history={"val": [(0, 0.1, 1000)]}))
    one_step = tracker.start_run(experiment_id, name="500 points at step 0", tags={})
    tracker.log(one_step, RunRecord(history={"val": [(0, i / 500, 1000 + i) for i in range(500)]}))
    best = tracker.start_run(experiment_id, name="best", tags={schema.TAG_ROLE: schema.ROLE_BEST})
    predictions = pd.DataFrame({"y_true": [0, 1], "y_pred": [0, 0], "proba_1": [0.1, 0.4]})
    tracker.log_frame(best, predictions, schema.PREDICTIONS_ARTIFACT)
    tracker.finish(best)
    out = tmp_path / "export"
    first = export_store(uri, out, fast=fast)
    assert not first.incremental
    files_before = {path.name: path.stat().st_ino for path in (out / "metric_history").iterdir()}
    assert len(files_before) >= 10

    def export_both_ways() -> ExportSummary:
        """An incremental export into ``out``, checked against a full one."""
        incremental = export_store(uri, out, fast=fast)
        full = export_store(uri, tmp_path / "full", fast=fast, full=True)
        assert incremental.incremental and not full.incremental
        assert incremental.row_counts == full.row_counts
        assert read_tables(out) == read_tables(tmp_path / "full")
        for part in (out / "metric_history").iterdir():  # files stay small
            history = pq.read_table(part)
            runs_in_file = len(set(history["run_id"].to_pylist()))
            assert runs_in_file == 1 or (fast and history.num_rows <= 240) or runs_in_file <= 3
        return incremental

    # round 1: new runs, a run that went on and finished, a tag, a deletion
    new = tracker.log_finished_runs(experiment_id, [_finished_run(n) for n in range(30, 35)])
    tracker.log(running, RunRecord(history={"val": [(1, 0.2, 2000)]}))
    tracker.finish(running)
    client.set_tag(old[0], "reviewed", "yes")
    client.delete_run(old[1])
    changed = {*new, running, old[0], old[1]}
    if fast:  # below the latest step: the latest value is unchanged, SQLite's rowid shows it
        client.log_metric(old[3], "val", 0.5, step=-1, timestamp=500)
        changed.add(old[3])
    round_1 = export_both_ways()
    assert round_1.histories_read == len(changed)
    files_after = {path.name: path.stat().st_ino for path in (out / "metric_history").iterdir()}
    carried_over = {name for name, inode in files_after.items() if files_before.get(name) == inode}
    assert len(carried_over) >= len(files_before) - 4  # all but the changed old runs' files

    # round 2, on round 1's files: a new run grows, predictions are logged again, a run
    # is removed for good (as `mlflow gc` does)
    tracker.log(new[0], RunRecord(history={"val": [(40, 0.9, 5000)]}))
    predictions = pd.DataFrame({"y_true": [1, 1, 0], "y_pred": [1, 0, 0], "proba_1": [0.8, 0.3, 0]})
    tracker.log_frame(best, predictions, schema.PREDICTIONS_ARTIFACT)
    client.delete_run(old[2])
    gc = subprocess.run(
        [sys.executable, "-m", "mlflow", "gc", "--backend-store-uri", uri, "--run-ids", old[2]],
        env={**os.environ, "MLFLOW_TRACKING_URI": uri},
        capture_output=True,
        text=True,
    )
    assert gc.returncode == 0, gc.stderr
    round_2 = export_both_ways()
    # SQLite may reuse the removed rows' numbers: every history is read again there
    assert round_2.histories_read == (round_2.row_counts["runs"] if fast else 1)  # new[0]
    copied = pd.read_parquet(out / schema.PREDICTIONS_DIR / f"{best}.parquet")
    pd.testing.assert_frame_equal(copied, predictions)
    runs = read_dataset(out)["runs"].set_index("run_id")
    assert old[2] not in runs.index
    assert runs.loc[old[1], "lifecycle_stage"] == "deleted"
    assert runs.loc[running, "status"] == "FINISHED"


@pytest.mark.parametrize("full", [True, False], ids=["full", "incremental"])
def test_an_export_killed_at_any_moment_leaves_the_previous_dataset(
    tmp_path: Path, full: bool
) -> None:
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    tracker = Tracker(uri)
    experiment_id = tracker.experiment_id("killed", description="")
    old = tracker.log_finished_runs(experiment_id, [_finished_run(n) for n in range(300)])
    out = tmp_path / "export"

    def start_export(folder: Path) -> subprocess.Popen[bytes]:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        command = [sys.executable, "-m", "mlreport", "export", "--tracking-uri", uri]
        return subprocess.Popen(
            [*command, "--out", str(folder), *(["--full"] if full else [])],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def wait_for_staging(process: subprocess.Popen[bytes], folder: Path) -> float:
        staging = folder.with_name(f".{folder.name}.tmp-{process.pid}")
        while not staging.exists() and process.poll() is None:
            time.sleep(0.002)
        return time.monotonic()

    assert start_export(out).wait(timeout=300) == 0
    previous = read_tables(out)
    tracker.log_finished_runs(experiment_id, [_finished_run(n) for n in range(300, 400)])
    for run_id in old[::10]:  # and old runs changed: their history file is rewritten
        tracker.client.set_tag(run_id, "reviewed", "yes")

    timed_out = tmp_path / "timed"  # how long an export works before it swaps its output
    shutil.copytree(out, timed_out)
    old_inode = timed_out.stat().st_ino
    timed = start_export(timed_out)
    started = wait_for_staging(timed, timed_out)
    while timed_out.stat().st_ino == old_inode and timed.poll() is None:
        time.sleep(0.001)
    until_swap = time.monotonic() - started
    assert timed.wait(timeout=300) == 0

    updated = read_tables(tmp_path / "timed")
    killed_before_the_swap = 0
    for fraction in (0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95):
        process = start_export(out)
        wait_for_staging(process, out)
        time.sleep(until_swap * fraction)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        found = read_tables(out)  # whole and readable: the old dataset or the new one
        if found == updated:
            break  # killed after the swap, while it cleaned up or exited
        assert found == previous
        killed_before_the_swap += 1
    assert killed_before_the_swap >= 3

    final = start_export(out)
    assert final.wait(timeout=300) == 0, final.stderr.read() if final.stderr else ""
    assert read_tables(out) == read_tables(tmp_path / "timed")
    assert not list(tmp_path.glob(".export.*-*"))  # what killed exports left is gone


def test_the_command_exports_a_store_mlreport_never_wrote_to(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'foreign.db'}"
    logged_by_mlflow_alone = f"""
import mlflow
mlflow.set_tracking_uri({uri!r})
mlflow.set_experiment("someone else's")
with mlflow.start_run(run_name="their run"):
    mlflow.log_params({{"lr": 0.1, "depth": 3}})
    for step in range(5):
        mlflow.log_metric("loss", 1 / (step + 1), step=step)
"""
    subprocess.run([sys.executable, "-c", logged_by_mlflow_alone], cwd=tmp_path, check=True)
    first = run_cli("export", "--tracking-uri", uri, "--out", "export", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "every history read" in first.stdout
    again = run_cli("export", "--tracking-uri", uri, "--out", "export", cwd=tmp_path)
    assert "histories of 0 changed runs read" in again.stdout
    dataset = read_dataset(tmp_path / "export")
    (run,) = dataset["runs"].itertuples()
    assert run.run_name == "their run"
    assert dict(zip(dataset["params"]["key"], dataset["params"]["value"], strict=True)) == {
        "lr": "0.1",
        "depth": "3",
    }
    assert list(dataset["metric_history"]["value"]) == [1 / (step + 1) for step in range(5)]


@pytest.mark.parametrize(
    "uri", ["sqlite:///typo.db", "typo-mlruns", "file:///{tmp}/typo-mlruns"], ids=str
)
def test_a_missing_store_is_a_one_line_error_and_the_export_stays(tmp_path: Path, uri: str) -> None:
    uri = uri.format(tmp=tmp_path.as_posix().lstrip("/"))
    DatasetBuilder().write(tmp_path / "export")
    before = read_tables(tmp_path / "export")
    result = run_cli("export", "--tracking-uri", uri, "--out", "export", cwd=tmp_path)
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert f"cannot export the MLflow tracking store {uri}: no " in line
    assert "typo" in line.split(": ", 1)[1]
    assert read_tables(tmp_path / "export") == before
    assert not list(tmp_path.glob("typo*"))  # nothing created in its place
