"""Random search candidates: distinct, seeded, and as many as the spec's count says."""

from __future__ import annotations

from typing import Any

import pytest
from scipy import stats

from mlreport.config import ExperimentSpec
from mlreport.run import build_search
from mlreport.run._sampling import unique_candidates


def _keys(candidates: list[dict[str, Any]]) -> list[str]:
    return [repr(sorted(c.items())) for c in candidates]


@pytest.mark.parametrize("n_iter", [1, 3, 5, 6, 9])
@pytest.mark.parametrize("seed", range(20))
def test_a_small_discrete_space_never_gives_a_candidate_twice(n_iter: int, seed: int) -> None:
    """Issue 17 item 6: random search over 2 x 3 candidates with n_iter close to 6 (a
    list and an integer distribution, which scikit-learn samples with replacement)."""
    space = {"penalty": ["l1", "l2"], "max_depth": stats.randint(1, 4)}
    candidates = unique_candidates(space, n_iter, seed=seed)
    assert len(candidates) == min(n_iter, 6)
    assert len(set(_keys(candidates))) == len(candidates)
    assert unique_candidates(space, n_iter, seed=seed) == candidates  # seeded


def test_continuous_dimensions_are_drawn_distinct_and_within_bounds() -> None:
    """Issue 17 item 6: a space with a distribution gives n_iter distinct candidates."""
    space = {"C": stats.loguniform(0.01, 10), "fit_intercept": [True, False]}
    candidates = unique_candidates(space, 50, seed=3)
    assert len(set(_keys(candidates))) == 50
    assert all(0.01 <= c["C"] <= 10 for c in candidates)


def test_the_search_cross_validates_exactly_the_counted_distinct_candidates() -> None:
    """Issue 17 item 6: the built search's candidates are the spec's candidate count,
    none twice."""
    spec = ExperimentSpec.model_validate(
        {
            "name": "s",
            "seed": 1,
            "data": {"kind": "synthetic", "n_samples": 100},
            "models": [
                {
                    "name": "tree",
                    "estimator": "sklearn.tree.DecisionTreeClassifier",
                    "search": {
                        "strategy": "random",
                        "n_iter": 8,
                        "space": {
                            "max_depth": {"distribution": "randint", "low": 1, "high": 4},
                            "criterion": ["gini", "entropy"],
                        },
                    },
                }
            ],
        }
    )
    model = spec.models[0]
    search = build_search(spec, model, numeric=["x"], categorical=[], scheduler=None)
    grid = search.get_params(deep=False)["param_grid"]
    candidates = [{k: v[0] for k, v in entry.items()} for entry in grid]
    assert len(candidates) == model.search.candidate_count == 6  # 3 depths x 2 criteria
    assert len(set(_keys(candidates))) == 6


def test_a_discrete_space_too_large_to_index_is_drawn_from() -> None:
    """Four integer dimensions of 100,000 values each: 10^20 candidates, more than a
    64-bit index holds (sampling by index overflowed)."""
    space = {name: stats.randint(0, 100_000) for name in "abcd"}
    candidates = unique_candidates(space, 5, seed=0)
    assert len(set(_keys(candidates))) == 5
    assert all(0 <= value < 100_000 for c in candidates for value in c.values())
    assert unique_candidates(space, 5, seed=0) == candidates  # seeded
