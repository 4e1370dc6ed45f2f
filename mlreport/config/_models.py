"""Pydantic models of experiment files and site settings."""

from __future__ import annotations

import difflib
import importlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from mlreport.config._fairness import (
    DEFAULT_THRESHOLDS,
    FEATURE_TWICE,
    FairnessSettings,
    Threshold,
    ThresholdMetric,
    group_metrics,
)
from mlreport.config._strategies import (
    ALL_OPTIONS,
    DEFAULT_FOLDS,
    STRATEGIES,
    STRATEGY_NAMES,
    Strategy,
    names_where,
)

NOT_DOTTED = "'{path}' is not a dotted import path such as sklearn.svm.SVC"
MODULE_NOT_IMPORTABLE = "cannot import module '{module}': {reason}"
NO_SUCH_CLASS = "module '{module}' has no attribute '{name}'"
NOT_AN_ESTIMATOR = "'{path}' is not an estimator class with a fit method"
UNKNOWN_PARAMETER = "{estimator} has no parameter {name}{hint}"
PRIMARY_NOT_SCORED = "primary_metric '{name}' is not in scoring{hint}"
UNKNOWN_SCORER = "unknown scoring metric {name}{hint}"
DUPLICATE_MODEL = "duplicate model name {name} (also models[{first}])"
TOO_FEW_FEATURES = "n_informative + n_redundant must not exceed n_features"
TOO_FEW_INFORMATIVE = "{n_classes} classes need n_informative >= log2({n_classes} * 2)"
WRONG_WEIGHTS = "weights needs {n_classes} (or one fewer) values, one per class"
OPTION_NOT_FOR_STRATEGY = "{names} does not apply to strategy: {strategy}"
NO_PARTIAL_FIT = "{estimator} has no partial_fit, which strategy: {strategy} needs"
CHUNKED_SYNTHETIC = (
    "{names} cannot be set with chunks: blockwise generation (dask_ml.datasets."
    "make_classification) draws two classes from a logistic model of n_informative features"
)
CHUNKED_NEEDS_INCREMENTAL = (
    "model {model}: chunked data needs an incremental strategy "
    f"({names_where(lambda s: s.chunked)}), not {{strategy}}"
)
REGRESSION_DATASETS = frozenset({"diabetes"})
DATASET_FOR_OTHER_TASK = "the {name} dataset is for {task}, but task is {given}"
SYNTHETIC_IS_CLASSIFICATION = (
    "synthetic data is a classification problem (make_classification); "
    "for regression use a file or kind: sklearn with name: diabetes"
)
POSITIVE_LABEL_IN_REGRESSION = "positive_label applies to classification, not regression"
REGRESSION_NEEDS_CV_SEARCH = (
    f"model {{model}}: regression is searched with {names_where(lambda s: s.regression)}, "
    "not {strategy}"
)
SCORER_FOR_OTHER_TASK = "scoring metric {names} is for {task}, but task is {given}"
UNKNOWN_SCALED_MODEL = "scaling.models names {names}, which are not models of this experiment"
FAIRNESS_NEEDS_SENSITIVE = (
    "fairness needs sensitive features: list them in data.sensitive_features (file data)"
)
UNKNOWN_SENSITIVE = "fairness names {names}, which are not in data.sensitive_features ({known})"
FAIRNESS_METRIC_FOR_TASK = "fairness metric {names} is not a {task} metric (known: {known})"
FAIRNESS_THRESHOLD_IN_REGRESSION = (
    "fairness thresholds need a classifier (they compare selection and error rates)"
)
BOUND_NEEDS_ONE_SIDE = "give exactly one of min or max"
FAIRNESS_NOTHING_TO_GROUP = "fairness groups by nothing: features is empty and no intersections"
DEFAULT_SCORING = {
    "classification": ["accuracy"],
    "regression": ["r2", "neg_mean_absolute_error", "neg_root_mean_squared_error"],
}
GRID_NEEDS_LISTS = (
    "{strategy} search needs lists of values; {names} is a distribution (use strategy: random)"
)


CHECKS_FAILED = "mlreport_checks"  # the pydantic error type of cross-field checks


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest known name, else ''."""
    close = difflib.get_close_matches(name, [str(k) for k in known], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


@dataclass(frozen=True)
class Problem:
    """What a cross-field check found, at a key path below the model it checks."""

    loc: tuple[str | int, ...]
    message: str


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Checked(_Strict):
    """A model with cross-field checks: the methods named in ``checks`` return Problems.

    They run once every field is valid; the loader also runs them on the fields that are
    when some are not (``mlreport.config._load``), so that one pass finds every problem.
    """

    checks: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="after")
    def _run_checks(self) -> _Checked:
        problems = [p for name in self.checks for p in getattr(self, name)()]
        if problems:
            raise PydanticCustomError(CHECKS_FAILED, "; ".join(p.message for p in problems))
        return self


class Distribution(_Strict):
    """A distribution to sample a hyperparameter from (random search only)."""

    distribution: Literal["loguniform", "uniform", "randint"]
    low: float
    high: float

    @model_validator(mode="after")
    def _check_bounds(self) -> Distribution:
        if self.low >= self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        if self.distribution == "loguniform" and self.low <= 0:
            raise ValueError("loguniform needs low > 0")
        if self.distribution == "randint" and not (
            float(self.low).is_integer() and float(self.high).is_integer()
        ):
            raise ValueError("randint needs integer low and high")
        return self

    @property
    def size(self) -> float:
        """How many values it can give: ``high - low`` integers, else ``math.inf``."""
        return self.high - self.low if self.distribution == "randint" else math.inf


class Spaced(_Strict):
    """Evenly spaced values, as numpy's ``linspace`` or ``logspace`` (powers of ten) give."""

    spacing: Literal["linspace", "logspace"]
    start: float
    stop: float
    num: int = Field(ge=1, le=1_000_000)

    def values(self) -> list[float]:
        import numpy as np

        make = np.linspace if self.spacing == "linspace" else np.logspace
        return [float(v) for v in make(self.start, self.stop, self.num)]


SpaceValue = Annotated[list[Any], Field(min_length=1)] | Distribution | Spaced


if TYPE_CHECKING:
    StrategyName = str
else:  # the registry's names, as pydantic checks and reports them
    StrategyName = Literal[STRATEGY_NAMES]


class SearchSpec(_Checked):
    """How to search a model's hyperparameters.

    ``grid`` and ``random`` cross-validate every candidate (dask-ml ``GridSearchCV`` /
    ``RandomizedSearchCV``); ``incremental``, ``hyperband`` and ``successive_halving``
    train candidates with ``partial_fit`` on chunks and score them on a validation split,
    dropping poor ones early (dask-ml's incremental searches).
    """

    strategy: StrategyName
    space: dict[str, SpaceValue] = Field(default_factory=dict)
    n_iter: int | None = Field(default=None, ge=1)
    cv: int | None = Field(default=None, ge=2)
    max_iter: int | None = Field(default=None, ge=1, description="most partial_fit calls")
    n_initial_parameters: int | None = Field(default=None, ge=1)
    n_initial_iter: int | None = Field(default=None, ge=1)
    patience: int | None = Field(
        default=None, ge=2, description="stop a candidate after this many calls without gain"
    )
    tol: float | None = Field(default=None, ge=0)
    decay_rate: float | None = Field(default=None, gt=0)
    aggressiveness: int | None = Field(default=None, ge=2)
    validation_size: float | None = Field(default=None, gt=0, lt=1)

    checks = ("_option_problems", "_space_problems")

    def _option_problems(self) -> list[Problem]:
        given = {name for name in ALL_OPTIONS if getattr(self, name, None) is not None}
        misplaced = sorted(given - self.definition.options)
        if not misplaced:
            return []
        names = ", ".join(misplaced)
        return [
            Problem(
                (misplaced[0],), OPTION_NOT_FOR_STRATEGY.format(names=names, strategy=self.strategy)
            )
        ]

    def _space_problems(self) -> list[Problem]:
        sampled = [k for k, v in self.space.items() if isinstance(v, Distribution)]
        if self.definition.sampled or not sampled:
            return []
        message = GRID_NEEDS_LISTS.format(strategy=self.strategy, names=", ".join(sampled))
        return [Problem(("space", sampled[0]), message)]

    @property
    def definition(self) -> Strategy:
        """The registry's entry of this search's strategy."""
        return STRATEGIES[self.strategy]

    @property
    def incremental(self) -> bool:
        """Whether candidates are trained with ``partial_fit`` (no cross-validation)."""
        return self.definition.incremental

    @property
    def folds(self) -> int:
        """CV folds of a grid or random search (5 unless set)."""
        return self.cv or DEFAULT_FOLDS

    def settings(self) -> dict[str, Any]:
        """Every option of the strategy: its value, else the strategy's default, else None
        (left to the search library)."""
        defaults = self.definition.defaults
        return {
            name: value if (value := getattr(self, name)) is not None else defaults.get(name)
            for name in sorted(self.definition.options)
        }

    @property
    def candidate_count(self) -> int:
        """Number of candidates the search starts with."""
        sizes = [
            len(values)
            if isinstance(values, list)
            else values.num
            if isinstance(values, Spaced)
            else values.size
            for values in self.space.values()
        ]
        return self.definition.candidates(self.settings(), sizes)


def import_estimator(path: str) -> type:
    """Import an estimator class from its dotted path, e.g. ``sklearn.svm.SVC``."""
    module_name, _, class_name = path.rpartition(".")
    if not module_name:
        raise ValueError(NOT_DOTTED.format(path=path))
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(MODULE_NOT_IMPORTABLE.format(module=module_name, reason=exc)) from None
    estimator = getattr(module, class_name, None)
    if estimator is None:
        raise ValueError(NO_SUCH_CLASS.format(module=module_name, name=class_name))
    if not (isinstance(estimator, type) and hasattr(estimator, "fit")):
        raise ValueError(NOT_AN_ESTIMATOR.format(path=path))
    return estimator


class ModelSpec(_Checked):
    """One model family of an experiment and its search."""

    name: str = Field(min_length=1)
    estimator: str
    params: dict[str, Any] = Field(default_factory=dict)
    scale: bool | None = Field(
        default=None, description="standardise numeric features; default: unless tree-based"
    )
    search: SearchSpec

    @field_validator("estimator")
    @classmethod
    def _estimator_imports(cls, value: str) -> str:
        import_estimator(value)
        return value

    checks = ("_partial_fit_problems", "_param_problems", "_space_param_problems")

    def _partial_fit_problems(self) -> list[Problem]:
        if self.search.incremental and not hasattr(self.estimator_class(), "partial_fit"):
            message = NO_PARTIAL_FIT.format(estimator=self.estimator, strategy=self.search.strategy)
            return [Problem(("search", "strategy"), message)]
        return []

    def _param_problems(self) -> list[Problem]:
        return self._unknown_params(("params",), self.params)

    def _space_param_problems(self) -> list[Problem]:
        return self._unknown_params(("search", "space"), self.search.space)

    def _unknown_params(self, where: tuple[str, ...], names: Iterable[str]) -> list[Problem]:
        try:
            known = sorted(self.estimator_class()().get_params())
        except Exception:  # an estimator that needs arguments: its params cannot be listed
            return []
        problems = []
        for name in sorted(set(names) - set(known)):
            hint = did_you_mean(name, known) or f" (known: {', '.join(known)})"
            message = UNKNOWN_PARAMETER.format(estimator=self.estimator, name=name, hint=hint)
            problems.append(Problem((*where, name), message))
        return problems

    def estimator_class(self) -> type:
        return import_estimator(self.estimator)


class FileData(_Strict):
    """A CSV or Parquet file (path relative to the experiment file)."""

    kind: Literal["file"]
    path: str
    target: str
    categorical: list[str] | None = None
    drop: list[str] = Field(default_factory=list)
    sensitive_features: list[str] = Field(default_factory=list)
    positive_label: str | int | None = None
    read_options: dict[str, Any] = Field(default_factory=dict)
    blocksize: int | str | None = Field(
        default=None,
        description="read with dask.dataframe in blocks of this size (e.g. 64MB); "
        "compressed CSV files cannot be split and form one block",
    )

    @field_validator("path")
    @classmethod
    def _known_format(cls, value: str) -> str:
        if file_format(value) is None:
            raise ValueError(f"'{value}' is neither .csv (optionally compressed) nor .parquet")
        return value


COMPRESSION_SUFFIXES = (".gz", ".bz2", ".zip", ".xz", ".zst")
CSV_SUFFIXES = (".csv", ".txt", ".data")
PARQUET_SUFFIXES = (".parquet", ".pq")


def file_format(path: str) -> Literal["csv", "parquet"] | None:
    """The format of a data file from its name, or None if unsupported."""
    name = strip_compression(path.lower())
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    return None


def strip_compression(name: str) -> str:
    """A file name without its compression suffix (``.gz``, ...)."""
    for suffix in COMPRESSION_SUFFIXES:
        name = name.removesuffix(suffix)
    return name


class SklearnData(_Strict):
    """A scikit-learn built-in dataset."""

    kind: Literal["sklearn"]
    name: Literal["breast_cancer", "iris", "wine", "digits", "diabetes"]

    @property
    def task(self) -> Literal["classification", "regression"]:
        return "regression" if self.name in REGRESSION_DATASETS else "classification"


class SyntheticData(_Strict):
    """Synthetic data from ``sklearn.datasets.make_classification``."""

    kind: Literal["synthetic"]
    n_samples: int = Field(default=1000, ge=10)
    n_features: int = Field(default=20, ge=1)
    n_informative: int = Field(default=2, ge=1)
    n_redundant: int = Field(default=2, ge=0)
    n_classes: int = Field(default=2, ge=2)
    weights: list[float] | None = None
    class_sep: float = 1.0
    flip_y: float = Field(default=0.01, ge=0, le=1)
    chunks: int | None = Field(
        default=None, ge=100, description="rows per block: generate the data blockwise with dask"
    )

    @model_validator(mode="after")
    def _check_chunked(self) -> SyntheticData:
        if self.chunks is None:
            return self
        unsupported = sorted(
            name
            for name in ("n_redundant", "n_classes", "weights", "class_sep", "flip_y")
            if name in self.model_fields_set
        )
        if unsupported:
            raise ValueError(CHUNKED_SYNTHETIC.format(names=", ".join(unsupported)))
        return self

    @model_validator(mode="after")
    def _check_features(self) -> SyntheticData:
        if self.n_informative + self.n_redundant > self.n_features:
            raise ValueError(TOO_FEW_FEATURES)
        if self.n_classes * 2 > 2**self.n_informative:  # two clusters per class
            raise ValueError(TOO_FEW_INFORMATIVE.format(n_classes=self.n_classes))
        if self.weights is not None and len(self.weights) not in (
            self.n_classes,
            self.n_classes - 1,
        ):
            raise ValueError(WRONG_WEIGHTS.format(n_classes=self.n_classes))
        return self


DataSpec = Annotated[FileData | SklearnData | SyntheticData, Field(discriminator="kind")]


class SplitSpec(_Strict):
    """The held-out test split."""

    test_size: float = Field(default=0.25, gt=0, lt=1)
    stratify: bool = True


class ExplainSpec(_Strict):
    """How the best models are explained (SHAP values, eli5 weights)."""

    enabled: bool = True
    max_samples: int = Field(
        default=200, ge=1, le=100_000, description="test rows explained (a seeded sample)"
    )
    background_size: int = Field(
        default=20, ge=1, le=1000, description="k-means centres of the kernel explainer"
    )


class ScalingSpec(_Strict):
    """Training-time scaling: fit time and memory against rows, search time against workers.

    Measured for each model (or those in ``models``) after its search, with its best
    params, on seeded samples of the training rows.
    """

    sample_fractions: list[Annotated[float, Field(gt=0, le=1)]] = Field(
        default_factory=lambda: [0.125, 0.25, 0.5, 1.0], min_length=2
    )
    workers: list[Annotated[int, Field(ge=1, le=256)]] = Field(
        default_factory=list,
        description="dask worker counts to time the whole search on (local clusters)",
    )
    repeats: int = Field(default=1, ge=1, le=10)
    target_rows: int | None = Field(
        default=None, ge=1, description="rows to extrapolate to; default: 100 times the data"
    )
    time_budget_s: float = Field(
        default=3600.0, gt=0, description="what a whole search may take on this machine"
    )
    models: list[str] | None = None

    @field_validator("sample_fractions")
    @classmethod
    def _distinct_fractions(cls, value: list[float]) -> list[float]:
        if len(set(value)) < 2:
            raise ValueError("sample_fractions needs at least two different fractions")
        return sorted(set(value))


class Bound(_Strict):
    """A fairness threshold: the value must be at least ``min``, or at most ``max``."""

    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _one_side(self) -> Bound:
        if (self.min is None) == (self.max is None):
            raise ValueError(BOUND_NEEDS_ONE_SIDE)
        return self


class FairnessSpec(_Strict):
    """Fairness reports of the best models, across groups of sensitive features."""

    features: list[str] | None = Field(
        default=None, description="sensitive features, each on its own (default: all of data's)"
    )
    intersections: list[Annotated[list[str], Field(min_length=2)]] = Field(
        default_factory=list, description="features crossed into their intersections"
    )
    metrics: list[str] | None = Field(default=None, description="group metrics (default: all)")
    thresholds: dict[ThresholdMetric, Bound] | None = Field(
        default=None,
        description="default: demographic_parity_ratio min 0.8, equalized_odds_difference max 0.1",
    )
    positive: str | int | None = Field(
        default=None,
        description="the favourable class (default: data.positive_label; needed when multi-class)",
    )
    bootstrap: int = Field(default=200, ge=0, le=100_000)
    min_group_size: int = Field(default=30, ge=1)
    confidence: float = Field(default=0.95, gt=0, lt=1)


class ExperimentSpec(_Checked):
    """One experiment file: data, split, scoring and the models to search."""

    name: str = Field(min_length=1)
    description: str = ""
    task: Literal["classification", "regression"] = "classification"
    seed: int = 0
    data: DataSpec
    split: SplitSpec = Field(default_factory=SplitSpec)
    scoring: list[str] = Field(default_factory=list)
    primary_metric: str | None = None
    models: list[ModelSpec] = Field(min_length=1)
    explain: ExplainSpec = Field(default_factory=ExplainSpec)
    scaling: ScalingSpec | None = None
    fairness: FairnessSpec | None = None
    source_file: Path | None = Field(default=None, exclude=True)

    checks = (
        "_data_task_problems",
        "_scorer_task_problems",
        "_regression_problems",
        "_fairness_problems",
        "_scaling_problems",
        "_primary_problems",
        "_duplicate_problems",
        "_chunked_problems",
    )

    @model_validator(mode="before")
    @classmethod
    def _default_scoring(cls, data: Any) -> Any:
        return with_default_scoring(data)

    @field_validator("scoring")
    @classmethod
    def _known_scorers(cls, value: list[str]) -> list[str]:
        known = _scorer_names()
        unknown = [
            UNKNOWN_SCORER.format(name=name, hint=did_you_mean(name, known))
            for name in value
            if name not in known
        ]
        if unknown:
            raise ValueError("; ".join(unknown) + " (see sklearn.metrics.get_scorer_names())")
        return value

    def _data_task_problems(self) -> list[Problem]:
        data = self.data
        if isinstance(data, SklearnData) and data.task != self.task:
            message = DATASET_FOR_OTHER_TASK.format(name=data.name, task=data.task, given=self.task)
            return [Problem(("data", "name"), message)]
        return []

    def _scorer_task_problems(self) -> list[Problem]:
        wrong = sorted(name for name in self.scoring if _scorer_task(name) not in (None, self.task))
        if not wrong:
            return []
        other = "classification" if self.task == "regression" else "regression"
        message = SCORER_FOR_OTHER_TASK.format(names=", ".join(wrong), task=other, given=self.task)
        return [Problem(("scoring", self.scoring.index(wrong[0])), message)]

    def _regression_problems(self) -> list[Problem]:
        if self.task != "regression":
            return []
        problems = []
        data = self.data
        if isinstance(data, SyntheticData):
            problems.append(Problem(("data", "kind"), SYNTHETIC_IS_CLASSIFICATION))
        if isinstance(data, FileData) and data.positive_label is not None:
            problems.append(Problem(("data", "positive_label"), POSITIVE_LABEL_IN_REGRESSION))
        problems.extend(
            Problem(
                ("models", i, "search", "strategy"),
                REGRESSION_NEEDS_CV_SEARCH.format(model=m.name, strategy=m.search.strategy),
            )
            for i, m in enumerate(self.models)
            if not m.search.definition.regression
        )
        return problems

    def _scaling_problems(self) -> list[Problem]:
        if self.scaling is None or self.scaling.models is None:
            return []
        names = [m.name for m in self.models]
        unknown = sorted(set(self.scaling.models) - set(names))
        if not unknown:
            return []
        hints = "".join(did_you_mean(n, names) for n in unknown)
        message = UNKNOWN_SCALED_MODEL.format(names=", ".join(unknown)) + hints
        return [Problem(("scaling", "models", self.scaling.models.index(unknown[0])), message)]

    def _primary_problems(self) -> list[Problem]:
        name = self.primary_metric
        if name is None or name in self.scoring:
            return []
        message = PRIMARY_NOT_SCORED.format(name=name, hint=did_you_mean(name, self.scoring))
        return [Problem(("primary_metric",), message)]

    def _duplicate_problems(self) -> list[Problem]:
        first: dict[str, int] = {}
        problems = []
        for i, model in enumerate(self.models):
            name = getattr(model, "name", None)  # None: the name did not validate
            if name is None:
                continue
            if name in first:
                message = DUPLICATE_MODEL.format(name=name, first=first[name])
                problems.append(Problem(("models", i, "name"), message))
            first.setdefault(name, i)
        return problems

    def _chunked_problems(self) -> list[Problem]:
        chunked = (isinstance(self.data, SyntheticData) and self.data.chunks is not None) or (
            isinstance(self.data, FileData) and self.data.blocksize is not None
        )
        if not chunked:
            return []
        return [
            Problem(
                ("models", i, "search", "strategy"),
                CHUNKED_NEEDS_INCREMENTAL.format(model=model.name, strategy=model.search.strategy),
            )
            for i, model in enumerate(self.models)
            if not model.search.definition.chunked
        ]

    def _fairness_problems(self) -> list[Problem]:
        fairness = self.fairness
        if fairness is None:
            return []
        problems = []
        sensitive = self.sensitive_features
        named = [*(fairness.features or []), *(f for i in fairness.intersections for f in i)]
        if not sensitive:
            problems.append(Problem(("fairness",), FAIRNESS_NEEDS_SENSITIVE))
        elif unknown := sorted(set(named) - set(sensitive)):
            hints = "".join(did_you_mean(n, sensitive) for n in unknown)
            message = UNKNOWN_SENSITIVE.format(names=", ".join(unknown), known=", ".join(sensitive))
            features = fairness.features or []
            where = (
                ("fairness", "features", features.index(unknown[0]))
                if unknown[0] in features
                else ("fairness", "intersections")
            )
            problems.append(Problem(where, message + hints))
        if fairness.features == [] and not fairness.intersections:
            problems.append(Problem(("fairness", "features"), FAIRNESS_NOTHING_TO_GROUP))
        for i, crossed in enumerate(fairness.intersections):
            if twice := sorted({f for f in crossed if crossed.count(f) > 1}):
                message = FEATURE_TWICE.format(names=", ".join(twice))
                problems.append(Problem(("fairness", "intersections", i), message))
        known = group_metrics(self.task)
        if wrong := [m for m in fairness.metrics or [] if m not in known]:
            message = FAIRNESS_METRIC_FOR_TASK.format(
                names=", ".join(wrong), task=self.task, known=", ".join(known)
            )
            problems.append(Problem(("fairness", "metrics"), message))
        if self.task == "regression" and fairness.thresholds:
            problems.append(Problem(("fairness", "thresholds"), FAIRNESS_THRESHOLD_IN_REGRESSION))
        return problems

    @property
    def sensitive_features(self) -> list[str]:
        """The sensitive columns exported with the test predictions."""
        return list(self.data.sensitive_features) if isinstance(self.data, FileData) else []

    def fairness_settings(self) -> FairnessSettings | None:
        """What the fairness reports compare; None without sensitive features."""
        sensitive = self.sensitive_features
        if not sensitive:
            return None
        spec = self.fairness or FairnessSpec()
        if spec.thresholds is not None:
            thresholds = tuple(
                Threshold(metric, bound.min, "min")
                if bound.min is not None
                else Threshold(metric, float(bound.max or 0.0), "max")
                for metric, bound in spec.thresholds.items()
            )
        else:
            thresholds = DEFAULT_THRESHOLDS if self.task == "classification" else ()
        singles = spec.features if spec.features is not None else sensitive
        positive = spec.positive
        if positive is None and isinstance(self.data, FileData):
            positive = self.data.positive_label
        return FairnessSettings(
            groupings=(*((f,) for f in singles), *(tuple(i) for i in spec.intersections)),
            metrics=None if spec.metrics is None else tuple(spec.metrics),
            thresholds=thresholds,
            positive=None if positive is None else str(positive),
            bootstrap=spec.bootstrap,
            min_group_size=spec.min_group_size,
            level=spec.confidence,
            seed=self.seed,
        )

    @property
    def primary(self) -> str:
        """The metric that ranks candidates and picks the best model."""
        return self.primary_metric or self.scoring[0]

    def model(self, name: str) -> ModelSpec:
        return next(m for m in self.models if m.name == name)

    def scaled_models(self) -> list[ModelSpec]:
        """The models whose training-time scaling is measured."""
        if self.scaling is None:
            return []
        names = self.scaling.models
        return [m for m in self.models if names is None or m.name in names]


def with_default_scoring(data: Any) -> Any:
    """An experiment file's mapping with the task's default scoring if it sets none."""
    if isinstance(data, dict) and not data.get("scoring"):
        task = data.get("task", "classification")
        return {**data, "scoring": list(DEFAULT_SCORING.get(task, ["accuracy"]))}
    return data


def _scorer_names() -> frozenset[str]:
    from sklearn.metrics import get_scorer_names  # slow to import: only when asked

    return frozenset(get_scorer_names())


def _scorer_task(name: str) -> Literal["classification", "regression"] | None:
    """The task a scikit-learn scorer is for, or None if it fits both (or is unknown)."""
    from sklearn.metrics import get_scorer

    try:
        scorer = get_scorer(name)
    except ValueError:
        return None
    response = getattr(scorer, "_response_method", "predict")
    methods = response if isinstance(response, tuple) else (response,)
    if any(m in ("predict_proba", "decision_function") for m in methods):
        return "classification"
    module = getattr(getattr(scorer, "_score_func", None), "__module__", "")
    function = getattr(getattr(scorer, "_score_func", None), "__name__", "")
    regression = ("_regression" in module) or function in ("r2_score", "d2_absolute_error_score")
    classification = "_classification" in module
    if regression:
        return "regression"
    return "classification" if classification else None


class GateSettings(_Strict):
    """Quality gates ``mlreport check`` applies besides the experiments' fairness thresholds."""

    metric_floors: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="experiment -> scorer -> the lowest test score its best model may have",
    )
    max_regression: float | None = Field(
        default=None,
        ge=0,
        description="the largest drop of an experiment's best test score against --base",
    )


class SiteSettings(_Strict):
    """Optional ``mlreport.yaml`` at the project root."""

    site_name: str = Field(default="mlreport", min_length=1)
    site_url: str | None = None
    description: str = ""
    gates: GateSettings = Field(default_factory=GateSettings)
