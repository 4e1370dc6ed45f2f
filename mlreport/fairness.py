"""Fairness reports of predictions made elsewhere: a scored CSV or Parquet file.

The file becomes a predictions frame of the export's schema (``y_true``, ``y_pred``,
``proba_<positive>``, ``sensitive_<feature>``), so the report is the one mlreport's own
models get. It is written as a site of its own, or logged to the tracking store as a model
of an experiment so that the next ``mlreport build`` shows it with the others.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mlreport import schema
from mlreport.analysis import (
    DEFAULT_THRESHOLDS,
    THRESHOLD_LABELS,
    FairnessSettings,
    ModelFairness,
    Threshold,
    is_regression,
    model_fairness,
)
from mlreport.analysis._curves import PROBA_PREFIX
from mlreport.config import SiteSettings, file_format
from mlreport.errors import MlreportError, first_line

NO_FILE = "{path}: no such file"
UNKNOWN_FORMAT = "{path}: neither .csv (optionally compressed) nor .parquet"
UNREADABLE = "{path}: cannot read it: {reason}"
MISSING_COLUMNS = "{path} has no column {names} (columns: {available})"
NO_SCORED_ROWS = "{path}: no row has both a true and a predicted value"
BAD_THRESHOLD = (
    "threshold {text!r} is not METRIC>=BOUND or METRIC<=BOUND "
    "(metrics: {known}), e.g. demographic_parity_ratio>=0.8"
)
BAD_SCORE = "score column {column!r} holds values that are not numbers"
REPORT_FAILED = "no fairness report: {reason}"

_THRESHOLD_TEXT = re.compile(r"^\s*([a-z_]+)\s*(>=|<=)\s*([-+0-9.eE]+)\s*$")


@dataclass(frozen=True)
class ScoredColumns:
    """Which columns of the scored file hold what."""

    y_true: str
    y_pred: str
    sensitive: tuple[str, ...]
    score: str | None = None


def parse_threshold(text: str) -> Threshold:
    """``demographic_parity_ratio>=0.8`` as a Threshold; MlreportError if malformed."""
    match = _THRESHOLD_TEXT.match(text)
    if match is None or match.group(1) not in THRESHOLD_LABELS:
        raise MlreportError(BAD_THRESHOLD.format(text=text, known=", ".join(THRESHOLD_LABELS)))
    try:
        bound = float(match.group(3))
    except ValueError as exc:
        raise MlreportError(
            BAD_THRESHOLD.format(text=text, known=", ".join(THRESHOLD_LABELS))
        ) from exc
    return Threshold(match.group(1), bound, "min" if match.group(2) == ">=" else "max")


def read_scored_file(
    path: Path,
    columns: ScoredColumns,
    *,
    task: str = "classification",
    positive: str | None = None,
) -> pd.DataFrame:
    """The scored file as a predictions frame of the export's schema."""
    frame = _read(path)
    wanted = [columns.y_true, columns.y_pred, *columns.sensitive]
    if columns.score:
        wanted.append(columns.score)
    missing = [name for name in dict.fromkeys(wanted) if name not in frame.columns]
    if missing:
        raise MlreportError(
            MISSING_COLUMNS.format(
                path=path,
                names=", ".join(missing),
                available=", ".join(map(str, frame.columns[:50])),
            )
        )
    frame = frame[frame[columns.y_true].notna() & frame[columns.y_pred].notna()]
    if frame.empty:
        raise MlreportError(NO_SCORED_ROWS.format(path=path))
    if task == "regression":
        out = pd.DataFrame(
            {
                "y_true": pd.to_numeric(frame[columns.y_true], errors="coerce"),
                "y_pred": pd.to_numeric(frame[columns.y_pred], errors="coerce"),
            }
        )
    else:
        out = pd.DataFrame(
            {"y_true": _labels(frame[columns.y_true]), "y_pred": _labels(frame[columns.y_pred])}
        )
        if columns.score:
            scores = pd.to_numeric(frame[columns.score], errors="coerce")
            if scores.isna().any():
                raise MlreportError(BAD_SCORE.format(column=columns.score))
            chosen = positive or _positive_label(out)
            out[PROBA_PREFIX + chosen] = scores.to_numpy(dtype=np.float64)
    for name in columns.sensitive:
        values = frame[name].astype(object).where(frame[name].notna(), schema.MISSING_GROUP)
        out[schema.SENSITIVE_PREFIX + name] = values.astype(str).to_numpy()
    return out.reset_index(drop=True)


def fairness_of_file(
    predictions: pd.DataFrame, settings: FairnessSettings, *, name: str
) -> ModelFairness:
    """The fairness reports of a scored file; MlreportError naming what is wrong."""
    try:
        reports = model_fairness(predictions, settings)
    except ValueError as exc:
        raise MlreportError(REPORT_FAILED.format(reason=exc)) from exc
    return ModelFairness(model=name, primary_score=np.nan, reports=reports)


def settings_for(
    sensitive: Sequence[str],
    *,
    intersections: bool,
    thresholds: Sequence[Threshold] = (),
    positive: str | None = None,
    bootstrap: int = 200,
    min_group_size: int = 30,
    confidence: float = 0.95,
    seed: int = 0,
    task: str = "classification",
) -> FairnessSettings:
    """Settings for a scored file: each feature alone, and all of them crossed if asked."""
    groupings: tuple[tuple[str, ...], ...] = tuple((name,) for name in sensitive)
    if intersections and len(sensitive) > 1:
        groupings += (tuple(sensitive),)
    if thresholds:
        chosen = tuple(thresholds)
    else:
        chosen = DEFAULT_THRESHOLDS if task == "classification" else ()
    return FairnessSettings(
        groupings=groupings,
        thresholds=chosen,
        positive=positive,
        bootstrap=bootstrap,
        min_group_size=min_group_size,
        level=confidence,
        seed=seed,
    )


def write_report_site(
    fairness: ModelFairness, out_dir: Path, *, source: str, work_dir: Path
) -> Path:
    """A site of its own holding the report as its home page; its index.html."""
    from mlreport.site import standalone_fairness_page, write_site

    page = standalone_fairness_page(fairness, source=source)
    settings = SiteSettings(site_name=f"Fairness of {fairness.model}")
    write_site([page], out_dir, settings=settings, work_dir=work_dir)
    return out_dir / "index.html"


def log_to_tracking(
    predictions: pd.DataFrame,
    settings: FairnessSettings,
    *,
    tracking_uri: str,
    experiment: str,
    model: str,
    source: str,
) -> str:
    """Log the predictions as a model of ``experiment`` (a search run without trials and its
    best run holding the predictions), for the next build's site; the best run's id.

    The experiment's own fairness settings are kept if it has some (an experiment file's).
    """
    from mlreport.tracking import RunRecord, Tracker

    tracker = Tracker(tracking_uri)
    experiment_id = tracker.experiment_id(experiment, description="")
    existing = tracker.experiment_tags(experiment_id)
    description = existing.get(schema.EXPERIMENT_DESCRIPTION_TAG, "")
    if not existing.get(schema.TAG_FAIRNESS):
        tracker.experiment_id(
            experiment, description=description, tags={schema.TAG_FAIRNESS: settings.to_json()}
        )
    metrics = test_metrics(predictions, settings.positive)
    primary = tracker.primary_metric(experiment_id) or next(iter(metrics))
    tags = {
        schema.TAG_EXPERIMENT: experiment,
        schema.TAG_MODEL: model,
        schema.TAG_PRIMARY_METRIC: primary,
        schema.TAG_ESTIMATOR: schema.EXTERNAL_ESTIMATOR,
        schema.TAG_STRATEGY: schema.EXTERNAL_STRATEGY,
        schema.TAG_SOURCE: source,
    }
    search = tracker.start_run(
        experiment_id, name=model, tags={**tags, schema.TAG_ROLE: schema.ROLE_SEARCH}
    )
    best = tracker.start_run(
        experiment_id,
        name=f"{model}-predictions",
        tags={**tags, schema.TAG_ROLE: schema.ROLE_BEST},
        parent_run_id=search,
    )
    tracker.log(
        best,
        RunRecord(metrics={schema.TEST_METRIC.format(scorer=k): v for k, v in metrics.items()}),
    )
    tracker.log_frame(best, predictions, schema.PREDICTIONS_ARTIFACT)
    tracker.finish(best)
    tracker.finish(search)
    return best


def test_metrics(predictions: pd.DataFrame, positive: str | None) -> dict[str, float]:
    """Test scores computable from predictions alone, named as scikit-learn's scorers (so
    they line up with the scores of mlreport's models): the first is the default primary."""
    from sklearn import metrics as m

    y_true, y_pred = predictions["y_true"], predictions["y_pred"]
    if is_regression(predictions):
        return {
            "r2": m.r2_score(y_true, y_pred),
            "neg_mean_absolute_error": -m.mean_absolute_error(y_true, y_pred),
            "neg_root_mean_squared_error": -m.root_mean_squared_error(y_true, y_pred),
        }
    scores = {
        "accuracy": m.accuracy_score(y_true, y_pred),
        "balanced_accuracy": m.balanced_accuracy_score(y_true, y_pred),
    }
    if len(set(y_true) | set(y_pred)) == 2:
        chosen = positive or _positive_label(predictions)
        scores.update(
            f1=m.f1_score(y_true, y_pred, pos_label=chosen),
            precision=m.precision_score(y_true, y_pred, pos_label=chosen, zero_division=0),
            recall=m.recall_score(y_true, y_pred, pos_label=chosen),
        )
        column = PROBA_PREFIX + chosen
        if column in predictions.columns and y_true.nunique() == 2:
            positive_rows = y_true == chosen
            scores["roc_auc"] = m.roc_auc_score(positive_rows, predictions[column])
            scores["average_precision"] = m.average_precision_score(
                positive_rows, predictions[column]
            )
    return {name: float(value) for name, value in scores.items()}


def _read(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise MlreportError(NO_FILE.format(path=path))
    kind = file_format(path.name)
    if kind is None:
        raise MlreportError(UNKNOWN_FORMAT.format(path=path))
    try:
        return pd.read_parquet(path) if kind == "parquet" else pd.read_csv(path)
    except Exception as exc:  # pandas raises many types for a broken file
        raise MlreportError(UNREADABLE.format(path=path, reason=first_line(exc))) from exc


def _labels(column: pd.Series) -> pd.Series:
    """Class labels as text; whole numbers written alike (1, 1.0 and "1" are one class)."""
    numbers = pd.to_numeric(column, errors="coerce")
    if numbers.notna().all() and np.all(np.mod(numbers.to_numpy(dtype=np.float64), 1) == 0):
        return numbers.astype(np.int64).astype(str)
    return column.astype(str)


def _positive_label(predictions: pd.DataFrame) -> str:
    """The positive class when none is given: the last label in sorted order (1 of 0/1,
    True of False, yes of no)."""
    labels = sorted(set(predictions["y_true"]) | set(predictions["y_pred"]))
    return labels[-1]
