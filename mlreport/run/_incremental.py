"""Incremental searches (dask-ml): partial_fit on chunks, early stopping, per-call scores."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from mlreport import schema
from mlreport.config import ExperimentSpec, ModelSpec
from mlreport.run._builders import SEARCH_BUILDERS, SearchInputs
from mlreport.run._data import ChunkedData, ExperimentData
from mlreport.run._guard import GuardedEstimator, GuardedScorer
from mlreport.run._search import build_pipeline, needs_scaling, seeded_estimator
from mlreport.run._trials import TrialResult

GUARDED = "estimator__"  # search-space prefix of the guarded estimator's params
#: Number of blocks in-memory data is cut into for an incremental search.
IN_MEMORY_BLOCKS = 10


@dataclass(frozen=True)
class PreparedArrays:
    """What an incremental search trains on: preprocessed dask arrays, and its test set."""

    X_train: Any
    y_train: Any
    preprocess: Any  # fitted; applied to raw features before the estimator
    classes: tuple[str, ...]


def prepare_arrays(model: ModelSpec, data: ExperimentData | ChunkedData) -> PreparedArrays:
    """Fit the preprocessing on the training split and apply it lazily, block by block."""
    import dask.array as da

    preprocess: Any
    if isinstance(data, ChunkedData) and data.is_frame:
        preprocess = blockwise_preprocessing(model, categorical=list(data.categorical))
        lengths = tuple(int(n) for n in data.y_train.map_partitions(len).compute())
        X_train = preprocess.fit_transform(data.features(data.X_train)).to_dask_array(lengths)
        y_train = data.y_train.to_dask_array(lengths)
        return PreparedArrays(X_train, y_train, preprocess, data.classes)
    if isinstance(data, ChunkedData):
        if needs_scaling(model):
            from dask_ml.preprocessing import StandardScaler

            preprocess = StandardScaler().fit(data.X_train)  # one pass over the blocks
            X_train = preprocess.transform(data.X_train)
        else:
            preprocess = FunctionTransformer().fit(None)
            X_train = data.X_train
        return PreparedArrays(X_train, data.y_train, preprocess, data.classes)
    categorical = list(data.categorical)
    numeric = [c for c in data.X_train.columns if c not in categorical]
    preprocess = build_pipeline(model, numeric=numeric, categorical=categorical)[:-1]
    features = np.asarray(preprocess.fit_transform(data.X_train), dtype=np.float64)
    rows = max(1, math.ceil(len(features) / IN_MEMORY_BLOCKS))
    return PreparedArrays(
        X_train=da.from_array(features, chunks=(rows, features.shape[1])),
        y_train=da.from_array(data.y_train, chunks=rows),
        preprocess=preprocess,
        classes=data.classes,
    )


def blockwise_preprocessing(model: ModelSpec, *, categorical: list[str]) -> Pipeline:
    """One-hot encoding, mean imputation and scaling that fit and transform block by block.

    dask-ml's transformers accept dask DataFrames (lazily, blockwise) and pandas ones (for
    the test set and for predictions with the saved model).
    """
    from dask_ml.impute import SimpleImputer
    from dask_ml.preprocessing import Categorizer, DummyEncoder, StandardScaler

    steps: list[tuple[str, Any]] = []
    if categorical:
        steps += [
            ("categorize", Categorizer(columns=categorical)),
            ("onehot", DummyEncoder(columns=categorical)),
        ]
    steps += [
        ("float", FunctionTransformer(as_float)),
        ("impute", SimpleImputer(strategy="mean")),
    ]
    if needs_scaling(model):
        steps.append(("scale", StandardScaler()))
    return Pipeline(steps)


def as_float(frame: Any) -> Any:
    """Every column as float64 (one-hot columns come as booleans)."""
    return frame.astype("float64")


def build_incremental_search(spec: ExperimentSpec, model: ModelSpec, *, topic: str) -> Any:
    """A dask-ml incremental, Hyperband or successive-halving search over the estimator.

    Candidates are guarded: one whose partial_fit raises is reported under ``topic`` and
    dropped, and the search goes on.
    """
    from mlreport.run._search import search_space

    search = model.search
    estimator = GuardedEstimator(seeded_estimator(model, seed=spec.seed), topic=topic)
    space = {
        f"{GUARDED}{name.split('__', 1)[1]}": value for name, value in search_space(model).items()
    }
    common: dict[str, Any] = {
        "scoring": GuardedScorer(spec.primary),
        "test_size": search.validation_size,
        "patience": search.patience or False,
    }
    if search.tol is not None:
        common["tol"] = search.tol
    inputs = SearchInputs(estimator, space, search.settings(), common, seed=spec.seed)
    return SEARCH_BUILDERS[search.strategy](inputs)


def incremental_trials(
    search: Any, *, primary: str, errors: list[tuple[dict[str, str], str]]
) -> list[TrialResult]:
    """One result per model the search trained, with its score after every partial_fit call.

    ``errors`` are the failures the guards reported: (params as reprs, error message).
    """
    results = search.cv_results_
    score_key = schema.VAL_SCORE.format(scorer=primary)
    most_calls = max(int(c) for c in results["partial_fit_calls"])
    budget = int(getattr(search, "max_iter", None) or most_calls)  # calls of a full training
    trials = []
    for index, model_id in enumerate(results["model_id"]):
        calls = int(results["partial_fit_calls"][index])
        history = tuple(
            (
                int(record["partial_fit_calls"]),
                float(record["score"]),
                float(record["elapsed_wall_time"]),
            )
            for record in search.model_history_[model_id]
        )
        fit_time = float(results["mean_partial_fit_time"][index])
        score_time = float(results["mean_score_time"][index])
        metrics = {
            score_key: float(results["test_score"][index]),
            schema.METRIC_PARTIAL_FIT_CALLS: float(calls),
            schema.METRIC_PARTIAL_FIT_TIME: fit_time,
            schema.METRIC_SCORE_TIME: score_time,
            schema.METRIC_RANK: float(results["rank_test_score"][index]),
        }
        params = {k.removeprefix(GUARDED): v for k, v in results["params"][index].items()}
        failed = not math.isfinite(metrics[score_key])  # the guard scores failures -inf
        error = _error_of(params, errors) if failed else ""
        if failed:
            del metrics[score_key], metrics[schema.METRIC_RANK]
            history = ()
        tags = {schema.TAG_STOP_REASON: _stop_reason(failed=failed, calls=calls, budget=budget)}
        if "bracket" in results:
            tags[schema.TAG_BRACKET] = str(int(results["bracket"][index]))
        trials.append(
            TrialResult(
                index=index,
                params=params,
                metrics=metrics,
                failed=failed,
                error=error,
                history={score_key: history} if history else {},
                tags=tags,
                compute_s=fit_time * calls + score_time * max(1, len(history)),
            )
        )
    return trials


def _stop_reason(*, failed: bool, calls: int, budget: int) -> str:
    if failed:
        return schema.STOP_FAILED
    return schema.STOP_COMPLETED if calls >= budget else schema.STOP_EARLY


def best_pipeline(search: Any, preprocess: Any) -> Pipeline:
    """The best model, trained during the search, behind the fitted preprocessing."""
    return Pipeline(
        [
            ("preprocess", preprocess),
            # the model was trained on arrays; the names pass through for explanations
            ("array", FunctionTransformer(np.asarray, feature_names_out="one-to-one")),
            ("model", search.best_estimator_.estimator),
        ]
    )


def _error_of(params: dict[str, Any], errors: list[tuple[dict[str, str], str]]) -> str:
    """The reported error of the candidate with these params, '' if it reported none."""
    for reported, error in errors:
        if all(reported.get(name) == repr(value) for name, value in params.items()):
            return error
    return ""
