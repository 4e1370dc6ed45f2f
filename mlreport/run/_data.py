"""Load an experiment's data into features, an encoded target and a test split."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dask
import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from mlreport import schema
from mlreport.config import (
    ExperimentSpec,
    FileData,
    SklearnData,
    SyntheticData,
    data_path,
    file_format,
    missing_file_message,
    separator_of,
    wrong_separator_message,
)
from mlreport.errors import DataError
from mlreport.schema import class_labels, group_labels

MISSING_COLUMNS = "{file}: column {columns} not found in the data (columns: {available})"
UNREADABLE_DATA = "{file}: cannot read the data file: {reason}"
NO_ROWS = "{name}: data file {file} has no rows, only a header"
NO_TARGET_VALUES = "{name}: all {count} rows of data file {file} have no target ({target})"
UNKNOWN_POSITIVE_LABEL = "{name}: positive_label {label!r} is not a target value ({labels})"
UNSPLITTABLE = "{name}: cannot split the data into train and test: {reason}"
POSITIVE_LABEL_NOT_BINARY = "{name}: positive_label applies to two classes; the target has {count}"
NOT_NUMERIC_TARGET = "{name}: a regression target must be numeric; column {target} holds {examples}"
ONE_CLASS = "{name}: the target has a single class ({label}); classification needs two or more"


@dataclass(frozen=True)
class RowCount:
    """Rows of an experiment's data file, and how many were dropped before the split, why."""

    read: int = 0  # 0: generated data
    dropped: int = 0
    reason: str = ""

    def tags(self) -> dict[str, str]:
        """The run tags that carry the counts (none for generated data)."""
        if not self.read:
            return {}
        return schema.row_count_tags(self.read, self.dropped, self.reason)


@dataclass(frozen=True)
class TestSet:
    """The held-out rows a best model is scored on, in memory."""

    X: Any  # a DataFrame, or an array for chunked data
    y: np.ndarray
    classes: tuple[str, ...]  # labels in encoded order (binary: positive last); () regression
    sensitive: pd.DataFrame  # sensitive feature columns of the test rows


@dataclass(frozen=True)
class ExperimentData:
    """Features, the target encoded as 0..k-1, and the split into train and test."""

    X_train: pd.DataFrame
    X_test: pd.DataFrame
    y_train: np.ndarray  # class codes 0..k-1, or floats for regression
    y_test: np.ndarray
    classes: tuple[str, ...]  # labels in encoded order (binary: positive last); () regression
    categorical: tuple[str, ...]
    sensitive_test: pd.DataFrame  # sensitive feature columns of the test rows
    rows: RowCount = RowCount()

    def test(self) -> TestSet:
        return TestSet(self.X_test, self.y_test, self.classes, self.sensitive_test)


@dataclass(frozen=True)
class ChunkedData:
    """Data too large for one process: dask collections, generated or read block by block.

    Synthetic data comes as dask arrays; files as dask DataFrames (with ``categorical``
    columns), whose preprocessing is fitted and applied blockwise too.
    """

    X_train: Any  # dask.array.Array or dask.dataframe.DataFrame
    y_train: Any  # dask.array.Array or dask.dataframe.Series, encoded 0..k-1
    X_test: Any
    y_test: Any
    classes: tuple[str, ...]
    categorical: tuple[str, ...] = ()
    sensitive_features: tuple[str, ...] = ()
    not_features: tuple[str, ...] = ()  # sensitive columns kept only for the report
    rows: RowCount = RowCount()

    @property
    def is_frame(self) -> bool:
        return hasattr(self.X_train, "columns")

    def features(self, frame: Any) -> Any:
        """The model's input columns of a (dask or pandas) frame of this data."""
        return frame.drop(columns=list(self.not_features)) if self.not_features else frame

    def test(self) -> TestSet:
        """The test split, computed into memory (it is the small part of the data)."""
        X, y = dask.compute(self.X_test, self.y_test)
        y = np.asarray(y, dtype=np.int64)
        if not self.is_frame:
            no_groups = pd.DataFrame(index=pd.RangeIndex(len(y)))
            return TestSet(np.asarray(X), y, self.classes, no_groups)
        X = X.reset_index(drop=True)
        sensitive = group_labels(X[list(self.sensitive_features)])
        return TestSet(self.features(X), y, self.classes, sensitive)


def is_chunked(spec: ExperimentSpec) -> bool:
    """Whether the experiment's data is processed block by block with dask."""
    data = spec.data
    if isinstance(data, SyntheticData):
        return data.chunks is not None
    return isinstance(data, FileData) and data.blocksize is not None


def load_chunked_data(spec: ExperimentSpec) -> ChunkedData:
    """Generate or read the data blockwise and split it blockwise (nothing is computed yet)."""
    from dask_ml.model_selection import train_test_split as split_blockwise

    data = spec.data
    if isinstance(data, FileData):
        return _load_file_blockwise(spec, data)
    from dask_ml.datasets import make_classification

    assert isinstance(data, SyntheticData) and data.chunks is not None
    X, y = make_classification(
        n_samples=data.n_samples,
        n_features=data.n_features,
        n_informative=data.n_informative,
        random_state=spec.seed,
        chunks=data.chunks,
    )
    X_train, X_test, y_train, y_test = split_blockwise(
        X, y, test_size=spec.split.test_size, random_state=spec.seed, shuffle=True
    )
    return ChunkedData(X_train, y_train, X_test, y_test, classes=("0", "1"))


def _load_file_blockwise(spec: ExperimentSpec, data: FileData) -> ChunkedData:
    """A CSV or Parquet file as a dask DataFrame of ``blocksize`` partitions."""
    import dask.dataframe as dd
    from dask_ml.model_selection import train_test_split as split_blockwise

    path = _existing_path(spec)
    try:
        if file_format(data.path) == "parquet":
            frame = dd.read_parquet(path, blocksize=data.blocksize, **data.read_options)
        else:
            frame = dd.read_csv(path, blocksize=data.blocksize, **data.read_options)
    except (OSError, ValueError, TypeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise DataError(UNREADABLE_DATA.format(file=path, reason=reason)) from exc
    _check_columns(path, data, [str(c) for c in frame.columns])
    read, missing_target = dask.compute(frame.shape[0], frame[data.target].isna().sum())
    rows = _row_count(spec, path, int(read), int(missing_target))
    frame = frame.dropna(subset=[data.target])
    target = frame[data.target].map_partitions(class_labels, meta=(data.target, "object"))
    classes = _class_order(spec, [str(v) for v in target.unique().compute()])
    codes = {label: code for code, label in enumerate(classes)}
    y = target.map(codes, meta=(data.target, "int64"))
    kept_for_report = [c for c in data.drop if c in data.sensitive_features]
    features = frame.drop(
        columns=[data.target, *(c for c in data.drop if c not in kept_for_report)]
    )
    categorical = tuple(
        data.categorical
        if data.categorical is not None
        else [c for c, t in features.dtypes.items() if not pd.api.types.is_numeric_dtype(t)]
    )
    X_train, X_test, y_train, y_test = split_blockwise(
        features, y, test_size=spec.split.test_size, random_state=spec.seed, shuffle=True
    )
    return ChunkedData(
        X_train,
        y_train,
        X_test,
        y_test,
        classes=classes,
        categorical=categorical,
        sensitive_features=tuple(data.sensitive_features),
        rows=rows,
    )


def _existing_path(spec: ExperimentSpec) -> Path:
    """The data file's resolved path; DataError naming it if it does not exist."""
    path = data_path(spec)
    assert path is not None
    if not path.is_file():
        raise DataError(f"{spec.name}: {missing_file_message(spec)}")
    return path


def _check_columns(path: Path, data: FileData, columns: list[str]) -> None:
    """DataError if a column the experiment names is missing: suggesting the separator if
    the file was read as one column."""
    wanted = [data.target, *data.drop, *data.sensitive_features, *(data.categorical or [])]
    missing = [c for c in wanted if c not in columns]
    if not missing:
        return
    sep = separator_of(columns)
    if sep is not None:
        raise DataError(wrong_separator_message(path, columns[0], sep))
    raise DataError(
        MISSING_COLUMNS.format(file=path, columns=", ".join(missing), available=", ".join(columns))
    )


def _row_count(spec: ExperimentSpec, path: Path, read: int, missing_target: int) -> RowCount:
    """The rows read and those dropped for a missing target; DataError if none is left."""
    assert isinstance(spec.data, FileData)
    if read == 0:
        raise DataError(NO_ROWS.format(name=spec.name, file=path))
    if missing_target == read:
        raise DataError(
            NO_TARGET_VALUES.format(name=spec.name, count=read, file=path, target=spec.data.target)
        )
    return RowCount(read, missing_target, schema.DROPPED_MISSING_TARGET)


def load_data(spec: ExperimentSpec) -> ExperimentData:
    """Read or generate the data of an experiment and split it (seeded)."""
    frame, target, categorical, sensitive, rows = _load_frame(spec)
    classes: tuple[str, ...]
    if spec.task == "regression":
        classes, y = (), _numeric_target(spec, target)
        stratify = None
    else:
        classes, y = _encode_target(spec, target)
        stratify = y if spec.split.stratify else None
    indices = np.arange(len(frame))
    try:
        train_idx, test_idx = train_test_split(
            indices, test_size=spec.split.test_size, random_state=spec.seed, stratify=stratify
        )
    except ValueError as exc:  # e.g. a class too small to stratify
        raise DataError(UNSPLITTABLE.format(name=spec.name, reason=exc)) from exc
    return ExperimentData(
        X_train=frame.iloc[train_idx].reset_index(drop=True),
        X_test=frame.iloc[test_idx].reset_index(drop=True),
        y_train=y[train_idx],
        y_test=y[test_idx],
        classes=classes,
        categorical=categorical,
        sensitive_test=sensitive.iloc[test_idx].reset_index(drop=True),
        rows=rows,
    )


def _load_frame(
    spec: ExperimentSpec,
) -> tuple[pd.DataFrame, pd.Series, tuple[str, ...], pd.DataFrame, RowCount]:
    data = spec.data
    if isinstance(data, SyntheticData):
        from sklearn.datasets import make_classification

        X, y = make_classification(
            n_samples=data.n_samples,
            n_features=data.n_features,
            n_informative=data.n_informative,
            n_redundant=data.n_redundant,
            n_classes=data.n_classes,
            weights=data.weights,
            class_sep=data.class_sep,
            flip_y=data.flip_y,
            random_state=spec.seed,
        )
        frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
        return frame, pd.Series(y), (), pd.DataFrame(index=frame.index), RowCount()
    if isinstance(data, SklearnData):
        from sklearn import datasets

        bunch = getattr(datasets, f"load_{data.name}")(as_frame=True)
        frame = bunch.frame.drop(columns=["target"])
        if data.task == "regression":
            return frame, bunch.target, (), pd.DataFrame(index=frame.index), RowCount()
        labels = pd.Series(np.asarray(bunch.target_names)[bunch.target.to_numpy()])
        return frame, labels, (), pd.DataFrame(index=frame.index), RowCount()
    return _load_file(spec, data)


def _load_file(
    spec: ExperimentSpec, data: FileData
) -> tuple[pd.DataFrame, pd.Series, tuple[str, ...], pd.DataFrame, RowCount]:
    path = _existing_path(spec)
    try:
        if file_format(data.path) == "parquet":
            frame = pd.read_parquet(path, **data.read_options)
        else:
            frame = pd.read_csv(path, **data.read_options)
    except (OSError, ValueError, TypeError, pd.errors.ParserError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise DataError(UNREADABLE_DATA.format(file=path, reason=reason)) from exc
    frame.columns = [str(c) for c in frame.columns]
    _check_columns(path, data, list(frame.columns))
    rows = _row_count(spec, path, len(frame), int(frame[data.target].isna().sum()))
    frame = frame.dropna(subset=[data.target]).reset_index(drop=True)
    target = frame[data.target] if spec.task == "regression" else class_labels(frame[data.target])
    sensitive = group_labels(frame[data.sensitive_features])
    features = frame.drop(columns=[data.target, *data.drop])
    if data.categorical is not None:
        categorical = tuple(data.categorical)
    else:
        categorical = tuple(
            c for c in features.columns if not pd.api.types.is_numeric_dtype(features[c])
        )
    for column in categorical:
        features[column] = features[column].astype("object").where(features[column].notna())
    return features, target, categorical, sensitive, rows


def _numeric_target(spec: ExperimentSpec, target: pd.Series) -> np.ndarray:
    """A regression target as floats; a clear error for text values."""
    values = pd.to_numeric(target, errors="coerce")
    bad = target[values.isna() & target.notna()]
    if not bad.empty:
        examples = ", ".join(repr(v) for v in bad.astype(str).unique()[:3])
        raise DataError(
            NOT_NUMERIC_TARGET.format(name=spec.name, target=target.name, examples=examples)
        )
    return values.to_numpy(dtype=np.float64)


def _encode_target(spec: ExperimentSpec, target: pd.Series) -> tuple[tuple[str, ...], np.ndarray]:
    classes = _class_order(spec, [str(v) for v in target.unique()])
    codes = {label: code for code, label in enumerate(classes)}
    return classes, target.astype(str).map(codes).to_numpy(dtype=np.int64)


def _class_order(spec: ExperimentSpec, values: list[str]) -> tuple[str, ...]:
    """Labels in encoded order: sorted, with a binary task's positive label last."""
    labels = sorted(set(values))
    if len(labels) < 2:
        raise DataError(ONE_CLASS.format(name=spec.name, label=labels[0] if labels else "none"))
    positive = getattr(spec.data, "positive_label", None)
    if positive is not None and len(labels) != 2:
        raise DataError(POSITIVE_LABEL_NOT_BINARY.format(name=spec.name, count=len(labels)))
    if positive is not None:
        if str(positive) not in labels:
            raise DataError(
                UNKNOWN_POSITIVE_LABEL.format(
                    name=spec.name, label=positive, labels=", ".join(labels)
                )
            )
        labels = [label for label in labels if label != str(positive)] + [str(positive)]
    return tuple(labels)
