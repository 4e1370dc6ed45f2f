"""The README's main job: `mlreport build` on the bundled examples, checked page by page."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_ratio,
    equalized_odds_difference,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)

from mlreport.analysis import TOP_FEATURES, experiment_results, fairness_report
from mlreport.config import discover_experiment_files, load_experiments
from mlreport.dataset import read_dataset
from mlreport.site import model_path, page_url
from mlreport.site._links import fairness_path, scaling_path
from tests.conftest import run_cli
from tests.htmltools import table_rows, visible_text

pytestmark = [pytest.mark.integration, pytest.mark.timeout(1200)]


@pytest.fixture(scope="module")
def project(examples_project: Path) -> Path:
    return examples_project


def test_every_example_model_has_its_evidence_explanations_and_weights(project: Path) -> None:
    specs = load_experiments(discover_experiment_files(project / "experiments"))
    assert {spec.task for spec in specs} == {"classification", "regression"}
    assert any(spec.name == "digits" for spec in specs)  # multi-class
    dataset = read_dataset(project / "export")
    results = {r.name: r for r in experiment_results(dataset)}
    for spec in specs:
        for model in spec.models:
            result = next(m for m in results[spec.name].models if m.name == model.name)
            page = (project / "site" / page_url(model_path(spec.name, model.name))).read_text()
            where = f"{spec.name} / {model.name}"
            if spec.task == "regression":
                assert 'id="chart-predicted-data"' in page and 'id="chart-residuals-data"' in page
            else:
                assert 'id="chart-confusion-data"' in page, where
                labels = [row[0] for row in table_rows(page, "classes")]
                assert len(labels) == (10 if spec.name == "digits" else 2), where
            assert 'id="chart-importance-data"' in page, where
            assert 'id="chart-beeswarm-data"' in page, where
            assert result.explainer in ("tree", "linear", "kernel"), where
            text = visible_text(page)
            assert "Weights (eli5)" in text, where
            # eli5: coefficients, tree importances, or else permutation importance
            assert result.best_run_id in dataset.weights, where
            weights = dataset.weights[result.best_run_id or ""]
            outputs = weights["output"].nunique()
            limit = TOP_FEATURES if outputs <= 2 else max(5, 2 * TOP_FEATURES // outputs)
            shown = sum(min(limit, n) for n in weights.groupby("output").size())
            assert len(table_rows(page, "weights")) == shown, where
            expected = "coefficients" if result.explainer == "linear" else None
            assert expected is None or result.weights_kind == expected, where


def test_every_example_has_a_scaling_page_with_exponents_and_a_verdict(project: Path) -> None:
    specs = load_experiments(discover_experiment_files(project / "experiments"))
    for spec in specs:
        assert spec.scaling is not None, spec.name
        page = (project / "site" / page_url(scaling_path(spec.name))).read_text()
        rows = {row[0]: row for row in table_rows(page, "scaling")}
        assert set(rows) == {m.name for m in spec.scaled_models()}, spec.name
        text = visible_text(page)
        for model, row in rows.items():
            exponent = float(row[2].split(" ")[0])
            assert -0.5 < exponent < 3.5, (spec.name, model, row)
            assert row[8] in {
                "no scaling needed",
                "parallel search on more workers",
                "incremental (partial_fit) search out of core",
                "more memory (no partial_fit)",
            }, (spec.name, model, row)
            assert f"{model}. Fit time grows as rows^" in text, (spec.name, model)
        if spec.scaling.workers:
            workers = sorted({int(row[1]) for row in table_rows(page, "parallel")})
            assert workers == sorted(set(spec.scaling.workers)), spec.name


def _cell_number(cell: str) -> float:
    text = cell.split(" ")[0].replace(",", "")
    return math.nan if text == "\u2014" else float(text)


def _cell_interval(cell: str) -> tuple[float, float]:
    low, high = cell.split("(")[1].rstrip(")").split("\u2013")
    return float(low), float(high)


def test_adult_fairness_pages_equal_fairlearn_on_the_exported_predictions(project: Path) -> None:
    dataset = read_dataset(project / "export")
    adult = next(r for r in experiment_results(dataset) if r.name == "adult-income")
    assert adult.fairness is not None
    assert adult.fairness.groupings == (("sex",), ("race",), ("sex", "race"))
    for model in adult.models:
        predictions = dataset.predictions[model.best_run_id or ""]
        y_true = predictions["y_true"] == ">50K"
        y_pred = predictions["y_pred"] == ">50K"
        page = (project / "site" / page_url(fairness_path(adult.name, model.name))).read_text()
        for number, features in enumerate([["sex"], ["race"], ["sex", "race"]], start=1):
            sensitive = predictions[[f"sensitive_{name}" for name in features]]
            direct = MetricFrame(
                metrics={
                    "selection_rate": selection_rate,
                    "true_positive_rate": true_positive_rate,
                    "false_positive_rate": false_positive_rate,
                },
                y_true=y_true,
                y_pred=y_pred,
                sensitive_features=sensitive,
            ).by_group
            rows = table_rows(page, f"groups-{number}")
            judged = []
            for row in rows:
                key = tuple(row[: len(features)])
                where = (adult.name, model.name, key)
                in_group = (sensitive == list(key)).all(axis=1)
                assert _cell_number(row[len(features)]) == in_group.sum(), where
                if "too small" not in row[len(features)]:
                    judged.append(in_group)
                for offset, metric in enumerate(direct.columns, start=len(features) + 1):
                    value = _cell_number(row[offset])
                    truth = y_true[in_group]
                    if (metric == "true_positive_rate" and not truth.any()) or (
                        metric == "false_positive_rate" and truth.all()
                    ):
                        assert math.isnan(value), where  # undefined: shown as a dash
                        continue
                    expected = direct.loc[key if len(key) > 1 else key[0], metric]
                    assert value == pytest.approx(expected, abs=5e-4), (where, metric)
                    low, high = _cell_interval(row[offset])
                    assert low - 5e-4 <= value <= high + 5e-4, (where, metric)
            # the thresholds: fairlearn's functions on the groups large enough to judge
            rows_judged = np.any(judged, axis=0)
            thresholds = table_rows(page, f"thresholds-{number}")
            ratio = demographic_parity_ratio(
                y_true[rows_judged], y_pred[rows_judged], sensitive_features=sensitive[rows_judged]
            )
            assert _cell_number(thresholds[0][1]) == pytest.approx(ratio, abs=5e-4), number
            low, high = (float(v) for v in thresholds[0][2].split("\u2013"))
            assert low - 5e-4 <= _cell_number(thresholds[0][1]) <= high + 5e-4
            every_rate_defined = all(
                y_true[group].any() and not y_true[group].all() for group in judged
            )
            if every_rate_defined:
                odds = equalized_odds_difference(
                    y_true[rows_judged],
                    y_pred[rows_judged],
                    sensitive_features=sensitive[rows_judged],
                )
                assert _cell_number(thresholds[1][1]) == pytest.approx(odds, abs=5e-4), number
            # disparities: largest minus smallest selection rate of the judged groups
            disparity = table_rows(page, f"disparities-{number}")[0]
            rates = [y_pred[group].mean() for group in judged]
            assert _cell_number(disparity[3]) == pytest.approx(max(rates) - min(rates), abs=5e-4)


def test_adult_intervals_narrow_as_the_sample_grows(project: Path) -> None:
    dataset = read_dataset(project / "export")
    adult = next(r for r in experiment_results(dataset) if r.name == "adult-income")
    predictions = dataset.predictions[adult.models[0].best_run_id or ""]
    quarter = predictions.sample(frac=0.25, random_state=0)
    small = fairness_report(quarter, ["sex"], bootstrap=1000)
    full = fairness_report(predictions, ["sex"], bootstrap=1000)
    for report in (small, full):
        for row in report.groups:
            for metric, value in row.metrics.items():
                low, high = row.intervals[metric]
                assert low <= value <= high, (metric, row.group)

    def width(interval: tuple[float, float]) -> float:
        return interval[1] - interval[0]

    # four times the rows: every interval narrower, typically half as wide (1 / sqrt(4));
    # a rare event (women's false positive rate, about 2%) varies more with the sample
    ratios = [
        width(row_full.intervals[metric]) / width(row_small.intervals[metric])
        for row_small, row_full in zip(small.groups, full.groups, strict=True)
        for metric in ("selection_rate", "true_positive_rate", "false_positive_rate")
    ]
    assert max(ratios) < 1, ratios
    assert 0.35 < float(np.median(ratios)) < 0.65, ratios
    ratio = width(full.thresholds[0].interval) / width(small.thresholds[0].interval)
    assert 0.35 < ratio < 0.7, ratio


def test_check_fails_on_the_adult_four_fifths_rule_and_names_it(project: Path) -> None:
    done = run_cli("check", cwd=project)
    assert done.returncode == 1
    dataset = read_dataset(project / "export")
    adult = next(r for r in experiment_results(dataset) if r.name == "adult-income")
    for model in adult.models:
        predictions = dataset.predictions[model.best_run_id or ""]
        ratio = demographic_parity_ratio(
            predictions["y_true"] == ">50K",
            predictions["y_pred"] == ">50K",
            sensitive_features=predictions["sensitive_sex"],
        )
        assert (
            f"FAIL: adult-income / {model.name}: demographic parity ratio by sex is {ratio:.2f} "
            "(minimum 0.8): selection rate"
        ) in done.stdout
    assert "quality gates failed" in done.stderr
