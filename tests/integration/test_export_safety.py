"""The export trusts no file it carries over, and never changes the store it reads."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from mlreport import schema
from mlreport.dataset import read_dataset
from mlreport.export import _writer, export_store
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
