"""Fairness of a best model's test predictions across sensitive groups (fairlearn).

Group metrics and their disparities come from fairlearn's ``MetricFrame`` (with fairlearn's
and scikit-learn's metric functions); bootstrap intervals resample rows within each group.

Decisions:

- Groups smaller than ``min_group_size`` are shown with their metrics but left out of every
  disparity and threshold; a sentence names them.
- A metric undefined in a group (true positive rate without positive cases, false positive
  rate without negative cases, precision without predicted positives) is NaN there and is
  left out of that metric's comparison. fairlearn's own rate functions return 0 in these
  cases, so the thresholds are read from the same ``MetricFrame`` as the disparities, with
  the definitions of fairlearn's ``demographic_parity_*`` / ``equalized_odds_*`` functions
  (equal to them whenever every rate is defined).
- A disparity needs two groups with a defined value, else it is NaN. A ratio is NaN when a
  value is negative (mean error), where smallest / largest means nothing.
- A threshold passes on its point value; ``conclusive`` says whether the whole interval lies
  on the same side of the bound.
- A multi-class task needs an explicit ``positive``: every metric, accuracy included, is then
  of the one-vs-rest task "``positive`` or not".
- For classification the bootstrap draws each group's confusion counts from a multinomial
  with the group's size and observed cell shares: exactly the distribution of the counts of
  rows resampled with replacement within the group, without materialising the rows.
- Intervals are percentiles of the recomputed statistic. A disparity's interval is that of
  the gap between the two groups that set it (the lowest and highest at the point
  estimate), recomputed on each resample: the percentile interval of a largest-minus-smallest
  over many groups is biased upwards by resampling noise and can miss the estimate.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

import numpy as np
import pandas as pd

from mlreport import schema
from mlreport.analysis._curves import DECISION_PREFIX, PROBA_PREFIX
from mlreport.analysis._regression import is_regression
from mlreport.config import (
    CLASSIFICATION_METRICS,
    DEFAULT_THRESHOLDS,
    FEATURE_TWICE,
    REGRESSION_METRICS,
    SCORE_METRICS,
    FairnessSettings,
    Threshold,
)

#: Exported prediction columns: sensitive features and class probabilities carry a prefix.
SENSITIVE_PREFIX = schema.SENSITIVE_PREFIX


NO_ROWS = "no predictions with a true and a predicted value"
NO_FEATURES = "at least one sensitive feature is needed"
UNKNOWN_FEATURE = "no sensitive feature {name!r} in the predictions (available: {available})"
MULTICLASS = (
    "fairness metrics need a binary task: {count} classes found; name the positive class "
    "(fairness.positive, or --positive) to compare it against the rest, or, for numbers, "
    "use the regression task"
)
UNKNOWN_POSITIVE = "positive label {positive!r} is not among the labels {labels}"
UNKNOWN_METRIC = "unknown {task} metric {metric!r} (known: {known})"
BAD_LEVEL = "level must be between 0 and 1, not {level}"
BAD_BOOTSTRAP = "bootstrap must be 0 (no intervals) or more, not {count}"

Interval = tuple[float, float]
Group = tuple[str, ...]
Task = Literal["classification", "regression"]
#: Why a threshold cannot be judged: fewer than two groups large enough have a defined value
#: of a group metric it needs, or a rate it divides by is 0 in every group.
UndefinedReason = Literal["too-few-groups", "zero-rate"]
NAN_INTERVAL: Interval = (math.nan, math.nan)


@dataclass(frozen=True)
class GroupRow:
    """One group (one value per feature): its size, metrics (NaN if undefined) and intervals."""

    group: Group
    size: int
    metrics: dict[str, float]
    intervals: dict[str, Interval]
    too_small: bool
    confusion: tuple[tuple[int, int], tuple[int, int]] | None  # ((TN, FP), (FN, TP))


@dataclass(frozen=True)
class Disparity:
    """The spread of one metric over the groups large enough to judge."""

    metric: str
    difference: float  # largest minus smallest group value
    difference_interval: Interval
    ratio: float  # smallest over largest group value
    ratio_interval: Interval
    lowest_group: Group | None
    lowest: float
    highest_group: Group | None
    highest: float
    worst_group: Group | None  # lowest, or highest where lower is better


@dataclass(frozen=True)
class ThresholdResult:
    """A threshold checked on its point value; ``passed`` is None when it cannot be judged."""

    threshold: Threshold
    value: float
    interval: Interval
    passed: bool | None
    conclusive: bool  # the whole interval is on the same side of the bound
    undefined_reason: UndefinedReason | None = None  # why it cannot be judged
    zero_metrics: tuple[str, ...] = ()  # with "zero-rate": the group metrics 0 in every group


@dataclass(frozen=True)
class FairnessReport:
    """Group metrics, disparities and threshold checks for one model, with the facts its
    findings state (the text layer writes them)."""

    task: Task
    features: tuple[str, ...]
    positive: str | None
    level: float
    min_group_size: int
    groups: tuple[GroupRow, ...]
    disparities: tuple[Disparity, ...]
    thresholds: tuple[ThresholdResult, ...]
    judged_groups: int  # groups with at least min_group_size rows: the ones compared
    skipped_thresholds: tuple[Threshold, ...]  # not checked: they need a classifier
    unscored_metrics: tuple[str, ...]  # asked for, but the predictions carry no score


def fairness_report(
    predictions: pd.DataFrame,
    features: Sequence[str],
    *,
    positive: str | None = None,
    metrics: Sequence[str] | None = None,
    thresholds: Sequence[Threshold] = DEFAULT_THRESHOLDS,
    bootstrap: int = 200,
    seed: int = 0,
    min_group_size: int = 30,
    level: float = 0.95,
) -> FairnessReport:
    """Fairness of ``predictions`` across ``features`` (column names without ``sensitive_``;
    several features are crossed into their intersections), with ``bootstrap`` resamples."""
    features = tuple(features)
    task = _validated_task(predictions, features, metrics, level=level, bootstrap=bootstrap)
    rows = _task_rows(predictions, task, positive)
    usable = tuple(m for m in _known_metrics(task) if m not in SCORE_METRICS or rows.scored)
    shown = usable if metrics is None else tuple(m for m in metrics if m in usable)
    grouped = _grouped(rows, features, min_group_size)
    replicates, counts = _replicates(rows, grouped, bootstrap=bootstrap, seed=seed)
    quantiles = ((1 - level) / 2, (1 + level) / 2)
    spreads = _judged_spreads(grouped, replicates)
    classification = task == "classification"
    return FairnessReport(
        task=task,
        features=features,
        positive=rows.positive,
        level=level,
        min_group_size=min_group_size,
        groups=_group_rows(grouped, replicates, counts, shown, quantiles),
        disparities=tuple(_disparity(metric, spreads[metric], quantiles) for metric in shown),
        thresholds=(
            tuple(_check(t, spreads, quantiles) for t in thresholds) if classification else ()
        ),
        judged_groups=len(grouped.judged),
        skipped_thresholds=() if classification else tuple(thresholds),
        unscored_metrics=tuple(m for m in metrics or () if m not in usable),
    )


def sensitive_columns(predictions: pd.DataFrame) -> tuple[str, ...]:
    """The sensitive features exported with the predictions (names without the prefix)."""
    return tuple(
        str(c)[len(SENSITIVE_PREFIX) :]
        for c in predictions.columns
        if str(c).startswith(SENSITIVE_PREFIX)
    )


def model_fairness(
    predictions: pd.DataFrame, settings: FairnessSettings
) -> tuple[FairnessReport, ...]:
    """One report per grouping of ``settings`` (by default, per sensitive column)."""
    groupings = settings.groupings or tuple((name,) for name in sensitive_columns(predictions))
    return tuple(
        fairness_report(
            predictions,
            grouping,
            positive=settings.positive,
            metrics=settings.metrics,
            thresholds=settings.thresholds,
            bootstrap=settings.bootstrap,
            seed=settings.seed,
            min_group_size=settings.min_group_size,
            level=settings.level,
        )
        for grouping in groupings
    )


# --- rows and fairlearn -------------------------------------------------------------------


def _known_metrics(task: Task) -> tuple[str, ...]:
    return (
        CLASSIFICATION_METRICS + SCORE_METRICS if task == "classification" else REGRESSION_METRICS
    )


def _validated_task(
    predictions: pd.DataFrame,
    features: tuple[str, ...],
    metrics: Sequence[str] | None,
    *,
    level: float,
    bootstrap: int,
) -> Task:
    """The task of the predictions, once the options are checked against them (ValueError
    with the module's message for the first invalid one)."""
    if not features:
        raise ValueError(NO_FEATURES)
    if twice := sorted({name for name in features if features.count(name) > 1}):
        raise ValueError(FEATURE_TWICE.format(names=", ".join(twice)))
    if not 0 < level < 1:
        raise ValueError(BAD_LEVEL.format(level=level))
    if bootstrap < 0:
        raise ValueError(BAD_BOOTSTRAP.format(count=bootstrap))
    missing = [name for name in features if SENSITIVE_PREFIX + name not in predictions.columns]
    if missing:
        available = sorted(sensitive_columns(predictions))
        raise ValueError(UNKNOWN_FEATURE.format(name=missing[0], available=", ".join(available)))
    task: Task = "regression" if is_regression(predictions) else "classification"
    known = _known_metrics(task)
    for metric in metrics or ():
        if metric not in known:
            raise ValueError(
                UNKNOWN_METRIC.format(task=task, metric=metric, known=", ".join(known))
            )
    return task


@dataclass(frozen=True)
class _Rows:
    """The rows a report compares, with what the task measures on them."""

    task: Task
    data: pd.DataFrame
    y_true: np.ndarray  # 0/1 "is positive" (classification) or the actual values
    y_pred: np.ndarray
    positive: str | None  # the positive class (classification)
    scores: np.ndarray | None  # the positive class's score of every row, if they all have one
    functions: dict[str, Metric]

    @property
    def scored(self) -> bool:
        return self.scores is not None


def _task_rows(predictions: pd.DataFrame, task: Task, positive: str | None) -> _Rows:
    if task == "regression":
        data, y_true, y_pred = _regression_rows(predictions)
        return _Rows(task, data, y_true, y_pred, None, None, _regression_functions())
    data, y_true, y_pred, positive = _classification_rows(predictions, positive)
    scores = _positive_scores(data, positive)
    return _Rows(task, data, y_true, y_pred, positive, scores, _classification_functions())


def _classification_rows(
    predictions: pd.DataFrame, positive: str | None
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, str]:
    """Rows with both labels, and 0/1 arrays of "is ``positive``" for truth and prediction."""
    data = predictions[predictions["y_true"].notna() & predictions["y_pred"].notna()]
    if data.empty:
        raise ValueError(NO_ROWS)
    data = data.reset_index(drop=True)
    actual, predicted = data["y_true"].astype(str), data["y_pred"].astype(str)
    proba = [str(c)[len(PROBA_PREFIX) :] for c in data.columns if str(c).startswith(PROBA_PREFIX)]
    margins = [
        str(c)[len(DECISION_PREFIX) :] for c in data.columns if str(c).startswith(DECISION_PREFIX)
    ]
    labels = sorted(set(actual) | set(predicted) | set(proba))
    if positive is None:
        if len(labels) > 2:
            raise ValueError(MULTICLASS.format(count=len(labels)))
        if len(proba) == 2:  # the estimator's classes, in its order: the second is positive
            positive = proba[1]
        elif not proba and len(margins) == 1:  # a binary decision function's margin
            positive = margins[0]
        else:
            positive = labels[-1]
    elif positive not in labels:
        raise ValueError(UNKNOWN_POSITIVE.format(positive=positive, labels=", ".join(labels)))
    return (
        data,
        (actual == positive).to_numpy(dtype=np.int64),
        (predicted == positive).to_numpy(dtype=np.int64),
        positive,
    )


def _positive_scores(data: pd.DataFrame, positive: str) -> np.ndarray | None:
    """The positive class's probability, else its decision score, where every row has one."""
    for column in (PROBA_PREFIX + positive, DECISION_PREFIX + positive):
        if column in data.columns:
            values = pd.to_numeric(data[column], errors="coerce").to_numpy(dtype=np.float64)
            return values if np.isfinite(values).all() else None
    return None


def _regression_rows(predictions: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Rows where both the actual and the predicted value are finite."""
    y_true = predictions["y_true"].to_numpy(dtype=np.float64)
    y_pred = predictions["y_pred"].to_numpy(dtype=np.float64)
    finite = np.isfinite(y_true) & np.isfinite(y_pred)
    if not finite.any():
        raise ValueError(NO_ROWS)
    return predictions[finite].reset_index(drop=True), y_true[finite], y_pred[finite]


Metric = Callable[..., Any]


def _classification_functions() -> dict[str, Metric]:
    from fairlearn.metrics import count, selection_rate
    from sklearn.metrics import accuracy_score, precision_score

    return {
        "count": count,
        "selection_rate": selection_rate,
        "true_positive_rate": _true_positive_rate,
        "false_positive_rate": _false_positive_rate,
        "precision": partial(precision_score, zero_division=np.nan),
        "accuracy": accuracy_score,
    }


def _regression_functions() -> dict[str, Metric]:
    from fairlearn.metrics import count
    from sklearn.metrics import mean_absolute_error

    return {"count": count, "mean_error": _mean_error, "mean_absolute_error": mean_absolute_error}


def _true_positive_rate(y_true: Any, y_pred: Any) -> float:
    """fairlearn's true positive rate; NaN where there are no positive cases (fairlearn: 0)."""
    from fairlearn.metrics import true_positive_rate

    if not np.any(np.asarray(y_true) == 1):
        return math.nan
    return float(true_positive_rate(y_true, y_pred, pos_label=1))


def _false_positive_rate(y_true: Any, y_pred: Any) -> float:
    """fairlearn's false positive rate; NaN where there are no negative cases (fairlearn: 0)."""
    from fairlearn.metrics import false_positive_rate

    if not np.any(np.asarray(y_true) == 0):
        return math.nan
    return float(false_positive_rate(y_true, y_pred, pos_label=1))


def _roc_auc(y_true: Any, y_score: Any) -> float:
    """scikit-learn's ROC AUC; NaN in a group holding a single class (scikit-learn raises)."""
    from sklearn.metrics import roc_auc_score

    if len(np.unique(np.asarray(y_true))) < 2:
        return math.nan
    return float(roc_auc_score(y_true, y_score))


def _mean_error(y_true: Any, y_pred: Any) -> float:
    """Mean of predicted minus actual: positive when the model over-predicts."""
    return float(np.mean(np.asarray(y_pred, dtype=np.float64) - np.asarray(y_true)))


def _metric_frame(
    functions: dict[str, Metric], y_true: np.ndarray, y_pred: np.ndarray, sensitive: pd.DataFrame
) -> Any:
    from fairlearn.metrics import MetricFrame

    return MetricFrame(
        metrics=functions,
        y_true=y_true,
        y_pred=y_pred,
        sensitive_features=sensitive.reset_index(drop=True),
    )


@dataclass(frozen=True)
class _Frames:
    """fairlearn's MetricFrames: one of the predictions, one of the scores (ROC AUC)."""

    main: Any
    scored: Any | None

    @classmethod
    def of(
        cls,
        functions: dict[str, Metric],
        y_true: np.ndarray,
        y_pred: np.ndarray,
        scores: np.ndarray | None,
        sensitive: pd.DataFrame,
    ) -> _Frames:
        main = _metric_frame(functions, y_true, y_pred, sensitive)
        if scores is None:
            return cls(main, None)
        return cls(main, _metric_frame({"roc_auc": _roc_auc}, y_true, scores, sensitive))

    def frame(self, metric: str) -> Any:
        return self.scored if metric in SCORE_METRICS else self.main


def _groups(frame: Any) -> tuple[list[Group], np.ndarray]:
    """The groups present in the data (fairlearn also lists empty intersections), sorted."""
    sizes = frame.by_group["count"].dropna()
    keys = [tuple(str(v) for v in (k if isinstance(k, tuple) else (k,))) for k in sizes.index]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    return [keys[i] for i in order], sizes.to_numpy(dtype=np.int64)[order]


def _value(frames: _Frames, metric: str, key: Group) -> float:
    value = frames.frame(metric).by_group[metric].loc[key if len(key) > 1 else key[0]]
    return _float(value)


def _float(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number if math.isfinite(number) else math.nan


def _confusion(cells: np.ndarray) -> tuple[tuple[int, int], tuple[int, int]]:
    tn, fp, fn, tp = (int(c) for c in cells)
    return ((tn, fp), (fn, tp))


@dataclass(frozen=True)
class _Grouped:
    """The groups of the rows (sorted), fairlearn's frames over them, and who is judged."""

    frames: _Frames
    keys: list[Group]
    sizes: np.ndarray
    codes: np.ndarray  # each row's group (an index into keys)
    small: np.ndarray  # per group: fewer rows than the smallest size judged

    @property
    def judged(self) -> list[int]:
        """The groups large enough to be compared."""
        return [g for g in range(len(self.keys)) if not self.small[g]]


def _grouped(rows: _Rows, features: tuple[str, ...], min_group_size: int) -> _Grouped:
    sensitive = pd.DataFrame(
        {
            name: schema.group_labels(rows.data[SENSITIVE_PREFIX + name]).reset_index(drop=True)
            for name in features
        },
        index=pd.RangeIndex(len(rows.data)),
    )
    frames = _Frames.of(rows.functions, rows.y_true, rows.y_pred, rows.scores, sensitive)
    keys, sizes = _groups(frames.main)
    codes = pd.MultiIndex.from_tuples(keys).get_indexer(pd.MultiIndex.from_frame(sensitive))
    return _Grouped(frames, keys, sizes, codes, sizes < min_group_size)


def _group_rows(
    grouped: _Grouped,
    replicates: dict[str, np.ndarray],
    counts: np.ndarray | None,
    shown: tuple[str, ...],
    quantiles: tuple[float, float],
) -> tuple[GroupRow, ...]:
    """Each group's size, shown metrics (fairlearn's values) and their intervals."""
    return tuple(
        GroupRow(
            group=key,
            size=int(grouped.sizes[g]),
            metrics={m: _value(grouped.frames, m, key) for m in shown},
            intervals={m: _interval(replicates[m][:, g], quantiles) for m in shown},
            too_small=bool(grouped.small[g]),
            confusion=None if counts is None else _confusion(counts[g]),
        )
        for g, key in enumerate(grouped.keys)
    )


# --- bootstrap ------------------------------------------------------------------------------


def _replicates(
    rows: _Rows, grouped: _Grouped, *, bootstrap: int, seed: int
) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
    """Every metric's (bootstrap, groups) resampled values, and the confusion counts per
    group (classification; None for a regression)."""
    rng = np.random.default_rng(seed)
    groups = len(grouped.keys)
    if rows.task == "regression":
        errors = rows.y_pred - rows.y_true
        return _resampled_errors(errors, grouped.codes, groups, bootstrap, rng), None
    cells = 4 * grouped.codes + 2 * rows.y_true + rows.y_pred
    counts = np.bincount(cells, minlength=4 * groups).reshape(groups, 4)
    replicates = _classification_metrics(_resampled_counts(counts, bootstrap, rng))
    if rows.scores is not None:
        replicates["roc_auc"] = _resampled_auc(
            rows.y_true, rows.scores, grouped.codes, groups, bootstrap, rng
        )
    return replicates, counts


def _resampled_counts(counts: np.ndarray, bootstrap: int, rng: np.random.Generator) -> np.ndarray:
    """(bootstrap, groups, 4) confusion counts of rows resampled with replacement within each
    group: a multinomial with the group's size and its observed cell shares."""
    out = np.zeros((bootstrap, len(counts), 4), dtype=np.int64)
    for g, cells in enumerate(counts):
        size = int(cells.sum())
        out[:, g, :] = rng.multinomial(size, cells / size, size=bootstrap)
    return out


def _classification_metrics(counts: np.ndarray) -> dict[str, np.ndarray]:
    """The classification metrics of confusion counts (..., 4 cells: TN, FP, FN, TP), NaN
    where undefined, with the definitions of the ``MetricFrame`` functions."""
    tn, fp, fn, tp = (counts[..., i].astype(np.float64) for i in range(4))
    size = tn + fp + fn + tp
    return {
        "selection_rate": _divide(fp + tp, size),
        "true_positive_rate": _divide(tp, tp + fn),
        "false_positive_rate": _divide(fp, fp + tn),
        "precision": _divide(tp, tp + fp),
        "accuracy": _divide(tp + tn, size),
    }


def _divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    out = np.full(numerator.shape, math.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


#: Resampled values drawn at once per group in the regression bootstrap (memory bound).
_CHUNK = 1 << 22


def _resampled_errors(
    errors: np.ndarray, codes: np.ndarray, groups: int, bootstrap: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """(bootstrap, groups) mean and mean absolute errors of rows resampled within groups."""
    mean = np.full((bootstrap, groups), math.nan)
    absolute = np.full((bootstrap, groups), math.nan)
    for g in range(groups):
        values = errors[codes == g]
        step = max(1, _CHUNK // len(values))
        for start in range(0, bootstrap, step):
            stop = min(start + step, bootstrap)
            drawn = values[rng.integers(0, len(values), size=(stop - start, len(values)))]
            mean[start:stop, g] = drawn.mean(axis=1)
            absolute[start:stop, g] = np.abs(drawn).mean(axis=1)
    return {"mean_error": mean, "mean_absolute_error": absolute}


def _resampled_auc(
    y_true: np.ndarray,
    scores: np.ndarray,
    codes: np.ndarray,
    groups: int,
    bootstrap: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """(bootstrap, groups) ROC AUC of rows resampled within groups (Mann-Whitney statistic
    on mid-ranks, equal to scikit-learn's), NaN for a resample holding a single class."""
    from scipy.stats import rankdata

    out = np.full((bootstrap, groups), math.nan)
    for g in range(groups):
        rows = np.flatnonzero(codes == g)
        step = max(1, _CHUNK // len(rows))
        for start in range(0, bootstrap, step):
            stop = min(start + step, bootstrap)
            drawn = rows[rng.integers(0, len(rows), size=(stop - start, len(rows)))]
            positive = y_true[drawn] == 1
            ranks = rankdata(scores[drawn], axis=1)
            n_positive = positive.sum(axis=1).astype(np.float64)
            n_negative = len(rows) - n_positive
            wins = (ranks * positive).sum(axis=1) - n_positive * (n_positive + 1) / 2
            out[start:stop, g] = _divide(wins, n_positive * n_negative)
    return out


def _interval(values: np.ndarray, quantiles: tuple[float, float]) -> Interval:
    """Percentile interval of the defined resampled values."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return NAN_INTERVAL
    low, high = np.quantile(finite, quantiles)
    return (float(low), float(high))


# --- disparities and thresholds -------------------------------------------------------------


@dataclass(frozen=True)
class _Spread:
    """A metric's spread over the judged groups: point values and resampled ones."""

    values: tuple[tuple[Group, float], ...]  # judged groups with a defined value
    lowest: tuple[Group, float] | None  # the two groups that set the spread (distinct)
    highest: tuple[Group, float] | None
    difference: float
    ratio: float
    differences: np.ndarray  # per resample
    ratios: np.ndarray


def _judged_spreads(grouped: _Grouped, replicates: dict[str, np.ndarray]) -> dict[str, _Spread]:
    """Every resampled metric's spread over the groups large enough to judge."""
    judged = grouped.judged
    keys = [grouped.keys[g] for g in judged]
    return {
        metric: _spread(metric, grouped.frames, keys, values[:, judged])
        for metric, values in replicates.items()
    }


def _spread(metric: str, frames: _Frames, keys: list[Group], replicates: np.ndarray) -> _Spread:
    """Difference and ratio of fairlearn's group values over the judged ``keys``, as
    ``MetricFrame.difference`` / ``ratio`` define them (largest minus smallest, smallest over
    largest), NaN unless two groups have a defined value; per resample (``replicates``: one
    column per key), the same of the two groups that set them."""
    nan = np.full(replicates.shape[0], math.nan)
    values = tuple(
        (key, value) for key in keys if math.isfinite(value := _value(frames, metric, key))
    )
    if len(values) < 2:
        return _Spread(values, None, None, math.nan, math.nan, nan, nan.copy())
    lowest_key, low = min(values, key=lambda kv: kv[1])
    highest_key, high = max(values, key=lambda kv: kv[1])
    if highest_key == lowest_key:  # every value equal: name two different groups
        highest_key, high = next(kv for kv in values if kv[0] != lowest_key)
    resampled_low = replicates[:, keys.index(lowest_key)]
    resampled_high = replicates[:, keys.index(highest_key)]
    if low >= 0 and high > 0:
        ratio = low / high
        ratios = _divide(resampled_low, resampled_high)
    else:
        ratio, ratios = math.nan, nan.copy()
    return _Spread(
        values,
        (lowest_key, low),
        (highest_key, high),
        high - low,
        ratio,
        resampled_high - resampled_low,
        ratios,
    )


#: Whether a higher value is better for the group (selection rate: positive is favourable).
HIGHER_IS_BETTER = {
    "selection_rate": True,
    "true_positive_rate": True,
    "false_positive_rate": False,
    "precision": True,
    "accuracy": True,
    "roc_auc": True,
    "mean_absolute_error": False,
}


def _disparity(metric: str, spread: _Spread, quantiles: tuple[float, float]) -> Disparity:
    if spread.lowest is None or spread.highest is None:
        lowest_group = highest_group = worst = None
        lowest = highest = math.nan
    else:
        (lowest_group, lowest), (highest_group, highest) = spread.lowest, spread.highest
        better = HIGHER_IS_BETTER.get(metric)
        if highest == lowest:  # no gap: nobody is worse off
            worst = None
        elif better is None:  # mean error: furthest from zero
            worst = highest_group if abs(highest) > abs(lowest) else lowest_group
        else:
            worst = lowest_group if better else highest_group
    return Disparity(
        metric=metric,
        difference=spread.difference,
        difference_interval=_interval(spread.differences, quantiles),
        ratio=spread.ratio,
        ratio_interval=_interval(spread.ratios, quantiles),
        lowest_group=lowest_group,
        lowest=lowest,
        highest_group=highest_group,
        highest=highest,
        worst_group=worst,
    )


def _threshold_value(metric: str, spreads: dict[str, _Spread]) -> tuple[float, np.ndarray]:
    """The definitions of fairlearn's demographic_parity_* and equalized_odds_* (worst case of
    true and false positive rates), on the spreads of the judged groups."""
    selection = spreads["selection_rate"]
    tpr, fpr = spreads["true_positive_rate"], spreads["false_positive_rate"]
    if metric == "demographic_parity_ratio":
        return selection.ratio, selection.ratios
    if metric == "demographic_parity_difference":
        return selection.difference, selection.differences
    if metric == "equalized_odds_difference":
        return float(np.fmax(tpr.difference, fpr.difference)), np.fmax(
            tpr.differences, fpr.differences
        )
    return float(np.fmin(tpr.ratio, fpr.ratio)), np.fmin(tpr.ratios, fpr.ratios)


#: A value this close to a bound counts as on it (0.8 - 0.7 is 0.10000000000000009).
_ROUNDING = 1e-9


def _check(
    threshold: Threshold, spreads: dict[str, _Spread], quantiles: tuple[float, float]
) -> ThresholdResult:
    value, replicates = _threshold_value(threshold.metric, spreads)
    interval = _interval(replicates, quantiles)
    low, high = interval
    bound = threshold.bound
    if not math.isfinite(value):
        reason, zero = _undefined(threshold.metric, spreads)
        return ThresholdResult(threshold, math.nan, interval, None, False, reason, zero)
    if threshold.kind == "min":
        passed = value >= bound - _ROUNDING
        conclusive = low >= bound - _ROUNDING if passed else high < bound - _ROUNDING
    else:
        passed = value <= bound + _ROUNDING
        conclusive = high <= bound + _ROUNDING if passed else low > bound + _ROUNDING
    return ThresholdResult(threshold, value, interval, passed, bool(conclusive))


def _undefined(metric: str, spreads: dict[str, _Spread]) -> tuple[UndefinedReason, tuple[str, ...]]:
    """Why a threshold's value is undefined, and the group metrics that are 0 everywhere."""
    used = (
        ("selection_rate",)
        if metric.startswith("demographic_parity")
        else ("true_positive_rate", "false_positive_rate")
    )
    if any(spreads[m].highest is None for m in used):
        return "too-few-groups", ()
    return "zero-rate", tuple(m for m in used if (high := spreads[m].highest) and high[1] == 0)
