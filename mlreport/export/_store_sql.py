"""Read an MLflow SQL store's tables in a few bulk queries, straight into Arrow.

The export's fast path for SQLite, PostgreSQL and MySQL stores: connectorx runs each
query and hands back Arrow columns (no Python object per row), and the dataset's tables
are derived with Arrow compute. Metric histories, the bulk of a store, are read a
group of runs at a time so that memory stays bounded. Run artifacts are not in the
database; the export lists them separately.

An SQLite store is opened read-only (``read_only_sqlite``): the export never changes
it, and reads one on read-only media.
"""

from __future__ import annotations

import math
import re
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyarrow as pa
import pyarrow.compute as pc

from mlreport import schema

UNREAD_WAL = (
    "its write-ahead log {log} holds writes that SQLite can only read with a -shm file it "
    "cannot create here (read-only media or permissions): copy the store with its -wal to "
    "a writable folder and export that copy"
)
#: MLflow's SQL stores keep +-inf as the largest finite float (``sys.float_info.max``)
SQL_INFINITY = sys.float_info.max
_SQL_SCHEMES = {"sqlite": "sqlite", "postgresql": "postgresql", "mysql": "mysql"}
#: Run ids per ``IN (...)`` list when histories of scattered runs are read.
_IDS_PER_QUERY = 500
_CATALOG_THREADS = 3
_RUN_ID = re.compile(r"[A-Za-z0-9][\w\-]{0,255}")

_CATALOG_QUERIES = {
    "experiments": "SELECT experiment_id, name, lifecycle_stage, artifact_location, "
    "creation_time, last_update_time FROM experiments",
    "experiment_tags": "SELECT experiment_id, key, value FROM experiment_tags",
    "runs": "SELECT run_uuid, experiment_id, name, status, lifecycle_stage, start_time, "
    "end_time, user_id, artifact_uri FROM runs",
    "params": "SELECT run_uuid, key, value FROM params",
    "tags": "SELECT run_uuid, key, value FROM tags",
    "metrics": "SELECT run_uuid, key, value, step, timestamp, is_nan FROM latest_metrics",
}
#: Ordered as the (run_uuid, key, step) index MLflow creates, so the database sorts for free.
_HISTORY_QUERY = (
    "SELECT run_uuid, key, step, timestamp, value, is_nan FROM metrics WHERE {where} "
    "ORDER BY run_uuid, key, step"
)


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
    path = rest.split("?", 1)[0].removeprefix("/")  # sqlite:///relative, sqlite:////absolute
    if not path or path == ":memory:":
        return None
    return f"sqlite://{Path(path).resolve()}"


def read_only_sqlite(path: Path) -> str:
    """An SQLite URI filename that opens the database ``path`` read-only.

    ``mode=ro`` reads a store that other processes may be writing. A store in
    write-ahead-log mode is read with its ``-shm`` and ``-wal`` files, which a reader
    creates if they are missing (and, read-only, leaves behind, empty); where they can
    be neither found nor created (read-only media or permissions), no process can be
    writing the store, and it is opened ``immutable=1``: no locks, no side files. Such
    an open ignores a ``-wal`` file, so a store whose ``-wal`` holds writes (its
    ``-shm`` lost, as a killed writer or a copy can leave it) is refused instead.
    """
    name = quote(str(path.resolve()))
    read_only, immutable = f"file:{name}?mode=ro", f"file:{name}?immutable=1"
    try:
        with closing(sqlite3.connect(read_only, uri=True)) as connection:
            connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as exc:
        if getattr(exc, "sqlite_errorname", "") != "SQLITE_CANTOPEN":
            raise
        log = path.with_name(path.name + "-wal")
        if log.is_file() and log.stat().st_size > 0:  # immutable=1 would not read it
            raise ValueError(UNREAD_WAL.format(log=log)) from exc
        return immutable
    return read_only


class SqlStoreReader:
    """Bulk reads of an SQL store's tables, as the dataset's Arrow tables."""

    def __init__(self, tracking_uri: str) -> None:
        address = connectorx_uri(tracking_uri)
        if address is None:
            raise ValueError(f"not an SQL tracking store: {tracking_uri}")
        self._address = address  # what names the store in the export's state
        self._is_sqlite = address.startswith("sqlite://")
        self._sqlite_uri = ""
        self._connection = address
        if self._is_sqlite:
            self._sqlite_uri = read_only_sqlite(Path(address.removeprefix("sqlite://")))
            # connectorx decodes the address once; SQLite then reads it as a URI filename
            self._connection = "sqlite://" + quote(self._sqlite_uri, safe="/")

    def _query(self, query: str) -> Any:  # pa.Table; connectorx's annotations say DataFrame
        import connectorx as cx

        return cx.read_sql(self._connection, query, return_type="arrow")

    def state(self) -> dict[str, Any]:
        """What tells the next export which histories grew: SQLite's last metric rowid.

        Other databases have no such counter; their runs are compared by content only.
        """
        if not self._is_sqlite:
            return {}
        ((last,),) = self._sqlite("SELECT MAX(rowid) FROM metrics")
        return {"database": self._address, "sqlite_metrics_rowid": int(last or 0)}

    def _sqlite(self, query: str) -> list[tuple[Any, ...]]:
        """A small query on SQLite itself (connectorx costs 0.1 s more for a single value)."""
        return list(self._sqlite_rows(query))

    def _sqlite_column(self, query: str) -> Iterator[Any]:
        return (row[0] for row in self._sqlite_rows(query))

    def _sqlite_rows(self, query: str) -> Iterator[tuple[Any, ...]]:
        with closing(sqlite3.connect(self._sqlite_uri, uri=True)) as connection:
            yield from connection.execute(query)

    def runs_with_new_history(
        self, previous: dict[str, Any], *, runs_removed: bool
    ) -> set[str] | None:
        """Runs with metric points stored since the ``previous`` state; None if unknown.

        SQLite numbers rows in insertion order. If the previous state is of another file,
        or runs were removed since (``mlflow gc``: their rowids may be reused), every run
        counts.
        """
        if not self._is_sqlite:
            return None
        last = previous.get("sqlite_metrics_rowid")
        if (
            runs_removed
            or previous.get("database") != self._address
            or not isinstance(last, int)
            or self.state()["sqlite_metrics_rowid"] < last
        ):
            return set(self._sqlite_column("SELECT run_uuid FROM runs"))
        return set(self._sqlite_column(f"SELECT run_uuid FROM metrics WHERE rowid > {last}"))

    def history_sizes(self, run_ids: Sequence[str], *, every_run: bool) -> dict[str, int]:
        """Metric points per run (of ``run_ids``, or of every run): what bounds a read."""
        query = "SELECT run_uuid, COUNT(*) AS points FROM metrics{where} GROUP BY run_uuid"
        if every_run:
            tables = [self._query(query.format(where=""))]
        else:
            tables = [
                self._query(query.format(where=f" WHERE run_uuid IN ({_id_list(batch)})"))
                for batch in _batches(run_ids)
            ]
        sizes: dict[str, int] = {}
        for table in tables:
            run_column = pc.cast(table["run_uuid"], pa.string()).to_pylist()
            sizes.update(zip(run_column, table["points"].to_pylist(), strict=True))
        return sizes

    def catalog(self) -> dict[str, pa.Table]:
        """Experiments, their tags, runs, params, tags and latest metrics."""
        runs_before = self._runs_state()
        with ThreadPoolExecutor(_CATALOG_THREADS) as pool:  # connectorx frees the GIL
            tables = pool.map(self._query, _CATALOG_QUERIES.values())
            raw = dict(zip(_CATALOG_QUERIES, tables, strict=True))
        # Runs created or removed while the tables were read can leave rows of runs
        # that are not in ``runs``: keep only those of listed runs, unless nothing changed.
        consistent = runs_before is not None and runs_before == self._runs_state()
        runs = raw["runs"]
        parents = raw["tags"].filter(pc.equal(raw["tags"]["key"], schema.PARENT_RUN_TAG))
        parent_of = dict(
            zip(parents["run_uuid"].to_pylist(), parents["value"].to_pylist(), strict=True)
        )
        start, end = runs["start_time"], runs["end_time"]
        run_table = pa.table(
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
        )
        known = pc.cast(runs["run_uuid"], pa.string())

        def of_listed_runs(table: pa.Table) -> pa.Table:
            return table if consistent else _of_runs(table, known)

        return {
            "experiments": _conform(raw["experiments"], schema.EXPERIMENTS),
            "experiment_tags": _conform(raw["experiment_tags"], schema.EXPERIMENT_TAGS),
            "runs": _conform(run_table, schema.RUNS),
            "params": of_listed_runs(_conform(_by_run(raw["params"]), schema.PARAMS)),
            "tags": of_listed_runs(_conform(_by_run(raw["tags"]), schema.TAGS)),
            "metrics": of_listed_runs(_conform(_with_nan(_by_run(raw["metrics"])), schema.METRICS)),
        }

    def _runs_state(self) -> tuple[Any, ...] | None:
        """SQLite's count and last row number of ``runs``: equal before and after a read,
        no run was created or removed in between. None on other databases."""
        if not self._is_sqlite:
            return None
        return self._sqlite("SELECT COUNT(*), MAX(rowid) FROM runs")[0]

    def history(self, run_ids: Sequence[str], *, contiguous: bool) -> pa.Table:
        """Every metric point of ``run_ids`` (sorted ids), ordered by run, key and step.

        ``contiguous``: the ids are (nearly) all the store's runs from the first to the
        last, so one range query is cheapest; otherwise they are read by id lists.
        """
        if not run_ids:
            return schema.METRIC_HISTORY.empty_table()
        if contiguous:
            where = f"run_uuid >= {_literal(run_ids[0])} AND run_uuid <= {_literal(run_ids[-1])}"
            queries = [_HISTORY_QUERY.format(where=where)]
        else:
            queries = [
                _HISTORY_QUERY.format(where=f"run_uuid IN ({_id_list(batch)})")
                for batch in _batches(run_ids)
            ]
        table = pa.concat_tables(
            _conform(_with_nan(_by_run(self._query(query))), schema.METRIC_HISTORY)
            for query in queries
        )
        return _of_runs(table, pa.array(run_ids, pa.string()))


def _literal(run_id: str) -> str:
    """A run id as an SQL string. MLflow's own rule for run ids (word characters and '-')
    leaves nothing to escape in any dialect; anything else is refused."""
    if not _RUN_ID.fullmatch(run_id):
        raise ValueError(f"unexpected run id {run_id!r} in the store")
    return f"'{run_id}'"


def _id_list(run_ids: Sequence[str]) -> str:
    return ", ".join(_literal(run_id) for run_id in run_ids)


def _batches(run_ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for first in range(0, len(run_ids), _IDS_PER_QUERY):
        yield run_ids[first : first + _IDS_PER_QUERY]


def _of_runs(table: pa.Table, run_ids: pa.Array | pa.ChunkedArray) -> pa.Table:
    """Rows of these runs only (a run created between two queries is left for next time)."""
    return table.filter(pc.is_in(table["run_id"], value_set=pa.array(run_ids, pa.string())))


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
