"""What changed between two exports (a pull request's against the published baseline)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from mlreport.analysis._model_fairness import ModelFairness
from mlreport.analysis._runs import (
    ExperimentResult,
    Trial,
    ranked_trials,
    run_table,
    text,
)
from mlreport.analysis._stage import Analysis
from mlreport.dataset import Dataset

#: Threshold values closer than this count as unchanged (they are shown with two decimals).
VALUE_TOLERANCE = 0.005

Status = Literal["new", "removed", "changed", "unchanged"]
TrialKey = tuple[str, tuple[tuple[str, str], ...]]
ThresholdKey = tuple[str, tuple[str, ...], str]


@dataclass(frozen=True)
class Best:
    """An experiment's best model and its test score of the primary metric."""

    model: str
    score: float


@dataclass(frozen=True)
class ThresholdChange:
    """A fairness threshold of one model and grouping whose value or verdict changed."""

    model: str
    features: tuple[str, ...]
    metric: str
    before: float  # NaN when the base had no such result
    after: float  # NaN when the head has none
    passed_before: bool | None
    passed_after: bool | None
    bound: float = math.nan  # the threshold's bound (the head's, else the base's)


@dataclass(frozen=True)
class FailedRun:
    run_name: str
    model: str
    error: str


@dataclass(frozen=True)
class ExperimentChange:
    name: str
    status: Status
    primary_metric: str
    best_before: Best | None
    best_after: Best | None
    entered: tuple[Trial, ...]  # trials now in the top N that were not
    left: tuple[Trial, ...]  # trials of the base's top N no longer in it
    fairness: tuple[ThresholdChange, ...]
    failing_thresholds: int  # thresholds failing in the head
    new_failures: tuple[FailedRun, ...]  # failed runs whose model and name did not fail before


def compare_exports(
    base: Analysis, head: Analysis, *, top: int = 5
) -> tuple[ExperimentChange, ...]:
    """Per mlreport experiment of either export (sorted by name), what changed from ``base``
    to ``head``: best model and score, top-``top`` entries, fairness, new failed runs."""
    before = {r.name: r for r in base.results}
    after = {r.name: r for r in head.results}
    failed_before, failed_after = _failed_runs(base.dataset), _failed_runs(head.dataset)
    changes = []
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name), after.get(name)
        changes.append(
            _experiment_change(
                name,
                old,
                new,
                base=base,
                head=head,
                top=top,
                failures=tuple(
                    failure
                    for key, failure in failed_after.get(name, {}).items()
                    if key not in failed_before.get(name, {})
                ),
            )
        )
    return tuple(changes)


def _experiment_change(
    name: str,
    old: ExperimentResult | None,
    new: ExperimentResult | None,
    *,
    base: Analysis,
    head: Analysis,
    top: int,
    failures: tuple[FailedRun, ...],
) -> ExperimentChange:
    latest = new or old
    primary = latest.primary_metric if latest is not None else ""
    top_before = _top(old, top)
    top_after = _top(new, top)
    entered = tuple(t for key, t in top_after.items() if key not in top_before)
    left = tuple(t for key, t in top_before.items() if key not in top_after)
    fairness_before = base.fairness(old) if old else ()
    fairness_after = head.fairness(new) if new else ()
    fairness = _threshold_changes(fairness_before, fairness_after)
    failing = sum(
        r.passed is False for f in fairness_after for report in f.reports for r in report.thresholds
    )
    best_before, best_after = _best(old), _best(new)
    if old is None:
        status: Status = "new"
    elif new is None:
        status = "removed"
    elif entered or left or fairness or failures or not _same_best(best_before, best_after):
        status = "changed"
    else:
        status = "unchanged"
    return ExperimentChange(
        name=name,
        status=status,
        primary_metric=primary,
        best_before=best_before,
        best_after=best_after,
        entered=entered,
        left=left,
        fairness=fairness,
        failing_thresholds=failing,
        new_failures=failures,
    )


def trial_key(trial: Trial) -> TrialKey:
    """A trial across builds: its model and params (run ids change when a search re-runs)."""
    return trial.model, trial.params


def _top(result: ExperimentResult | None, top: int) -> dict[TrialKey, Trial]:
    if result is None:
        return {}
    scored = [t for t in ranked_trials(result) if math.isfinite(t.score(result.primary_metric))]
    return {trial_key(t): t for t in scored[:top]}


def _best(result: ExperimentResult | None) -> Best | None:
    if result is None or result.best_model is None:
        return None
    model = result.best_model
    return Best(model.name, model.test_score(result.primary_metric))


def _same_best(before: Best | None, after: Best | None) -> bool:
    if before is None or after is None:
        return before is after
    return before.model == after.model and math.isclose(before.score, after.score, abs_tol=1e-12)


def _threshold_changes(
    before: tuple[ModelFairness, ...], after: tuple[ModelFairness, ...]
) -> tuple[ThresholdChange, ...]:
    def results(
        models: tuple[ModelFairness, ...],
    ) -> dict[ThresholdKey, tuple[float, bool | None, float]]:
        return {
            (f.model, report.features, r.threshold.metric): (r.value, r.passed, r.threshold.bound)
            for f in models
            for report in f.reports
            for r in report.thresholds
        }

    old, new = results(before), results(after)
    changes = []
    for key in sorted(old.keys() | new.keys(), key=str):
        value_before, passed_before, bound_before = old.get(key, (math.nan, None, math.nan))
        value_after, passed_after, bound = new.get(key, (math.nan, None, bound_before))
        same_value = (math.isnan(value_before) and math.isnan(value_after)) or abs(
            value_after - value_before
        ) < VALUE_TOLERANCE
        if same_value and passed_before == passed_after and (key in old) == (key in new):
            continue
        model, features, metric = key
        changes.append(
            ThresholdChange(
                model=model,
                features=features,
                metric=metric,
                before=value_before,
                after=value_after,
                passed_before=passed_before,
                passed_after=passed_after,
                bound=bound,
            )
        )
    return tuple(changes)


def _failed_runs(dataset: Dataset) -> dict[str, dict[tuple[str, str], FailedRun]]:
    """mlreport experiment -> (model, run name) -> its failed run (names are stable across
    builds, as ``lr trial 3``; run ids are not)."""
    runs = run_table(dataset)
    runs = runs[(runs["status"] == "FAILED") & runs["mlreport_experiment"].notna()]
    out: dict[str, dict[tuple[str, str], FailedRun]] = {}
    for row in runs.itertuples(index=False):
        model, name = text(row.model), text(row.run_name)
        failures = out.setdefault(str(row.mlreport_experiment), {})
        failures[(model, name)] = FailedRun(run_name=name, model=model, error=text(row.error))
    return out
