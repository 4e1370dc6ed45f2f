"""Read the Parquet dataset written by ``export`` (no MLflow involved)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from mlreport import schema
from mlreport._fs import file_digest
from mlreport._sort import sort_rows
from mlreport.errors import DatasetError

NO_DATASET = (
    "there is no export in {path} (no {manifest}); run `mlreport export` or `mlreport build` first"
)
UNREADABLE_TABLE = "{path}: cannot read the {table} table: {reason}"
WRONG_VERSION = "{path} has schema version {found}; this mlreport reads version {expected}"


class RunFiles(Mapping[str, pd.DataFrame]):
    """Run id -> one Parquet file per run (a ``schema.RUN_ARTIFACT_COPIES`` folder), read
    when first asked for: a site rebuild that reuses a model's pages never reads them."""

    def __init__(self, dataset_dir: Path, folder: str) -> None:
        self._dataset_dir = dataset_dir
        self._folder = folder
        self._files = {f.stem: f for f in sorted((dataset_dir / folder).glob("*.parquet"))}
        self._read: dict[str, pd.DataFrame] = {}

    def __getitem__(self, run_id: str) -> pd.DataFrame:
        if run_id not in self._read:
            file = self._files[run_id]
            try:
                self._read[run_id] = pd.read_parquet(file)
            except (OSError, pa.ArrowException) as exc:
                reason = str(exc).splitlines()[0]
                table = f"{self._folder} of run {run_id}"
                raise DatasetError(
                    UNREADABLE_TABLE.format(path=self._dataset_dir, table=table, reason=reason)
                ) from exc
        return self._read[run_id]

    def __contains__(self, run_id: object) -> bool:
        return run_id in self._files

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)

    @property
    def loaded(self) -> int:
        """How many runs' files were read so far."""
        return len(self._read)

    def digest(self, run_id: str) -> str:
        """A hash of the run's file, without parsing it."""
        return file_digest(self._files[run_id])


def frame_digest(frame: pd.DataFrame) -> str:
    """A hash of a frame's columns and values, in row order."""
    rows = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return hashlib.sha256(repr(list(frame.columns)).encode() + rows.tobytes()).hexdigest()


def run_file_digest(files: Mapping[str, pd.DataFrame], run_id: str) -> str:
    """A hash of one run's artifact copy ("" when the run has none)."""
    if run_id not in files:
        return ""
    if isinstance(files, RunFiles):
        return files.digest(run_id)
    return frame_digest(files[run_id])


@dataclass(frozen=True)
class Dataset:
    """Every table of an export as a DataFrame, plus its manifest."""

    manifest: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    #: Run id -> test predictions of that best-model run (``schema.PREDICTIONS_DIR``).
    predictions: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    #: Run id -> SHAP values (``schema.EXPLANATION_ARTIFACT``) of a best-model run.
    explanations: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    #: Run id -> eli5 weights (``schema.WEIGHTS_ARTIFACT``) of a best-model run.
    weights: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    #: Run id -> measurements (``schema.SCALING_ARTIFACT``) of a scaling run.
    scaling: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    #: The build history (``schema.BUILDS``), empty before the first ``mlreport build``.
    builds: pd.DataFrame = field(default_factory=lambda: schema.BUILDS.empty_table().to_pandas())

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]


def experiment_digests(dataset: Dataset) -> dict[str, str]:
    """Experiment id -> a hash of everything the export holds about the experiment: its
    rows and its runs' rows in every table, and its runs' files. Equal hashes mean pages
    built from one experiment would come out the same."""
    runs = dataset["runs"]
    experiment_of_run = dict(zip(runs["run_id"], runs["experiment_id"], strict=True))
    parts: dict[str, list[str]] = {}
    for name in schema.TABLES:
        table = dataset[name]
        if table.empty:
            continue
        if "experiment_id" in table.columns:
            owners = table["experiment_id"]
        else:
            owners = table["run_id"].map(experiment_of_run).fillna("")
        rows = pd.util.hash_pandas_object(table, index=False)
        for experiment_id, hashes in rows.groupby(owners.to_numpy(), sort=False):
            parts.setdefault(str(experiment_id), []).append(
                name + hashlib.sha256(hashes.to_numpy().tobytes()).hexdigest()
            )
    for folder in schema.RUN_ARTIFACT_COPIES:
        files: Mapping[str, pd.DataFrame] = getattr(dataset, folder)
        for run_id in sorted(files):
            owner = experiment_of_run.get(run_id, "")
            parts.setdefault(owner, []).append(
                f"{folder}/{run_id}:{run_file_digest(files, run_id)}"
            )
    return {
        experiment_id: hashlib.sha256("\n".join(items).encode()).hexdigest()
        for experiment_id, items in parts.items()
    }


def read_dataset(path: Path) -> Dataset:
    """Load an export; raise DatasetError if it is missing or of another schema version."""
    manifest_file = path / schema.MANIFEST_FILE
    if not manifest_file.is_file():
        raise DatasetError(NO_DATASET.format(path=path, manifest=schema.MANIFEST_FILE))
    try:
        manifest = json.loads(manifest_file.read_text())
    except (OSError, ValueError) as exc:
        raise DatasetError(
            UNREADABLE_TABLE.format(path=path, table="manifest", reason=exc)
        ) from exc
    if manifest.get("schema_version") != schema.SCHEMA_VERSION:
        raise DatasetError(
            WRONG_VERSION.format(
                path=path, found=manifest.get("schema_version"), expected=schema.SCHEMA_VERSION
            )
        )
    tables = {}
    for name, table_schema in schema.TABLES.items():
        try:
            table = pq.read_table(schema.table_path(path, name), schema=table_schema)
            tables[name] = sort_rows(table, schema.SORT_KEYS[name]).to_pandas()
        except (OSError, pa.ArrowException) as exc:
            reason = str(exc).splitlines()[0]
            raise DatasetError(
                UNREADABLE_TABLE.format(path=path, table=name, reason=reason)
            ) from exc
    copies: dict[str, Any] = {
        folder: RunFiles(path, folder) for folder in schema.RUN_ARTIFACT_COPIES
    }
    return Dataset(manifest=manifest, tables=tables, builds=read_builds(path), **copies)


def read_builds(path: Path) -> pd.DataFrame:
    """The build history kept in the dataset folder ``path`` (empty if there is none)."""
    file = path / schema.BUILDS_FILE
    if not file.is_file():
        return schema.BUILDS.empty_table().to_pandas()
    try:
        table = pq.read_table(file, schema=schema.BUILDS)
    except (OSError, pa.ArrowException) as exc:
        reason = str(exc).splitlines()[0]
        raise DatasetError(
            UNREADABLE_TABLE.format(path=path, table="builds", reason=reason)
        ) from exc
    frame = sort_rows(table, ["build_time", "experiment", "model"]).to_pandas()
    frame["status"] = frame["status"].fillna(schema.BUILD_OK)
    frame["error"] = frame["error"].fillna("")
    return frame
