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

from mlreport import schema
from mlreport.dataset import read_dataset
from mlreport.fairness import MISSING_COLUMNS, MODEL_TAKEN, OTHER_SETTINGS, UNKNOWN_POSITIVE
from mlreport.run.tracking import Tracker
from mlreport.site import experiment_path, model_path, page_url
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
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    Tracker(uri).experiment_id("vendors", description="Scores bought in.")
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
    assert (  # equal rates: two different groups are named
        "pass: vendors / fair-model: demographic parity ratio by group is 1.00 (minimum 0.8): "
        "selection rate 0.31 for group = a, 0.31 for group = b"
    ) in failed.stdout
    assert failed.stderr.strip() == "error: 2 of 4 quality gates failed"

    found = Tracker(uri).existing_experiment("vendors")
    assert found is not None and found[1][schema.EXPERIMENT_DESCRIPTION_TAG] == "Scores bought in."

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


def test_logging_refuses_what_the_experiment_cannot_report_and_logs_nothing(
    tmp_path: Path,
) -> None:
    _log(tmp_path, "fair-model", unfair=False)  # the experiment now groups by "group"
    path = tmp_path / "regions.csv"
    pd.DataFrame(
        {"truth": [1, 0] * 50, "predicted": [1, 1] * 50, "region": ["n", "s"] * 50}
    ).to_csv(path, index=False)
    base = ["fairness", "--predictions", str(path), "--y-true", "truth", "--y-pred", "predicted"]
    refused = run_cli(*base, "--sensitive", "region", "--experiment", "vendors", cwd=tmp_path)
    assert refused.returncode == 1
    assert refused.stderr.strip() == "error: " + OTHER_SETTINGS.format(
        experiment="vendors",
        reason="no sensitive feature 'group' in the predictions (available: region)",
    )
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    tracker = Tracker(uri)
    experiment_id = tracker.experiment_id("vendors", description=None)
    assert set(tracker.latest_searches(experiment_id)) == {"fair-model"}  # nothing logged

    search = tracker.start_run(  # a model mlreport searched in that experiment
        experiment_id,
        name="house",
        tags={schema.TAG_ROLE: schema.ROLE_SEARCH, schema.TAG_MODEL: "house",
              schema.TAG_STRATEGY: "grid"},
    )  # fmt: skip
    tracker.finish(search)
    taken = run_cli(
        *base, "--sensitive", "region", "--experiment", "vendors", "--name", "house",
        cwd=tmp_path,
    )  # fmt: skip
    assert taken.returncode == 1
    assert taken.stderr.strip() == "error: " + MODEL_TAKEN.format(
        experiment="vendors", model="house"
    )


def test_positive_labels_are_checked_and_written_like_the_labels(tmp_path: Path) -> None:
    path = tmp_path / "scored.csv"
    _exact(path, unfair=True)
    base = ["fairness", "--predictions", str(path), "--y-true", "truth", "--y-pred", "predicted",
            "--sensitive", "group"]  # fmt: skip
    wrong = run_cli(*base, "--positive", "yes", cwd=tmp_path)
    assert wrong.returncode == 1
    assert wrong.stderr.strip() == "error: " + UNKNOWN_POSITIVE.format(
        positive="yes", labels="0, 1"
    )
    written = run_cli(*base, "--positive", "1.0", cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    page = visible_text((tmp_path / "fairness-report" / "index.html").read_text())
    assert "with '1' as the positive class" in page
    negative = run_cli(*base, "--positive", "0", "--out", "negative", cwd=tmp_path)
    assert negative.returncode == 0, negative.stderr
    rows = {r[0]: r for r in table_rows(
        (tmp_path / "negative" / "index.html").read_text(), "groups-1"
    )}  # fmt: skip
    assert _number(rows["b"][2]) == 0.87  # 690 + 180 of 1,000 predicted 0


def test_a_regression_file_gets_mean_errors_by_group(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    group = rng.choice(["a", "b"], 600)
    truth = rng.integers(0, 100, 600)  # whole numbers, read as integers
    predicted = truth + rng.normal(np.where(group == "a", 5.0, -2.0), 3.0)
    path = tmp_path / "regression.parquet"
    pd.DataFrame({"truth": truth, "predicted": predicted, "group": group}).to_parquet(path)
    done = run_cli(
        "fairness", "--predictions", str(path), "--y-true", "truth", "--y-pred", "predicted",
        "--sensitive", "group", "--task", "regression", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "fairness-report" / "index.html").read_text()
    errors = pd.Series(predicted - truth).groupby(group)
    for row in table_rows(page, "groups-1"):
        assert _number(row[2]) == pytest.approx(errors.mean()[row[0]], abs=5e-4)
        assert _number(row[3]) == pytest.approx(
            errors.apply(lambda e: e.abs().mean())[row[0]], abs=5e-4
        )
    assert table_rows(page, "thresholds-1") == []  # thresholds need a classifier


EXPERIMENT = """
name: people
seed: 0
data:
  kind: file
  path: people.csv
  target: y
  sensitive_features: [sex]
explain: {enabled: false}
models:
  - name: lr
    estimator: sklearn.linear_model.LogisticRegression
    search: {strategy: grid, cv: 2, space: {C: [1.0]}}
"""


def test_editing_the_fairness_section_changes_the_report_without_searching_again(
    tmp_path: Path,
) -> None:
    rng = np.random.default_rng(0)
    sex = rng.choice(["F", "M"], 800)
    x = rng.normal(size=800) + (sex == "M")
    (tmp_path / "experiments").mkdir()
    people = {"x": x, "sex": sex, "y": (x + rng.normal(size=800) > 0.5).astype(int)}
    pd.DataFrame(people).to_csv(tmp_path / "experiments" / "people.csv", index=False)
    experiment = tmp_path / "experiments" / "people.yaml"
    experiment.write_text(EXPERIMENT)
    first = run_cli("build", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    page = tmp_path / "site" / page_url(fairness_path("people", "lr"))
    assert [row[0] for row in table_rows(page.read_text(), "thresholds-1")] == [
        "demographic parity ratio",
        "equalized odds difference",
    ]
    experiment.write_text(
        EXPERIMENT + "fairness:\n  thresholds: {demographic_parity_difference: {max: 0.9}}\n"
    )
    second = run_cli("build", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "ran 0 model searches" in second.stdout and "skipped 1 unchanged" in second.stdout
    (row,) = table_rows(page.read_text(), "thresholds-1")
    assert row[0] == "demographic parity difference" and row[4] == "pass"
    checked = run_cli("check", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "ok: 1 of 1 quality gates passed on 1 models" in checked.stdout


def _people(rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 2, rows)
    return pd.DataFrame(
        {
            "truth": truth,
            "predicted": np.where(rng.random(rows) < 0.8, truth, 1 - truth).astype(float),
            "sex": rng.choice(["F", "M"], rows),
        }
    )


def _fairness(path: Path, *extra: str) -> list[str]:
    return [
        "fairness", "--predictions", str(path), "--y-true", "truth", "--y-pred", "predicted",
        "--sensitive", "sex", "--bootstrap", "0", *extra,
    ]  # fmt: skip


def test_rows_without_a_prediction_are_counted_on_the_cli_and_the_report(tmp_path: Path) -> None:
    """Issue 17 item 6: 50 of 500 rows have no prediction: "450 of 500 rows; 50 dropped:
    missing prediction", not "Rows 450"."""
    people = _people(500)
    people.loc[people.index[::10], "predicted"] = np.nan
    path = tmp_path / "scored.csv"
    people.to_csv(path, index=False)
    result = run_cli(*_fairness(path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"{path}: 450 of 500 rows; 50 dropped: missing prediction" in result.stdout
    page = visible_text((tmp_path / "fairness-report" / "index.html").read_text())
    assert "450 of 500 rows; 50 dropped: missing prediction" in page

    # logged into a store: the site's model and fairness pages count them too, and the
    # runs say where they were logged from (so a killed logger's runs get closed)
    logged = run_cli(*_fairness(path, "--experiment", "vendors", "--name", "vendor"), cwd=tmp_path)
    assert logged.returncode == 0, logged.stderr
    for command in (("export",), ("site",)):
        done = run_cli(*command, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    site = tmp_path / "site"
    for page_path in (model_path("vendors", "vendor"), fairness_path("vendors", "vendor")):
        text = visible_text((site / page_url(page_path)).read_text())
        assert "450 of 500 rows; 50 dropped: missing prediction" in text, page_path
    experiment_page = visible_text((site / page_url(experiment_path("vendors"))).read_text())
    assert "dropped" not in experiment_page  # the experiment's own data counted nothing
    tags = read_dataset(tmp_path / "export")["tags"]
    keys = set(tags["key"])
    assert {schema.TAG_HOST, schema.TAG_PID, schema.TAG_PROCESS_START} <= keys


def test_separators_and_compression_are_read_as_pandas_does(tmp_path: Path) -> None:
    """Issue 17 item 8: a `;`-separated gzip file is read (its separator found from the
    header), a tab-separated one with --sep, and a wrong --sep suggests the right one."""
    people = _people(400)
    semicolons = tmp_path / "scored.csv.gz"
    people.to_csv(semicolons, sep=";", index=False, compression="gzip")
    found = run_cli(*_fairness(semicolons), cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    assert f"{semicolons}: 400 rows" in found.stdout
    tabs = tmp_path / "scored.txt"
    people.to_csv(tabs, sep="\t", index=False)
    given = run_cli(*_fairness(tabs, "--sep", "\t"), cwd=tmp_path)
    assert given.returncode == 0, given.stderr
    wrong = run_cli(*_fairness(semicolons, "--sep", ","), cwd=tmp_path)
    assert wrong.returncode == 1
    (line,) = wrong.stderr.strip().splitlines()
    assert line.endswith("it is read as one column: give its separator, e.g. --sep ';'")
