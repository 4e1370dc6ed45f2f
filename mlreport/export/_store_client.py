"""Read any MLflow tracking store through ``MlflowClient``: HTTP servers, ``./mlruns``.

The export's generic path. Experiments and runs are read page by page; metric
histories, one request per run and metric, are fetched by a pool of threads since
each is a round trip to the server (or a file read).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pyarrow as pa

from mlreport import schema
from mlreport.export._store_sql import SQL_INFINITY

_PAGE_SIZE = 1000
_HISTORY_THREADS = 8


class ClientStoreReader:
    """The same tables as ``SqlStoreReader``, read through the MLflow client API."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._metric_keys: dict[str, list[str]] = {}

    def state(self) -> dict[str, Any]:
        """The client API has no change counter: runs are compared by content."""
        return {}

    def runs_with_new_history(
        self, previous: dict[str, Any], *, runs_removed: bool
    ) -> set[str] | None:
        return None

    def history_sizes(self, run_ids: Sequence[str], *, every_run: bool) -> None:
        """Unknown without reading the histories: the export estimates them."""
        return None

    def catalog(self) -> dict[str, pa.Table]:
        from mlflow.entities import ViewType

        rows: dict[str, list[dict[str, Any]]] = {
            name: [] for name in ("experiments", "experiment_tags", "runs", "params", "tags")
        }
        rows["metrics"] = []
        experiments = list(_pages(self._client.search_experiments, view_type=ViewType.ALL))
        for exp in experiments:
            rows["experiments"].append(
                {
                    "experiment_id": str(exp.experiment_id),
                    "name": exp.name,
                    "lifecycle_stage": exp.lifecycle_stage,
                    "artifact_location": exp.artifact_location,
                    "creation_time": exp.creation_time,
                    "last_update_time": exp.last_update_time,
                }
            )
            rows["experiment_tags"].extend(
                {"experiment_id": str(exp.experiment_id), "key": k, "value": v}
                for k, v in exp.tags.items()
            )
        experiment_ids = [str(e.experiment_id) for e in experiments]
        if experiment_ids:
            seen: set[str] = set()  # pages overlap when runs start while they are read
            for run in _pages(
                self._client.search_runs,
                experiment_ids=experiment_ids,
                run_view_type=ViewType.ALL,
            ):
                if run.info.run_id not in seen:
                    seen.add(run.info.run_id)
                    self._add_run(run, rows)
        return {name: pa.Table.from_pylist(rows[name], schema.TABLES[name]) for name in rows}

    def _add_run(self, run: Any, rows: dict[str, list[dict[str, Any]]]) -> None:
        info, data = run.info, run.data
        run_id = info.run_id
        start, end = info.start_time, info.end_time
        rows["runs"].append(
            {
                "run_id": run_id,
                "experiment_id": str(info.experiment_id),
                "run_name": info.run_name,
                "status": info.status,
                "lifecycle_stage": info.lifecycle_stage,
                "start_time": start,
                "end_time": end,
                "duration_s": (end - start) / 1000
                if start is not None and end is not None
                else None,
                "parent_run_id": data.tags.get(schema.PARENT_RUN_TAG),
                "user_id": info.user_id,
                "artifact_uri": info.artifact_uri,
            }
        )
        rows["params"].extend(
            {"run_id": run_id, "key": k, "value": v} for k, v in data.params.items()
        )
        rows["tags"].extend({"run_id": run_id, "key": k, "value": v} for k, v in data.tags.items())
        latest = data.to_proto().metrics  # the Metric entities, with step and timestamp
        rows["metrics"].extend(
            {
                "run_id": run_id,
                "key": m.key,
                "value": logged_value(m.value),
                "step": m.step,
                "timestamp": m.timestamp,
            }
            for m in latest
        )
        self._metric_keys[run_id] = sorted({m.key for m in latest})

    def history(self, run_ids: Sequence[str], *, contiguous: bool) -> pa.Table:
        """Every metric point of ``run_ids``, for the metrics ``catalog`` found."""
        requests = [(run_id, key) for run_id in run_ids for key in self._metric_keys[run_id]]
        with ThreadPoolExecutor(_HISTORY_THREADS) as pool:
            histories = pool.map(lambda pair: self._client.get_metric_history(*pair), requests)
            rows = [
                {
                    "run_id": run_id,
                    "key": key,
                    "step": m.step,
                    "timestamp": m.timestamp,
                    "value": logged_value(m.value),
                }
                for (run_id, key), history in zip(requests, histories, strict=True)
                for m in history
            ]
        return pa.Table.from_pylist(rows, schema.METRIC_HISTORY)


def _pages(method: Any, **kwargs: Any) -> Iterator[Any]:
    token = None
    while True:
        page = method(max_results=_PAGE_SIZE, page_token=token, **kwargs)
        yield from page
        token = page.token
        if not token:
            return


def logged_value(value: float) -> float:
    """A metric as it was logged: SQL stores return +-inf as the largest finite float."""
    return math.copysign(math.inf, value) if abs(value) == SQL_INFINITY else value
