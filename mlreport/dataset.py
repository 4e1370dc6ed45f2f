"""Read the Parquet dataset written by ``export`` (no MLflow involved)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from mlreport import schema
from mlreport._arrow import sort_rows
from mlreport.errors import DatasetError

NO_DATASET = "{path} is not an mlreport export (no {manifest}); run `mlreport export` first"
UNREADABLE_TABLE = "{path}: cannot read the {table} table: {reason}"
WRONG_VERSION = "{path} has schema version {found}; this mlreport reads version {expected}"


@dataclass(frozen=True)
class Dataset:
    """Every table of an export as a DataFrame, plus its manifest."""

    manifest: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    #: Run id -> test predictions of that best-model run (``schema.PREDICTIONS_DIR``).
    predictions: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: Run id -> SHAP values (``schema.EXPLANATION_ARTIFACT``) of a best-model run.
    explanations: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: Run id -> eli5 weights (``schema.WEIGHTS_ARTIFACT``) of a best-model run.
    weights: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: Run id -> measurements (``schema.SCALING_ARTIFACT``) of a scaling run.
    scaling: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: The build history (``schema.BUILDS``), empty before the first ``mlreport build``.
    builds: pd.DataFrame = field(default_factory=lambda: schema.BUILDS.empty_table().to_pandas())
    #: Results derived from this dataset (fairness reports), so that each is computed once
    #: per loaded dataset however many stages use it.
    derived: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]


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
    copies: dict[str, dict[str, pd.DataFrame]] = {}
    for folder in schema.RUN_ARTIFACT_COPIES:
        copies[folder] = {}
        for file in sorted((path / folder).glob("*.parquet")):
            try:
                copies[folder][file.stem] = pd.read_parquet(file)
            except (OSError, pa.ArrowException) as exc:
                reason = str(exc).splitlines()[0]
                table = f"{folder} of run {file.stem}"
                raise DatasetError(
                    UNREADABLE_TABLE.format(path=path, table=table, reason=reason)
                ) from exc
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
    return sort_rows(table, ["build_time", "experiment", "model"]).to_pandas()
