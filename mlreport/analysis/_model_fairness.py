"""Fairness of an experiment's best models, from their exported test predictions."""

from __future__ import annotations

import math
from dataclasses import dataclass

from mlreport.analysis._fairness import (
    Disparity,
    FairnessReport,
    ThresholdResult,
    model_fairness,
    sensitive_columns,
)
from mlreport.analysis._runs import ExperimentResult
from mlreport.config import FairnessSettings
from mlreport.dataset import Dataset

#: Why a best model with sensitive features has no fairness report.
NO_REPORT = "no fairness report: {reason}"


@dataclass(frozen=True)
class ModelFairness:
    """A best model's fairness reports (one per grouping), or why there are none."""

    model: str
    primary_score: float  # the model's test score of the experiment's primary metric
    reports: tuple[FairnessReport, ...]
    error: str = ""


@dataclass(frozen=True)
class ThresholdOutcome:
    """A threshold checked on one grouping of one model, with the groups that set its value."""

    model: str
    features: tuple[str, ...]
    result: ThresholdResult
    deciding: Disparity | None  # the group metric whose spread gives the value


def experiment_fairness(dataset: Dataset, result: ExperimentResult) -> tuple[ModelFairness, ...]:
    """The fairness of each best model whose exported predictions carry sensitive features,
    with the experiment's settings (defaults when it logged none). The analysis stage
    (``Analysis.fairness``) computes it once and shares it."""
    settings = result.fairness or FairnessSettings()
    out = []
    for model in result.models:
        predictions = dataset.predictions.get(model.best_run_id or "")
        if predictions is None or predictions.empty or not sensitive_columns(predictions):
            continue
        score = model.test_score(result.primary_metric)
        if result.fairness_error:
            out.append(ModelFairness(model.name, score, (), result.fairness_error))
            continue
        try:
            reports = model_fairness(predictions, settings)
        except (ValueError, KeyError) as exc:  # e.g. a feature the predictions lack
            out.append(ModelFairness(model.name, score, (), str(exc).strip("'\"")))
            continue
        out.append(ModelFairness(model.name, score, reports))
    return tuple(out)


def threshold_outcomes(fairness: ModelFairness) -> tuple[ThresholdOutcome, ...]:
    """Every threshold of every grouping of the model."""
    return tuple(
        ThresholdOutcome(fairness.model, report.features, result, _deciding(report, result))
        for report in fairness.reports
        for result in report.thresholds
    )


def worst_outcomes(fairness: ModelFairness) -> dict[str, ThresholdOutcome]:
    """Threshold metric -> its worst value over the model's groupings (lowest for a minimum,
    highest for a maximum); groupings that cannot be judged are left out."""
    worst: dict[str, ThresholdOutcome] = {}
    for outcome in threshold_outcomes(fairness):
        if outcome.result.passed is None:
            continue
        metric = outcome.result.threshold.metric
        sign = 1 if outcome.result.threshold.kind == "min" else -1
        current = worst.get(metric)
        if current is None or sign * outcome.result.value < sign * current.result.value:
            worst[metric] = outcome
    return worst


def _deciding(report: FairnessReport, result: ThresholdResult) -> Disparity | None:
    """The disparity behind a threshold's value: selection rate for demographic parity, the
    worse of true and false positive rates for equalized odds."""
    by_metric = {d.metric: d for d in report.disparities}
    metric = result.threshold.metric
    if metric.startswith("demographic_parity"):
        return by_metric.get("selection_rate")
    candidates = [by_metric.get("true_positive_rate"), by_metric.get("false_positive_rate")]
    shown = [d for d in candidates if d is not None]
    if not shown:
        return None
    if metric.endswith("difference"):
        return max(shown, key=lambda d: _finite(d.difference, -math.inf))
    return min(shown, key=lambda d: _finite(d.ratio, math.inf))


def _finite(value: float, default: float) -> float:
    return value if math.isfinite(value) else default
