"""`mlreport fairness` on scored files made elsewhere, and `mlreport check` on the gates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_ratio,
    equalized_odds_difference,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from mlreport.fairness import MISSING_COLUMNS
from mlreport.site import page_url
from mlreport.site._links import fairness_path
from tests.conftest import REPO, run_cli
from tests.htmltools import table_rows, visible_text

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

ADULT_COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
    "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
    "hours-per-week", "native-country", "income",
]  # fmt: skip
NUMERIC = ["age", "education-num", "capital-gain", "capital-loss", "hours-per-week"]


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """Adult rows scored by a logistic regression trained on other rows: a model made
    elsewhere, with its true labels, predictions, scores and the people's sex and race."""
    adult = pd.read_csv(
        REPO / "experiments/data/adult/adult.data.gz",
        header=None,
        names=ADULT_COLUMNS,
        skipinitialspace=True,
    )
    train, test = adult.iloc[:6000], adult.iloc[6000:12000]
    model = LogisticRegression(max_iter=1000).fit(train[NUMERIC], train["income"] == ">50K")
    score = model.predict_proba(test[NUMERIC])[:, 1]
    return pd.DataFrame(
        {
            "income": (test["income"] == ">50K").astype(int).to_numpy(),
            "predicted": (score > 0.5).astype(int),
            "score": score,
            "sex": test["sex"].to_numpy(),
            "race": test["race"].to_numpy(),
        }
    )


def _direct(scored: pd.DataFrame, features: list[str]) -> pd.DataFrame:
    frame = MetricFrame(
        metrics={
            "selection_rate": selection_rate,
            "true_positive_rate": true_positive_rate,
            "false_positive_rate": false_positive_rate,
        },
        y_true=scored["income"],
        y_pred=scored["predicted"],
        sensitive_features=scored[features],
    )
    auc = MetricFrame(
        metrics={"roc_auc": roc_auc_score},
        y_true=scored["income"],
        y_pred=scored["score"],
        sensitive_features=scored[features],
    )
    return frame.by_group.join(auc.by_group)


def _number(cell: str) -> float:
    text = cell.split(" ")[0].replace(",", "")
    return float("nan") if text == "\u2014" else float(text)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_scored_file_gets_the_report_fairlearn_computes(
    scored: pd.DataFrame, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"scored{suffix}"
    scored.to_csv(path, index=False) if suffix == ".csv" else scored.to_parquet(path)
    done = run_cli(
        "fairness", "--predictions", str(path), "--y-true", "income", "--y-pred", "predicted",
        "--sensitive", "sex,race", "--score", "score", "--out", "report", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "report" / "index.html").read_text()
    # one table per grouping: sex, race, sex x race
    for number, features in enumerate([["sex"], ["race"], ["sex", "race"]], start=1):
        direct = _direct(scored, features)
        rows = table_rows(page, f"groups-{number}")
        assert len(rows) == len(direct.dropna(how="all"))
        for row in rows:
            key = tuple(row[: len(features)])
            expected = direct.loc[key if len(key) > 1 else key[0]]
            size = len(scored[(scored[features] == list(key)).all(axis=1)])
            assert _number(row[len(features)]) == size
            values = [_number(cell) for cell in row[len(features) + 1 :]]
            truth = scored.loc[(scored[features] == list(key)).all(axis=1), "income"]
            undefined = {  # shown as a dash; fairlearn's rate functions return 0 there
                "true_positive_rate": not truth.any(),
                "false_positive_rate": truth.all(),
                "roc_auc": truth.nunique() < 2,
            }
            shown = dict(zip(direct.columns[:3], values[:3], strict=True))
            shown["roc_auc"] = values[5]  # after precision and accuracy
            for metric, value in shown.items():
                if undefined.get(metric):
                    assert np.isnan(value), (key, metric)
                else:
                    assert value == pytest.approx(expected[metric], abs=5e-4), (key, metric)
    thresholds = table_rows(page, "thresholds-1")  # by sex: every group large enough
    expected_ratio = demographic_parity_ratio(
        scored["income"], scored["predicted"], sensitive_features=scored["sex"]
    )
    expected_odds = equalized_odds_difference(
        scored["income"], scored["predicted"], sensitive_features=scored["sex"]
    )
    assert _number(thresholds[0][1]) == pytest.approx(expected_ratio, abs=5e-4)
    assert _number(thresholds[1][1]) == pytest.approx(expected_odds, abs=5e-4)
    assert thresholds[0][4].startswith("fail") and expected_ratio < 0.8
    assert f"FAIL: demographic parity ratio by sex is {expected_ratio:.2f}" in done.stdout


def test_a_missing_column_is_one_line_and_keeps_the_previous_report(
    scored: pd.DataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "scored.csv"
    scored.to_csv(path, index=False)
    base = ["fairness", "--predictions", str(path), "--y-true", "income", "--y-pred", "predicted"]
    assert run_cli(*base, "--sensitive", "sex", cwd=tmp_path).returncode == 0
    before = (tmp_path / "fairness-report" / "index.html").read_bytes()
    failed = run_cli(*base, "--sensitive", "sex,gender", cwd=tmp_path)
    assert failed.returncode == 1
    expected = MISSING_COLUMNS.format(
        path=path, names="gender", available="income, predicted, score, sex, race"
    )
    assert failed.stderr.strip() == f"error: {expected}"
    assert (tmp_path / "fairness-report" / "index.html").read_bytes() == before
    bad = run_cli(*base, "--sensitive", "sex", "--threshold", "parity>0.8", cwd=tmp_path)
    assert bad.returncode == 1 and "is not METRIC>=BOUND" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


def _exact(path: Path, *, unfair: bool) -> None:
    """Two groups of 1,000 people with these exact confusion counts (TP, FN, FP, TN)."""
    counts = {"a": (240, 60, 70, 630), "b": (120, 180, 10, 690) if unfair else (240, 60, 70, 630)}
    rows = []
    for group, (tp, fn, fp, tn) in counts.items():
        for truth, predicted, count in ((1, 1, tp), (1, 0, fn), (0, 1, fp), (0, 0, tn)):
            rows += [(truth, predicted, group)] * count
    pd.DataFrame(rows, columns=["truth", "predicted", "group"]).to_csv(path, index=False)


def _log(tmp_path: Path, name: str, *, unfair: bool) -> None:
    path = tmp_path / f"{name}.csv"
    _exact(path, unfair=unfair)
    logged = run_cli(
        "fairness", "--predictions", str(path), "--y-true", "truth", "--y-pred", "predicted",
        "--sensitive", "group", "--experiment", "vendors", "--name", name, cwd=tmp_path,
    )  # fmt: skip
    assert logged.returncode == 0, logged.stderr


def test_logged_predictions_reach_the_site_and_check_fails_only_on_a_failing_threshold(
    tmp_path: Path,
) -> None:
    _log(tmp_path, "fair-model", unfair=False)
    assert run_cli("export", cwd=tmp_path).returncode == 0
    passed = run_cli("check", cwd=tmp_path)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "ok: 2 of 2 quality gates passed on 1 models" in passed.stdout

    _log(tmp_path, "biased-model", unfair=True)
    assert run_cli("export", cwd=tmp_path).returncode == 0
    failed = run_cli("check", cwd=tmp_path)
    assert failed.returncode == 1
    # group b is selected 130 / 1000 times, group a 310 / 1000: ratio 0.42
    assert (
        "FAIL: vendors / biased-model: demographic parity ratio by group is 0.42 "
        "(minimum 0.8): selection rate 0.13 for group = b, 0.31 for group = a"
    ) in failed.stdout
    # true positive rates 0.4 and 0.8: a gap of 0.4
    assert (
        "FAIL: vendors / biased-model: equalized odds difference by group is 0.40 "
        "(maximum 0.1): true positive rate 0.40 for group = b, 0.80 for group = a"
    ) in failed.stdout
    assert "pass: vendors / fair-model: demographic parity ratio by group is 1.00" in failed.stdout
    assert failed.stderr.strip() == "error: 2 of 4 quality gates failed"

    built = run_cli("site", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    page = (tmp_path / "site" / page_url(fairness_path("vendors", "biased-model"))).read_text()
    rows = {row[0]: row for row in table_rows(page, "groups-1")}
    assert _number(rows["b"][2]) == 0.13 and _number(rows["a"][2]) == 0.31
    assert "Predictions made outside mlreport" in visible_text(
        (tmp_path / "site" / "experiments" / "vendors" / "biased-model.html").read_text()
    )


def test_check_without_an_export_is_one_line(tmp_path: Path) -> None:
    done = run_cli("check", cwd=tmp_path)
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1 and "run `mlreport export`" in done.stderr
