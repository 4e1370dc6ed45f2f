"""Export every experiment and run of an MLflow tracking store to the Parquet dataset."""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from urllib.request import url2pathname

import pyarrow as pa
import pyarrow.parquet as pq
from rich.progress import Progress

from mlreport import __version__, schema
from mlreport._fs import replace_directory, staging_dir
from mlreport._store_sql import SQL_INFINITY, connectorx_uri, read_sql_store
from mlreport.errors import TrackingError

_PAGE_SIZE = 1000
EXPORT_FAILED = "cannot export the MLflow tracking store {uri}: {reason}"
ARTIFACTS_UNLISTED = "run {run_id}: artifacts not listed: {reason}"


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote."""

    out_dir: Path
    row_counts: dict[str, int]
    warnings: tuple[str, ...]


def export_store(
    tracking_uri: str,
    out_dir: Path,
    *,
    progress: Progress | None = None,
    fast: bool | None = None,
) -> ExportSummary:
    """Read the whole tracking store and write the dataset atomically to ``out_dir``.

    SQL stores are read with a few bulk queries (``fast``, the default for them); any
    store can be read through ``MlflowClient`` (``fast=False``). Both give the same dataset.
    """
    from mlflow.exceptions import MlflowException

    logging.getLogger("mlflow").setLevel(logging.ERROR)
    use_sql = connectorx_uri(tracking_uri) is not None if fast is None else fast
    try:
        if use_sql:
            tables, warnings = _read_sql_store(tracking_uri, progress)
        else:
            rows, warnings = _read_store(tracking_uri, progress)
            tables = {name: pa.Table.from_pylist(rows[name], schema.TABLES[name]) for name in rows}
    except MlflowException as exc:
        reason = str(exc.message).splitlines()[0]
        raise TrackingError(EXPORT_FAILED.format(uri=tracking_uri, reason=reason)) from exc
    except (OSError, RuntimeError, ValueError) as exc:  # connectorx reports as RuntimeError
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise TrackingError(EXPORT_FAILED.format(uri=tracking_uri, reason=reason)) from exc
    tables = {name: _sorted(name, tables[name]) for name in schema.TABLES}
    counts = {name: table.num_rows for name, table in tables.items()}
    manifest = {
        "schema_version": schema.SCHEMA_VERSION,
        "mlreport_version": __version__,
        "tracking_uri": redact_uri(tracking_uri),
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "row_counts": counts,
        "warnings": warnings,
    }
    _write_atomically(out_dir, tables, manifest)
    return ExportSummary(out_dir=out_dir, row_counts=counts, warnings=tuple(warnings))


def _read_sql_store(
    tracking_uri: str, progress: Progress | None
) -> tuple[dict[str, pa.Table], list[str]]:
    """The fast path: bulk queries, then the artifact listing run by run."""
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=tracking_uri)
    client.search_experiments(max_results=1)  # creates or checks the store's schema
    tables = read_sql_store(tracking_uri)
    warnings: list[str] = []
    artifacts: list[dict[str, Any]] = []
    runs = tables["runs"]
    pairs = zip(runs["run_id"].to_pylist(), runs["artifact_uri"].to_pylist(), strict=True)
    task = progress.add_task("listing artifacts", total=runs.num_rows) if progress else None
    for run_id, artifact_uri in pairs:
        folder = local_artifact_folder(artifact_uri or "")
        if folder is not None:
            artifacts.extend(_walk_artifacts(run_id, folder))
        else:
            _add_artifacts(client, run_id, artifacts, warnings)
        if progress is not None and task is not None:
            progress.advance(task)
    tables["artifacts"] = pa.Table.from_pylist(artifacts, schema.ARTIFACTS)
    return tables, warnings


def redact_uri(uri: str) -> str:
    """The URI without a password, safe to write into the manifest."""
    parts = urlsplit(uri)
    if parts.password is None:
        return uri
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _read_store(
    tracking_uri: str, progress: Progress | None
) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    from mlflow.entities import ViewType
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=tracking_uri)
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in schema.TABLES}
    warnings: list[str] = []
    experiments = list(_pages(client.search_experiments, view_type=ViewType.ALL))
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
    runs = (
        list(_pages(client.search_runs, experiment_ids=experiment_ids, run_view_type=ViewType.ALL))
        if experiment_ids
        else []
    )
    task = progress.add_task("exporting runs", total=len(runs)) if progress else None
    for run in runs:
        _add_run(client, run, rows, warnings)
        if progress is not None and task is not None:
            progress.advance(task)
    return rows, warnings


def _pages(method: Any, **kwargs: Any) -> Iterator[Any]:
    token = None
    while True:
        page = method(max_results=_PAGE_SIZE, page_token=token, **kwargs)
        yield from page
        token = page.token
        if not token:
            return


def _add_run(
    client: Any, run: Any, rows: dict[str, list[dict[str, Any]]], warnings: list[str]
) -> None:
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
            "duration_s": (end - start) / 1000 if start is not None and end is not None else None,
            "parent_run_id": data.tags.get(schema.PARENT_RUN_TAG),
            "user_id": info.user_id,
            "artifact_uri": info.artifact_uri,
        }
    )
    rows["params"].extend({"run_id": run_id, "key": k, "value": v} for k, v in data.params.items())
    rows["tags"].extend({"run_id": run_id, "key": k, "value": v} for k, v in data.tags.items())
    for key in data.metrics:
        history = client.get_metric_history(run_id, key)
        rows["metric_history"].extend(
            {
                "run_id": run_id,
                "key": key,
                "step": m.step,
                "timestamp": m.timestamp,
                "value": logged_value(m.value),
            }
            for m in history
        )
        if history:  # MLflow's own order: step, then timestamp, then value (NaN as 0)
            latest = max(
                history,
                key=lambda m: (m.step, m.timestamp, 0.0 if math.isnan(m.value) else m.value),
            )
            rows["metrics"].append(
                {
                    "run_id": run_id,
                    "key": key,
                    "value": logged_value(latest.value),
                    "step": latest.step,
                    "timestamp": latest.timestamp,
                }
            )
    _add_artifacts(client, run_id, rows["artifacts"], warnings)


def logged_value(value: float) -> float:
    """A metric as it was logged: SQL stores return +-inf as the largest finite float."""
    return math.copysign(math.inf, value) if abs(value) == SQL_INFINITY else value


def _add_artifacts(
    client: Any, run_id: str, rows: list[dict[str, Any]], warnings: list[str]
) -> None:
    try:
        rows.extend(_artifacts(client, run_id, None))
    except Exception as exc:  # any artifact backend; the listing is best effort
        warnings.append(ARTIFACTS_UNLISTED.format(run_id=run_id, reason=str(exc).splitlines()[0]))


def local_artifact_folder(artifact_uri: str) -> Path | None:
    """The folder of a run's artifacts on this machine; None for remote artifact stores."""
    parts = urlsplit(artifact_uri)
    if parts.scheme == "file" and parts.netloc in ("", "localhost"):
        return Path(url2pathname(parts.path))
    if parts.scheme == "" and artifact_uri:
        return Path(artifact_uri)
    return None


def _walk_artifacts(run_id: str, folder: Path) -> Iterator[dict[str, Any]]:
    """What ``list_artifacts`` reports, recursively, read from the folder itself."""
    for root, directories, files in os.walk(folder):
        base = Path(root)
        for name in directories:
            yield {
                "run_id": run_id,
                "path": (base / name).relative_to(folder).as_posix(),
                "is_dir": True,
                "file_size": None,
            }
        for name in files:
            path = base / name
            yield {
                "run_id": run_id,
                "path": path.relative_to(folder).as_posix(),
                "is_dir": False,
                "file_size": path.stat().st_size,
            }


def _artifacts(client: Any, run_id: str, path: str | None) -> Iterator[dict[str, Any]]:
    for item in client.list_artifacts(run_id, path):
        yield {
            "run_id": run_id,
            "path": item.path,
            "is_dir": item.is_dir,
            "file_size": item.file_size,
        }
        if item.is_dir:
            yield from _artifacts(client, run_id, item.path)


def _sorted(name: str, table: pa.Table) -> pa.Table:
    return table.sort_by([(key, "ascending") for key in schema.SORT_KEYS[name]])


def _write_atomically(out_dir: Path, tables: dict[str, pa.Table], manifest: dict[str, Any]) -> None:
    """Write into a sibling staging folder, then swap it in place of ``out_dir``."""
    staging = staging_dir(out_dir, marker=schema.MANIFEST_FILE)
    for name, table in tables.items():
        pq.write_table(table, staging / f"{name}.parquet")
    (staging / schema.MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    replace_directory(staging, out_dir)
