"""Predictions logged with `mlreport fairness --experiment` next to a model mlreport searched:
marked external, never its best model unless they share its test split (issue 17 item 3)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlreport.analysis import analyse
from mlreport.dataset import read_dataset
from mlreport.fairness import SPLIT_WITHOUT_EXPERIMENT
from mlreport.site import experiment_path, model_path, page_url
from tests.conftest import run_cli
from tests.htmltools import elements, table_rows, visible_text

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

EXPERIMENT = """
name: people
seed: 0
data:
  kind: file
  path: people.csv
  target: y
  sensitive_features: [sex]
scoring: [roc_auc, accuracy]
explain: {enabled: false}
models:
  - name: lr
    estimator: sklearn.linear_model.LogisticRegression
    search: {strategy: grid, cv: 2, space: {C: [1.0]}}
"""
#: Between the searched model's test ROC AUC (about 0.8) and the external one's (about 1).
FLOOR = 0.95


def _project(root: Path) -> None:
    rng = np.random.default_rng(0)
    sex = rng.choice(["F", "M"], 800)
    x = rng.normal(size=800) + (sex == "M")
    (root / "experiments").mkdir()
    people = {"x": x, "sex": sex, "y": (x + rng.normal(size=800) > 0.5).astype(int)}
    pd.DataFrame(people).to_csv(root / "experiments" / "people.csv", index=False)
    (root / "experiments" / "people.yaml").write_text(EXPERIMENT)
    (root / "mlreport.yaml").write_text(
        f"gates:\n  metric_floors:\n    people: {{roc_auc: {FLOOR}}}\n"
    )


def _scored_elsewhere(path: Path) -> None:
    """400 rows of another test split, ranked almost perfectly, women rarely selected."""
    rng = np.random.default_rng(1)
    truth = rng.integers(0, 2, 400)
    sex = rng.choice(["F", "M"], 400)
    score = np.clip(truth * 0.6 + 0.2 + rng.normal(0, 0.1, 400), 0, 1)
    predicted = (score > 0.5) & ~((sex == "F") & (rng.random(400) < 0.7))
    frame = {"truth": truth, "predicted": predicted.astype(int), "score": score, "sex": sex}
    pd.DataFrame(frame).to_csv(path, index=False)


def _log(root: Path, *extra: str) -> str:
    logged = run_cli(
        "fairness", "--predictions", "vendor.csv", "--y-true", "truth", "--y-pred", "predicted",
        "--score", "score", "--sensitive", "sex", "--experiment", "people", "--name", "vendor",
        *extra, cwd=root,
    )  # fmt: skip
    assert logged.returncode == 0, logged.stderr
    for command in (("export",), ("site",)):
        done = run_cli(*command, cwd=root)
        assert done.returncode == 0, done.stderr
    return logged.stdout


def _home_best(root: Path) -> str:
    (row,) = table_rows((root / "site" / "index.html").read_text(), "experiments")
    return row[2]


def _diff(root: Path) -> tuple[list[str], list[str]]:
    """The experiment's row of `mlreport diff` against the base, and its section's lines."""
    done = run_cli("diff", "--base", "base", cwd=root)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    (row,) = [line for line in lines if line.startswith("| people |")]
    return [cell.strip() for cell in row.strip("|").split("|")], lines


def test_external_predictions_never_take_the_best_place_unless_they_share_the_test_split(
    tmp_path: Path,
) -> None:
    """Issue 17 item 3: external predictions scoring higher than mlreport's model stay out
    of the best place (analysis, home page, diff, metric floor) but get their page with
    curves and their fairness gates; with --same-test-split they compete."""
    _project(tmp_path)
    built = run_cli("build", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert run_cli("export", "--out", "base", cwd=tmp_path).returncode == 0
    _scored_elsewhere(tmp_path / "vendor.csv")

    logged = _log(tmp_path)
    assert "as external predictions, not ranked against mlreport's models" in logged
    (result,) = analyse(read_dataset(tmp_path / "export")).results
    lr, vendor = result.models
    assert (lr.name, vendor.name) == ("lr", "vendor") and vendor.external
    assert vendor.test_score("roc_auc") > FLOOR > lr.test_score("roc_auc")
    assert result.best_model is not None and result.best_model.name == "lr"
    assert _home_best(tmp_path) == "lr"
    experiment_page = (tmp_path / "site" / page_url(experiment_path("people"))).read_text()
    assert [row[0] for row in table_rows(experiment_page, "models")] == ["lr", "vendor (external)"]
    vendor_page = (tmp_path / "site" / page_url(model_path("people", "vendor"))).read_text()
    ids = {attrs.get("id") for _, attrs in elements(vendor_page)}
    assert {"chart-roc", "chart-pr"} <= ids  # curves from --score
    text = visible_text(vendor_page)
    assert "vendor (external)" in text and "never ranked against mlreport's models" in text
    row, lines = _diff(tmp_path)
    assert row[2] == "lr" and row[4] == "+0.0000"  # the best model did not change
    score = f"{lr.test_score('roc_auc'):.4f}"
    assert f"- Best model: **lr**, test roc\\_auc {score} → {score} (+0.0000)." in lines
    checked = run_cli("check", cwd=tmp_path)
    assert checked.returncode == 1
    lines = checked.stdout.splitlines()
    assert any(line.startswith("FAIL: people / lr: best model's test roc_auc is") for line in lines)
    assert not any("people / vendor: best model's" in line for line in lines)
    assert any(  # the external model's fairness gates are still checked
        line.startswith("FAIL: people / vendor: demographic parity ratio by sex is")
        for line in lines
    )

    logged = _log(tmp_path, "--same-test-split")
    assert "ranked against the experiment's models (same test split)" in logged
    (result,) = analyse(read_dataset(tmp_path / "export")).results
    assert result.best_model is not None and result.best_model.name == "vendor"
    assert _home_best(tmp_path) == "vendor (external)"
    assert _diff(tmp_path)[0][2] == "vendor"
    checked = run_cli("check", cwd=tmp_path)
    assert any(
        line.startswith("pass: people / vendor: best model's test roc_auc is")
        for line in checked.stdout.splitlines()
    )


def test_same_test_split_without_an_experiment_is_one_line(tmp_path: Path) -> None:
    """Issue 17 item 3: --same-test-split only means something for logged predictions."""
    _scored_elsewhere(tmp_path / "vendor.csv")
    done = run_cli(
        "fairness", "--predictions", "vendor.csv", "--y-true", "truth", "--y-pred", "predicted",
        "--sensitive", "sex", "--same-test-split", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1 and not (tmp_path / "fairness-report").exists()
    assert done.stderr.strip() == f"error: {SPLIT_WITHOUT_EXPERIMENT}"
