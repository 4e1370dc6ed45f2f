"""Fairness report against fairlearn's MetricFrame and disparity functions."""

from __future__ import annotations

import math
from functools import partial

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
    equalized_odds_ratio,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from sklearn.metrics import accuracy_score, confusion_matrix, precision_score, roc_auc_score

from mlreport.analysis._fairness import (
    MULTICLASS,
    UNKNOWN_FEATURE,
    UNKNOWN_METRIC,
    _classification_metrics,
    _resampled_counts,
    fairness_report,
    model_fairness,
)
from mlreport.config import (
    CLASSIFICATION_METRICS,
    DEFAULT_THRESHOLDS,
    THRESHOLD_METRICS,
    UNKNOWN_THRESHOLD,
    FairnessSettings,
    Threshold,
)
from mlreport.text import fairness_findings, undefined_reason

POSITIVE, NEGATIVE = ">50K", "<=50K"
ALL_THRESHOLDS = (
    Threshold("demographic_parity_ratio", 0.8, "min"),
    Threshold("demographic_parity_difference", 0.1, "max"),
    Threshold("equalized_odds_difference", 0.1, "max"),
    Threshold("equalized_odds_ratio", 0.8, "min"),
)


def _predictions(n: int = 3000, seed: int = 0) -> pd.DataFrame:
    """Men are positive and predicted positive more often; race shifts the error rates."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(["Female", "Male"], n, p=[0.4, 0.6])
    race = rng.choice(["A", "B", "C"], n, p=[0.5, 0.3, 0.2])
    actual = rng.random(n) < np.where(sex == "Male", 0.45, 0.25)
    hit = rng.random(n) < np.select([race == "A", race == "B"], [0.9, 0.8], 0.7)
    predicted = np.where(hit, actual, ~actual) & (rng.random(n) < np.where(sex == "Male", 1, 0.6))
    score = np.clip(0.35 + 0.3 * actual + rng.normal(0, np.where(race == "C", 0.3, 0.15)), 0, 1)
    return pd.DataFrame(
        {
            "y_true": np.where(actual, POSITIVE, NEGATIVE),
            "y_pred": np.where(predicted, POSITIVE, NEGATIVE),
            f"proba_{NEGATIVE}": 1 - score,
            f"proba_{POSITIVE}": score,
            "sensitive_sex": sex,
            "sensitive_race": race,
        }
    )


def _rows(group: str, *, tp: int, fn: int, fp: int, tn: int) -> pd.DataFrame:
    """A group's rows with exactly these confusion counts."""
    cells = [(POSITIVE, POSITIVE)] * tp + [(POSITIVE, NEGATIVE)] * fn
    cells += [(NEGATIVE, POSITIVE)] * fp + [(NEGATIVE, NEGATIVE)] * tn
    return pd.DataFrame(cells, columns=["y_true", "y_pred"]).assign(sensitive_group=group)


def _direct_frame(predictions: pd.DataFrame, columns: list[str]) -> MetricFrame:
    return MetricFrame(
        metrics={
            "selection_rate": partial(selection_rate, pos_label=POSITIVE),
            "true_positive_rate": partial(true_positive_rate, pos_label=POSITIVE),
            "false_positive_rate": partial(false_positive_rate, pos_label=POSITIVE),
            "precision": partial(precision_score, pos_label=POSITIVE, zero_division=np.nan),
            "accuracy": accuracy_score,
        },
        y_true=predictions["y_true"],
        y_pred=predictions["y_pred"],
        sensitive_features=predictions[columns],
    )


def _direct_auc_frame(predictions: pd.DataFrame, columns: list[str]) -> MetricFrame:
    return MetricFrame(
        metrics={"roc_auc": roc_auc_score},
        y_true=predictions["y_true"] == POSITIVE,
        y_pred=predictions[f"proba_{POSITIVE}"],
        sensitive_features=predictions[columns],
    )


def _binary(predictions: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    return (
        (predictions["y_true"] == POSITIVE).to_numpy(dtype=int),
        (predictions["y_pred"] == POSITIVE).to_numpy(dtype=int),
    )


@pytest.mark.parametrize("features", [["sex"], ["sex", "race"]])
def test_group_metrics_sizes_and_confusion_equal_fairlearn(features: list[str]) -> None:
    predictions = _predictions()
    report = fairness_report(predictions, features, bootstrap=20)
    columns = [f"sensitive_{name}" for name in features]
    direct = _direct_frame(predictions, columns).by_group.join(
        _direct_auc_frame(predictions, columns).by_group
    )
    sizes = predictions.groupby(columns).size()
    assert report.task == "classification"
    assert report.positive == POSITIVE
    assert report.features == tuple(features)
    assert [row.group for row in report.groups] == [
        (k,) if isinstance(k, str) else k for k in sizes.index
    ]
    for row in report.groups:
        key = row.group if len(row.group) > 1 else row.group[0]
        assert row.size == sizes.loc[key]
        assert set(row.metrics) == set(direct.columns)
        for metric, value in row.metrics.items():
            assert value == pytest.approx(direct.loc[key, metric], abs=1e-12), metric
        chosen = (predictions[columns] == list(row.group)).all(axis=1)
        expected = confusion_matrix(
            predictions.loc[chosen, "y_true"],
            predictions.loc[chosen, "y_pred"],
            labels=[NEGATIVE, POSITIVE],
        )
        assert row.confusion == tuple(map(tuple, expected.tolist()))


def test_disparities_and_thresholds_equal_fairlearn_functions() -> None:
    predictions = _predictions()
    columns = ["sensitive_sex", "sensitive_race"]
    report = fairness_report(predictions, ["sex", "race"], thresholds=ALL_THRESHOLDS, bootstrap=20)
    assert not any(row.too_small for row in report.groups)
    direct = _direct_frame(predictions, columns)
    by_metric = {d.metric: d for d in report.disparities}
    for frame in (direct, _direct_auc_frame(predictions, columns)):
        for metric in frame.by_group.columns:
            assert by_metric[metric].difference == pytest.approx(frame.difference()[metric])
            assert by_metric[metric].ratio == pytest.approx(frame.ratio()[metric])
    assert set(by_metric) == {*CLASSIFICATION_METRICS, "roc_auc"}
    y_true, y_pred = _binary(predictions)
    sensitive = predictions[columns]
    functions = {
        "demographic_parity_ratio": demographic_parity_ratio,
        "demographic_parity_difference": demographic_parity_difference,
        "equalized_odds_difference": equalized_odds_difference,
        "equalized_odds_ratio": equalized_odds_ratio,
    }
    assert [r.threshold for r in report.thresholds] == list(ALL_THRESHOLDS)
    for result in report.thresholds:
        expected = functions[result.threshold.metric](y_true, y_pred, sensitive_features=sensitive)
        assert result.value == pytest.approx(expected), result.threshold.metric


def test_lowest_highest_and_worst_groups_follow_the_values() -> None:
    predictions = _predictions()
    report = fairness_report(predictions, ["sex"], bootstrap=20)
    selection = report.disparities[0]
    assert selection.metric == "selection_rate"
    assert selection.lowest_group == selection.worst_group == ("Female",)
    assert selection.highest_group == ("Male",)
    female, male = report.groups
    assert selection.lowest == female.metrics["selection_rate"]
    assert selection.highest == male.metrics["selection_rate"]
    false_positives = next(d for d in report.disparities if d.metric == "false_positive_rate")
    assert false_positives.worst_group == false_positives.highest_group


def test_intersections_are_the_combinations_present_in_the_data() -> None:
    predictions = _predictions()
    absent = (predictions["sensitive_sex"] == "Female") & (predictions["sensitive_race"] == "C")
    predictions = predictions[~absent]
    report = fairness_report(predictions, ["sex", "race"], bootstrap=10)
    assert [row.group for row in report.groups] == [
        ("Female", "A"),
        ("Female", "B"),
        ("Male", "A"),
        ("Male", "B"),
        ("Male", "C"),
    ]
    assert sum(row.size for row in report.groups) == len(predictions)
    assert fairness_findings(report)[0].startswith("Groups by the intersections of sex and race")


def test_intervals_contain_the_estimates_and_narrow_with_more_rows() -> None:
    small = fairness_report(_predictions(500, seed=1), ["sex"], bootstrap=200)
    large = fairness_report(_predictions(5000, seed=1), ["sex"], bootstrap=200)
    for report in (small, large):
        for row in report.groups:
            for metric, value in row.metrics.items():
                low, high = row.intervals[metric]
                assert low <= value <= high, (row.group, metric)
                assert low < high, (row.group, metric)
        selection = report.disparities[0]
        assert selection.difference_interval[0] <= selection.difference
        assert selection.difference <= selection.difference_interval[1]
        assert selection.ratio_interval[0] <= selection.ratio <= selection.ratio_interval[1]

    def width(interval: tuple[float, float]) -> float:
        return interval[1] - interval[0]

    for row_small, row_large in zip(small.groups, large.groups, strict=True):
        for metric in row_small.intervals:
            assert width(row_large.intervals[metric]) < 0.5 * width(row_small.intervals[metric])
    assert width(large.disparities[0].difference_interval) < 0.5 * width(
        small.disparities[0].difference_interval
    )
    assert width(large.thresholds[0].interval) < 0.5 * width(small.thresholds[0].interval)


def test_a_group_interval_has_the_binomial_width_of_its_own_size() -> None:
    report = fairness_report(_predictions(4000), ["race"], bootstrap=2000, seed=3)
    for row in report.groups:
        rate = row.metrics["selection_rate"]
        expected = 2 * 1.96 * math.sqrt(rate * (1 - rate) / row.size)
        low, high = row.intervals["selection_rate"]
        assert high - low == pytest.approx(expected, rel=0.2), row.group


def test_resampled_metrics_have_the_definitions_of_the_metric_frame() -> None:
    predictions = _predictions()
    report = fairness_report(predictions, ["sex", "race"], bootstrap=0)
    counts = np.array([[c for pair in row.confusion or () for c in pair] for row in report.groups])
    recomputed = _classification_metrics(counts)
    for g, row in enumerate(report.groups):
        for metric in CLASSIFICATION_METRICS:
            value = row.metrics[metric]
            assert recomputed[metric][g] == pytest.approx(value, abs=1e-12), metric


def test_resampling_keeps_every_group_size() -> None:
    counts = np.array([[5, 3, 2, 10], [40, 0, 1, 9], [1, 0, 0, 0]])
    drawn = _resampled_counts(counts, 50, np.random.default_rng(0))
    assert drawn.shape == (50, 3, 4)
    assert (drawn.sum(axis=2) == counts.sum(axis=1)).all()
    assert (drawn[:, 1, 1] == 0).all()  # a cell never observed is never drawn
    assert len({tuple(d[0]) for d in drawn}) > 1


def test_same_seed_gives_the_same_report_and_another_seed_other_intervals() -> None:
    predictions = _predictions(1000)
    first = fairness_report(predictions, ["sex", "race"], bootstrap=50, seed=7)
    again = fairness_report(predictions, ["sex", "race"], bootstrap=50, seed=7)
    other = fairness_report(predictions, ["sex", "race"], bootstrap=50, seed=8)
    assert repr(first) == repr(again)
    assert first.groups[0].metrics == other.groups[0].metrics
    assert first.groups[0].intervals != other.groups[0].intervals


def _constructed(b_selected: int) -> pd.DataFrame:
    """Groups a and b, 200 rows each, 100 positive; b selects ``b_selected`` positives."""
    a = _rows("a", tp=80, fn=20, fp=20, tn=80)
    b = _rows("b", tp=b_selected, fn=100 - b_selected, fp=20, tn=80)
    return pd.concat([a, b], ignore_index=True)


def test_thresholds_pass_and_fail_on_constructed_data() -> None:
    fair = fairness_report(_constructed(76), ["group"], thresholds=ALL_THRESHOLDS, bootstrap=100)
    unfair = fairness_report(_constructed(20), ["group"], thresholds=ALL_THRESHOLDS, bootstrap=100)
    values = {r.threshold.metric: r.value for r in fair.thresholds}
    assert values["demographic_parity_ratio"] == pytest.approx(0.96 / 1.0)
    assert values["demographic_parity_difference"] == pytest.approx(0.02)
    assert values["equalized_odds_difference"] == pytest.approx(0.04)
    assert values["equalized_odds_ratio"] == pytest.approx(0.76 / 0.8)
    assert [r.passed for r in fair.thresholds] == [True, True, True, True]
    assert [r.passed for r in unfair.thresholds] == [False, False, False, False]
    assert all(r.conclusive for r in unfair.thresholds)
    text = " ".join(fairness_findings(unfair))
    assert "Demographic parity ratio is 0.40" in text
    assert "below the 0.8 of the four-fifths rule: fails." in text
    assert "Equalized odds difference is 0.60" in text
    assert "above the maximum of 0.1: fails." in text
    assert "at or above the 0.8 of the four-fifths rule: passes" in " ".join(
        fairness_findings(fair)
    )
    assert "worst for group = b" in text


def test_default_thresholds_and_inconclusive_results() -> None:
    report = fairness_report(_constructed(70), ["group"], bootstrap=200)
    assert [r.threshold for r in report.thresholds] == list(DEFAULT_THRESHOLDS)
    ratio, odds = report.thresholds
    assert ratio.value == pytest.approx(0.9 / 1.0)
    assert ratio.passed is True
    assert odds.value == pytest.approx(0.1)
    assert odds.passed is True  # at the bound passes
    assert odds.conclusive is False
    assert "reaches across the bound" in fairness_findings(report)[-1]


def test_small_groups_are_flagged_shown_and_left_out_of_comparisons() -> None:
    tiny = _rows("c", tp=0, fn=5, fp=0, tn=5)  # selects nobody
    base = _constructed(76)
    report = fairness_report(pd.concat([base, tiny]), ["group"], bootstrap=50)
    without = fairness_report(base, ["group"], bootstrap=50)
    flagged = {row.group: row.too_small for row in report.groups}
    assert flagged == {("a",): False, ("b",): False, ("c",): True}
    assert report.groups[2].metrics["selection_rate"] == 0.0
    assert report.groups[2].confusion == ((5, 0), (5, 0))
    for with_small, alone in zip(report.disparities, without.disparities, strict=True):
        assert with_small.difference == pytest.approx(alone.difference)
        assert with_small.lowest_group != ("c",)
    assert [r.value for r in report.thresholds] == [r.value for r in without.thresholds]
    assert (
        "Too small to judge (fewer than 30 rows), shown but left out of the comparisons: "
        "group = c (10 rows)." in fairness_findings(report)
    )


def test_too_few_groups_to_compare_cannot_be_judged() -> None:
    report = fairness_report(_constructed(76), ["group"], min_group_size=300, bootstrap=20)
    assert all(row.too_small for row in report.groups)
    assert all(math.isnan(d.difference) and d.worst_group is None for d in report.disparities)
    assert [r.passed for r in report.thresholds] == [None, None]
    assert report.judged_groups == 0
    assert [r.undefined_reason for r in report.thresholds] == ["too-few-groups"] * 2
    assert (
        "Equalized odds difference cannot be judged: fewer than two groups large enough "
        "have a defined value." in fairness_findings(report)
    )
    assert "Fewer than two groups have at least 300 rows: nothing to compare." in fairness_findings(
        report
    )


def test_undefined_metrics_are_nan_and_said_so() -> None:
    no_positives = _rows("c", tp=0, fn=0, fp=10, tn=90)
    predictions = pd.concat([_constructed(76), no_positives], ignore_index=True)
    report = fairness_report(predictions, ["group"], bootstrap=50)
    row = report.groups[2]
    assert math.isnan(row.metrics["true_positive_rate"])
    assert all(math.isnan(v) for v in row.intervals["true_positive_rate"])
    assert row.metrics["false_positive_rate"] == pytest.approx(0.1)
    tpr = next(d for d in report.disparities if d.metric == "true_positive_rate")
    assert tpr.difference == pytest.approx(0.04)  # groups a and b only
    assert (
        "True positive rate is undefined for group = c (no positive cases)."
        in fairness_findings(report)
    )


def test_regression_mean_error_per_group_equals_a_groupby() -> None:
    rng = np.random.default_rng(5)
    n = 2000
    sex = rng.choice(["Female", "Male"], n)
    y_true = rng.normal(50, 10, n)
    y_pred = y_true + np.where(sex == "Male", 2.0, -1.0) + rng.normal(0, 5, n)
    predictions = pd.DataFrame({"y_true": y_true, "y_pred": y_pred, "sensitive_sex": sex})
    report = fairness_report(predictions, ["sex"], bootstrap=400)
    error = pd.Series(y_pred - y_true)
    expected = error.groupby(sex).mean()
    absolute = error.abs().groupby(sex).mean()
    assert report.task == "regression"
    assert report.positive is None
    assert report.thresholds == ()
    assert report.skipped_thresholds == DEFAULT_THRESHOLDS
    for row in report.groups:
        assert row.metrics["mean_error"] == pytest.approx(expected[row.group[0]])
        assert row.metrics["mean_absolute_error"] == pytest.approx(absolute[row.group[0]])
        assert row.confusion is None
        low, high = row.intervals["mean_error"]
        assert low <= row.metrics["mean_error"] <= high
        spread = error[sex == row.group[0]].std() / math.sqrt(row.size)
        assert high - low == pytest.approx(2 * 1.96 * spread, rel=0.3)
    mean_error = report.disparities[0]
    assert mean_error.difference == pytest.approx(expected["Male"] - expected["Female"])
    assert math.isnan(mean_error.ratio)  # one group under-predicts: a ratio means nothing
    assert mean_error.worst_group == ("Male",)
    assert fairness_findings(report)[-1] == (
        "Thresholds on demographic parity ratio and equalized odds difference need a "
        "classifier: not checked."
    )


def test_positive_label_defaults_to_the_second_probability_column() -> None:
    predictions = _rows("a", tp=30, fn=10, fp=5, tn=55).replace({POSITIVE: "yes", NEGATIVE: "no"})
    in_order = predictions.assign(proba_yes=0.5, proba_no=0.5)
    assert fairness_report(in_order, ["group"], bootstrap=0).positive == "no"
    assert fairness_report(predictions, ["group"], bootstrap=0).positive == "yes"
    report = fairness_report(predictions, ["group"], positive="no", bootstrap=0)
    assert report.groups[0].metrics["selection_rate"] == pytest.approx(0.65)
    assert all(math.isnan(v) for v in report.groups[0].intervals["selection_rate"])


def test_multiclass_needs_an_explicit_positive_class() -> None:
    predictions = pd.DataFrame(
        {
            "y_true": ["a", "b", "c"] * 20,
            "y_pred": ["a", "c", "c"] * 20,
            "sensitive_sex": ["F", "M"] * 30,
        }
    )
    with pytest.raises(ValueError) as error:
        fairness_report(predictions, ["sex"])
    assert str(error.value) == MULTICLASS.format(count=3)
    report = fairness_report(predictions, ["sex"], positive="c", bootstrap=10)
    rates = {row.group: row.metrics["selection_rate"] for row in report.groups}
    assert rates == {("F",): pytest.approx(2 / 3), ("M",): pytest.approx(2 / 3)}


def test_configuration_errors_are_the_module_messages() -> None:
    predictions = _predictions(100)
    with pytest.raises(ValueError) as error:
        fairness_report(predictions, ["age"])
    assert str(error.value) == UNKNOWN_FEATURE.format(name="age", available="race, sex")
    with pytest.raises(ValueError) as error:
        fairness_report(predictions, ["sex"], metrics=["mean_error"])
    assert str(error.value) == UNKNOWN_METRIC.format(
        task="classification",
        metric="mean_error",
        known=", ".join((*CLASSIFICATION_METRICS, "roc_auc")),
    )
    with pytest.raises(ValueError) as error:
        Threshold("statistical_parity", 0.8, "min")
    assert str(error.value) == UNKNOWN_THRESHOLD.format(
        metric="statistical_parity", known=", ".join(THRESHOLD_METRICS)
    )


def test_chosen_metrics_and_missing_sensitive_values() -> None:
    predictions = _predictions(600)
    predictions.loc[:99, "sensitive_sex"] = None
    report = fairness_report(
        predictions, ["sex"], metrics=["selection_rate", "accuracy"], bootstrap=10
    )
    assert [d.metric for d in report.disparities] == ["selection_rate", "accuracy"]
    assert set(report.groups[0].metrics) == {"selection_rate", "accuracy"}
    assert [row.group for row in report.groups] == [("(missing)",), ("Female",), ("Male",)]
    assert report.groups[0].size == 100
    assert [r.threshold.metric for r in report.thresholds] == [
        "demographic_parity_ratio",
        "equalized_odds_difference",
    ]


def test_group_roc_auc_intervals_resample_rows_like_scikit_learn() -> None:
    predictions = _predictions(2000, seed=4)
    report = fairness_report(predictions, ["race"], bootstrap=400, seed=1)
    scores = predictions[f"proba_{POSITIVE}"].to_numpy()
    actual = (predictions["y_true"] == POSITIVE).to_numpy()
    rng = np.random.default_rng(0)
    for row in report.groups:
        rows = np.flatnonzero(predictions["sensitive_race"].to_numpy() == row.group[0])
        direct = []
        for _ in range(400):
            drawn = rows[rng.integers(0, len(rows), len(rows))]
            direct.append(roc_auc_score(actual[drawn], scores[drawn]))
        low, high = np.quantile(direct, [0.025, 0.975])
        assert row.intervals["roc_auc"][0] == pytest.approx(low, abs=0.02), row.group
        assert row.intervals["roc_auc"][1] == pytest.approx(high, abs=0.02), row.group
    worst = next(d for d in report.disparities if d.metric == "roc_auc").worst_group
    assert worst == ("C",)  # its scores are the noisiest


def test_without_scores_roc_auc_is_left_out_and_said_so() -> None:
    predictions = _predictions(400).drop(columns=[f"proba_{NEGATIVE}", f"proba_{POSITIVE}"])
    report = fairness_report(predictions, ["sex"], bootstrap=0)
    assert "roc_auc" not in report.groups[0].metrics
    asked = fairness_report(predictions, ["sex"], metrics=["roc_auc", "accuracy"], bootstrap=0)
    assert set(asked.groups[0].metrics) == {"accuracy"}
    assert asked.unscored_metrics == ("roc_auc",) and report.unscored_metrics == ()
    assert "ROC AUC needs a score for the positive class: not shown." in fairness_findings(asked)


def test_settings_round_trip_through_json_and_give_one_report_per_grouping() -> None:
    settings = FairnessSettings(
        groupings=(("sex",), ("sex", "race")),
        metrics=("selection_rate",),
        thresholds=(Threshold("demographic_parity_difference", 0.2, "max"),),
        bootstrap=50,
        min_group_size=10,
        level=0.9,
        seed=7,
    )
    assert FairnessSettings.from_json(settings.to_json()) == settings
    reports = model_fairness(_predictions(600), settings)
    assert [r.features for r in reports] == [("sex",), ("sex", "race")]
    assert reports[1] == fairness_report(
        _predictions(600),
        ["sex", "race"],
        metrics=["selection_rate"],
        thresholds=settings.thresholds,
        bootstrap=50,
        seed=7,
        min_group_size=10,
        level=0.9,
    )
    by_column = model_fairness(_predictions(600), FairnessSettings(bootstrap=0))
    assert [r.features for r in by_column] == [("sex",), ("race",)]
    with pytest.raises(ValueError, match="unreadable fairness settings"):
        FairnessSettings.from_json("{not json")


def test_equal_groups_name_two_groups_and_nobody_worse_off() -> None:
    rows = pd.concat([_rows("a", tp=30, fn=10, fp=5, tn=55), _rows("b", tp=30, fn=10, fp=5, tn=55)])
    report = fairness_report(rows, ["group"], bootstrap=20)
    selection = report.disparities[0]
    assert {selection.lowest_group, selection.highest_group} == {("a",), ("b",)}
    assert selection.difference == 0 and selection.worst_group is None
    assert "worst for" not in fairness_findings(report)[1]


def test_a_disparity_interval_is_that_of_the_gap_between_its_two_groups() -> None:
    # ten groups with one true selection rate: the largest-minus-smallest gap of resampled
    # rates is biased upwards, the gap between the two named groups is not
    rows = pd.concat(
        [_rows(f"g{i}", tp=20 + i % 3, fn=20, fp=10, tn=50 - i % 3) for i in range(10)]
    )
    report = fairness_report(rows, ["group"], bootstrap=500, seed=2)
    for disparity in report.disparities:
        low, high = disparity.difference_interval
        assert low <= disparity.difference <= high, disparity.metric
        low, high = disparity.ratio_interval
        assert low <= disparity.ratio <= high, disparity.metric


def test_a_feature_listed_twice_and_an_undefined_ratio_are_explained() -> None:
    with pytest.raises(ValueError, match="sensitive feature sex is listed twice"):
        fairness_report(_predictions(100), ["sex", "sex"])
    nobody = pd.concat([_rows("a", tp=0, fn=40, fp=0, tn=60), _rows("b", tp=0, fn=30, fp=0, tn=70)])
    report = fairness_report(nobody, ["group"], bootstrap=10)
    ratio = report.thresholds[0]
    assert ratio.passed is None
    assert ratio.undefined_reason == "zero-rate"
    assert ratio.zero_metrics == ("selection_rate",)
    reason = undefined_reason(ratio)
    assert reason == "the selection rate is 0 in every group, so the ratio is undefined"
    assert f"Demographic parity ratio cannot be judged: {reason}." in fairness_findings(report)


def test_settings_with_a_bad_value_are_unreadable() -> None:
    bad = FairnessSettings().to_json().replace('"bootstrap":200', '"bootstrap":"many"')
    with pytest.raises(ValueError, match="unreadable fairness settings"):
        FairnessSettings.from_json(bad)
    with pytest.raises(ValueError, match="unreadable fairness settings"):
        FairnessSettings.from_json('{"thresholds": [{"metric": "x", "bound": 1, "kind": "min"}]}')
