"""The export trusts no file it carries over, and never changes the store it reads."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pandas as pd
import pytest

from mlreport import schema
from mlreport.dataset import read_dataset
from mlreport.export import _writer, export_store
from mlreport.export._store_sql import UNREAD_WAL
from mlreport.export._writer import HISTORY_FILE_BAD, RUN_FILE_BAD
from mlreport.run.tracking import Tracker
from tests.conftest import run_cli
from tests.integration.test_export import _finished_run, read_tables

pytestmark = pytest.mark.integration


def test_a_damaged_carried_file_is_read_again_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17 item 4: a truncated history file was carried over as a hard link, the
    export said nothing and `mlreport site` then failed on it. Each carried file is
    checked against the size and SHA-256 its export recorded in the manifest."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(_writer, "PART_ROWS", 240)  # three runs per history file
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    tracker = Tracker(uri)
    experiment_id = tracker.experiment_id("checked", description="")
    tracker.log_finished_runs(experiment_id, [_finished_run(n) for n in range(12)])
    best = tracker.start_run(experiment_id, name="best", tags={schema.TAG_ROLE: schema.ROLE_BEST})
    predictions = pd.DataFrame({"y_true": [0, 1], "y_pred": [0, 0], "proba_1": [0.1, 0.4]})
    tracker.log_frame(best, predictions, schema.PREDICTIONS_ARTIFACT)
    tracker.finish(best)
    out = tmp_path / "export"
    export_store(uri, out)
    # new runs, whose random ids fall inside the first files' ranges of run ids
    tracker.log_finished_runs(experiment_id, [_finished_run(n) for n in range(12, 18)])
    assert not export_store(uri, out).warnings
    manifest = json.loads((out / schema.MANIFEST_FILE).read_text())
    files = manifest["metric_history_files"]
    assert len(files) >= 6 and all(len(f["sha256"]) == 64 and f["size"] > 0 for f in files)
    truncated, removed = out / "metric_history" / files[0]["file"], files[1]["file"]
    truncated.write_bytes(truncated.read_bytes()[:100])
    (out / "metric_history" / removed).unlink()
    copy = out / schema.PREDICTIONS_DIR / f"{best}.parquet"
    copy.write_bytes(b"\0" * copy.stat().st_size)  # same size, other bytes

    done = run_cli("export", "--tracking-uri", uri, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning: ")]
    first = files[0]["file"]
    assert len(warnings) == 3
    assert warnings[0].startswith(f"warning: metric_history/{first} of the previous export is 100")
    assert warnings[0].endswith(" runs it may hold were read again from the store")
    missing = HISTORY_FILE_BAD.split("{runs}")[0].format(
        file=f"metric_history/{removed}", problem="missing"
    )
    assert warnings[1].startswith(f"warning: {missing}")
    assert warnings[2] == "warning: " + RUN_FILE_BAD.format(
        file=f"predictions/{best}.parquet",
        problem="changed since it was written (its SHA-256 differs)",
        run_id=best,
    )
    assert read_dataset(out)["metric_history"].shape[0] == 18 * 2 * 40
    full = export_store(uri, tmp_path / "full", full=True)
    assert read_tables(out) == read_tables(tmp_path / "full")
    assert not full.warnings
    site = run_cli("site", cwd=tmp_path)  # what failed with "magic bytes not found"
    assert site.returncode == 0, site.stderr


#: SQLite's file format bytes (offsets 18 and 19): 2 in write-ahead-log mode, 1 in
#: rollback-journal mode. Read from the file: a read-only (immutable) connection reports
#: "delete" whatever the file says.
WAL, ROLLBACK_JOURNAL = b"\x02\x02", b"\x01\x01"


def journal_bytes(database: Path) -> bytes:
    return database.read_bytes()[18:20]


@contextmanager
def read_only_media(folder: Path, mount_point: Path) -> Iterator[tuple[Path, str]]:
    """``folder`` as read-only media, and how: a read-only bind mount at ``mount_point``
    where this process may mount (root with CAP_SYS_ADMIN, as in CI containers); else,
    for a user other than root, read-only permissions; else (root without mount) an
    immutable attribute (chattr +i) on the folder, which forbids creating files in it.
    Permissions do not bind root, hence the order. Where none of them can be set, the
    folder stays writable ("none") and the test checks only that nothing changed."""

    def done(*command: str) -> bool:
        return subprocess.run(command, capture_output=True, check=False).returncode == 0

    if os.geteuid() != 0:
        modes = {path: path.stat().st_mode for path in [folder, *folder.rglob("*")]}
        for path, mode in modes.items():
            path.chmod(mode & ~0o222)
        try:
            yield folder, "read-only permissions"
        finally:
            for path, mode in modes.items():
                path.chmod(mode)
        return
    mount_point.mkdir()
    if done("mount", "--bind", str(folder), str(mount_point)):
        try:
            if done("mount", "-o", "remount,bind,ro", str(mount_point)):
                yield mount_point, "read-only bind mount"
                return
        finally:
            done("umount", str(mount_point))
    if done("chattr", "+i", str(folder)):
        try:
            yield folder, "immutable attribute"
        finally:
            done("chattr", "-i", str(folder))
        return
    yield folder, "none"


def wal_store_by_a_run(folder: Path) -> None:
    """A store as `mlreport run` leaves it: written by the Tracker, which switches it to
    write-ahead logging; closed, so its -wal and -shm files are gone."""
    tracker = Tracker(f"sqlite:///{folder / 'mlflow.db'}")
    experiment_id = tracker.experiment_id("read-only", description="")
    tracker.log_finished_runs(experiment_id, [_finished_run(n) for n in range(3)])
    best = tracker.start_run(experiment_id, name="best", tags={schema.TAG_ROLE: schema.ROLE_BEST})
    predictions = pd.DataFrame({"y_true": [0, 1], "y_pred": [0, 0], "proba_1": [0.1, 0.4]})
    tracker.log_frame(best, predictions, schema.PREDICTIONS_ARTIFACT)
    tracker.finish(best)


def rollback_journal_store(folder: Path) -> None:
    """A store written by MLflow alone, in SQLite's default rollback-journal mode."""
    from mlflow.tracking import MlflowClient

    client = MlflowClient(f"sqlite:///{folder / 'mlflow.db'}")
    for number in range(4):
        run = client.create_run(client.create_experiment(f"e{number}")).info.run_id
        client.log_metric(run, "loss", 1.0 / (number + 1), step=number)
        client.set_terminated(run)


@pytest.mark.parametrize(
    ("make_store", "journal", "runs"),
    [(wal_store_by_a_run, WAL, 4), (rollback_journal_store, ROLLBACK_JOURNAL, 4)],
    ids=["write-ahead-log", "rollback-journal"],
)
def test_an_export_reads_a_store_on_read_only_media_and_changes_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_store: Callable[[Path], None],
    journal: bytes,
    runs: int,
) -> None:
    """Issue 17 item 9: a store mlreport had switched to write-ahead logging could not be
    exported from read-only media (SQLite needs its -shm and -wal files there). The store
    is put on read-only media (see ``read_only_media`` for how, by what the test may do);
    two exports, the second incremental, read it; its bytes, modification time, journal
    mode and folder listing stay as they were."""
    store = tmp_path / "store"
    store.mkdir()
    monkeypatch.chdir(store)  # the run's artifacts are kept beside the database
    make_store(store)
    database = store / "mlflow.db"
    assert journal_bytes(database) == journal
    before = database.read_bytes(), database.stat().st_mtime_ns, sorted(os.listdir(store))
    with read_only_media(store, tmp_path / "mounted") as (folder, how):
        uri = f"sqlite:///{folder / 'mlflow.db'}"
        for _ in range(2):
            done = run_cli("export", "--tracking-uri", uri, cwd=tmp_path)
            assert done.returncode == 0, f"{how}: {done.stderr}"
    # a writable folder keeps a WAL store's -shm and -wal files, as any reader leaves them
    keeps = (lambda name: not name.endswith(("-shm", "-wal"))) if how == "none" else bool
    after = database.read_bytes(), database.stat().st_mtime_ns, sorted(os.listdir(store))
    assert after[:2] == before[:2], how
    assert [name for name in after[2] if keeps(name)] == before[2], how
    assert journal_bytes(database) == journal
    exported = read_dataset(tmp_path / "export")
    assert len(exported["runs"]) == runs
    if make_store is wal_store_by_a_run:
        assert len(exported.predictions) == 1


def test_a_store_whose_log_holds_writes_is_not_exported_without_them(tmp_path: Path) -> None:
    """A store copied (or left by a killed writer) with its -wal but not its -shm, on
    read-only media: opened immutable, SQLite ignores the -wal, and the export left out
    what it holds and exited 0. It is refused with one line instead, and the previous
    export stays; where the folder is writable, the -wal's writes are read."""
    source, store = tmp_path / "source", tmp_path / "store"
    source.mkdir()
    store.mkdir()
    wal_store_by_a_run(source)
    with closing(sqlite3.connect(source / "mlflow.db")) as holder:  # keeps the -wal
        holder.execute("PRAGMA wal_autocheckpoint=0")
        holder.execute("UPDATE experiments SET name = 'renamed' WHERE name = 'read-only'")
        holder.commit()
        for name in ("mlflow.db", "mlflow.db-wal"):
            shutil.copy2(source / name, store / name)
    assert (store / "mlflow.db-wal").stat().st_size > 0
    assert not (store / "mlflow.db-shm").exists()
    previous = run_cli(
        "export", "--tracking-uri", f"sqlite:///{source / 'mlflow.db'}", cwd=tmp_path
    )
    assert previous.returncode == 0, previous.stderr
    manifest = (tmp_path / "export" / "manifest.json").read_bytes()
    with read_only_media(store, tmp_path / "mounted") as (folder, how):
        uri = f"sqlite:///{folder / 'mlflow.db'}"
        done = run_cli("export", "--tracking-uri", uri, cwd=tmp_path)
        if how == "none":  # writable: read with its -wal
            assert done.returncode == 0, done.stderr
            assert set(read_dataset(tmp_path / "export")["experiments"]["name"]) >= {"renamed"}
            return
    assert done.returncode == 1, f"{how}: {done.stdout}"
    log = folder / "mlflow.db-wal"
    assert done.stderr.strip().endswith(UNREAD_WAL.format(log=log)), done.stderr
    assert (tmp_path / "export" / "manifest.json").read_bytes() == manifest
