"""Read an MLflow SQL store's tables in a few bulk queries, straight into Arrow.

The export's fast path for SQLite, PostgreSQL and MySQL stores: connectorx runs each
query and hands back Arrow columns (no Python object per row), and the dataset's tables
are derived with Arrow compute. Run artifacts are not in the database; the export lists
them separately.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.compute as pc

from mlreport import schema

PARENT_RUN_TAG = "mlflow.parentRunId"
#: MLflow's SQL stores keep +-inf as the largest finite float (``sys.float_info.max``)
SQL_INFINITY = sys.float_info.max
_SQL_SCHEMES = {"sqlite": "sqlite", "postgresql": "postgresql", "mysql": "mysql"}

_QUERIES = {
    "experiments": "SELECT experiment_id, name, lifecycle_stage, artifact_location, "
    "creation_time, last_update_time FROM experiments",
    "experiment_tags": "SELECT experiment_id, key, value FROM experiment_tags",
    "runs": "SELECT run_uuid, experiment_id, name, status, lifecycle_stage, start_time, "
    "end_time, user_id, artifact_uri FROM runs",
    "params": "SELECT run_uuid, key, value FROM params",
    "tags": "SELECT run_uuid, key, value FROM tags",
    "metrics": "SELECT run_uuid, key, value, step, timestamp, is_nan FROM latest_metrics",
    "metric_history": "SELECT run_uuid, key, step, timestamp, value, is_nan FROM metrics",
}


def connectorx_uri(tracking_uri: str) -> str | None:
    """The connectorx address of an SQL tracking store, None for any other store.

    SQLAlchemy's ``dialect+driver://`` becomes ``dialect://``; a relative SQLite path is
    made absolute (relative to the working directory, as MLflow reads it).
    """
    scheme, _, rest = tracking_uri.partition("://")
    dialect = _SQL_SCHEMES.get(scheme.split("+", 1)[0])
    if dialect is None or not rest:
        return None
    if dialect != "sqlite":
        return f"{dialect}://{rest}"
    path = urlsplit(tracking_uri).path.removeprefix("/")
    if not path or path == ":memory:":
        return None
    return f"sqlite://{Path(path).resolve()}"


def read_sql_store(tracking_uri: str) -> dict[str, pa.Table]:
    """Every table of the dataset but ``artifacts``, read from the store's database."""
    import connectorx as cx

    address = connectorx_uri(tracking_uri)
    if address is None:
        raise ValueError(f"not an SQL tracking store: {tracking_uri}")
    raw: dict[str, Any] = {  # pa.Table; connectorx's annotations say DataFrame
        name: cx.read_sql(address, query, return_type="arrow") for name, query in _QUERIES.items()
    }
    runs = raw["runs"]
    parents = raw["tags"].filter(pc.equal(raw["tags"]["key"], PARENT_RUN_TAG))
    parent_of = dict(
        zip(
            parents["run_uuid"].to_pylist(),
            parents["value"].to_pylist(),
            strict=True,
        )
    )
    start, end = runs["start_time"], runs["end_time"]
    tables = {
        "experiments": _conform(raw["experiments"], schema.EXPERIMENTS),
        "experiment_tags": _conform(raw["experiment_tags"], schema.EXPERIMENT_TAGS),
        "runs": _conform(
            pa.table(
                {
                    "run_id": runs["run_uuid"],
                    "experiment_id": runs["experiment_id"],
                    "run_name": runs["name"],
                    "status": runs["status"],
                    "lifecycle_stage": runs["lifecycle_stage"],
                    "start_time": start,
                    "end_time": end,
                    "duration_s": pc.divide(pc.cast(pc.subtract(end, start), pa.float64()), 1000.0),
                    "parent_run_id": pa.array(
                        [parent_of.get(run_id) for run_id in runs["run_uuid"].to_pylist()],
                        pa.string(),
                    ),
                    "user_id": runs["user_id"],
                    "artifact_uri": runs["artifact_uri"],
                }
            ),
            schema.RUNS,
        ),
        "params": _conform(_by_run(raw["params"]), schema.PARAMS),
        "tags": _conform(_by_run(raw["tags"]), schema.TAGS),
        "metrics": _conform(_with_nan(_by_run(raw["metrics"])), schema.METRICS),
        "metric_history": _conform(
            _with_nan(_by_run(raw["metric_history"])), schema.METRIC_HISTORY
        ),
    }
    return tables


def _by_run(table: pa.Table) -> pa.Table:
    return table.rename_columns(["run_id" if c == "run_uuid" else c for c in table.column_names])


def _with_nan(table: pa.Table) -> pa.Table:
    """The metric values as logged: NaN (stored as 0 with ``is_nan``) and +-inf, back."""
    is_nan = pc.cast(table["is_nan"], pa.bool_())
    value = pc.cast(table["value"], pa.float64())
    value = pc.if_else(pc.equal(value, SQL_INFINITY), pa.scalar(math.inf), value)
    value = pc.if_else(pc.equal(value, -SQL_INFINITY), pa.scalar(-math.inf), value)
    value = pc.if_else(is_nan, pa.scalar(math.nan), value)
    index = table.column_names.index("value")
    return table.set_column(index, "value", value).drop_columns(["is_nan"])


def _conform(table: pa.Table, target: pa.Schema) -> pa.Table:
    """The table with the dataset's columns, in its order and types (ids as text, times as
    timestamps)."""
    columns = []
    for field in target:
        column = table[field.name]
        if pa.types.is_timestamp(field.type) and not pa.types.is_timestamp(column.type):
            column = pc.cast(pc.cast(column, pa.int64()), field.type)
        columns.append(pc.cast(column, field.type))
    return pa.Table.from_arrays(columns, schema=target)
