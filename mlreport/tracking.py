"""The only writer of MLflow: experiments, search/trial/best runs, batched logging."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from mlreport import schema
from mlreport.errors import TrackingError

DEFAULT_TRACKING_URI = "sqlite:///mlflow.db"
UNREACHABLE_STORE = "cannot use the MLflow tracking store {uri}: {reason}"
PARAM_VALUE_LIMIT = 6000  # MLflow's limit on a param value
_BATCH_ENTITIES = 1000  # log_batch limits
_BATCH_PARAMS_AND_TAGS = 100


def resolve_tracking_uri(uri: str | None) -> str:
    """``--tracking-uri``, else ``MLFLOW_TRACKING_URI``, else the embedded SQLite store."""
    return uri or os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_TRACKING_URI


def git_commit(directory: Path) -> str:
    """The current commit of the git repository holding ``directory``, or ''."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


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


class Tracker:
    """Writes mlreport's runs to one tracking store through ``MlflowClient``."""

    def __init__(self, tracking_uri: str) -> None:
        import mlflow
        from mlflow.tracking import MlflowClient

        logging.getLogger("mlflow").setLevel(logging.ERROR)
        logging.getLogger("alembic").setLevel(logging.ERROR)
        self.tracking_uri = tracking_uri
        mlflow.set_tracking_uri(tracking_uri)
        self.client = MlflowClient(tracking_uri=tracking_uri)

    # -- experiments -----------------------------------------------------------
    def experiment_id(self, name: str, *, description: str) -> str:
        """The id of the named experiment, created or restored as needed, its description set."""
        with _store_errors(self.tracking_uri):
            experiment = self.client.get_experiment_by_name(name)
            if experiment is None:
                experiment_id = str(
                    self.client.create_experiment(name, tags={schema.TAG_EXPERIMENT: name})
                )
                current = ""
            else:
                experiment_id = str(experiment.experiment_id)
                if experiment.lifecycle_stage == "deleted":
                    self.client.restore_experiment(experiment_id)
                current = experiment.tags.get(schema.EXPERIMENT_DESCRIPTION_TAG, "")
            if description != current:
                self.client.set_experiment_tag(
                    experiment_id, schema.EXPERIMENT_DESCRIPTION_TAG, description
                )
        return experiment_id

    def current_fingerprints(self, experiment_id: str) -> dict[str, str]:
        """Model name -> config hash of its latest search, for searches that finished."""
        from mlflow.entities import ViewType

        with _store_errors(self.tracking_uri):
            searches = self.client.search_runs(
                [experiment_id],
                filter_string=f"tags.`{schema.TAG_ROLE}` = '{schema.ROLE_SEARCH}'",
                run_view_type=ViewType.ACTIVE_ONLY,
                order_by=["attributes.start_time DESC"],
                max_results=50000,
            )
        latest: dict[str, str] = {}
        for run in searches:
            model = run.data.tags.get(schema.TAG_MODEL, "")
            if model in latest:
                continue
            finished = run.info.status == "FINISHED"
            latest[model] = run.data.tags.get(schema.TAG_CONFIG_HASH, "") if finished else ""
        return {model: fingerprint for model, fingerprint in latest.items() if fingerprint}

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
        from mlflow.entities import Metric, Param, RunTag

        now = timestamp or now_ms()
        metrics = [
            Metric(key, float(value), now, 0)
            for key, value in sorted(record.metrics.items())
            if value is not None and key not in record.history
        ]
        metrics.extend(
            Metric(key, float(value), timestamp, step)
            for key, points in sorted(record.history.items())
            for step, value, timestamp in points
        )
        params = [Param(k, param_value(v)) for k, v in sorted(record.params.items())]
        tags = [RunTag(k, v) for k, v in sorted(record.tags.items())]
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


def now_ms() -> int:
    """Milliseconds since the epoch, MLflow's unit of time."""
    return int(time.time() * 1000)


@contextmanager
def _store_errors(uri: str) -> Iterator[None]:
    from mlflow.exceptions import MlflowException

    try:
        yield
    except MlflowException as exc:
        raise TrackingError(
            UNREACHABLE_STORE.format(uri=uri, reason=str(exc.message).splitlines()[0])
        ) from exc
    except OSError as exc:
        raise TrackingError(UNREACHABLE_STORE.format(uri=uri, reason=exc)) from exc
