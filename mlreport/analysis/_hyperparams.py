"""What each model's search says about its hyperparameters: the axes of its space, every
trial as a point of it, the optimisation history and the params' importance (Optuna's
fANOVA evaluator)."""

from __future__ import annotations

import json
import math
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, Literal

from mlreport.analysis._runs import ExperimentResult, ModelResult

#: How an axis is drawn: numbers on a log or a linear scale, or categories.
Scale = Literal["log", "linear", "categorical"]
#: Numbers spanning at least this ratio (all positive) are drawn on a log axis when the
#: space does not say how they were spaced.
LOG_SPAN = 100.0
#: fANOVA needs a few trials to fit its forest on.
MIN_IMPORTANCE_TRIALS = 4
#: The seed of the fANOVA evaluator's random forest (so a build repeats its importances).
IMPORTANCE_SEED = 0
#: The forest's size. Optuna's defaults (64 trees, depth 64) grow a leaf per trial, and
#: fANOVA's marginals then cost trials² per tree and param: 2,000 trials of 4 params took
#: 117 s here. 16 trees of depth 8 (at most 256 leaves each) bound that cost whatever the
#: trial count (1.2 s for the same search) and rank the params alike.
IMPORTANCE_TREES = 16
IMPORTANCE_DEPTH = 8
#: Optuna one-hot encodes a categorical param, and fANOVA's marginal of one param then
#: walks every combination of its columns' splits: 2^categories (13 categories took 79 s
#: on 130 trials). A param with more categories is fed as its category's position.
MAX_ONE_HOT_CATEGORIES = 8
IMPORTANCE_METHOD = (
    f"fANOVA (Optuna's FanovaImportanceEvaluator, {IMPORTANCE_TREES} trees of depth "
    f"{IMPORTANCE_DEPTH}, seed {IMPORTANCE_SEED})"
)

_INTEGER = re.compile(r"[+-]?\d+")

NO_VARYING_PARAM = "No param varies between the trials of this search."
ONE_PARAM = "Only {param} varies: it explains all of the variation there is."
TOO_FEW_TRIALS = "Importance needs at least {count} scored trials; this search has {scored}."
SAME_SCORE = "Every scored trial has the same score ({score}): no param changes it."


@dataclass(frozen=True)
class ParamAxis:
    """One hyperparameter of a search, as its views draw it."""

    name: str
    scale: Scale
    #: categorical: every category in the space's order, then any the trials add
    categories: tuple[str, ...] = ()
    integer: bool = False  # numbers that are all integers
    #: numbers: the bounds the space declares (NaN when it declares none)
    low: float = math.nan
    high: float = math.nan


@dataclass(frozen=True)
class SearchPoint:
    """One trial of a search: its params (a number, or a category's label, per axis; None
    where the trial has no value) and its score of the primary metric."""

    run_id: str
    run_name: str
    order: int  # from 1, in the order the search made its trials
    elapsed_s: float  # from the search's start to the trial's last score; NaN unknown
    values: tuple[float | str | None, ...]
    score: float  # NaN: failed or not scored

    @property
    def scored(self) -> bool:
        return math.isfinite(self.score)


@dataclass(frozen=True)
class ModelHyperparameters:
    """One model's search seen through its hyperparameters."""

    model: str
    strategy: str
    primary: str
    axes: tuple[ParamAxis, ...]
    points: tuple[SearchPoint, ...]  # in trial order
    #: (param, share of the score's variance it explains), most important first
    importances: tuple[tuple[str, float], ...] = ()
    importance_note: str = ""  # why there are no importances ("" when there are)

    @property
    def scored(self) -> tuple[SearchPoint, ...]:
        return tuple(p for p in self.points if p.scored)

    def history(self, by: Literal["order", "time"]) -> list[tuple[float, float, float]]:
        """(trial order or seconds, score, best score so far) of each scored trial, in
        trial order or by the time it was scored (trials without a time left out)."""
        if by == "order":
            points = [(float(p.order), p.score) for p in self.scored]
        else:
            points = sorted(
                (p.elapsed_s, p.score) for p in self.scored if math.isfinite(p.elapsed_s)
            )
        best = accumulate((score for _, score in points), max)
        return [(x, score, b) for (x, score), b in zip(points, best, strict=True)]


def spread(points: Sequence[SearchPoint], limit: int) -> tuple[SearchPoint, ...]:
    """At most ``limit`` of the scored ``points``, evenly spread over their ranks by score
    (the best and the worst always among them), in their order; all when fewer."""
    if len(points) <= limit:
        return tuple(points)
    ranked = sorted(points, key=lambda p: (p.score, p.order))
    last = len(ranked) - 1
    picked = {ranked[round(i * last / (limit - 1))].order for i in range(limit)}
    return tuple(p for p in points if p.order in picked)


def experiment_hyperparameters(result: ExperimentResult) -> tuple[ModelHyperparameters, ...]:
    """Each model of the experiment with at least one trial that varies a param."""
    views = (model_hyperparameters(model, result.primary_metric) for model in result.models)
    return tuple(view for view in views if view is not None)


def model_hyperparameters(model: ModelResult, primary: str) -> ModelHyperparameters | None:
    """The model's search through its params; None when it has no trial with params."""
    if not model.trials or not any(t.params for t in model.trials):
        return None
    space = _space(model.search_space)
    names = sorted({name for t in model.trials for name, _ in t.params})
    raw = [dict(t.params) for t in model.trials]
    axes = tuple(_axis(name, space.get(name), [r.get(name) for r in raw]) for name in names)
    points = tuple(
        SearchPoint(
            run_id=trial.run_id,
            run_name=trial.run_name,
            order=position,
            elapsed_s=trial.elapsed_s,
            values=tuple(_value(axis, values.get(axis.name)) for axis in axes),
            score=math.nan if trial.failed else trial.score(primary),
        )
        for position, (trial, values) in enumerate(
            sorted(zip(model.trials, raw, strict=True), key=lambda tv: tv[0].order), start=1
        )
    )
    view = ModelHyperparameters(model.name, model.strategy, primary, axes, points)
    importances, note = param_importances(view)
    return ModelHyperparameters(
        model.name, model.strategy, primary, axes, points, importances, note
    )


def param_importances(
    view: ModelHyperparameters,
) -> tuple[tuple[tuple[str, float], ...], str]:
    """Each param's importance by Optuna's fANOVA evaluator, fed the scored trials that
    have every param; or () and why there are none."""
    if not view.axes:
        return (), NO_VARYING_PARAM
    if len(view.axes) == 1:
        return (), ONE_PARAM.format(param=view.axes[0].name)
    trials = [p for p in view.scored if all(v is not None for v in p.values)]
    if len(trials) < MIN_IMPORTANCE_TRIALS:
        return (), TOO_FEW_TRIALS.format(count=MIN_IMPORTANCE_TRIALS, scored=len(trials))
    if len({p.score for p in trials}) == 1:  # fANOVA refuses a score without variance
        return (), SAME_SCORE.format(score=f"{trials[0].score:g}")
    study = optuna_study(view.axes, [(p.values, p.score) for p in trials])
    import optuna

    evaluator = importance_evaluator()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Optuna's experimental-feature notices
        importances = optuna.importance.get_param_importances(study, evaluator=evaluator)
    return tuple((name, float(value)) for name, value in importances.items()), ""


def importance_evaluator() -> Any:
    """Optuna's fANOVA evaluator as mlreport sets it up (see ``IMPORTANCE_TREES``)."""
    import optuna

    return optuna.importance.FanovaImportanceEvaluator(
        n_trees=IMPORTANCE_TREES, max_depth=IMPORTANCE_DEPTH, seed=IMPORTANCE_SEED
    )


def by_position(axis: ParamAxis) -> bool:
    """Whether fANOVA is fed the categorical ``axis`` as its category's position."""
    return axis.scale == "categorical" and len(axis.categories) > MAX_ONE_HOT_CATEGORIES


def optuna_study(axes: tuple[ParamAxis, ...], trials: list[tuple[tuple[Any, ...], float]]) -> Any:
    """An in-memory Optuna study (maximising) holding ``trials`` (param values per axis,
    score) as finished trials, with a distribution per axis spanning its values."""
    import optuna
    from optuna.distributions import (
        BaseDistribution,
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    distributions: dict[str, BaseDistribution] = {}
    for index, axis in enumerate(axes):
        if by_position(axis):
            distributions[axis.name] = IntDistribution(0, len(axis.categories) - 1)
            continue
        if axis.scale == "categorical":
            distributions[axis.name] = CategoricalDistribution(axis.categories)
            continue
        numbers = [float(values[index]) for values, _ in trials]
        low = min(numbers) if math.isnan(axis.low) else min(axis.low, *numbers)
        high = max(numbers) if math.isnan(axis.high) else max(axis.high, *numbers)
        log = axis.scale == "log"
        if axis.integer:
            distributions[axis.name] = IntDistribution(int(low), int(high), log=log)
        else:
            distributions[axis.name] = FloatDistribution(low, high, log=log)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize")
    study.add_trials(
        [
            optuna.trial.create_trial(
                params={
                    axis.name: _study_value(axis, value)
                    for axis, value in zip(axes, values, strict=True)
                },
                distributions=distributions,
                value=score,
            )
            for values, score in trials
        ]
    )
    return study


def _study_value(axis: ParamAxis, value: Any) -> Any:
    """A trial's value of ``axis`` as the study's distribution of it takes it."""
    if by_position(axis):
        return axis.categories.index(value)
    if axis.integer and axis.scale != "categorical":
        return int(value)
    return value


def _space(logged: str) -> dict[str, Any]:
    """The logged search space (name -> list of values or a distribution's settings)."""
    try:
        space = json.loads(logged) if logged else {}
    except ValueError:
        return {}
    return space if isinstance(space, dict) else {}


def _axis(name: str, declared: Any, logged: list[str | None]) -> ParamAxis:
    """How to draw a param: from the space's declaration where there is one, else from
    the values the trials logged (numbers, or categories)."""
    values = [v for v in logged if v is not None]
    numbers = [_number(v) for v in values]
    numeric = all(n is not None for n in numbers)
    integer = numeric and all(_INTEGER.fullmatch(v.strip()) for v in values)
    positive = numeric and all(n is not None and n > 0 for n in numbers)
    if isinstance(declared, dict):
        kind = declared.get("distribution") or declared.get("spacing")
        low, high = _declared_bounds(declared)
        if positive and kind in ("loguniform", "logspace") and not low <= 0:
            return ParamAxis(name, "log", low=low, high=high)
        if numeric and kind in ("uniform", "linspace", "randint", "loguniform", "logspace"):
            # a log-spaced param that logged 0 or less (a foreign store) is drawn linear
            return ParamAxis(name, "linear", integer=kind == "randint", low=low, high=high)
    if isinstance(declared, list) and not all(_is_number(v) for v in declared):
        numeric = False  # a category such as None or a string among numbers
    if not numeric or not values:
        order = [str(v) for v in declared] if isinstance(declared, list) else []
        return ParamAxis(name, "categorical", tuple(dict.fromkeys([*order, *sorted(values)])))
    found = [n for n in numbers if n is not None]
    log = min(found) > 0 and max(found) / min(found) >= LOG_SPAN
    return ParamAxis(name, "log" if log else "linear", integer=integer)


def _declared_bounds(declared: dict[str, Any]) -> tuple[float, float]:
    """The lowest and highest value a declared distribution or spacing can give."""
    try:
        if "spacing" in declared:
            start, stop = sorted((float(declared["start"]), float(declared["stop"])))
            return (10**start, 10**stop) if declared["spacing"] == "logspace" else (start, stop)
        low, high = float(declared["low"]), float(declared["high"])
    except (KeyError, TypeError, ValueError):
        return math.nan, math.nan
    return (low, high - 1) if declared.get("distribution") == "randint" else (low, high)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(text: str | None) -> float | None:
    """A logged value as a finite number, None when it is not one."""
    if text is None:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _value(axis: ParamAxis, logged: str | None) -> float | str | None:
    if logged is None:
        return None
    if axis.scale == "categorical":
        return logged
    return _number(logged)
