"""`mlreport check`: metric floors and the regression against a baseline, from mlreport.yaml."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mlreport.check import FLOOR, NO_EXPERIMENT, NO_SCORE_NOW, REGRESSION
from tests.builders import DatasetBuilder
from tests.conftest import run_cli

pytestmark = pytest.mark.integration


def _export(folder: Path, *, score: float, scored: bool = True) -> None:
    """One experiment whose best model has test ``score`` (none when not ``scored``)."""
    builder = DatasetBuilder()
    builder.experiment("1", "demo")
    builder.one_candidate_search(
        cv_score=score,
        test_scores={"roc_auc": score, "accuracy": score - 0.1} if scored else {},
    )
    builder.write(folder)


def test_metric_floors_pass_and_fail_with_their_values(tmp_path: Path) -> None:
    _export(tmp_path / "export", score=0.85)
    (tmp_path / "mlreport.yaml").write_text(
        "gates:\n  metric_floors:\n    demo: {roc_auc: 0.8, accuracy: 0.8}\n    gone: {f1: 0.5}\n"
    )
    done = run_cli("check", cwd=tmp_path)
    assert done.returncode == 1
    lines = done.stdout.strip().splitlines()
    assert lines == [
        "pass: demo / lr: " + FLOOR.format(metric="roc_auc", value="0.8500", floor=0.8),
        "FAIL: demo / lr: " + FLOOR.format(metric="accuracy", value="0.7500", floor=0.8),
        "FAIL: gone / (none): " + NO_EXPERIMENT.format(name="gone"),
    ]
    assert done.stderr.strip() == "error: 2 of 3 quality gates failed"
    (tmp_path / "mlreport.yaml").write_text("gates:\n  metric_floors:\n    demo: {roc_auc: 0.8}\n")
    passed = run_cli("check", cwd=tmp_path)
    assert passed.returncode == 0
    assert "ok: 1 of 1 quality gates passed on 1 models" in passed.stdout


def test_a_drop_against_the_base_beyond_the_allowed_regression_fails(tmp_path: Path) -> None:
    _export(tmp_path / "base", score=0.90)
    _export(tmp_path / "export", score=0.88)
    (tmp_path / "mlreport.yaml").write_text("gates: {max_regression: 0.01}\n")
    failed = run_cli("check", "--base", "base", cwd=tmp_path)
    assert failed.returncode == 1
    expected = REGRESSION.format(
        metric="roc_auc", value="0.8800", base="0.9000", change="-0.0200", allowed=0.01
    )
    assert f"FAIL: demo / lr: {expected}" in failed.stdout
    (tmp_path / "mlreport.yaml").write_text("gates: {max_regression: 0.05}\n")
    passed = run_cli("check", "--base", "base", cwd=tmp_path)
    assert passed.returncode == 0, passed.stdout
    (tmp_path / "mlreport.yaml").unlink()
    unset = run_cli("check", "--base", "base", cwd=tmp_path)
    assert unset.returncode == 0
    assert "warning: --base is given, but mlreport.yaml sets no gates.max_regression" in (
        unset.stderr
    )
    assert "ok: no quality gate to check" in unset.stdout


def test_invalid_gates_are_a_configuration_error(tmp_path: Path) -> None:
    _export(tmp_path / "export", score=0.85)
    (tmp_path / "mlreport.yaml").write_text("gates: {max_regression: -1, floors: {}}\n")
    done = run_cli("check", cwd=tmp_path)
    assert done.returncode == 2
    assert "max_regression" in done.stderr and "floors" in done.stderr


def test_an_experiment_that_lost_its_scored_best_model_fails_the_regression_gate(
    tmp_path: Path,
) -> None:
    _export(tmp_path / "base", score=0.90)
    _export(tmp_path / "export", score=0.5, scored=False)  # the search ran, nothing scored
    (tmp_path / "mlreport.yaml").write_text("gates: {max_regression: 0.01}\n")
    failed = run_cli("check", "--base", "base", cwd=tmp_path)
    assert failed.returncode == 1
    expected = NO_SCORE_NOW.format(metric="roc_auc", base=0.90)
    assert failed.stdout.strip() == f"FAIL: demo / (none): {expected}"


def _counts(tp: int, fn: int, fp: int, tn: int, group: str) -> list[tuple[str, str, str]]:
    pairs = (("yes", "yes", tp), ("yes", "no", fn), ("no", "yes", fp), ("no", "no", tn))
    return [(truth, predicted, group) for truth, predicted, count in pairs for _ in range(count)]


def test_failing_values_have_the_digits_that_tell_them_from_the_bound(tmp_path: Path) -> None:
    """Issue 17 item 8: a failing 0.104 against a maximum of 0.1 reads 0.104, not 0.10; a
    test score of 0.79996 against a floor of 0.8 reads 0.79996, not 0.8000."""
    builder = DatasetBuilder()
    builder.experiment("1", "demo")
    builder.one_candidate_search(cv_score=0.8, test_scores={"roc_auc": 0.79996})
    # true positive rates 0.6 and 0.496, false positive rates 0.2 in both groups
    rows = _counts(300, 200, 100, 400, "a") + _counts(248, 252, 100, 400, "b")
    builder.predictions["lr-best"] = pd.DataFrame(rows, columns=["y_true", "y_pred", "sensitive_g"])
    builder.write(tmp_path / "export")
    (tmp_path / "mlreport.yaml").write_text("gates:\n  metric_floors:\n    demo: {roc_auc: 0.8}\n")
    done = run_cli("check", cwd=tmp_path)
    assert done.returncode == 1
    assert "FAIL: demo / lr: best model's test roc_auc is 0.79996 (minimum 0.8)" in done.stdout
    assert (
        "demo / lr: equalized odds difference by g is 0.104 (maximum 0.1): "
        "true positive rate 0.50 for g = b, 0.60 for g = a"
    ) in done.stdout
    assert "demographic parity ratio by g is 0.87 (minimum 0.8)" in done.stdout
