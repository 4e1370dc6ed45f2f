"""One dask-ml search builder per strategy of the registry (``mlreport.config.STRATEGIES``).

``build_search`` (grid, random: cross-validated) and ``build_incremental_search``
(``partial_fit`` on blocks) prepare the estimator, its space and the options every search
of their kind takes; the builder of the model's strategy makes the search from them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SearchInputs:
    """What a builder makes a search of."""

    estimator: Any
    space: dict[str, Any]  # keys as the estimator's set_params takes them
    settings: Mapping[str, Any]  # the strategy's options with defaults (SearchSpec.settings())
    common: dict[str, Any]  # the options of every search of its kind (scoring, ...)
    seed: int


def _search(kind: type, inputs: SearchInputs, options: tuple[str, ...], **extra: Any) -> Any:
    """A dask-ml search of ``kind`` over the inputs, given the strategy's ``options``."""
    own = {name: inputs.settings[name] for name in options}
    return kind(inputs.estimator, inputs.space, **own, **extra, **inputs.common)


def _grid(inputs: SearchInputs) -> Any:
    from dask_ml.model_selection import GridSearchCV

    return _search(GridSearchCV, inputs, ("cv",))


def _random(inputs: SearchInputs) -> Any:
    """``n_iter`` distinct candidates drawn from the space (seeded), cross-validated as a
    grid of exactly those candidates: no candidate is trained twice."""
    from dask_ml.model_selection import GridSearchCV

    from mlreport.run._sampling import unique_candidates

    candidates = unique_candidates(inputs.space, int(inputs.settings["n_iter"]), seed=inputs.seed)
    grid = [{name: [value] for name, value in candidate.items()} for candidate in candidates]
    return GridSearchCV(inputs.estimator, grid, cv=inputs.settings["cv"], **inputs.common)


def _incremental(inputs: SearchInputs) -> Any:
    """Every candidate trained until it stops improving; with ``decay_rate``, fewer and
    fewer of them as the search goes on."""
    from dask_ml.model_selection import IncrementalSearchCV, InverseDecaySearchCV

    kind = IncrementalSearchCV if inputs.settings["decay_rate"] is None else InverseDecaySearchCV
    options = ("n_initial_parameters", "max_iter", "decay_rate")
    return _search(kind, inputs, options, random_state=inputs.seed)


def _hyperband(inputs: SearchInputs) -> Any:
    from dask_ml.model_selection import HyperbandSearchCV

    options = ("max_iter", "aggressiveness")
    return _search(HyperbandSearchCV, inputs, options, random_state=inputs.seed)


def _successive_halving(inputs: SearchInputs) -> Any:
    from dask_ml.model_selection import SuccessiveHalvingSearchCV

    options = ("n_initial_parameters", "n_initial_iter", "max_iter", "aggressiveness")
    return _search(SuccessiveHalvingSearchCV, inputs, options, random_state=inputs.seed)


#: The builder of each strategy of the registry, by its name.
SEARCH_BUILDERS: dict[str, Callable[[SearchInputs], Any]] = {
    "grid": _grid,
    "random": _random,
    "incremental": _incremental,
    "hyperband": _hyperband,
    "successive_halving": _successive_halving,
}
