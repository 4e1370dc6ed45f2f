"""The search strategies: one registry entry per strategy an experiment file may name.

An entry says which options the strategy takes and their defaults, what it can search
(regression, chunked data, sampled distributions) and how many candidates it starts
with. The run stage holds one builder per entry (``mlreport.run``'s ``SEARCH_BUILDERS``);
adding a strategy is an entry here and a builder there (and a ``SearchSpec`` field for an
option no strategy had before).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: Cross-validation folds of a grid or random search unless ``cv`` is set.
DEFAULT_FOLDS = 5

#: How many candidates a search starts with, from its settings (every option of the
#: strategy: the value set, else the strategy's default, else None) and the number of
#: values of each dimension of its space (``math.inf`` for a continuous distribution).
CandidateCount = Callable[[Mapping[str, Any], Sequence[float]], int]


@dataclass(frozen=True, kw_only=True)
class Strategy:
    """A search strategy: the options it takes, what it can search, how many candidates."""

    name: str
    #: Options it takes besides ``strategy`` and ``space``.
    options: frozenset[str]
    #: Values of options left unset; an option without one is left to the search library.
    defaults: Mapping[str, int] = field(default_factory=dict)
    #: Trains candidates with ``partial_fit`` and scores them on a validation split,
    #: instead of cross-validating each.
    incremental: bool = False
    #: Can search a regressor.
    regression: bool = True
    #: Can train on chunked (out-of-core) data.
    chunked: bool = False
    #: Takes distributions in its space (else only lists of values).
    sampled: bool = True
    #: How many candidates it starts with.
    candidates: CandidateCount


def hyperband_candidates(max_iter: int, aggressiveness: int) -> int:
    """The models a Hyperband search starts, summed over its brackets.

    Algorithm 1 of Li et al., "Hyperband: a novel bandit-based approach to hyperparameter
    optimization" (JMLR 2018), with R = ``max_iter`` and eta = ``aggressiveness``: brackets
    s = 0 .. s_max = floor(log_eta R), bracket s starting ceil((s_max + 1) eta^s / (s + 1))
    models. Computed with the floating-point steps of dask-ml's ``HyperbandSearchCV``
    (``metadata["n_models"]``), so that the counts agree where a logarithm rounds.
    """
    s_max = math.floor(math.log(max_iter, aggressiveness))
    budget = (s_max + 1) * max_iter
    return sum(math.ceil(budget / max_iter * aggressiveness**s / (s + 1)) for s in range(s_max + 1))


def _grid_size(settings: Mapping[str, Any], sizes: Sequence[float]) -> int:
    """Every combination of the space's values."""
    return int(math.prod(sizes))


def _random_size(settings: Mapping[str, Any], sizes: Sequence[float]) -> int:
    """``n_iter`` distinct candidates, or every candidate of a smaller discrete space."""
    return int(min(settings["n_iter"], math.prod(sizes)))


def _hyperband_size(settings: Mapping[str, Any], sizes: Sequence[float]) -> int:
    return hyperband_candidates(int(settings["max_iter"]), int(settings["aggressiveness"]))


def _value_of(option: str) -> CandidateCount:
    """A count that one option sets (``n_initial_parameters``)."""
    return lambda settings, sizes: int(settings[option])


#: Options of every adaptive search (dask-ml's incremental searches).
_ADAPTIVE = frozenset({"max_iter", "patience", "tol", "validation_size"})

#: Every strategy, in the order messages list them.
STRATEGIES: dict[str, Strategy] = {
    strategy.name: strategy
    for strategy in (
        Strategy(
            name="grid",
            options=frozenset({"cv"}),
            defaults={"cv": DEFAULT_FOLDS},
            sampled=False,
            candidates=_grid_size,
        ),
        Strategy(
            name="random",
            options=frozenset({"cv", "n_iter"}),
            defaults={"cv": DEFAULT_FOLDS, "n_iter": 10},
            candidates=_random_size,
        ),
        Strategy(
            name="incremental",
            options=_ADAPTIVE | {"n_initial_parameters", "decay_rate"},
            defaults={"max_iter": 100, "n_initial_parameters": 10},
            incremental=True,
            regression=False,
            chunked=True,
            candidates=_value_of("n_initial_parameters"),
        ),
        Strategy(
            name="hyperband",
            options=_ADAPTIVE | {"aggressiveness"},
            defaults={"max_iter": 81, "aggressiveness": 3},
            incremental=True,
            regression=False,
            chunked=True,
            candidates=_hyperband_size,
        ),
        Strategy(
            name="successive_halving",
            options=_ADAPTIVE | {"n_initial_parameters", "n_initial_iter", "aggressiveness"},
            # n_initial_iter: partial_fit calls before the first cut
            defaults={"n_initial_parameters": 10, "n_initial_iter": 3, "aggressiveness": 3},
            incremental=True,
            regression=False,
            chunked=True,
            candidates=_value_of("n_initial_parameters"),
        ),
    )
}
STRATEGY_NAMES = tuple(STRATEGIES)
#: Every option of any strategy.
ALL_OPTIONS = frozenset().union(*(s.options for s in STRATEGIES.values()))


def names_where(test: Callable[[Strategy], bool]) -> str:
    """The names of the strategies that pass ``test``, as "a, b or c"."""
    *most, last = [s.name for s in STRATEGIES.values() if test(s)]
    return f"{', '.join(most)} or {last}" if most else last
