"""The fairness vocabulary: group metrics, threshold measures and the reports' settings.

What an experiment file may name and what its fairness reports compare. The analysis
computes these metrics and measures; how sentences name them is not configuration: the
text layer (``mlreport.text``) names them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal, get_args

#: Group metrics of a classification, in report order.
CLASSIFICATION_METRICS = (
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
    "precision",
    "accuracy",
)
#: Group metrics of a score ranking the rows (a probability or a decision score), shown
#: when the predictions carry one for the positive class.
SCORE_METRICS = ("roc_auc",)
#: Group metrics of a regression, in report order.
REGRESSION_METRICS = ("mean_error", "mean_absolute_error")


def group_metrics(task: Literal["classification", "regression"]) -> tuple[str, ...]:
    """The group metrics a task's fairness reports can show, in report order."""
    if task == "classification":
        return CLASSIFICATION_METRICS + SCORE_METRICS
    return REGRESSION_METRICS


#: The measures a fairness threshold can bound (all need a binary classification).
ThresholdMetric = Literal[
    "demographic_parity_ratio",
    "demographic_parity_difference",
    "equalized_odds_difference",
    "equalized_odds_ratio",
]
THRESHOLD_METRICS: tuple[str, ...] = get_args(ThresholdMetric)

FEATURE_TWICE = "sensitive feature {names} is listed twice in one grouping"
UNKNOWN_THRESHOLD = "unknown threshold metric {metric!r} (known: {known})"
BAD_THRESHOLD_KIND = "threshold kind must be 'min' or 'max', not {kind!r}"
BAD_SETTINGS = "unreadable fairness settings: {reason}"


@dataclass(frozen=True)
class Threshold:
    """A bound on a fairness measure: ``kind="min"`` passes at or above, ``"max"`` at or below."""

    metric: str
    bound: float
    kind: Literal["min", "max"]

    def __post_init__(self) -> None:
        if self.metric not in THRESHOLD_METRICS:
            known = ", ".join(THRESHOLD_METRICS)
            raise ValueError(UNKNOWN_THRESHOLD.format(metric=self.metric, known=known))
        if self.kind not in ("min", "max"):
            raise ValueError(BAD_THRESHOLD_KIND.format(kind=self.kind))


#: The four-fifths rule and a 0.1 bound on the equalized odds difference.
DEFAULT_THRESHOLDS = (
    Threshold("demographic_parity_ratio", 0.8, "min"),
    Threshold("equalized_odds_difference", 0.1, "max"),
)


@dataclass(frozen=True)
class FairnessSettings:
    """What an experiment's fairness reports compare, as an experiment file configures it.

    ``groupings``: the sensitive features of each report (one, or several crossed into their
    intersections); empty means one report per sensitive column of the predictions.
    ``metrics``: None shows every metric the task and the predictions allow.
    """

    groupings: tuple[tuple[str, ...], ...] = ()
    metrics: tuple[str, ...] | None = None
    thresholds: tuple[Threshold, ...] = DEFAULT_THRESHOLDS
    positive: str | None = None
    bootstrap: int = 200
    min_group_size: int = 30
    level: float = 0.95
    seed: int = 0

    def to_json(self) -> str:
        """The settings as JSON, e.g. for an MLflow tag."""
        payload = {
            "groupings": [list(g) for g in self.groupings],
            "metrics": None if self.metrics is None else list(self.metrics),
            "thresholds": [
                {"metric": t.metric, "bound": t.bound, "kind": t.kind} for t in self.thresholds
            ],
            "positive": self.positive,
            "bootstrap": self.bootstrap,
            "min_group_size": self.min_group_size,
            "level": self.level,
            "seed": self.seed,
        }
        return json.dumps(payload, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> FairnessSettings:
        """Settings from ``to_json``'s output; ValueError when it is not."""
        try:
            payload = json.loads(text)
            metrics = payload.get("metrics")
            return cls(
                groupings=tuple(tuple(str(f) for f in g) for g in payload.get("groupings", ())),
                metrics=None if metrics is None else tuple(str(m) for m in metrics),
                thresholds=tuple(
                    Threshold(str(t["metric"]), float(t["bound"]), t["kind"])
                    for t in payload.get("thresholds", ())
                ),
                positive=payload.get("positive"),
                bootstrap=int(payload.get("bootstrap", 200)),
                min_group_size=int(payload.get("min_group_size", 30)),
                level=float(payload.get("level", 0.95)),
                seed=int(payload.get("seed", 0)),
            )
        except (TypeError, KeyError, AttributeError, ValueError) as exc:
            raise ValueError(BAD_SETTINGS.format(reason=exc)) from exc
