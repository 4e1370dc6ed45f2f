"""What a best model's exported test predictions, SHAP values and eli5 weights show."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from mlreport.analysis._confusion import ConfusionSummary, confusion_summary
from mlreport.analysis._curves import BinaryCurves, binary_curves
from mlreport.analysis._explain import global_importance
from mlreport.analysis._regression import RegressionSummary, is_regression, regression_summary

#: Features in a model's importance and beeswarm views, and eli5 weights per output.
TOP_FEATURES = 15


@dataclass(frozen=True)
class ExplanationSummary:
    """The most important features by mean |SHAP value|, and their points per output."""

    samples: int  # test rows explained
    importance: tuple[tuple[str, float], ...]  # (feature, mean |SHAP|), most important first
    #: output -> (feature, SHAP value, feature value) of every explained row
    points: tuple[tuple[str, tuple[tuple[str, float, float], ...]], ...]


@dataclass(frozen=True)
class WeightRow:
    output: str  # "" for weights that belong to no one class (tree importances)
    feature: str
    weight: float


@dataclass(frozen=True)
class ModelEvaluation:
    """A best model's test evaluation: a confusion summary and (binary) curves for a
    classifier, a regression summary for a regressor, and its explanations when exported."""

    model: str
    confusion: ConfusionSummary | None = None
    curves: BinaryCurves | None = None
    regression: RegressionSummary | None = None
    explanation: ExplanationSummary | None = None
    weights: tuple[WeightRow, ...] = ()


def model_evaluation(
    model: str,
    predictions: pd.DataFrame | None,
    *,
    explanation: pd.DataFrame | None = None,
    weights: pd.DataFrame | None = None,
) -> ModelEvaluation | None:
    """The evaluation of a best model from its exported files; None without test
    predictions holding a true and a predicted value."""
    if predictions is None or predictions.empty:
        return None
    if not {"y_true", "y_pred"} <= set(predictions.columns):
        return None
    explained = (
        explanation_summary(explanation)
        if explanation is not None and not explanation.empty
        else None
    )
    top_weights = largest_weights(weights) if weights is not None and not weights.empty else ()
    if is_regression(predictions):
        return ModelEvaluation(
            model,
            regression=regression_summary(predictions),
            explanation=explained,
            weights=top_weights,
        )
    return ModelEvaluation(
        model,
        confusion=confusion_summary(predictions["y_true"].tolist(), predictions["y_pred"].tolist()),
        curves=binary_curves(predictions),
        explanation=explained,
        weights=top_weights,
    )


def explanation_summary(explanation: pd.DataFrame, top: int = TOP_FEATURES) -> ExplanationSummary:
    """The ``top`` features by mean |SHAP value| and every explained row's points on them."""
    importance = global_importance(explanation).head(top)
    features = [str(f) for f in importance["feature"]]
    shown = explanation[explanation["feature"].isin(features)]
    points = []
    for output, group in shown.groupby("output", sort=False):
        points.append(
            (
                str(output),
                tuple(
                    zip(
                        group["feature"].astype(str),
                        group["shap_value"].astype(float),
                        group["feature_value"].astype(float),
                        strict=True,
                    )
                ),
            )
        )
    return ExplanationSummary(
        samples=int(explanation["sample"].nunique()),
        importance=tuple(zip(features, importance["mean_abs_shap"].astype(float), strict=True)),
        points=tuple(points),
    )


def largest_weights(weights: pd.DataFrame, top: int = TOP_FEATURES) -> tuple[WeightRow, ...]:
    """eli5's largest weights per output (by absolute value), the intercept included: the
    ``top`` for one or two outputs, fewer each for more (five for ten classes); outputs in
    the model's class order."""
    ranked = weights.assign(size=weights["weight"].abs())
    ranked = ranked.sort_values(["size"], ascending=False, kind="mergesort")
    outputs = ranked["output"].nunique()
    limit = top if outputs <= 2 else max(5, 2 * top // outputs)
    rows = []
    for output in weights["output"].unique():
        head = ranked[ranked["output"] == output].head(limit)
        for feature, weight in zip(head["feature"], head["weight"].astype(float), strict=True):
            rows.append(WeightRow(str(output), str(feature), float(weight)))
    return tuple(rows)
