from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from mlreport.config import ModelSpec
from mlreport.run import build_pipeline, needs_scaling, search_space
from mlreport.run._trials import trial_results


def model(estimator: str, **extra: object) -> ModelSpec:
    return ModelSpec.model_validate(
        {
            "name": "m",
            "estimator": estimator,
            "search": {
                "strategy": "random",
                "space": {"C": {"distribution": "loguniform", "low": 0.1, "high": 10}},
            }
            if estimator.endswith("LogisticRegression")
            else {"strategy": "grid"},
            **extra,
        }
    )


def test_scaling_for_linear_not_for_trees() -> None:
    assert needs_scaling(model("sklearn.linear_model.LogisticRegression"))
    assert not needs_scaling(model("sklearn.ensemble.RandomForestClassifier"))
    assert needs_scaling(model("sklearn.ensemble.RandomForestClassifier", scale=True))


def test_pipeline_one_hot_encodes_categoricals_and_scales() -> None:
    import pandas as pd

    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "c": ["a", "b", "a", None]})
    pipeline = build_pipeline(
        model("sklearn.linear_model.LogisticRegression"), numeric=["x"], categorical=["c"]
    )
    transformed = pipeline[:-1].fit_transform(frame)
    assert transformed.shape == (4, 3)  # x scaled + one column per category
    assert abs(transformed[:, 0].mean()) < 1e-9


def test_space_is_prefixed_and_sampled() -> None:
    space = search_space(model("sklearn.linear_model.LogisticRegression"))
    assert list(space) == ["model__C"]
    assert isinstance(space["model__C"], stats._distn_infrastructure.rv_continuous_frozen)


def test_trial_results_mark_failed_candidates() -> None:
    cv_results = {
        "params": [{"model__C": 0.1}, {"model__C": 1.0}],
        "mean_fit_time": np.array([0.5, 0.7]),
        "mean_score_time": np.array([0.01, 0.02]),
        "mean_test_accuracy": np.array([0.8, np.nan]),
        "std_test_accuracy": np.array([0.01, np.nan]),
        "rank_test_accuracy": np.array([1, 2]),
    }
    ok, failed = trial_results(cv_results, scoring=["accuracy"], primary="accuracy", folds=2)
    assert ok.params == {"C": 0.1} and not ok.failed
    assert ok.metrics["cv_accuracy_mean"] == pytest.approx(0.8)
    assert ok.metrics["rank"] == 1
    assert failed.failed and "cv_accuracy_mean" not in failed.metrics
    assert not math.isnan(failed.metrics["fit_time_s"])


def test_unset_random_state_gets_the_experiment_seed() -> None:
    seeded = build_pipeline(
        model("sklearn.ensemble.RandomForestClassifier"), numeric=["x"], categorical=[], seed=7
    )
    assert seeded[-1].random_state == 7
    fixed = build_pipeline(
        model("sklearn.ensemble.RandomForestClassifier", params={"random_state": 1}),
        numeric=["x"],
        categorical=[],
        seed=7,
    )
    assert fixed[-1].random_state == 1
