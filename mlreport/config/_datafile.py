"""Checks of experiments' data files that need no training: the file exists and has rows,
its header has the columns the experiment names, and it is split on the right separator.

Only a CSV file's header and first row, or a Parquet file's schema and metadata, are read.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from mlreport.config._load import problems_at
from mlreport.config._models import (
    DataSpec,
    ExperimentSpec,
    FileData,
    Problem,
    did_you_mean,
    file_format,
)

NO_DATA_FILE = (
    "data file {path} does not exist ({relative!r} is read from {folder}, the folder of {file})"
)
UNREADABLE_DATA_FILE = "cannot read data file {path}: {reason}"
NO_ROWS = "data file {path} has no rows, only a header"
NO_COLUMN = "column {column!r} is not in data file {path}{hint} (columns: {available})"
WRONG_SEPARATOR = (
    "data file {path} is read as one column {header!r}: it is separated by {name}, not commas; "
    "add read_options: {{sep: {sep!r}}} to data (its columns: {columns})"
)
SEPARATOR_NAMES = {";": "semicolons", "\t": "tabs", "|": "pipes"}
#: read_csv options that reading a single row does without, or cannot take with nrows.
_NOT_FOR_ONE_ROW = frozenset({"chunksize", "iterator", "nrows", "skipfooter"})
#: Options of dask's read_csv that pandas' does not take.
_DASK_ONLY = frozenset(
    {"blocksize", "sample", "sample_rows", "enforce", "assume_missing", "include_path_column"}
)
#: Keys of data that name columns of the file.
COLUMN_KEYS = ("target", "drop", "sensitive_features", "categorical")


def data_path(spec: ExperimentSpec) -> Path | None:
    """Absolute path of a file-based experiment's data (relative to the experiment file's
    folder), else None."""
    if not isinstance(spec.data, FileData):
        return None
    base = spec.source_file.parent if spec.source_file else Path.cwd()
    return (base / spec.data.path).resolve()


def missing_file_message(spec: ExperimentSpec) -> str:
    """That the data file does not exist, with its resolved path and what it is relative to."""
    assert isinstance(spec.data, FileData)
    source = spec.source_file
    return NO_DATA_FILE.format(
        path=data_path(spec),
        relative=spec.data.path,
        folder=source.parent if source else Path.cwd(),
        file=source.name if source else "the current directory",
    )


def separator_of(columns: Sequence[str]) -> str | None:
    """The separator a file read as one column is split on (``;``, tab, ``|``), if any."""
    if len(columns) != 1:
        return None
    counts = {sep: str(columns[0]).count(sep) for sep in SEPARATOR_NAMES}
    sep, count = max(counts.items(), key=lambda item: item[1])
    return sep if count else None


def wrong_separator_message(path: Path, header: str, sep: str) -> str:
    """That the file is split on ``sep``, with the columns it then has."""
    return WRONG_SEPARATOR.format(
        path=path,
        header=header[:80],
        name=SEPARATOR_NAMES[sep],
        sep=sep,
        columns=", ".join(header.split(sep)),
    )


def data_problems(spec: ExperimentSpec) -> list[Problem]:
    """What is wrong with an experiment's data file, at the keys of the experiment file."""
    data, path = spec.data, data_path(spec)
    if not isinstance(data, FileData) or path is None:
        return []
    if not path.is_file():
        return [Problem(("data", "path"), missing_file_message(spec))]
    try:
        columns, has_rows = _header(path, data)
    except Exception as exc:  # pandas and pyarrow raise many types
        reason = getattr(exc, "strerror", None) or str(exc).splitlines()[0]
        return [Problem(("data", "path"), UNREADABLE_DATA_FILE.format(path=path, reason=reason))]
    sep = separator_of(columns)
    if sep is not None:
        return [Problem(("data", "path"), wrong_separator_message(path, columns[0], sep))]
    problems = []
    if not has_rows:
        problems.append(Problem(("data", "path"), NO_ROWS.format(path=path)))
    for key in COLUMN_KEYS:
        value = getattr(data, key)
        named = (
            [(("data", key), value)]
            if isinstance(value, str)
            else [(("data", key, i), column) for i, column in enumerate(value or [])]
        )
        problems.extend(
            Problem(loc, _no_column(path, column, columns))
            for loc, column in named
            if column not in columns
        )
    return problems


def check_data(specs: Sequence[ExperimentSpec]) -> dict[str, list[str]]:
    """Every experiment's data problems, each naming its experiment file and line; only
    experiments with problems are keys."""
    found = {}
    for spec in specs:
        problems = data_problems(spec)
        if problems and spec.source_file is not None:
            found[spec.name] = problems_at(spec.source_file, [(p.loc, p.message) for p in problems])
        elif problems:
            found[spec.name] = [f"{spec.name}: {p.message}" for p in problems]
    return found


def check_data_of_invalid(
    files: Sequence[Path], valid: Sequence[ExperimentSpec]
) -> tuple[list[str], list[str] | None]:
    """For the experiment ``files`` that are not among the ``valid`` ones: the problems of
    their data file, when their ``data`` section is valid on its own (so that one pass of
    ``validate`` finds them with the file's other problems), and their names (None when a
    file's name cannot be read: its experiment is unknown)."""
    parsed = {spec.source_file for spec in valid}
    problems: list[str] = []
    names: list[str] | None = []
    for file in files:
        if file.resolve() in parsed:
            continue
        try:
            raw = yaml.safe_load(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            raw = None
        raw = raw if isinstance(raw, dict) else {}
        name = raw.get("name")
        if names is not None and isinstance(name, str):
            names.append(name)
        else:
            names = None
        try:
            data = TypeAdapter(DataSpec).validate_python(raw.get("data"))
        except ValidationError:
            continue
        stand_in = ExperimentSpec.model_construct(
            name=str(name), data=data, models=[], source_file=file.resolve()
        )
        found = data_problems(stand_in)
        problems.extend(problems_at(file, [(p.loc, p.message) for p in found]))
    return problems, names


def _no_column(path: Path, column: str, columns: Sequence[str]) -> str:
    shown = ", ".join(columns[:30]) + (", ..." if len(columns) > 30 else "")
    hint = did_you_mean(column, columns)
    return NO_COLUMN.format(column=column, path=path, hint=hint, available=shown)


def _header(path: Path, data: FileData) -> tuple[list[str], bool]:
    """The column names of a data file and whether it has a row."""
    if file_format(data.path) == "parquet":
        import pyarrow.parquet as pq

        metadata = pq.ParquetFile(path).metadata
        return [str(c) for c in metadata.schema.to_arrow_schema().names], metadata.num_rows > 0
    import pandas as pd

    head = pd.read_csv(path, **_first_row_options(data), nrows=1)
    return [str(c) for c in head.columns], len(head) > 0


def _first_row_options(data: FileData) -> dict[str, Any]:
    """The experiment's ``read_options`` for reading one row with pandas: without what
    only dask's ``read_csv`` takes (with ``blocksize``), and without what pandas cannot
    combine with ``nrows``; include_path_column's extra column is named as dask does."""
    options = {k: v for k, v in data.read_options.items() if k not in _NOT_FOR_ONE_ROW}
    if options.get("engine") == "pyarrow":  # reads the same columns, but not nrows
        del options["engine"]
    if data.blocksize is not None:
        options = {k: v for k, v in options.items() if k not in _DASK_ONLY}
    return options
