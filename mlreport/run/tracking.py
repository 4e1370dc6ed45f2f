"""The only writer of MLflow: experiments, search/trial/best runs, batched logging."""

from __future__ import annotations

import json
import logging
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from mlreport import schema
from mlreport._store import (
    mask_password,
    open_sqlite_without_pool,
    store_problem,
    use_write_ahead_log,
)
from mlreport.errors import StoreUnavailableError, TrackingError

UNREACHABLE_STORE = "cannot use the MLflow tracking store {uri}: {reason}"
PARAM_VALUE_LIMIT = 6000  # MLflow's limit on a param value
_BATCH_ENTITIES = 1000  # log_batch limits
_BATCH_PARAMS_AND_TAGS = 100


def param_value(value: Any) -> str:
    """A param as MLflow stores it: text, numpy scalars unwrapped, within the size limit."""
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    text = (
        value
        if isinstance(value, str)
        else json.dumps(value)
        if isinstance(value, (list, dict))
        else str(value)
    )
    return text[:PARAM_VALUE_LIMIT]


@dataclass
class RunRecord:
    """What to log to one run, in batches."""

    params: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    #: metric key -> (step, value, timestamp in ms): every value of a metric's history;
    #: the latest of them is the metric's value
    history: dict[str, list[tuple[int, float, int]]] = field(default_factory=dict)


@dataclass(frozen=True)
class FinishedRun:
    """A run logged after it ended, with its start, end and final status."""

    name: str
    tags: Mapping[str, str]
    record: RunRecord
    start_time: int
    end_time: int
    status: str = "FINISHED"  # or FAILED
    parent_run_id: str | None = None


class Tracker:
    """Writes mlreport's runs to one tracking store through ``MlflowClient``."""

    def __init__(self, tracking_uri: str) -> None:
        import mlflow
        from mlflow.tracking import MlflowClient

        logging.getLogger("mlflow").setLevel(logging.ERROR)
        logging.getLogger("alembic").setLevel(logging.ERROR)
        # it logs each database error with its traceback, then raises it: _store_errors
        # makes one line of it
        logging.getLogger("mlflow.store.db.utils").setLevel(logging.CRITICAL)
        self.tracking_uri = tracking_uri
        open_sqlite_without_pool(tracking_uri)
        use_write_ahead_log(tracking_uri)
        mlflow.set_tracking_uri(tracking_uri)
        with _store_errors(tracking_uri):  # a new SQL store gets its tables now
            self.client = MlflowClient(tracking_uri=tracking_uri)

    # -- experiments -----------------------------------------------------------
    def experiment_id(
        self, name: str, *, description: str | None, tags: dict[str, str] | None = None
    ) -> str:
        """The id of the named experiment, created or restored as needed, its description
        (unless None) and ``tags`` set (an empty value deletes a tag)."""
        with _store_errors(self.tracking_uri):
            experiment = self.client.get_experiment_by_name(name)
            if experiment is None:
                experiment_id = str(
                    self.client.create_experiment(name, tags={schema.TAG_EXPERIMENT: name})
                )
                current: dict[str, str] = {}
            else:
                experiment_id = str(experiment.experiment_id)
                if experiment.lifecycle_stage == "deleted":
                    self.client.restore_experiment(experiment_id)
                current = dict(experiment.tags)
            wanted = dict(tags or {})
            if description is not None:
                wanted[schema.EXPERIMENT_DESCRIPTION_TAG] = description
            for key, value in wanted.items():
                if value and value != current.get(key, ""):
                    self.client.set_experiment_tag(experiment_id, key, value)
                elif not value and key in current:
                    self.client.delete_experiment_tag(experiment_id, key)
        return experiment_id

    def existing_experiment(self, name: str) -> tuple[str, dict[str, str]] | None:
        """The id and tags of the named experiment, None if there is none."""
        with _store_errors(self.tracking_uri):
            experiment = self.client.get_experiment_by_name(name)
        if experiment is None:
            return None
        return str(experiment.experiment_id), dict(experiment.tags)

    def current_fingerprints(self, experiment_id: str) -> dict[str, str]:
        """Model name -> config hash of its latest search, for searches that finished."""
        latest: dict[str, str] = {}
        for run in self._searches(experiment_id):
            model = run.data.tags.get(schema.TAG_MODEL, "")
            if model in latest:
                continue
            finished = run.info.status == "FINISHED"
            latest[model] = run.data.tags.get(schema.TAG_CONFIG_HASH, "") if finished else ""
        return {model: fingerprint for model, fingerprint in latest.items() if fingerprint}

    def latest_searches(self, experiment_id: str) -> dict[str, dict[str, str]]:
        """Model name -> the tags of its latest mlreport search in the experiment."""
        latest: dict[str, dict[str, str]] = {}
        for run in self._searches(experiment_id):
            latest.setdefault(run.data.tags.get(schema.TAG_MODEL, ""), dict(run.data.tags))
        return latest

    def _searches(self, experiment_id: str) -> list[Any]:
        """The experiment's active mlreport search runs, latest first."""
        from mlflow.entities import ViewType

        with _store_errors(self.tracking_uri):
            return list(
                self.client.search_runs(
                    [experiment_id],
                    filter_string=f"tags.`{schema.TAG_ROLE}` = '{schema.ROLE_SEARCH}'",
                    run_view_type=ViewType.ACTIVE_ONLY,
                    order_by=["attributes.start_time DESC"],
                    max_results=50000,
                )
            )

    def running_runs(self) -> list[tuple[str, dict[str, str]]]:
        """(run id, tags) of every active mlreport run still RUNNING, in any experiment."""
        from mlflow.entities import ViewType

        with _store_errors(self.tracking_uri):
            experiment_ids = [
                e.experiment_id for e in self.client.search_experiments(view_type=ViewType.ALL)
            ]
            if not experiment_ids:
                return []
            runs = self.client.search_runs(
                experiment_ids,
                filter_string="attributes.status = 'RUNNING'",
                run_view_type=ViewType.ACTIVE_ONLY,
                max_results=50000,
            )
        return [
            (str(run.info.run_id), dict(run.data.tags))
            for run in runs
            if schema.TAG_ROLE in run.data.tags
        ]

    # -- runs ------------------------------------------------------------------
    def start_run(
        self,
        experiment_id: str,
        *,
        name: str,
        tags: Mapping[str, str],
        parent_run_id: str | None = None,
        start_time: int | None = None,
    ) -> str:
        all_tags = dict(tags)
        if parent_run_id:
            all_tags[schema.PARENT_RUN_TAG] = parent_run_id
        with _store_errors(self.tracking_uri):
            run = self.client.create_run(
                experiment_id, start_time=start_time, tags=all_tags, run_name=name
            )
        return str(run.info.run_id)

    def log(self, run_id: str, record: RunRecord, *, timestamp: int | None = None) -> None:
        """Log params, metrics and tags of a run with as few ``log_batch`` calls as possible."""
        metrics, params, tags = _entities(record, timestamp or now_ms())
        with _store_errors(self.tracking_uri):
            while metrics or params or tags:
                # MLflow's limits per request: 100 params and tags together, 1000 entities.
                batch_params = params[:_BATCH_PARAMS_AND_TAGS]
                batch_tags = tags[: _BATCH_PARAMS_AND_TAGS - len(batch_params)]
                room = _BATCH_ENTITIES - len(batch_params) - len(batch_tags)
                batch_metrics = metrics[:room]
                self.client.log_batch(
                    run_id,
                    metrics=batch_metrics,
                    params=batch_params,
                    tags=batch_tags,
                    synchronous=True,
                )
                metrics = metrics[len(batch_metrics) :]
                params = params[len(batch_params) :]
                tags = tags[len(batch_tags) :]

    def log_finished_runs(self, experiment_id: str, runs: Sequence[FinishedRun]) -> list[str]:
        """Log runs that are over before they are logged (a search's trials); their ids.

        On an SQL store (SQLite, PostgreSQL, MySQL) all of them are written in one
        transaction with MLflow's own table models and validation: a few milliseconds for
        a hundred trials, where creating, logging and ending each run through the client
        takes three transactions per run. Other stores get exactly those client calls.
        """
        store = self._sql_store()
        if store is None:
            return [self._log_finished_run(experiment_id, run) for run in runs]
        with _store_errors(self.tracking_uri):
            return _insert_finished_runs(store, experiment_id, runs)

    def _log_finished_run(self, experiment_id: str, run: FinishedRun) -> str:
        run_id = self.start_run(
            experiment_id,
            name=run.name,
            tags=run.tags,
            parent_run_id=run.parent_run_id,
            start_time=run.start_time,
        )
        self.log(run_id, run.record, timestamp=run.end_time)
        self.finish(run_id, status=run.status, end_time=run.end_time)
        return run_id

    def _sql_store(self) -> Any:
        """MLflow's SQLAlchemy store behind the client, or None for other stores."""
        from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

        store = getattr(getattr(self.client, "_tracking_client", None), "store", None)
        return store if isinstance(store, SqlAlchemyStore) else None

    def kill(self, run_id: str, *, reason: str) -> None:
        """End a run as KILLED, now, with why (``schema.TAG_KILLED_REASON``)."""
        self.log(run_id, RunRecord(tags={schema.TAG_KILLED_REASON: reason}))
        self.finish(run_id, status="KILLED")

    def finish(self, run_id: str, *, status: str = "FINISHED", end_time: int | None = None) -> None:
        with _store_errors(self.tracking_uri):
            self.client.set_terminated(run_id, status=status, end_time=end_time or now_ms())

    def log_text(self, run_id: str, text: str, artifact_file: str) -> None:
        with _store_errors(self.tracking_uri):
            self.client.log_text(run_id, text, artifact_file)

    def log_frame(self, run_id: str, frame: pd.DataFrame, artifact_file: str) -> None:
        """Log a DataFrame as a Parquet artifact."""
        with tempfile.TemporaryDirectory() as tmp, _store_errors(self.tracking_uri):
            path = Path(tmp) / artifact_file
            frame.to_parquet(path, index=False)
            self.client.log_artifact(run_id, str(path))

    def log_sklearn_model(self, run_id: str, model: Any) -> None:
        """Log a fitted scikit-learn model (cloudpickle: skops refuses many estimators)."""
        import mlflow
        import sklearn

        with _store_errors(self.tracking_uri), mlflow.start_run(run_id=run_id):
            mlflow.sklearn.log_model(
                model,
                name=schema.MODEL_ARTIFACT,
                serialization_format="cloudpickle",
                pip_requirements=[f"scikit-learn=={sklearn.__version__}"],
            )


def _entities(record: RunRecord, timestamp: int) -> tuple[list[Any], list[Any], list[Any]]:
    """MLflow's Metric, Param and RunTag entities of a record; plain metrics at ``timestamp``."""
    from mlflow.entities import Metric, Param, RunTag

    metrics = [
        Metric(key, float(value), timestamp, 0)
        for key, value in sorted(record.metrics.items())
        if value is not None and key not in record.history
    ]
    metrics.extend(
        Metric(key, float(value), at, step)
        for key, points in sorted(record.history.items())
        for step, value, at in points
    )
    params = [Param(k, param_value(v)) for k, v in sorted(record.params.items())]
    tags = [RunTag(k, v) for k, v in sorted(record.tags.items())]
    return metrics, params, tags


def _insert_finished_runs(store: Any, experiment_id: str, runs: Sequence[FinishedRun]) -> list[str]:
    """Write finished runs into an SQL store in one transaction, as the client would.

    Rows go through MLflow's table models (so they follow the installed MLflow's schema)
    as bulk inserts, after MLflow's own validation of every metric, param and tag; a test
    checks that the runs read back equal to runs logged through the client.
    """
    from mlflow.entities import LifecycleStage, RunStatus, SourceType
    from mlflow.exceptions import MlflowException
    from mlflow.store.tracking.dbmodels.models import (
        SqlLatestMetric,
        SqlMetric,
        SqlParam,
        SqlRun,
        SqlTag,
    )
    from mlflow.utils.mlflow_tags import MLFLOW_PARENT_RUN_ID, MLFLOW_RUN_NAME, MLFLOW_USER
    from mlflow.utils.uri import append_to_uri_path
    from mlflow.utils.validation import _validate_batch_log_data
    from sqlalchemy import insert

    experiment = store.get_experiment(experiment_id)
    if experiment.lifecycle_stage != LifecycleStage.ACTIVE:
        raise MlflowException(f"experiment {experiment_id} is not active")
    rows: dict[Any, list[dict[str, Any]]] = {
        model: [] for model in (SqlRun, SqlTag, SqlParam, SqlMetric, SqlLatestMetric)
    }  # in foreign-key order: runs first
    run_ids: list[str] = []
    for run in runs:
        run_id = uuid.uuid4().hex
        tags = {**run.tags, **run.record.tags, MLFLOW_RUN_NAME: run.name}
        if run.parent_run_id:
            tags[MLFLOW_PARENT_RUN_ID] = run.parent_run_id
        metrics, params, tag_entities = _validate_batch_log_data(
            *_entities(replace(run.record, tags=tags), run.end_time)
        )
        RunStatus.from_string(run.status)  # rejects an unknown status
        rows[SqlRun].append(
            {
                "name": run.name,
                "artifact_uri": append_to_uri_path(
                    experiment.artifact_location, run_id, "artifacts"
                ),
                "run_uuid": run_id,
                "experiment_id": int(experiment_id),
                "source_type": SourceType.to_string(SourceType.UNKNOWN),
                "source_name": "",
                "entry_point_name": "",
                "user_id": tags.get(MLFLOW_USER, "unknown"),
                "status": run.status,
                "start_time": run.start_time,
                "end_time": run.end_time,
                "deleted_time": None,
                "source_version": "",
                "lifecycle_stage": LifecycleStage.ACTIVE,
            }
        )
        rows[SqlTag].extend(
            {"key": t.key, "value": t.value, "run_uuid": run_id} for t in tag_entities
        )
        rows[SqlParam].extend({"key": p.key, "value": p.value, "run_uuid": run_id} for p in params)
        latest: dict[str, tuple[tuple[int, int, float], dict[str, Any]]] = {}
        for metric in dict.fromkeys(metrics):  # log_batch drops exact duplicates too
            is_nan, value = store.sanitize_metric_value(metric.value)
            row = {
                "key": metric.key,
                "value": value,
                "timestamp": metric.timestamp,
                "step": metric.step,
                "is_nan": is_nan,
                "run_uuid": run_id,
            }
            rows[SqlMetric].append(row)
            order = (metric.step, metric.timestamp, value)
            if metric.key not in latest or order > latest[metric.key][0]:
                latest[metric.key] = (order, row)
        rows[SqlLatestMetric].extend(row for _, row in latest.values())
        run_ids.append(run_id)
    with store.ManagedSessionMaker(read_only=False) as session:
        for model, values in rows.items():
            if values:
                session.execute(insert(model), values)
    return run_ids


def now_ms() -> int:
    """Milliseconds since the epoch, MLflow's unit of time."""
    return int(time.time() * 1000)


@contextmanager
def _store_errors(uri: str) -> Iterator[None]:
    from mlflow.exceptions import MlflowException
    from sqlalchemy.exc import SQLAlchemyError

    try:
        yield
    except (SQLAlchemyError, MlflowException, OSError) as exc:
        problem = store_problem(uri, exc)
        if problem is not None:
            raise StoreUnavailableError(problem) from exc
        # SQLAlchemy's own errors come from the one-transaction path
        reason = str(exc.message) if isinstance(exc, MlflowException) else str(exc)
        message = UNREACHABLE_STORE.format(uri=uri, reason=(reason.splitlines() or [""])[0])
        raise TrackingError(mask_password(message)) from exc
