"""ROC and precision-recall curves of a binary classifier's test predictions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

PROBA_PREFIX = "proba_"


@dataclass(frozen=True)
class BinaryCurves:
    """The curves for the positive class (the estimator's second class)."""

    positive: str
    false_positive_rate: tuple[float, ...]
    true_positive_rate: tuple[float, ...]
    roc_auc: float
    recall: tuple[float, ...]
    precision: tuple[float, ...]
    average_precision: float


def binary_curves(predictions: pd.DataFrame) -> BinaryCurves | None:
    """The curves from the positive class's probability; None unless the task is binary
    with both classes in the test split and probabilities were exported."""
    from sklearn.metrics import (
        average_precision_score,
        precision_recall_curve,
        roc_auc_score,
        roc_curve,
    )

    columns = [c for c in predictions.columns if c.startswith(PROBA_PREFIX)]
    if len(columns) != 2:  # the estimator's classes, in its order: the second is positive
        return None
    positive = columns[1].removeprefix(PROBA_PREFIX)
    is_positive = predictions["y_true"].astype(str).to_numpy() == positive
    if is_positive.all() or not is_positive.any():
        return None
    scores = predictions[columns[1]].to_numpy(dtype=np.float64)
    fpr, tpr, _ = roc_curve(is_positive, scores)
    precision, recall, _ = precision_recall_curve(is_positive, scores)
    return BinaryCurves(
        positive=positive,
        false_positive_rate=tuple(fpr.tolist()),
        true_positive_rate=tuple(tpr.tolist()),
        roc_auc=float(roc_auc_score(is_positive, scores)),
        recall=tuple(recall.tolist()),
        precision=tuple(precision.tolist()),
        average_precision=float(average_precision_score(is_positive, scores)),
    )
