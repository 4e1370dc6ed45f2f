"""Confusion matrix and its statistics for a classifier's test predictions (PyCM)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

#: PyCM's names of the per-class statistics shown, and how the page labels them.
CLASS_STATISTICS = {"PPV": "precision", "TPR": "recall", "F1": "F1", "MCC": "MCC"}
#: PyCM's names of the overall statistics shown, and how the page labels them.
OVERALL_STATISTICS = {
    "Overall ACC": "accuracy",
    "Kappa": "Cohen's kappa",
    "Overall MCC": "MCC",
    "F1 Macro": "macro F1",
    "ACC Macro": "macro accuracy",
}


@dataclass(frozen=True)
class ClassStatistics:
    """One class's row of statistics; NaN where PyCM finds it undefined."""

    label: str
    support: int  # test samples of this class
    values: tuple[tuple[str, float], ...]  # (label, value) in CLASS_STATISTICS order


@dataclass(frozen=True)
class ConfusionSummary:
    """Counts (rows: true class, columns: predicted class), both normalisations and the
    statistics PyCM computes from them."""

    labels: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    by_true_class: tuple[tuple[float, ...], ...]  # each row sums to 1 (recall on the diagonal)
    by_predicted_class: tuple[tuple[float, ...], ...]  # each column sums to 1 (precision)
    per_class: tuple[ClassStatistics, ...]
    overall: tuple[tuple[str, float], ...]


def confusion_summary(y_true: Sequence[Any], y_pred: Sequence[Any]) -> ConfusionSummary:
    """The confusion matrix of the predictions, labels compared as text."""
    from pycm import ConfusionMatrix

    actual, predicted = [str(v) for v in y_true], [str(v) for v in y_pred]
    if not actual:
        raise ValueError("no predictions to summarise")
    matrix = ConfusionMatrix(actual_vector=actual, predict_vector=predicted)
    labels = tuple(str(label) for label in matrix.classes)
    counts = tuple(tuple(int(matrix.table[t][p]) for p in labels) for t in labels)
    row_sums = [sum(row) for row in counts]
    column_sums = [sum(row[j] for row in counts) for j in range(len(labels))]
    return ConfusionSummary(
        labels=labels,
        counts=counts,
        by_true_class=tuple(
            tuple(_share(count, row_sums[i]) for count in row) for i, row in enumerate(counts)
        ),
        by_predicted_class=tuple(
            tuple(_share(count, column_sums[j]) for j, count in enumerate(row)) for row in counts
        ),
        per_class=tuple(
            ClassStatistics(
                label=label,
                support=row_sums[i],
                values=tuple(
                    (name, _number(matrix.class_stat[key][label]))
                    for key, name in CLASS_STATISTICS.items()
                ),
            )
            for i, label in enumerate(labels)
        ),
        overall=tuple(
            (name, _number(matrix.overall_stat[key])) for key, name in OVERALL_STATISTICS.items()
        ),
    )


def _share(count: int, total: int) -> float:
    return count / total if total else math.nan


def _number(value: Any) -> float:
    """PyCM's value as a float; its "None" (undefined, e.g. a class never predicted) as NaN."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan
