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
from typing import Literal

import numpy as np
import pandas as pd

from mlreport import schema
from mlreport.analysis import (
    NO_REPORT,
    ModelFairness,
    is_regression,
    model_fairness,
)
from mlreport.config import (
    DEFAULT_THRESHOLDS,
    THRESHOLD_METRICS,
    FairnessSettings,
    SiteSettings,
    Threshold,
    file_format,
    separator_of,
    strip_compression,
)
from mlreport.errors import MlreportError, first_line
from mlreport.text import rows_used

NO_FILE = "{path}: no such file"
UNKNOWN_FORMAT = "{path}: neither .csv (optionally compressed) nor .parquet"
UNREADABLE = "{path}: cannot read it: {reason}"
MISSING_COLUMNS = "{path} has no column {names} (columns: {available})"
OTHER_SEPARATOR = "; it is read as one column: give its separator, e.g. --sep {sep!r}"
NO_SCORED_ROWS = "{path}: no row has both a true and a predicted value"
BAD_THRESHOLD = (
    "threshold {text!r} is not METRIC>=BOUND or METRIC<=BOUND "
    "(metrics: {known}), e.g. demographic_parity_ratio>=0.8"
)
BAD_SCORE = "score column {column!r} holds values that are not numbers"
NOT_NUMBERS = "regression column {column!r} holds values that are not numbers: {examples}"
UNKNOWN_POSITIVE = "positive class {positive!r} is not among the labels: {labels}"
NO_SENSITIVE = "name at least one sensitive column: --sensitive COL[,COL]"
MODEL_TAKEN = (
    "experiment {experiment!r} has a model {model!r} that mlreport searched; choose another --name"
)
OTHER_SETTINGS = "experiment {experiment!r} has its own fairness settings, which apply: {reason}"
RANKED_EXTERNAL = "ranked against the experiment's models (same test split)"
UNRANKED_EXTERNAL = "not ranked against mlreport's models (see --same-test-split)"
SPLIT_WITHOUT_EXPERIMENT = (
    "--same-test-split only applies to predictions logged to an experiment: add --experiment NAME"
)

Task = Literal["classification", "regression"]
_THRESHOLD_TEXT = re.compile(r"^\s*([a-z_]+)\s*(>=|<=)\s*([-+0-9.eE]+)\s*$")


@dataclass(frozen=True)
class ScoredColumns:
    """Which columns of the scored file hold what."""

    y_true: str
    y_pred: str
    sensitive: tuple[str, ...]
    score: str | None = None


def default_model_name(path: Path) -> str:
    """The file's name without its format and compression suffixes."""
    name = strip_compression(path.name)
    stem, dot, _ = name.rpartition(".")
    return stem if dot and file_format(name) is not None and stem else name


def parse_threshold(text: str) -> Threshold:
    """``demographic_parity_ratio>=0.8`` as a Threshold; MlreportError if malformed."""
    match = _THRESHOLD_TEXT.match(text)
    if match is None or match.group(1) not in THRESHOLD_METRICS:
        raise MlreportError(BAD_THRESHOLD.format(text=text, known=", ".join(THRESHOLD_METRICS)))
    try:
        bound = float(match.group(3))
    except ValueError as exc:
        raise MlreportError(
            BAD_THRESHOLD.format(text=text, known=", ".join(THRESHOLD_METRICS))
        ) from exc
    return Threshold(match.group(1), bound, "min" if match.group(2) == ">=" else "max")


@dataclass(frozen=True)
class ScoredFile:
    """A scored file as a predictions frame, and the rows dropped for a missing value."""

    predictions: pd.DataFrame
    rows_read: int
    missing_true: int  # rows without a true value (some may also lack a prediction)
    missing_prediction: int  # rows with a true value but no prediction

    @property
    def rows_dropped(self) -> int:
        return self.missing_true + self.missing_prediction

    @property
    def drop_reason(self) -> str:
        if self.missing_true and self.missing_prediction:
            return (
                f"{self.missing_true:,} missing true value, "
                f"{self.missing_prediction:,} {schema.DROPPED_MISSING_PREDICTION}"
            )
        return "missing true value" if self.missing_true else schema.DROPPED_MISSING_PREDICTION

    def row_tags(self) -> dict[str, str]:
        """The rows as the run tags that carry an experiment's row counts."""
        return schema.row_count_tags(self.rows_read, self.rows_dropped, self.drop_reason)

    @property
    def rows_note(self) -> str:
        """``450 of 500 rows; 50 dropped: missing prediction``."""
        return rows_used(self.rows_read, self.rows_dropped, self.drop_reason)


def read_scored_file(
    path: Path,
    columns: ScoredColumns,
    *,
    task: Task = "classification",
    positive: str | None = None,
    sep: str | None = None,
) -> pd.DataFrame:
    """The scored file as a predictions frame of the export's schema; a given ``positive``
    must be one of the labels."""
    return read_scored(path, columns, task=task, positive=positive, sep=sep).predictions


def read_scored(
    path: Path,
    columns: ScoredColumns,
    *,
    task: Task = "classification",
    positive: str | None = None,
    sep: str | None = None,
) -> ScoredFile:
    """The scored file as a predictions frame of the export's schema, with the count of
    rows dropped for a missing true or predicted value; a given ``positive`` must be one
    of the labels. ``sep``: the CSV separator (default: detected from the header)."""
    frame = _read(path, sep)
    wanted = [columns.y_true, columns.y_pred, *columns.sensitive]
    if columns.score:
        wanted.append(columns.score)
    missing = [name for name in dict.fromkeys(wanted) if name not in frame.columns]
    columns_of = [str(c) for c in frame.columns]
    if missing:
        raise MlreportError(
            MISSING_COLUMNS.format(
                path=path,
                names=", ".join(missing),
                available=", ".join(map(str, frame.columns[:50])),
            )
            + (OTHER_SEPARATOR.format(sep=found) if (found := separator_of(columns_of)) else "")
        )
    read = len(frame)
    has_true = frame[columns.y_true].notna()
    kept = has_true & frame[columns.y_pred].notna()
    missing_true, missing_prediction = int((~has_true).sum()), int((has_true & ~kept).sum())
    frame = frame[kept]
    if frame.empty:
        raise MlreportError(NO_SCORED_ROWS.format(path=path))
    predictions = _predictions(frame, columns, task=task, positive=positive)
    return ScoredFile(predictions, read, missing_true, missing_prediction)


def _predictions(
    frame: pd.DataFrame, columns: ScoredColumns, *, task: Task, positive: str | None
) -> pd.DataFrame:
    """The scored rows as a predictions frame of the export's schema."""
    if task == "regression":
        out = pd.DataFrame(
            {
                "y_true": _numbers(frame[columns.y_true], columns.y_true),
                "y_pred": _numbers(frame[columns.y_pred], columns.y_pred),
            }
        )
    else:
        out = pd.DataFrame(
            {
                "y_true": schema.class_labels(frame[columns.y_true]),
                "y_pred": schema.class_labels(frame[columns.y_pred]),
            }
        )
        chosen = positive_label(out, positive)
        if columns.score:
            scores = pd.to_numeric(frame[columns.score], errors="coerce")
            if scores.isna().any():
                raise MlreportError(BAD_SCORE.format(column=columns.score))
            out[schema.PROBA_PREFIX + chosen] = scores.to_numpy(dtype=np.float64)
    for name in columns.sensitive:
        out[schema.SENSITIVE_PREFIX + name] = schema.group_labels(frame[name]).to_numpy()
    return out.reset_index(drop=True)


def positive_label(predictions: pd.DataFrame, given: str | None) -> str:
    """The positive class: ``given`` (written as labels are) if it is a label, else the last
    label in sorted order (1 of 0/1, True of False, yes of no)."""
    labels = sorted(set(predictions["y_true"]) | set(predictions["y_pred"]))
    if given is None:
        return str(labels[-1])
    chosen = str(schema.class_labels(pd.Series([given])).iloc[0])
    if chosen not in labels:
        shown = ", ".join(map(str, labels[:20]))
        raise MlreportError(UNKNOWN_POSITIVE.format(positive=given, labels=shown))
    return chosen


def _numbers(column: pd.Series, name: str) -> pd.Series:
    """A regression column as floats; a clear error for values that are not numbers."""
    values = pd.to_numeric(column, errors="coerce")
    bad = column[values.isna()]
    if not bad.empty:
        examples = ", ".join(repr(v) for v in bad.astype(str).unique()[:3])
        raise MlreportError(NOT_NUMBERS.format(column=name, examples=examples))
    return values.astype(np.float64)


def fairness_of_file(
    predictions: pd.DataFrame, settings: FairnessSettings, *, name: str
) -> ModelFairness:
    """The fairness reports of a scored file; MlreportError naming what is wrong."""
    try:
        reports = model_fairness(predictions, settings)
    except ValueError as exc:
        raise MlreportError(NO_REPORT.format(reason=exc)) from exc
    return ModelFairness(model=name, primary_score=np.nan, reports=reports)


def settings_for(
    sensitive: Sequence[str],
    *,
    intersections: bool,
    thresholds: Sequence[Threshold] = (),
    bootstrap: int = 200,
    min_group_size: int = 30,
    confidence: float = 0.95,
    seed: int = 0,
    task: Task = "classification",
) -> FairnessSettings:
    """Settings for a scored file: each feature alone, and all of them crossed if asked."""
    if not sensitive:
        raise MlreportError(NO_SENSITIVE)
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
        bootstrap=bootstrap,
        min_group_size=min_group_size,
        level=confidence,
        seed=seed,
    )


def write_report_site(
    fairness: ModelFairness,
    out_dir: Path,
    *,
    source: str,
    work_dir: Path,
    rows_note: str = "",
    overwrite: bool = False,
) -> Path:
    """A site of its own holding the report as its home page; its index.html.
    ``rows_note``: the file's rows and those dropped (``ScoredFile.rows_note``);
    ``overwrite``: replace ``out_dir`` even if it is not a site mlreport wrote."""
    from mlreport.site import standalone_fairness_page, write_site

    page = standalone_fairness_page(fairness, source=source, rows_note=rows_note)
    settings = SiteSettings(site_name=f"Fairness of {fairness.model}")
    write_site([page], out_dir, settings=settings, work_dir=work_dir, overwrite=overwrite)
    return out_dir / "index.html"


@dataclass(frozen=True)
class LogTarget:
    """Where ``log_to_tracking`` writes, and the fairness settings that will apply there."""

    tracking_uri: str
    experiment: str
    settings: FairnessSettings | None  # the experiment's own, None if it has none


def log_target(tracking_uri: str, experiment: str, model: str) -> LogTarget:
    """Check that ``model`` may be logged to ``experiment``: not a model mlreport searched
    there (its next build would search it again), and read the experiment's settings."""
    from mlreport.run.tracking import Tracker

    tracker = Tracker(tracking_uri)
    found = tracker.existing_experiment(experiment)
    if found is None:
        return LogTarget(tracking_uri, experiment, None)
    experiment_id, tags = found
    searches = tracker.latest_searches(experiment_id)
    strategy = searches.get(model, {}).get(schema.TAG_STRATEGY)
    if strategy is not None and strategy != schema.EXTERNAL_STRATEGY:
        raise MlreportError(MODEL_TAKEN.format(experiment=experiment, model=model))
    tag = tags.get(schema.TAG_FAIRNESS)
    try:
        settings = FairnessSettings.from_json(tag) if tag else None
    except ValueError:
        settings = None
    return LogTarget(tracking_uri, experiment, settings)


def fairness_for_target(
    predictions: pd.DataFrame, settings: FairnessSettings, target: LogTarget, *, name: str
) -> ModelFairness:
    """The report the site will show once logged: with the experiment's own settings when
    it has some (an error naming them if the file does not fit them)."""
    if target.settings is None:
        return fairness_of_file(predictions, settings, name=name)
    try:
        reports = model_fairness(predictions, target.settings)
    except ValueError as exc:
        reason = OTHER_SETTINGS.format(experiment=target.experiment, reason=exc)
        raise MlreportError(reason) from exc
    return ModelFairness(model=name, primary_score=np.nan, reports=reports)


def log_to_tracking(
    predictions: pd.DataFrame,
    settings: FairnessSettings,
    target: LogTarget,
    *,
    model: str,
    source: str,
    same_test_split: bool = False,
    row_tags: dict[str, str] | None = None,
) -> str:
    """Log the predictions as a model of the target experiment (a search run without trials
    and its best run holding the predictions), for the next build's site; the best run's id.
    They are ranked against mlreport's models only with ``same_test_split`` (the user says
    they were scored on the experiment's test split). The experiment's description and own
    fairness settings are left as they are. ``row_tags``: the file's rows and those
    dropped (``ScoredFile.row_tags``). Interrupted, both runs end KILLED."""
    from mlreport.run import interrupt_reason, process_tags
    from mlreport.run.tracking import RunRecord, Tracker

    tracker = Tracker(target.tracking_uri)
    tags = {} if target.settings is not None else {schema.TAG_FAIRNESS: settings.to_json()}
    experiment_id = tracker.experiment_id(target.experiment, description=None, tags=tags)
    applied = target.settings or settings
    metrics = scores_of_predictions(predictions, applied.positive)
    primaries = [
        t.get(schema.TAG_PRIMARY_METRIC, "")
        for t in tracker.latest_searches(experiment_id).values()
    ]
    primary = next((p for p in primaries if p), next(iter(metrics)))
    run_tags = {
        schema.TAG_EXPERIMENT: target.experiment,
        schema.TAG_MODEL: model,
        schema.TAG_PRIMARY_METRIC: primary,
        schema.TAG_ESTIMATOR: schema.EXTERNAL_ESTIMATOR,
        schema.TAG_STRATEGY: schema.EXTERNAL_STRATEGY,
        schema.TAG_SOURCE: source,
        **process_tags(),
        **(row_tags or {}),
    }
    if same_test_split:
        run_tags[schema.TAG_SAME_TEST_SPLIT] = "true"
    search = tracker.start_run(
        experiment_id, name=model, tags={**run_tags, schema.TAG_ROLE: schema.ROLE_SEARCH}
    )
    started = [search]
    try:
        best = tracker.start_run(
            experiment_id,
            name=f"{model}-predictions",
            tags={**run_tags, schema.TAG_ROLE: schema.ROLE_BEST},
            parent_run_id=search,
        )
        started.append(best)
        scores = {schema.TEST_METRIC.format(scorer=k): v for k, v in metrics.items()}
        tracker.log(best, RunRecord(metrics=scores))
        tracker.log_frame(best, predictions, schema.PREDICTIONS_ARTIFACT)
        tracker.finish(best)
        tracker.finish(search)
    except KeyboardInterrupt as exc:
        for run_id in reversed(started):
            tracker.kill(run_id, reason=interrupt_reason(exc))
        raise
    return best


def scores_of_predictions(predictions: pd.DataFrame, positive: str | None) -> dict[str, float]:
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
        chosen = positive_label(predictions, positive)
        scores.update(
            f1=m.f1_score(y_true, y_pred, pos_label=chosen),
            precision=m.precision_score(y_true, y_pred, pos_label=chosen, zero_division=0),
            recall=m.recall_score(y_true, y_pred, pos_label=chosen),
        )
        column = schema.PROBA_PREFIX + chosen
        if column in predictions.columns and y_true.nunique() == 2:
            positive_rows = y_true == chosen
            scores["roc_auc"] = m.roc_auc_score(positive_rows, predictions[column])
            scores["average_precision"] = m.average_precision_score(
                positive_rows, predictions[column]
            )
    return {name: float(value) for name, value in scores.items()}


def _read(path: Path, sep: str | None = None) -> pd.DataFrame:
    """A CSV (compressed or not, as pandas infers from the name) or Parquet file. Without
    ``sep``, a CSV file read as one column whose header holds ``;``, a tab or ``|`` is read
    again split on it."""
    if not path.is_file():
        raise MlreportError(NO_FILE.format(path=path))
    kind = file_format(path.name)
    if kind is None:
        raise MlreportError(UNKNOWN_FORMAT.format(path=path))
    try:
        if kind == "parquet":
            return pd.read_parquet(path)
        frame = pd.read_csv(path, sep=sep or ",", compression="infer")
        detected = None if sep else separator_of([str(c) for c in frame.columns])
        return frame if detected is None else pd.read_csv(path, sep=detected)
    except Exception as exc:  # pandas raises many types for a broken file
        raise MlreportError(UNREADABLE.format(path=path, reason=first_line(exc))) from exc
