"""The confusion summary against scikit-learn's own computation of the same numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import (
    accuracy_score,
    cohen_kappa_score,
    confusion_matrix,
    matthews_corrcoef,
    precision_recall_fscore_support,
)

from mlreport.analysis import confusion_summary


def _predictions(seed: int, classes: int, n: int = 500) -> tuple[list[int], list[int]]:
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, classes, n)
    right = rng.random(n) < 0.7
    y_pred = np.where(right, y_true, rng.integers(0, classes, n))
    return y_true.tolist(), y_pred.tolist()


@pytest.mark.parametrize("classes", [2, 3, 5])
def test_counts_and_statistics_match_scikit_learn(classes: int) -> None:
    y_true, y_pred = _predictions(seed=classes, classes=classes)
    summary = confusion_summary(y_true, y_pred)
    labels = list(range(classes))
    assert summary.labels == tuple(str(label) for label in labels)
    expected = confusion_matrix(y_true, y_pred, labels=labels)
    assert np.array_equal(np.array(summary.counts), expected)
    np.testing.assert_allclose(
        summary.by_true_class, expected / expected.sum(axis=1, keepdims=True)
    )
    np.testing.assert_allclose(summary.by_predicted_class, expected / expected.sum(axis=0))
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=np.nan
    )
    for index, stats in enumerate(summary.per_class):
        values = dict(stats.values)
        assert stats.support == support[index]
        assert values["precision"] == pytest.approx(precision[index])
        assert values["recall"] == pytest.approx(recall[index])
        assert values["F1"] == pytest.approx(f1[index])
        one_vs_rest = matthews_corrcoef(np.equal(y_true, index), np.equal(y_pred, index))
        assert values["MCC"] == pytest.approx(one_vs_rest)
    overall = dict(summary.overall)
    assert overall["accuracy"] == pytest.approx(accuracy_score(y_true, y_pred))
    assert overall["Cohen's kappa"] == pytest.approx(cohen_kappa_score(y_true, y_pred))
    assert overall["MCC"] == pytest.approx(matthews_corrcoef(y_true, y_pred))
    assert overall["macro F1"] == pytest.approx(float(np.mean(f1)))


def test_a_class_never_predicted_has_undefined_precision_not_an_error() -> None:
    summary = confusion_summary(["a", "b", "a", "c"], ["a", "a", "a", "c"])
    (b_stats,) = [s for s in summary.per_class if s.label == "b"]
    assert math.isnan(dict(b_stats.values)["precision"])
    assert dict(b_stats.values)["recall"] == 0.0
    column = summary.labels.index("b")
    assert all(math.isnan(row[column]) for row in summary.by_predicted_class)


def test_labels_of_mixed_types_are_compared_as_text() -> None:
    summary = confusion_summary([1, 0, 1.0], ["1", "0", "1.0"])
    assert summary.labels == ("0", "1", "1.0")
    assert sum(summary.counts[i][i] for i in range(3)) == 3


def test_no_predictions_is_an_error() -> None:
    with pytest.raises(ValueError, match="no predictions"):
        confusion_summary([], [])
