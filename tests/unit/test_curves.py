"""ROC and precision-recall curves against scikit-learn's scores of the same predictions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from mlreport.analysis import binary_curves


def _binary(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    y_true = rng.choice(["no", "yes"], n)
    score = np.clip(0.5 + 0.3 * (y_true == "yes") + rng.normal(0, 0.25, n), 0, 1)
    return pd.DataFrame(
        {
            "y_true": y_true,
            "y_pred": np.where(score > 0.5, "yes", "no"),
            "proba_no": 1 - score,
            "proba_yes": score,
        }
    )


def test_the_curves_summarise_as_scikit_learn_scores() -> None:
    predictions = _binary()
    curves = binary_curves(predictions)
    assert curves is not None
    assert curves.positive == "yes"  # the estimator's second class
    is_yes = predictions["y_true"] == "yes"
    assert curves.roc_auc == pytest.approx(roc_auc_score(is_yes, predictions["proba_yes"]))
    assert curves.average_precision == pytest.approx(
        average_precision_score(is_yes, predictions["proba_yes"])
    )
    area = np.trapezoid(curves.true_positive_rate, curves.false_positive_rate)
    assert area == pytest.approx(curves.roc_auc)
    assert curves.false_positive_rate[0] == 0 and curves.true_positive_rate[-1] == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda f: f.drop(columns=["proba_no", "proba_yes"]),  # no probabilities
        lambda f: f.assign(y_true="yes"),  # one class in the test split
        lambda f: f.assign(proba_maybe=0.0),  # three classes
    ],
    ids=["no-probabilities", "one-class", "multiclass"],
)
def test_no_curves_unless_binary_with_probabilities(change: object) -> None:
    assert binary_curves(change(_binary())) is None  # type: ignore[operator]


def test_a_binary_decision_score_gives_the_same_curves_as_a_probability() -> None:
    """A model without probabilities (e.g. a hinge SVM) exports its positive margin."""
    predictions = _binary()
    margin = np.log(predictions["proba_yes"] + 1e-9) - np.log(predictions["proba_no"] + 1e-9)
    scored = predictions.drop(columns=["proba_no", "proba_yes"]).assign(decision_score_yes=margin)
    curves = binary_curves(scored)
    from_proba = binary_curves(predictions)
    assert curves is not None and from_proba is not None
    assert curves.positive == "yes" and curves.score == "decision score"
    assert from_proba.score == "probability"
    assert curves.roc_auc == pytest.approx(roc_auc_score(predictions["y_true"] == "yes", margin))
    assert curves.roc_auc == pytest.approx(from_proba.roc_auc)  # a monotone transform


def test_multiclass_decision_scores_give_no_curves() -> None:
    predictions = _binary().drop(columns=["proba_no", "proba_yes"])
    scored = predictions.assign(decision_score_no=0.1, decision_score_yes=0.2)
    assert binary_curves(scored) is None
