"""The Parquet dataset written by ``export``: every table and column, in one place.

Everything downstream of the export (analysis, site) reads these tables and
never talks to MLflow. Timestamps are UTC, in milliseconds since the epoch as
MLflow stores them, typed as Arrow timestamps.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa

#: 2: ``metric_history`` became a folder of Parquet files, ``predictions`` was added
#: (later, without a version change: the other ``RUN_ARTIFACT_COPIES`` folders, which an
#: older export lacks and a reader treats as empty).
SCHEMA_VERSION = 2
MANIFEST_FILE = "manifest.json"

_TS = pa.timestamp("ms", tz="UTC")

EXPERIMENTS = pa.schema(
    [
        ("experiment_id", pa.string()),
        ("name", pa.string()),
        ("lifecycle_stage", pa.string()),  # "active" or "deleted"
        ("artifact_location", pa.string()),
        ("creation_time", _TS),
        ("last_update_time", _TS),
    ]
)
EXPERIMENT_TAGS = pa.schema(
    [("experiment_id", pa.string()), ("key", pa.string()), ("value", pa.string())]
)
RUNS = pa.schema(
    [
        ("run_id", pa.string()),
        ("experiment_id", pa.string()),
        ("run_name", pa.string()),
        ("status", pa.string()),  # RUNNING, SCHEDULED, FINISHED, FAILED, KILLED
        ("lifecycle_stage", pa.string()),
        ("start_time", _TS),
        ("end_time", _TS),
        ("duration_s", pa.float64()),
        ("parent_run_id", pa.string()),
        ("user_id", pa.string()),
        ("artifact_uri", pa.string()),
    ]
)
PARAMS = pa.schema([("run_id", pa.string()), ("key", pa.string()), ("value", pa.string())])
METRICS = pa.schema(
    [
        ("run_id", pa.string()),
        ("key", pa.string()),
        ("value", pa.float64()),
        ("step", pa.int64()),
        ("timestamp", _TS),
    ]
)
METRIC_HISTORY = pa.schema(
    [
        ("run_id", pa.string()),
        ("key", pa.string()),
        ("step", pa.int64()),
        ("timestamp", _TS),
        ("value", pa.float64()),
    ]
)
TAGS = pa.schema([("run_id", pa.string()), ("key", pa.string()), ("value", pa.string())])
ARTIFACTS = pa.schema(
    [
        ("run_id", pa.string()),
        ("path", pa.string()),
        ("is_dir", pa.bool_()),
        ("file_size", pa.int64()),
    ]
)

#: Table name -> schema. Each table is one ``<name>.parquet`` file, except the tables in
#: ``PARTITIONED_TABLES``. Rows are in the store's order; ``dataset.read_dataset`` sorts
#: them by ``SORT_KEYS``.
TABLES: dict[str, pa.Schema] = {
    "experiments": EXPERIMENTS,
    "experiment_tags": EXPERIMENT_TAGS,
    "runs": RUNS,
    "params": PARAMS,
    "metrics": METRICS,
    "metric_history": METRIC_HISTORY,
    "tags": TAGS,
    "artifacts": ARTIFACTS,
}

SORT_KEYS: dict[str, list[str]] = {
    "experiments": ["experiment_id"],
    "experiment_tags": ["experiment_id", "key"],
    "runs": ["experiment_id", "run_id"],
    "params": ["run_id", "key"],
    "metrics": ["run_id", "key"],
    "metric_history": ["run_id", "key", "step", "timestamp", "value"],
    "tags": ["run_id", "key"],
    "artifacts": ["run_id", "path"],
}

#: Tables written as a folder ``<name>/`` of Parquet files (read the folder as one
#: table, e.g. ``pyarrow.parquet.read_table``): a run's rows are all in one file, sorted
#: by ``SORT_KEYS``; files are in no particular order. An incremental export rewrites
#: only the files holding runs that changed.
PARTITIONED_TABLES = frozenset({"metric_history"})

#: The predictions of best-model runs: ``predictions/<run_id>.parquet``, a copy of the
#: run's ``PREDICTIONS_ARTIFACT`` (columns described there).
PREDICTIONS_DIR = "predictions"


def table_path(dataset: Path, name: str) -> Path:
    """Where table ``name`` is in a dataset folder: a file, or a folder of files."""
    return dataset / (name if name in PARTITIONED_TABLES else f"{name}.parquet")


# --- What mlreport's runs carry (the MLflow side of the contract) -------------

TAG_PREFIX = "mlreport."
TAG_EXPERIMENT = "mlreport.experiment"
TAG_MODEL = "mlreport.model"
TAG_ROLE = "mlreport.role"  # one of ROLES
TAG_CONFIG_HASH = "mlreport.config_hash"
TAG_GIT_COMMIT = "mlreport.git_commit"
TAG_PRIMARY_METRIC = "mlreport.primary_metric"
TAG_ESTIMATOR = "mlreport.estimator"
TAG_STRATEGY = "mlreport.strategy"
TAG_ERROR = "mlreport.error"
TAG_TRIAL_INDEX = "mlreport.trial_index"
#: The search run's param holding its search space (JSON of the experiment file's space)
PARAM_SEARCH_SPACE = "search_space"
#: Where a run mlreport started runs: the host, the process id and the process's start
#: time (seconds since the epoch), so that the next ``run`` can tell a run whose process
#: is gone (killed) from one still running; a closed run's ``TAG_KILLED_REASON`` says why.
TAG_HOST = "mlreport.host"
TAG_PID = "mlreport.pid"
TAG_PROCESS_START = "mlreport.process_start"
TAG_KILLED_REASON = "mlreport.killed_reason"
#: Experiment tag: the fairness settings (JSON) of the experiment's reports.
TAG_FAIRNESS = "mlreport.fairness"
#: Where predictions made elsewhere came from (the file ``mlreport fairness`` logged).
TAG_SOURCE = "mlreport.source"
#: Search and best runs: rows of the data file, how many were dropped before the split
#: and why (one of the DROPPED_* reasons). Rows read is 0 when the data is generated.
TAG_ROWS_READ = "mlreport.rows_read"
TAG_ROWS_DROPPED = "mlreport.rows_dropped"
TAG_ROWS_DROPPED_REASON = "mlreport.rows_dropped_reason"
DROPPED_MISSING_TARGET = "missing target"
DROPPED_MISSING_PREDICTION = "missing prediction"
#: Strategy and estimator tags of predictions made elsewhere (no search ran).
EXTERNAL_STRATEGY = "external"
EXTERNAL_ESTIMATOR = "predictions made elsewhere"
#: Tag of predictions made elsewhere that were scored on the experiment's own test split
#: (``mlreport fairness --same-test-split``): ``"true"``. Only those are ranked against
#: mlreport's models (the best model, metric floors, ``diff``).
TAG_SAME_TEST_SPLIT = "mlreport.same_test_split"
EXPERIMENT_DESCRIPTION_TAG = "mlflow.note.content"
PARENT_RUN_TAG = "mlflow.parentRunId"

#: Search strategies that train with partial_fit and score on a validation split: the
#: incremental ones of config's strategy registry (a test checks that they agree).
INCREMENTAL_STRATEGIES = ("incremental", "hyperband", "successive_halving")

ROLE_SEARCH = "search"
ROLE_TRIAL = "trial"
ROLE_BEST = "best"
ROLE_SCALING = "scaling"
ROLES = (ROLE_SEARCH, ROLE_TRIAL, ROLE_BEST, ROLE_SCALING)

#: Metric keys of trial runs: ``cv_<scorer>_mean`` / ``cv_<scorer>_std``.
CV_MEAN = "cv_{scorer}_mean"
CV_STD = "cv_{scorer}_std"
METRIC_FIT_TIME = "fit_time_s"
METRIC_SCORE_TIME = "score_time_s"
METRIC_RANK = "rank"
#: Metric keys of incremental-search trials: the validation score of the primary metric
#: (``val_<scorer>``, with one history step per partial_fit call), the calls made and the
#: mean time of one call.
VAL_SCORE = "val_{scorer}"
METRIC_PARTIAL_FIT_CALLS = "partial_fit_calls"
METRIC_PARTIAL_FIT_TIME = "partial_fit_time_s"
TAG_BRACKET = "mlreport.bracket"
TAG_STOP_REASON = "mlreport.stop_reason"
STOP_COMPLETED = "completed"
STOP_EARLY = "stopped early"
STOP_FAILED = "failed"
#: Metric keys of best-model runs: ``test_<scorer>``.
TEST_METRIC = "test_{scorer}"
METRIC_SEARCH_TIME = "search_wall_time_s"

#: The best-model run's predictions artifact: one row per test sample with
#: ``y_true``, ``y_pred`` (labels, or numbers for regression), ``proba_<label>`` per
#: class when the model gives probabilities (else ``decision_score_<label>``: per class,
#: or one column, the positive class's margin, for a binary task), and
#: ``sensitive_<column>``. Predictions made elsewhere have at most one ``proba_<label>``
#: column: the score of the positive class given with ``mlreport fairness --score``.
PREDICTIONS_ARTIFACT = "predictions.parquet"
PROBA_PREFIX = "proba_"
DECISION_PREFIX = "decision_score_"
#: The best-model run's SHAP values on a seeded sample of test rows, long:
#: ``sample``, ``feature`` (named after preprocessing), ``output`` (the explained class,
#: or ``prediction``), ``shap_value``, ``feature_value`` (what the model saw).
EXPLANATION_ARTIFACT = "explanation.parquet"
#: eli5's weights of a linear or tree best model: ``output``, ``feature``, ``weight``.
WEIGHTS_ARTIFACT = "weights.parquet"
#: A scaling run's measurements, one row each: ``kind`` (``fit``: one fit of the best
#: params on ``rows`` training rows, with ``fit_time_s`` and ``peak_memory_bytes``;
#: ``search``: the whole search on ``workers`` local dask workers, ``wall_time_s``).
SCALING_ARTIFACT = "scaling.parquet"
SCALING_FIT = "fit"
SCALING_SEARCH = "search"
#: Metrics and params of explanations and scaling runs.
METRIC_EXPLAIN_TIME = "explain_time_s"
TAG_EXPLAIN_ERROR = "mlreport.explain_error"
TAG_EXPLAINER = "mlreport.explainer"
TAG_EXPLAIN_SPACE = "mlreport.explain_space"  # what SHAP values add up to, e.g. log-odds
TAG_WEIGHTS_KIND = "mlreport.weights_kind"  # coefficients, feature importances, permutation
MODEL_ARTIFACT = "model"
SPEC_ARTIFACT = "experiment.yaml"
#: Prediction columns of sensitive features: ``sensitive_<column>``; a missing value is
#: the group ``MISSING_GROUP``.
SENSITIVE_PREFIX = "sensitive_"
MISSING_GROUP = "(missing)"


Labels = TypeVar("Labels", pd.DataFrame, pd.Series)


def group_labels(values: Labels) -> Labels:
    """Sensitive values as written in predictions: text, a missing value ``MISSING_GROUP``."""
    return values.astype("object").fillna(MISSING_GROUP).astype(str)


def class_labels(values: pd.Series) -> pd.Series:
    """Class labels as written in predictions: stripped text, whole numbers alike however
    typed (1, 1.0 and "1" are the class "1")."""
    if pd.api.types.is_bool_dtype(values):  # True / False stay words
        return values.astype(str).astype(object)
    numbers = pd.to_numeric(values, errors="coerce")
    finite = numbers.to_numpy(dtype=np.float64)
    if numbers.notna().all() and np.all(np.mod(finite, 1) == 0):
        return pd.Series(finite.astype(np.int64).astype(str), index=values.index, dtype=object)
    return values.astype(str).str.strip().astype(object)


#: One row per build, experiment and model: the build history that ``mlreport build``
#: appends to and every export carries over (``BUILDS_FILE`` in the dataset folder). A
#: model that failed in a build has a row of ``status`` ``BUILD_FAILED`` with its one-line
#: ``error`` and no score; a build with such a row failed. (A history written before
#: ``status`` and ``error`` existed reads as ``BUILD_OK`` and "".)
BUILDS_FILE = "builds.parquet"
BUILD_OK = "ok"
BUILD_FAILED = "failed"
BUILDS = pa.schema(
    [
        ("build_time", _TS),
        ("git_commit", pa.string()),
        ("experiment", pa.string()),
        ("model", pa.string()),
        ("primary_metric", pa.string()),
        ("test_score", pa.float64()),
        ("best", pa.bool_()),
        ("failed_gates", pa.int64()),
        ("status", pa.string()),
        ("error", pa.string()),
    ]
)

#: Run artifacts the export copies into the dataset as ``<folder>/<run_id>.parquet``:
#: folder -> (the role of the runs that log it, the artifact's path in the run).
RUN_ARTIFACT_COPIES: dict[str, tuple[str, str]] = {
    PREDICTIONS_DIR: (ROLE_BEST, PREDICTIONS_ARTIFACT),
    "explanations": (ROLE_BEST, EXPLANATION_ARTIFACT),
    "weights": (ROLE_BEST, WEIGHTS_ARTIFACT),
    "scaling": (ROLE_SCALING, SCALING_ARTIFACT),
}


def row_count_tags(read: int, dropped: int, reason: str) -> dict[str, str]:
    """The run tags that carry a data file's rows, and those dropped and why."""
    tags = {TAG_ROWS_READ: str(read), TAG_ROWS_DROPPED: str(dropped)}
    if dropped:
        tags[TAG_ROWS_DROPPED_REASON] = reason
    return tags
