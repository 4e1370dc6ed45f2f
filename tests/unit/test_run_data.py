"""The run data files: every run in full, cut into parts of bounded size."""

from __future__ import annotations

import json
import math

from mlreport.analysis import MetricHistory, RunDetail
from mlreport.site import _run_data
from mlreport.site._run_data import CUT_NOTE, VALUE_CHARS, run_data_files

PREFIX = "(window.mlreportData = window.mlreportData || []).push("


def _history(key: str, steps: int) -> MetricHistory:
    return MetricHistory(
        key, tuple(range(steps)), tuple(1.0 / (s + 1) for s in range(steps)), steps
    )


def _run(
    number: int, *, value: str = "x", steps: int = 0, metrics: int = 1, key: str = "p"
) -> RunDetail:
    histories = tuple(_history("loss" if m == 0 else f"loss{m}", steps) for m in range(metrics))
    return RunDetail(
        run_id=f"r{number}", run_name=f"run {number}", experiment_id="1",
        experiment_name="e", status="FINISHED", deleted=False, role="", model="",
        parent_run_id="", start_ms=0, duration_s=math.nan,
        params=((key, value),), metrics=(("m", math.inf), ("n", 0.5)), tags=(),
        artifacts=("model/MLmodel",), histories=histories if steps else (),
    )  # fmt: skip


def _data(text: str) -> dict:
    assert text.startswith(PREFIX) and text.endswith(");\n")
    return json.loads(text[len(PREFIX) : -3])


def _files(runs: list[RunDetail]) -> dict[str, str]:
    return run_data_files("mlflow/1", runs, title="someone's experiment")


def test_parts_stay_under_the_limit_and_hold_every_run(monkeypatch) -> None:
    monkeypatch.setattr(_run_data, "PART_BYTES", 2_000)
    runs = [_run(i, value="v" * 300, steps=50) for i in range(30)]
    files = _files(runs)
    parts = [_data(t) for p, t in sorted(files.items()) if "/runs-" in p]
    assert len(parts) > 1 and all(p["parts"] == len(parts) for p in parts)
    assert {p["title"] for p in parts} == {"someone's experiment"}
    assert [r["id"] for p in parts for r in p["runs"]] == [f"r{i}" for i in range(30)]
    for path, text in files.items():
        assert len(text.encode()) < 2 * 2_000 + 1_000, path  # one run past the limit at most
    histories = {p: _data(t) for p, t in files.items() if "/history-" in p}
    for run in (r for p in parts for r in p["runs"]):
        ((key, part, logged),) = run["history"]
        held = dict(histories[f"data/mlflow/1/history-{part}.js"]["runs"][run["id"]])
        assert key == "loss" and logged == 50 and held["loss"]["step"] == list(range(50))


def test_one_run_of_many_long_histories_is_spread_over_parts(monkeypatch) -> None:
    """A run whose histories together pass the limit has them in several files."""
    monkeypatch.setattr(_run_data, "PART_BYTES", 3_000)
    files = _files([_run(0, steps=200, metrics=6)])
    histories = {p: _data(t) for p, t in files.items() if "/history-" in p}
    assert len(histories) == 6  # one metric (about 3 KB) per file
    assert all(len(files[p].encode()) < 2 * 3_000 for p in histories)
    (run,) = _data(files["data/mlflow/1/runs-0.js"])["runs"]
    for key, part, _ in run["history"]:
        assert key in dict(histories[f"data/mlflow/1/history-{part}.js"]["runs"]["r0"])


def test_parts_are_cut_by_utf8_bytes_not_characters(monkeypatch) -> None:
    monkeypatch.setattr(_run_data, "PART_BYTES", 3_000)
    files = _files([_run(i, value="学習率" * 100) for i in range(10)])
    runs_files = [t for p, t in files.items() if "/runs-" in p]
    assert len(runs_files) > 3  # 900 bytes of value per run, though 300 characters
    assert all(len(t.encode()) < 2 * 3_000 for t in runs_files)


def test_long_values_are_cut_and_non_finite_numbers_are_strings() -> None:
    (text,) = _files([_run(0, value="y" * 6000)]).values()
    (run,) = _data(text)["runs"]
    assert run["params"] == [["p", "y" * VALUE_CHARS + CUT_NOTE.format(length=6000)]]
    assert run["metrics"] == [["m", "Infinity"], ["n", 0.5]]
    assert run["duration"] is None and run["artifacts"] == ["model/MLmodel"]


def test_any_key_is_kept_as_text() -> None:
    """Keys travel as pairs: an object literal would turn ``__proto__`` into a prototype."""
    (text,) = _files([_run(0, key="__proto__", value="a")]).values()
    (run,) = _data(text)["runs"]
    assert run["params"] == [["__proto__", "a"]]
