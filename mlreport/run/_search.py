"""Build the preprocessing pipeline and the dask-ml search for a model (pure)."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from mlreport.config import Distribution, ExperimentSpec, ModelSpec, Spaced
from mlreport.run._builders import SEARCH_BUILDERS, SearchInputs

ESTIMATOR_STEP = "model"
_TREE_MODULES = ("sklearn.tree", "sklearn.ensemble", "xgboost", "lightgbm", "catboost")


def needs_scaling(model: ModelSpec) -> bool:
    """Whether numeric features are standardised: the model's ``scale``, else not for trees."""
    if model.scale is not None:
        return model.scale
    return not model.estimator.startswith(_TREE_MODULES)


def build_pipeline(
    model: ModelSpec, *, numeric: list[str], categorical: list[str], seed: int = 0
) -> Pipeline:
    """Imputation, one-hot encoding of categoricals, optional scaling, then the estimator.

    An estimator with a ``random_state`` the spec leaves unset gets the experiment's seed,
    so that a search gives the same scores every time it runs.
    """
    numeric_steps: list[tuple[str, Any]] = [("impute", SimpleImputer(strategy="median"))]
    if needs_scaling(model):
        numeric_steps.append(("scale", StandardScaler()))
    transformers: list[tuple[str, Any, list[str]]] = []
    if numeric:
        transformers.append(("numeric", Pipeline(numeric_steps), numeric))
    if categorical:
        categorical_steps = Pipeline(
            [
                ("impute", SimpleImputer(strategy="most_frequent")),
                ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
            ]
        )
        transformers.append(("categorical", categorical_steps, categorical))
    preprocess = ColumnTransformer(transformers, sparse_threshold=0.0)
    return Pipeline(
        [("preprocess", preprocess), (ESTIMATOR_STEP, seeded_estimator(model, seed=seed))]
    )


def seeded_estimator(model: ModelSpec, *, seed: int) -> Any:
    """The estimator with its fixed params, and the experiment's seed as unset random_state."""
    estimator = model.estimator_class()(**model.params)
    if "random_state" in estimator.get_params() and "random_state" not in model.params:
        estimator.set_params(random_state=seed)
    return estimator


def search_space(model: ModelSpec) -> dict[str, Any]:
    """The search space with pipeline-prefixed keys and scipy distributions."""
    return {
        f"{ESTIMATOR_STEP}__{name}": _distribution(value)
        if isinstance(value, Distribution)
        else value.values()
        if isinstance(value, Spaced)
        else value
        for name, value in model.search.space.items()
    }


def _distribution(spec: Distribution) -> Any:
    if spec.distribution == "loguniform":
        return stats.loguniform(spec.low, spec.high)
    if spec.distribution == "uniform":
        return stats.uniform(loc=spec.low, scale=spec.high - spec.low)
    return stats.randint(int(spec.low), int(spec.high))


def build_search(
    spec: ExperimentSpec,
    model: ModelSpec,
    *,
    numeric: list[str],
    categorical: list[str],
    scheduler: Any,
) -> Any:
    """The cross-validated dask-ml search of the model's strategy over its pipeline."""
    pipeline = build_pipeline(model, numeric=numeric, categorical=categorical, seed=spec.seed)
    common: dict[str, Any] = {
        "scoring": list(spec.scoring),
        # dask-ml's own refit picks the best candidate by a rank that breaks when a
        # candidate failed (NaN score); mlreport picks and refits the best itself.
        "refit": False,
        "error_score": np.nan,
        "return_train_score": False,
        "scheduler": scheduler,
    }
    inputs = SearchInputs(
        pipeline, search_space(model), model.search.settings(), common, seed=spec.seed
    )
    return SEARCH_BUILDERS[model.search.strategy](inputs)


def fit_candidate(pipeline: Pipeline, params: dict[str, Any], X: Any, y: Any) -> Pipeline:
    """Fit a fresh copy of the pipeline with one candidate's (unprefixed) params."""
    from sklearn.base import clone

    candidate = clone(pipeline).set_params(
        **{f"{ESTIMATOR_STEP}__{name}": value for name, value in params.items()}
    )
    return candidate.fit(X, y)


def unprefixed(params: dict[str, Any]) -> dict[str, Any]:
    """Candidate params without the pipeline step prefix."""
    prefix = f"{ESTIMATOR_STEP}__"
    return {k.removeprefix(prefix): v for k, v in params.items()}
