"""The run data files: every run in full, cut into parts of bounded size."""

from __future__ import annotations

import json
import math

from mlreport.analysis import MetricHistory, RunDetail
from mlreport.site import _run_data
from mlreport.site._run_data import CUT_NOTE, VALUE_CHARS, run_data_files

PREFIX = "(window.mlreportData = window.mlreportData || []).push("


def _run(number: int, *, value: str = "x", steps: int = 0) -> RunDetail:
    history = MetricHistory(
        "loss", tuple(range(steps)), tuple(1.0 / (s + 1) for s in range(steps)),
        tuple(range(steps)), steps,
    )  # fmt: skip
    return RunDetail(
        run_id=f"r{number}", run_name=f"run {number}", experiment_id="1",
        experiment_name="e", status="FINISHED", deleted=False, role="", model="",
        parent_run_id="", start_ms=0, duration_s=math.nan,
        params=(("p", value),), metrics=(("m", math.inf), ("n", 0.5)), tags=(),
        artifacts=("model/MLmodel",), histories=(history,) if steps else (),
    )  # fmt: skip


def _data(text: str) -> dict:
    assert text.startswith(PREFIX) and text.endswith(");\n")
    return json.loads(text[len(PREFIX) : -3])


def test_parts_stay_under_the_limit_and_hold_every_run(monkeypatch) -> None:
    monkeypatch.setattr(_run_data, "PART_BYTES", 2_000)
    runs = [_run(i, value="v" * 300, steps=50) for i in range(30)]
    files = run_data_files("mlflow/1", runs)
    parts = [_data(t) for p, t in sorted(files.items()) if "/runs-" in p]
    assert len(parts) > 1 and all(p["parts"] == len(parts) for p in parts)
    assert [r["id"] for p in parts for r in p["runs"]] == [f"r{i}" for i in range(30)]
    for path, text in files.items():
        assert len(text.encode()) < 2 * 2_000 + 1_000, path  # one run past the limit at most
    histories = {p: _data(t) for p, t in files.items() if "/history-" in p}
    for run in (r for p in parts for r in p["runs"]):
        part, logged = run["history"]["loss"]
        held = histories[f"data/mlflow/1/history-{part}.js"]["runs"][run["id"]]["loss"]
        assert logged == 50 and held["step"] == list(range(50))


def test_long_values_are_cut_and_non_finite_numbers_are_strings() -> None:
    (text,) = run_data_files("mlflow/1", [_run(0, value="y" * 6000)]).values()
    (run,) = _data(text)["runs"]
    assert run["params"]["p"] == "y" * VALUE_CHARS + CUT_NOTE.format(length=6000)
    assert run["metrics"] == {"m": "Infinity", "n": 0.5}
    assert run["duration"] == "NaN" and run["artifacts"] == ["model/MLmodel"]
