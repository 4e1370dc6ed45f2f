"""Quality gates on an export: metric floors, the regression against a baseline export, and
every configured fairness threshold of every best model."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from mlreport.analysis import (
    NO_REPORT,
    Analysis,
    ExperimentResult,
    analyse,
    threshold_outcomes,
)
from mlreport.config import GateSettings
from mlreport.dataset import read_dataset
from mlreport.text import describe_outcome, threshold_verdict
from mlreport.text.display import against

NO_EXPERIMENT = "no experiment {name!r} in the export, so its metric floors cannot hold"
NO_BEST_MODEL = "no best model with a test score"
FLOOR = "best model's test {metric} is {value} (minimum {floor:g})"
NO_SCORE = "best model has no test {metric} score (metric floor {floor:g})"
NO_SCORE_NOW = "no best model with a test {metric} score, against {base:.4f} in the base"
REGRESSION = (
    "best test {metric} is {value} against {base} in the base: a change of "
    "{change} (largest drop allowed {allowed:g})"
)


@dataclass(frozen=True)
class GateResult:
    """One gate of one model: ``passed`` None when it could not be judged."""

    experiment: str
    model: str
    passed: bool | None
    message: str
    verdict: str  # pass, fail or cannot be judged, and whether the interval crosses the bound

    def line(self) -> str:
        return f"{self.experiment} / {self.model}: {self.message}"


@dataclass(frozen=True)
class CheckSummary:
    results: tuple[GateResult, ...]

    @property
    def failed(self) -> tuple[GateResult, ...]:
        return tuple(r for r in self.results if r.passed is False)

    @property
    def passed(self) -> tuple[GateResult, ...]:
        return tuple(r for r in self.results if r.passed)

    @property
    def unjudged(self) -> tuple[GateResult, ...]:
        return tuple(r for r in self.results if r.passed is None)

    @property
    def models(self) -> int:
        return len({(r.experiment, r.model) for r in self.results})


def check_export(
    data_dir: Path,
    *,
    gates: GateSettings | None = None,
    base_dir: Path | None = None,
    cache_dir: Path | None = None,
) -> CheckSummary:
    """The gates of the export in ``data_dir``: ``gates``' metric floors, the regression of
    each experiment's best score against the export in ``base_dir`` (when both a base and
    ``gates.max_regression`` are given), and every fairness threshold of every best model.

    A gate that cannot be shown to hold (a model whose fairness report cannot be computed,
    a floor on a missing experiment or score) fails. With ``cache_dir``, fairness reports
    come from the analysis cache when the export is unchanged.
    """
    base = analyse(read_dataset(base_dir), cache_dir=cache_dir) if base_dir is not None else None
    return check_analysis(
        analyse(read_dataset(data_dir), cache_dir=cache_dir), gates=gates, base=base
    )


def check_analysis(
    analysis: Analysis, *, gates: GateSettings | None = None, base: Analysis | None = None
) -> CheckSummary:
    """``check_export`` on exports already analysed."""
    gates = gates or GateSettings()
    experiments = {e.name: e for e in analysis.results}
    results = _floor_results(experiments, gates)
    if base is not None and gates.max_regression is not None:
        before = {e.name: e for e in base.results}
        results += _regression_results(experiments, before, gates.max_regression)
    results += _fairness_results(analysis)
    return CheckSummary(tuple(results))


def _floor_results(
    experiments: dict[str, ExperimentResult], gates: GateSettings
) -> list[GateResult]:
    results = []
    for name, floors in gates.metric_floors.items():
        experiment = experiments.get(name)
        best = experiment.best_model if experiment else None
        for metric, floor in floors.items():
            if experiment is None:
                message = NO_EXPERIMENT.format(name=name)
                results.append(GateResult(name, "(none)", False, message, "fail"))
                continue
            if best is None:
                results.append(GateResult(name, "(none)", False, NO_BEST_MODEL, "fail"))
                continue
            value = best.test_score(metric)
            if math.isnan(value):
                message = NO_SCORE.format(metric=metric, floor=floor)
                results.append(GateResult(name, best.name, False, message, "fail"))
                continue
            passed = value >= floor
            message = FLOOR.format(
                metric=metric, value=against(value, floor, decimals=4), floor=floor
            )
            results.append(
                GateResult(name, best.name, passed, message, "pass" if passed else "fail")
            )
    return results


def _regression_results(
    experiments: dict[str, ExperimentResult],
    base: dict[str, ExperimentResult],
    allowed: float,
) -> list[GateResult]:
    """Each experiment the base scored: its best score may drop at most ``allowed``; an
    experiment that lost its scored best model (or was removed) fails."""
    results = []
    for name, before in base.items():
        old_best = before.best_model
        old = old_best.test_score(before.primary_metric) if old_best else math.nan
        if math.isnan(old):
            continue  # nothing scored in the base: nothing to regress from
        after = experiments.get(name)
        new_best = after.best_model if after else None
        new = new_best.test_score(before.primary_metric) if new_best else math.nan
        if new_best is None or math.isnan(new):
            message = NO_SCORE_NOW.format(metric=before.primary_metric, base=old)
            results.append(GateResult(name, "(none)", False, message, "fail"))
            continue
        change = new - old
        passed = change >= -allowed - 1e-12
        message = REGRESSION.format(
            metric=before.primary_metric,
            value=against(new, old, decimals=4),
            base=against(old, new, decimals=4),
            change=against(change, -allowed, decimals=4, signed=True),
            allowed=allowed,
        )
        results.append(
            GateResult(name, new_best.name, passed, message, "pass" if passed else "fail")
        )
    return results


def _fairness_results(analysis: Analysis) -> list[GateResult]:
    results = []
    for experiment in analysis.results:
        for fairness in analysis.fairness(experiment):
            if fairness.error:
                message = NO_REPORT.format(reason=fairness.error)
                results.append(GateResult(experiment.name, fairness.model, False, message, "fail"))
                continue
            for outcome in threshold_outcomes(fairness):
                passed = outcome.result.passed
                results.append(
                    GateResult(
                        experiment.name,
                        fairness.model,
                        passed,
                        describe_outcome(outcome),
                        threshold_verdict(outcome.result),
                    )
                )
    return results
