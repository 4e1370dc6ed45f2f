"""The strategy registry (config) against dask-ml, the Parquet contract and the run stage's
builders."""

from __future__ import annotations

import math
from typing import Any, get_args

import pytest
from dask_ml.model_selection import (
    GridSearchCV,
    HyperbandSearchCV,
    IncrementalSearchCV,
    InverseDecaySearchCV,
    SuccessiveHalvingSearchCV,
)

from mlreport import schema
from mlreport.config import STRATEGIES, ExperimentSpec, SearchSpec, hyperband_candidates
from mlreport.config._models import CHUNKED_NEEDS_INCREMENTAL, REGRESSION_NEEDS_CV_SEARCH
from mlreport.run import SEARCH_BUILDERS, build_search
from mlreport.run._incremental import build_incremental_search


@pytest.mark.parametrize("aggressiveness", [2, 3, 4, 5, 7, 10])
def test_hyperband_candidates_are_dask_mls(aggressiveness: int) -> None:
    # every max_iter up to 250, and powers of eta and their neighbours far beyond, where
    # the logarithm may round below a whole number
    powers = {aggressiveness**k + d for k in range(1, 10) for d in (-1, 0, 1)}
    for max_iter in sorted(set(range(1, 251)) | {p for p in powers if 0 < p < 5000}):
        search = HyperbandSearchCV(None, {}, max_iter=max_iter, aggressiveness=aggressiveness)
        assert hyperband_candidates(max_iter, aggressiveness) == search.metadata["n_models"], (
            max_iter,
            aggressiveness,
        )


def test_hyperband_candidates_of_the_paper() -> None:
    # R = 81, eta = 3: brackets of 81, 34, 15, 8 and 5 models (Li et al., table 1)
    assert hyperband_candidates(81, 3) == 81 + 34 + 15 + 8 + 5
    assert SearchSpec(strategy="hyperband").candidate_count == 143


def test_the_contracts_incremental_strategies_are_the_registrys() -> None:
    incremental = tuple(name for name, s in STRATEGIES.items() if s.incremental)
    assert incremental == schema.INCREMENTAL_STRATEGIES


def test_every_registered_option_is_a_search_field_with_its_defaults_among_them() -> None:
    assert get_args(SearchSpec.model_fields["strategy"].annotation) == tuple(STRATEGIES)
    fields = set(SearchSpec.model_fields) - {"strategy", "space"}
    options = set().union(*(s.options for s in STRATEGIES.values()))
    assert options == fields
    for name, strategy in STRATEGIES.items():
        assert strategy.name == name
        assert set(strategy.defaults) <= strategy.options, name


def test_every_registered_strategy_has_exactly_one_builder() -> None:
    assert list(SEARCH_BUILDERS) == list(STRATEGIES)
    assert len(set(SEARCH_BUILDERS.values())) == len(SEARCH_BUILDERS)


def test_messages_name_the_strategies_as_before() -> None:
    assert CHUNKED_NEEDS_INCREMENTAL == (
        "model {model}: chunked data needs an incremental strategy "
        "(incremental, hyperband or successive_halving), not {strategy}"
    )
    assert REGRESSION_NEEDS_CV_SEARCH == (
        "model {model}: regression is searched with grid or random, not {strategy}"
    )


def _spec(search: dict[str, Any]) -> ExperimentSpec:
    return ExperimentSpec.model_validate(
        {
            "name": "s",
            "seed": 7,
            "data": {"kind": "synthetic", "n_samples": 100},
            "models": [
                {
                    "name": "sgd",
                    "estimator": "sklearn.linear_model.SGDClassifier",
                    "search": {"space": {"alpha": [0.1, 1.0, 10.0]}, **search},
                }
            ],
        }
    )


def _built(search: dict[str, Any]) -> Any:
    spec = _spec(search)
    model = spec.models[0]
    if model.search.incremental:
        return build_incremental_search(spec, model, topic="t")
    return build_search(spec, model, numeric=["x"], categorical=[], scheduler=None)


#: (search settings, the dask-ml search and the params it gets): the searches as mlreport
#: built them before the registry, defaults included.
BUILT = [
    ({"strategy": "grid"}, GridSearchCV, {"cv": 5, "refit": False}),
    ({"strategy": "grid", "cv": 3}, GridSearchCV, {"cv": 3}),
    # random: a grid of the distinct candidates drawn (all 3 of the space for n_iter=10)
    ({"strategy": "random"}, GridSearchCV, {"cv": 5, "refit": False}),
    ({"strategy": "random", "n_iter": 2, "cv": 2}, GridSearchCV, {"cv": 2}),
    (
        {"strategy": "incremental"},
        IncrementalSearchCV,
        {
            "n_initial_parameters": 10,
            "max_iter": 100,
            "decay_rate": None,
            "random_state": 7,
            "patience": False,
            "test_size": None,
        },
    ),
    (
        {"strategy": "incremental", "decay_rate": 0.5, "max_iter": 9, "tol": 0.01},
        InverseDecaySearchCV,
        {"decay_rate": 0.5, "max_iter": 9, "tol": 0.01, "n_initial_parameters": 10},
    ),
    (
        {"strategy": "hyperband"},
        HyperbandSearchCV,
        {"max_iter": 81, "aggressiveness": 3, "random_state": 7, "patience": False},
    ),
    (
        {"strategy": "hyperband", "max_iter": 27, "patience": 3, "validation_size": 0.2},
        HyperbandSearchCV,
        {"max_iter": 27, "patience": 3, "test_size": 0.2},
    ),
    (
        {"strategy": "successive_halving"},
        SuccessiveHalvingSearchCV,
        {
            "n_initial_parameters": 10,
            "n_initial_iter": 3,
            "max_iter": None,
            "aggressiveness": 3,
            "random_state": 7,
        },
    ),
    (
        {"strategy": "successive_halving", "n_initial_iter": 2, "max_iter": 8},
        SuccessiveHalvingSearchCV,
        {"n_initial_iter": 2, "max_iter": 8},
    ),
]


@pytest.mark.parametrize(("search", "kind", "params"), BUILT)
def test_each_strategys_builder_makes_its_search(
    search: dict[str, Any], kind: type, params: dict[str, Any]
) -> None:
    built = _built(search)
    assert type(built) is kind
    got = built.get_params(deep=False)
    assert {name: got[name] for name in params} == params
    if kind is GridSearchCV:
        assert got["scoring"] == ["accuracy"] and not got["return_train_score"]
        assert math.isnan(got["error_score"])


@pytest.mark.parametrize(
    ("search", "count"),
    [
        ({"strategy": "grid"}, 3),
        ({"strategy": "random"}, 3),  # n_iter 10, but the space holds 3 candidates
        ({"strategy": "random", "n_iter": 2}, 2),
        ({"strategy": "incremental"}, 10),
        ({"strategy": "successive_halving", "n_initial_parameters": 6}, 6),
        ({"strategy": "hyperband", "max_iter": 27}, 4 + 6 + 12 + 27),
    ],
)
def test_candidate_counts(search: dict[str, Any], count: int) -> None:
    assert _spec(search).models[0].search.candidate_count == count
