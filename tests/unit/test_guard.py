from __future__ import annotations

import math

import numpy as np
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.linear_model import SGDClassifier

from mlreport.run._guard import FAILED_SCORE, GuardedEstimator, GuardedScorer

X, y = make_classification(200, 5, random_state=0)


def test_a_failing_partial_fit_is_recorded_and_scores_minus_infinity() -> None:
    guarded = clone(GuardedEstimator(SGDClassifier(), topic="t")).set_params(estimator__alpha=-1)
    guarded.partial_fit(X, y, classes=[0, 1])
    assert guarded.error_.startswith("InvalidParameterError")
    assert GuardedScorer("accuracy")(guarded, X, y) == FAILED_SCORE


def test_a_failing_scorer_fails_only_that_candidate() -> None:
    guarded = GuardedEstimator(SGDClassifier(loss="hinge", random_state=0), topic="t")
    guarded.partial_fit(X, y, classes=[0, 1])
    assert GuardedScorer("neg_log_loss")(guarded, X, y) == FAILED_SCORE  # no predict_proba
    assert "predict_proba" in guarded.error_


def test_a_working_candidate_scores_and_predicts_as_its_estimator() -> None:
    guarded = GuardedEstimator(SGDClassifier(random_state=0), topic="t")
    for _ in range(3):
        guarded.partial_fit(X, y, classes=[0, 1])
    score = GuardedScorer("accuracy")(guarded, X, y)
    assert math.isfinite(score) and score > 0.7
    assert np.array_equal(guarded.predict(X), guarded.estimator.predict(X))
    assert not getattr(guarded, "error_", "")
