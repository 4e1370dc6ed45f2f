"""Draw a random search's candidates: distinct, seeded, never one candidate twice (pure).

scikit-learn's ``ParameterSampler`` (which dask-ml's ``RandomizedSearchCV`` uses) draws
without replacement only when every dimension is a list; with any distribution it draws
with replacement, so a small discrete space can give the same candidate twice.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy.stats import rv_discrete
from sklearn.model_selection import ParameterGrid

#: Integer distributions wider than this are drawn from, not listed.
_LISTED_INTEGERS = 1_000_000
#: Discrete spaces up to this size are sampled by index (numpy's indices are 64-bit);
#: larger ones are drawn from like continuous ones.
_INDEXED_CANDIDATES = 2**62
#: Draws per wanted candidate before a space with continuous dimensions is given up on
#: (only reached if a distribution keeps returning values already drawn).
_DRAWS_PER_CANDIDATE = 100


def unique_candidates(space: Mapping[str, Any], n_iter: int, *, seed: int) -> list[dict[str, Any]]:
    """``n_iter`` distinct candidates of ``space`` (lists of values, or scipy
    distributions), or every candidate of a discrete space smaller than ``n_iter``.

    A discrete space (lists and integer distributions only) is sampled without
    replacement by index; a space with a continuous dimension, or too many candidates to
    index, is drawn from, skipping a candidate drawn before.
    """
    rng = np.random.default_rng(seed)
    values = {name: _discrete_values(dimension) for name, dimension in space.items()}
    if all(v is not None for v in values.values()):
        size = math.prod(len(v) for v in values.values() if v is not None)
        if size <= _INDEXED_CANDIDATES:  # len() of a larger ParameterGrid overflows
            grid = ParameterGrid({name: v for name, v in values.items() if v is not None})
            picks = rng.choice(size, size=min(n_iter, size), replace=False)
            return [grid[int(index)] for index in picks]
    names = sorted(space)
    candidates: list[dict[str, Any]] = []
    seen: set[str] = set()
    for _ in range(n_iter * _DRAWS_PER_CANDIDATE):
        candidate = {name: _draw(space[name], rng) for name in names}
        key = repr(sorted(candidate.items()))
        if key not in seen:
            seen.add(key)
            candidates.append(candidate)
            if len(candidates) == n_iter:
                break
    return candidates


def _discrete_values(dimension: Any) -> list[Any] | None:
    """Every value of a list or a (not too wide) integer distribution; None otherwise."""
    if not hasattr(dimension, "rvs"):
        return list(dimension)
    if isinstance(getattr(dimension, "dist", None), rv_discrete):
        low, high = dimension.support()
        if high - low < _LISTED_INTEGERS:
            return list(range(int(low), int(high) + 1))
    return None


def _draw(dimension: Any, rng: np.random.Generator) -> Any:
    if hasattr(dimension, "rvs"):
        return dimension.rvs(random_state=rng)
    return dimension[int(rng.integers(len(dimension)))]
