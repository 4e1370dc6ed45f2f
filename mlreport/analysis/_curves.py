"""ROC and precision-recall curves of a binary classifier's test predictions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlreport.schema import DECISION_PREFIX, PROBA_PREFIX


@dataclass(frozen=True)
class BinaryCurves:
    """The curves for the positive class (the estimator's second class)."""

    positive: str
    score: str  # what ranks the samples: "probability", "decision score" or "score"
    false_positive_rate: tuple[float, ...]
    true_positive_rate: tuple[float, ...]
    roc_auc: float
    recall: tuple[float, ...]
    precision: tuple[float, ...]
    average_precision: float


def binary_curves(predictions: pd.DataFrame) -> BinaryCurves | None:
    """The curves from the positive class's probability (or, for a model without
    probabilities, its decision score; for predictions made elsewhere, the score given
    for the positive class); None unless the task is binary with both classes in the
    test split and scores were exported."""
    from sklearn.metrics import (
        average_precision_score,
        precision_recall_curve,
        roc_auc_score,
        roc_curve,
    )

    probabilities = [c for c in predictions.columns if c.startswith(PROBA_PREFIX)]
    margins = [c for c in predictions.columns if c.startswith(DECISION_PREFIX)]
    if len(probabilities) == 2:  # the estimator's classes, in its order: the second is positive
        column, positive, kind = (
            probabilities[1],
            probabilities[1].removeprefix(PROBA_PREFIX),
            "probability",
        )
    elif not probabilities and len(margins) == 1:  # a binary decision function's margin
        column, positive, kind = (
            margins[0],
            margins[0].removeprefix(DECISION_PREFIX),
            "decision score",
        )
    elif len(probabilities) == 1 and not margins:  # made elsewhere: the positive's score
        column = probabilities[0]
        positive, kind = column.removeprefix(PROBA_PREFIX), "score"
        labels = set(predictions["y_true"].astype(str)) | set(predictions["y_pred"].astype(str))
        if len(labels | {positive}) != 2:
            return None
    else:
        return None
    is_positive = predictions["y_true"].astype(str).to_numpy() == positive
    if is_positive.all() or not is_positive.any():
        return None
    scores = predictions[column].to_numpy(dtype=np.float64)
    if not np.isfinite(scores).all():
        return None
    fpr, tpr, _ = roc_curve(is_positive, scores)
    precision, recall, _ = precision_recall_curve(is_positive, scores)
    return BinaryCurves(
        positive=positive,
        score=kind,
        false_positive_rate=tuple(fpr.tolist()),
        true_positive_rate=tuple(tpr.tolist()),
        roc_auc=float(roc_auc_score(is_positive, scores)),
        recall=tuple(recall.tolist()),
        precision=tuple(precision.tolist()),
        average_precision=float(average_precision_score(is_positive, scores)),
    )
