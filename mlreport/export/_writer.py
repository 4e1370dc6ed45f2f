"""The dataset writer: a tracking store's experiments and runs into the Parquet dataset.

An export reads the store's catalog (experiments, runs, params, tags, latest metrics),
which is small, whole every time. Metric histories, the bulk of a store, are read only
for runs that changed since the export already in the output folder; the history files
of unchanged runs are carried over (hard links) once their size and SHA-256 match what
the previous export's manifest recorded; a file that does not is read again from the
store, with a warning. The new dataset is written beside the old one and swapped in place
when complete.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from rich.progress import Progress

from mlreport import __version__, schema
from mlreport._fs import EXPORT_OUTPUT, file_digest, is_output, replacing
from mlreport._sort import sort_rows
from mlreport._store import mask_password, open_sqlite_without_pool, sqlite_path, store_problem
from mlreport.errors import StoreUnavailableError, TrackingError
from mlreport.export._arrow import runs_with_differences
from mlreport.export._store_client import ClientStoreReader
from mlreport.export._store_sql import SqlStoreReader, connectorx_uri

EXPORT_FAILED = "cannot export the MLflow tracking store {uri}: {reason}"
ARTIFACTS_UNLISTED = "run {run_id}: artifacts not listed: {reason}"
ARTIFACT_UNREAD = "run {run_id}: {artifact} not copied: {reason}"
RUN_FILE_BAD = (
    "{file} of the previous export is {problem}: copied again from run {run_id}'s artifacts"
)
HISTORY_FILE_BAD = (
    "{file} of the previous export is {problem}: the metric histories of the {runs} runs it "
    "may hold were read again from the store"
)
#: A history file holds whole runs, up to this many metric points (one bigger run alone).
PART_ROWS = 1_000_000
#: Runs per history file when their sizes are estimated (the client API cannot count).
PART_RUNS_ESTIMATED = 1_000
#: Past this many history files, an export reads every history again into fewer files.
MAX_PARTS = 64
_HISTORY = "metric_history"
#: MLflow 3 opens a legacy ``./mlruns`` store only with this set; reading one to export
#: it (the way off it) is allowed, unless the user set it otherwise.
_ALLOW_FILE_STORE = "MLFLOW_ALLOW_FILE_STORE"
#: A run changed if its rows in these tables changed, or (SQLite) its history grew.
_COMPARED = ("runs", "params", "tags", "metrics")


class StoreReader(Protocol):
    """What the export needs from a store (``SqlStoreReader``, ``ClientStoreReader``)."""

    def state(self) -> dict[str, Any]: ...

    def runs_with_new_history(
        self, previous: dict[str, Any], *, runs_removed: bool
    ) -> set[str] | None: ...

    def catalog(self) -> dict[str, pa.Table]: ...

    def history_sizes(
        self, run_ids: Sequence[str], *, every_run: bool
    ) -> dict[str, int] | None: ...

    def history(self, run_ids: list[str], *, contiguous: bool) -> pa.Table: ...


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote, and how much of the store it read again."""

    out_dir: Path
    row_counts: dict[str, int]
    warnings: tuple[str, ...]
    histories_read: int  # runs whose metric histories were read from the store
    incremental: bool  # whether the previous export in out_dir was brought up to date


def _file_problem(path: Path, size: int, sha256: str) -> str | None:
    """What is wrong with the file at ``path``: missing, or not the ``size`` bytes with
    this SHA-256 that an export wrote; None if nothing is."""
    try:
        found = path.stat().st_size
    except OSError:
        return "missing"
    if found != size:
        return f"{found} bytes, not {size}"
    if file_digest(path) != sha256:
        return "changed since it was written (its SHA-256 differs)"
    return None


def _file_check(path: Path) -> tuple[int, str]:
    """The size and SHA-256 the manifest records of a file the export wrote or kept."""
    return path.stat().st_size, file_digest(path)


@dataclass(frozen=True)
class _Part:
    """One file of the metric history: whole runs, sorted."""

    file: str
    rows: int
    first_run_id: str
    last_run_id: str
    size: int  # bytes
    sha256: str

    def problem(self, path: Path) -> str | None:
        return _file_problem(path, self.size, self.sha256)


@dataclass
class _Previous:
    """The export already in the output folder, as far as this one can reuse it."""

    folder: Path
    state: dict[str, Any]
    tables: dict[str, pa.Table]  # the tables that tell which runs changed
    run_ids: set[str]
    parts: list[_Part]
    artifacts: pa.Table
    unlisted: set[str]  # runs whose remote artifacts could not be listed
    #: RUN_ARTIFACT_COPIES folder -> run id -> size and SHA-256 of its copy
    copies: dict[str, dict[str, tuple[int, str]]]


def export_store(
    tracking_uri: str,
    out_dir: Path,
    *,
    progress: Progress | None = None,
    fast: bool | None = None,
    full: bool = False,
    overwrite: bool = False,
) -> ExportSummary:
    """Bring the dataset in ``out_dir`` up to date with the store, atomically.

    SQL stores are read with bulk queries (``fast``, the default for them), SQLite ones
    read-only; any store can be read through ``MlflowClient`` (``fast=False``, which on
    an SQL store MLflow opens as a writer: the commands never ask for it): both give the
    same dataset. Only
    runs that changed since the dataset already in ``out_dir`` have their histories read,
    unless ``full``. A non-empty ``out_dir`` that is not an export mlreport wrote is
    refused, unless ``overwrite``.
    """
    logging.getLogger("mlflow").setLevel(logging.ERROR)
    open_sqlite_without_pool(tracking_uri)
    use_sql = connectorx_uri(tracking_uri) is not None if fast is None else fast
    replaced = replacing(out_dir, output=EXPORT_OUTPUT, overwrite=overwrite)
    with replaced as staging, _store_errors(tracking_uri):
        _check_store_exists(tracking_uri)
        # an SQL store is never opened through MLflow, which writes to a store it opens
        # (creating tables or the default experiment where they are missing)
        client = None if use_sql else _LazyClient(tracking_uri)
        reader: StoreReader = (
            SqlStoreReader(tracking_uri) if client is None else ClientStoreReader(client)
        )
        with ThreadPoolExecutor(1) as pool:  # read while the store is read
            previous = pool.submit(
                lambda: None if full else _previous_export(out_dir, tracking_uri)
            )
            summary = _export(tracking_uri, reader, client, previous, staging, progress)
        builds = out_dir / schema.BUILDS_FILE
        if builds.is_file():  # the build history belongs to the folder, not to the store
            shutil.copy2(builds, staging / schema.BUILDS_FILE)
    return replace(summary, out_dir=out_dir)


def _check_store_exists(tracking_uri: str) -> None:
    """Refuse a local store that is not there (MLflow would create an empty one)."""
    database = sqlite_path(tracking_uri)
    if database is not None and not database.is_file():
        raise ValueError(f"no database file {database.resolve()}")
    scheme = urlsplit(tracking_uri).scheme
    if scheme == "file" or (scheme == "" and tracking_uri != "databricks"):  # ./mlruns
        folder = Path(local_artifact_folder(tracking_uri) or tracking_uri)
        if not folder.is_dir():
            raise ValueError(f"no folder {folder.resolve()}")


@contextmanager
def _store_errors(tracking_uri: str) -> Iterator[None]:
    """The store's and its readers' errors as one-line ``TrackingError``."""
    from mlflow.exceptions import MlflowException

    try:
        yield
    except MlflowException as exc:
        reason = str(exc.message).splitlines()[0]
        raise _export_failed(tracking_uri, reason, exc) from exc
    except (OSError, RuntimeError, ValueError, sqlite3.Error) as exc:  # connectorx: RuntimeError
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _export_failed(tracking_uri, reason, exc) from exc
    except BaseException as exc:
        if type(exc).__name__ != "PanicException":  # connectorx's, a BaseException
            raise
        reason = str(exc).splitlines()[0] if str(exc) else "connectorx failed"
        raise _export_failed(tracking_uri, reason, exc) from exc


def _export_failed(tracking_uri: str, reason: str, error: BaseException) -> TrackingError:
    """One line, with the store's password masked: locked, full or what went wrong."""
    # an OSError of its own is the export's (its folder's disk may be the full one)
    problem = None if isinstance(error, OSError) else store_problem(tracking_uri, error)
    if problem is not None:
        return StoreUnavailableError(problem)
    return TrackingError(mask_password(EXPORT_FAILED.format(uri=tracking_uri, reason=reason)))


class _LazyClient:
    """An ``MlflowClient`` made on first use (opening a store through MLflow costs a
    second)."""

    def __init__(self, tracking_uri: str) -> None:
        self._tracking_uri = tracking_uri
        self._client: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._client is None:
            from mlflow.tracking import MlflowClient

            os.environ.setdefault(_ALLOW_FILE_STORE, "true")
            self._client = MlflowClient(tracking_uri=self._tracking_uri)
        return getattr(self._client, name)


class _RunArtifacts:
    """What the export asks ``MlflowClient`` for about artifacts, from each run's
    artifact URI alone, without opening the tracking store."""

    def __init__(self, runs: pa.Table) -> None:
        pairs = zip(runs["run_id"].to_pylist(), runs["artifact_uri"].to_pylist(), strict=True)
        self._uris = dict(pairs)

    def _repository(self, run_id: str) -> Any:
        from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

        return get_artifact_repository(self._uris[run_id])

    def list_artifacts(self, run_id: str, path: str | None = None) -> Any:
        return self._repository(run_id).list_artifacts(path)

    def download_artifacts(self, run_id: str, path: str, dst_path: str) -> str:
        return str(self._repository(run_id).download_artifacts(path, dst_path))


def _export(
    tracking_uri: str,
    reader: StoreReader,
    client: Any,
    previous_export: Future[_Previous | None],
    staging: Path,
    progress: Progress | None,
) -> ExportSummary:
    """Read what is needed from the store and write the whole dataset into ``staging``
    (``client``: the ``MlflowClient`` of a store read through it, else None)."""
    state = reader.state()  # before reading: what is stored later is read next time
    catalog = reader.catalog()  # in the store's order, which a re-read keeps
    if client is None:
        client = _RunArtifacts(catalog["runs"])
    run_ids = sorted(catalog["runs"]["run_id"].to_pylist())
    present = set(run_ids)
    changed, previous = _changed_runs(reader, previous_export.result(), catalog, present)
    warnings: list[str] = []

    history_dir = schema.table_path(staging, _HISTORY)
    history_dir.mkdir()
    parts, bad_runs = _carry_over_parts(previous, present, changed, history_dir, warnings)
    parts += _read_histories(
        reader,
        run_ids,
        changed | bad_runs,
        latest_metrics=catalog["metrics"],
        first_number=_next_part_number(previous),
        folder=history_dir,
        progress=progress,
    )
    unlisted: set[str] = set()
    catalog["artifacts"] = _artifacts(
        client, catalog["runs"], previous, changed, unlisted, warnings, progress
    )
    run_files = {
        folder: _copy_run_artifacts(
            client, catalog, previous, changed, staging / folder, warnings, folder=folder
        )
        for folder in schema.RUN_ARTIFACT_COPIES
    }
    copied = {folder: len(files) for folder, files in run_files.items()}

    counts: dict[str, int] = {}
    for name in schema.TABLES:
        if name == _HISTORY:
            counts[name] = sum(part.rows for part in parts)
            continue
        table = catalog[name]
        pq.write_table(table, schema.table_path(staging, name))
        counts[name] = table.num_rows
    counts.update(copied)
    manifest = {
        "schema_version": schema.SCHEMA_VERSION,
        "mlreport_version": __version__,
        "tracking_uri": mask_password(tracking_uri),
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "row_counts": counts,
        "warnings": warnings,
        "store_state": state,
        "artifacts_unlisted": sorted(unlisted),
        "metric_history_files": [asdict(part) for part in parts],
        "run_files": run_files,
    }
    (staging / schema.MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return ExportSummary(
        out_dir=staging,
        row_counts=counts,
        warnings=tuple(warnings),
        histories_read=len(changed | bad_runs),
        incremental=previous is not None,
    )


def _previous_export(out_dir: Path, tracking_uri: str) -> _Previous | None:
    """The dataset in ``out_dir`` if mlreport exported it from this store by this schema."""
    if not is_output(out_dir, EXPORT_OUTPUT):
        return None
    try:
        manifest = json.loads((out_dir / schema.MANIFEST_FILE).read_text())
        this_schema = manifest.get("schema_version") == schema.SCHEMA_VERSION
        this_store = manifest.get("tracking_uri") == mask_password(tracking_uri)
        if not (this_schema and this_store):
            return None
        tables = {
            name: pq.read_table(schema.table_path(out_dir, name), schema=schema.TABLES[name])
            for name in (*_COMPARED, "artifacts")
        }
        parts = [_Part(**entry) for entry in manifest["metric_history_files"]]
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
        return None  # no usable previous export: read everything
    return _Previous(
        folder=out_dir,
        state=manifest.get("store_state") or {},
        tables={name: tables[name] for name in _COMPARED},
        run_ids=set(tables["runs"]["run_id"].to_pylist()),
        parts=parts,
        artifacts=tables["artifacts"],
        unlisted=set(manifest.get("artifacts_unlisted") or []),
        copies={
            folder: {
                run_id: (int(size), str(sha256))
                for run_id, (size, sha256) in manifest["run_files"].get(folder, {}).items()
            }
            for folder in schema.RUN_ARTIFACT_COPIES
        },
    )


def _changed_runs(
    reader: StoreReader,
    previous: _Previous | None,
    catalog: dict[str, pa.Table],
    present: set[str],
) -> tuple[set[str], _Previous | None]:
    """Runs whose histories must be read, and the previous export if it is still of use."""
    if previous is None or len(previous.parts) >= MAX_PARTS:
        return set(present), None
    current = {name: catalog[name] for name in _COMPARED}
    changed = runs_with_differences(previous.tables, current) & present
    removed = bool(previous.run_ids - present)
    grown = reader.runs_with_new_history(previous.state, runs_removed=removed)
    if grown is not None:
        changed |= grown & present
    return changed, previous


def _carry_over_parts(
    previous: _Previous | None,
    current: set[str],
    changed: set[str],
    folder: Path,
    warnings: list[str],
) -> tuple[list[_Part], set[str]]:
    """The previous history files, without runs that changed or left the store; and the
    runs of files that are not as the previous export wrote them (each one a warning),
    whose histories are to be read again (and are left out of the other files too:
    files of successive exports can cover overlapping ranges of run ids)."""
    if previous is None:
        return [], set()
    before = previous.run_ids
    history_dir = schema.table_path(previous.folder, _HISTORY)
    good: list[_Part] = []
    bad_runs: set[str] = set()
    for part in previous.parts:
        problem = part.problem(history_dir / part.file)
        if problem is None:
            good.append(part)
            continue
        runs = {r for r in before & current if part.first_run_id <= r <= part.last_run_id}
        bad_runs |= runs
        file = f"{_HISTORY}/{part.file}"
        warnings.append(HISTORY_FILE_BAD.format(file=file, problem=problem, runs=len(runs)))
    stale = sorted((before - current) | ((changed | bad_runs) & before))
    kept = []
    for part in good:
        source = history_dir / part.file
        in_range = [r for r in stale if part.first_run_id <= r <= part.last_run_id]
        if in_range:
            table = pq.read_table(source, schema=schema.METRIC_HISTORY)
            keep = pc.invert(pc.is_in(table["run_id"], value_set=pa.array(in_range, pa.string())))
            if not pc.all(keep).as_py():  # it holds stale runs: rewritten without them
                if pc.any(keep).as_py():
                    kept.append(_write_part(table.filter(keep), folder, part.file))
                continue
        _link(source, folder / part.file)
        kept.append(part)
    return kept, bad_runs


def _read_histories(
    reader: StoreReader,
    run_ids: list[str],
    changed: set[str],
    *,
    latest_metrics: pa.Table,
    first_number: int,
    folder: Path,
    progress: Progress | None,
) -> list[_Part]:
    """Read the histories of the ``changed`` runs from the store, a file's worth at a time.

    ``run_ids``: every run of the store, sorted. A group of changed runs that are all the
    runs between its first and last is read with one range query, others by id lists.
    """
    wanted = [run_id for run_id in run_ids if run_id in changed]
    sizes = reader.history_sizes(wanted, every_run=len(wanted) == len(run_ids))
    position = {run_id: index for index, run_id in enumerate(run_ids)}
    task = progress.add_task("export: metric histories", total=len(wanted)) if progress else None
    parts = []
    exact = sizes is not None
    groups = _groups(wanted, sizes or _estimated_history_rows(latest_metrics), exact=exact)
    for number, group in enumerate(groups, start=first_number):
        contiguous = position[group[-1]] - position[group[0]] + 1 == len(group)
        table = sort_rows(reader.history(group, contiguous=contiguous), schema.SORT_KEYS[_HISTORY])
        if table.num_rows:
            parts.append(_write_part(table, folder, f"part-{number:05d}.parquet"))
        if progress is not None and task is not None:
            progress.advance(task, len(group))
    return parts


def _groups(run_ids: list[str], points: dict[str, int], *, exact: bool) -> Iterator[list[str]]:
    """Consecutive runs, up to ``PART_ROWS`` metric points per group (a bigger run alone).

    Estimated ``points`` can be far too low (a metric logged at one step many times), so
    groups then also hold at most ``PART_RUNS_ESTIMATED`` runs.
    """
    group: list[str] = []
    rows = 0
    for run_id in run_ids:
        size = points.get(run_id, 0)
        if group and (rows + size > PART_ROWS or (not exact and len(group) >= PART_RUNS_ESTIMATED)):
            yield group
            group, rows = [], 0
        group.append(run_id)
        rows += size
    if group:
        yield group


def _estimated_history_rows(latest: pa.Table) -> dict[str, int]:
    """Metric points per run, guessed from the latest step of each metric (steps from 0)."""
    points = pc.add(pc.max_element_wise(latest["step"], pa.scalar(0, pa.int64())), 1)
    sums = pa.table({"run_id": latest["run_id"], "points": points}).group_by("run_id")
    totals = sums.aggregate([("points", "sum")])
    return dict(zip(totals["run_id"].to_pylist(), totals["points_sum"].to_pylist(), strict=True))


def _write_part(table: pa.Table, folder: Path, name: str) -> _Part:
    path = folder / name
    pq.write_table(table, path)
    run_ids = table["run_id"]
    size, sha256 = _file_check(path)
    return _Part(
        file=name,
        rows=table.num_rows,
        first_run_id=str(pc.min(run_ids).as_py()),
        last_run_id=str(pc.max(run_ids).as_py()),
        size=size,
        sha256=sha256,
    )


def _next_part_number(previous: _Previous | None) -> int:
    if previous is None or not previous.parts:
        return 0
    return 1 + max(int(part.file.removeprefix("part-").split(".")[0]) for part in previous.parts)


def _link(source: Path, target: Path) -> None:
    """``target`` with ``source``'s content: a hard link when the file system allows."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _artifacts(
    client: Any,
    runs: pa.Table,
    previous: _Previous | None,
    changed: set[str],
    unlisted: set[str],
    warnings: list[str],
    progress: Progress | None,
) -> pa.Table:
    """Every run's artifact listing: local folders walked, remote listings of unchanged
    runs carried over from the previous export."""
    reused: dict[str, list[dict[str, Any]]] | None = None  # made when a remote run needs it
    rows: list[dict[str, Any]] = []
    task = progress.add_task("export: listing artifacts", total=runs.num_rows) if progress else None
    listings: dict[str, set[str]] = {}
    pairs = zip(runs["run_id"].to_pylist(), runs["artifact_uri"].to_pylist(), strict=True)
    for run_id, artifact_uri in pairs:
        folder = local_artifact_folder(artifact_uri or "")
        if folder is not None:
            if _may_exist(folder, listings):
                rows.extend(_walk_artifacts(run_id, folder))
        elif previous is not None and run_id not in changed and run_id not in previous.unlisted:
            if reused is None:
                reused = {}
                for row in previous.artifacts.to_pylist():
                    reused.setdefault(row["run_id"], []).append(row)
            rows.extend(reused.get(run_id, []))
        else:
            try:
                rows.extend(_listed_artifacts(client, run_id, None))
            except Exception as exc:  # any artifact backend; the listing is best effort
                reason = str(exc).splitlines()[0]
                warnings.append(ARTIFACTS_UNLISTED.format(run_id=run_id, reason=reason))
                unlisted.add(run_id)
        if progress is not None and task is not None:
            progress.advance(task)
    return pa.Table.from_pylist(rows, schema.ARTIFACTS)


def local_artifact_folder(artifact_uri: str) -> str | None:
    """The folder of a run's artifacts on this machine; None for remote artifact stores."""
    if artifact_uri.startswith("/"):
        return artifact_uri
    parts = urlsplit(artifact_uri)
    if parts.scheme == "file" and parts.netloc in ("", "localhost"):
        return url2pathname(parts.path)
    if parts.scheme == "" and artifact_uri:
        return artifact_uri
    return None


def _may_exist(folder: str, listings: dict[str, set[str]]) -> bool:
    """False if the run's folder (``folder``'s parent) is not in its experiment's folder,
    which is listed once for all its runs: most runs of a big store log no artifacts."""
    run_folder = folder.rstrip(os.sep).rpartition(os.sep)[0]
    experiment_folder, _, name = run_folder.rpartition(os.sep)
    if experiment_folder not in listings:
        try:
            listings[experiment_folder] = set(os.listdir(experiment_folder))
        except OSError:
            listings[experiment_folder] = set()
    return name in listings[experiment_folder]


def _walk_artifacts(run_id: str, folder: str) -> Iterator[dict[str, Any]]:
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


def _listed_artifacts(client: Any, run_id: str, path: str | None) -> Iterator[dict[str, Any]]:
    for item in client.list_artifacts(run_id, path):
        yield {
            "run_id": run_id,
            "path": item.path,
            "is_dir": item.is_dir,
            "file_size": item.file_size,
        }
        if item.is_dir:
            yield from _listed_artifacts(client, run_id, item.path)


def _copy_run_artifacts(
    client: Any,
    catalog: dict[str, pa.Table],
    previous: _Previous | None,
    changed: set[str],
    target_dir: Path,
    warnings: list[str],
    *,
    folder: str,
) -> dict[str, tuple[int, str]]:
    """Copy one of ``schema.RUN_ARTIFACT_COPIES`` from every run that has it; the size
    and SHA-256 of each copy, by run id.

    The copy in the previous export is kept if the run did not change, the artifact is
    listed with the same size and the copy is the file that export wrote.
    """
    role, artifact = schema.RUN_ARTIFACT_COPIES[folder]
    tags = catalog["tags"]
    with_role = tags.filter(
        pc.and_(pc.equal(tags["key"], schema.TAG_ROLE), pc.equal(tags["value"], role))
    )
    sizes = _artifact_sizes(catalog["artifacts"], artifact)
    before = _artifact_sizes(previous.artifacts, artifact) if previous is not None else {}
    run_ids = sorted(set(with_role["run_id"].to_pylist()) & sizes.keys())
    target_dir.mkdir()
    kept = previous.copies.get(folder, {}) if previous is not None else {}
    runs = catalog["runs"]
    uris = dict(zip(runs["run_id"].to_pylist(), runs["artifact_uri"].to_pylist(), strict=True))
    copies: dict[str, tuple[int, str]] = {}
    for run_id in run_ids:
        target = target_dir / f"{run_id}.parquet"
        unchanged = run_id not in changed and before.get(run_id) == sizes[run_id]
        try:
            if previous is not None and unchanged and run_id in kept:
                source = previous.folder / folder / target.name
                problem = _file_problem(source, *kept[run_id])
                if problem is None:
                    _link(source, target)
                    copies[run_id] = kept[run_id]
                    continue
                file = f"{folder}/{target.name}"
                warnings.append(RUN_FILE_BAD.format(file=file, problem=problem, run_id=run_id))
            if (local := local_artifact_folder(uris.get(run_id) or "")) is not None:
                shutil.copyfile(Path(local, artifact), target)
            else:
                with tempfile.TemporaryDirectory() as download:
                    path = client.download_artifacts(run_id, artifact, download)
                    shutil.move(path, target)
            copies[run_id] = _file_check(target)
        except Exception as exc:  # any artifact backend; a run without a copy is reported
            reason = str(exc).splitlines()[0]
            warnings.append(ARTIFACT_UNREAD.format(run_id=run_id, artifact=artifact, reason=reason))
    return copies


def _artifact_sizes(artifacts: pa.Table, artifact: str) -> dict[str, int]:
    """Run id -> size of its ``artifact`` file, for runs that have one."""
    listed = artifacts.filter(
        pc.and_(pc.equal(artifacts["path"], artifact), pc.invert(artifacts["is_dir"]))
    )
    return dict(zip(listed["run_id"].to_pylist(), listed["file_size"].to_pylist(), strict=True))
