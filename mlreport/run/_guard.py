"""Keep one failing candidate from ending an incremental search.

dask-ml's incremental searches stop when any candidate's ``partial_fit`` raises. The
guard wraps each candidate: a failure is recorded (and reported to the client as a dask
event), the candidate scores -inf from then on, and the search drops it and goes on.
"""

from __future__ import annotations

import math
from typing import Any

from sklearn.base import BaseEstimator
from sklearn.metrics import get_scorer

from mlreport.errors import describe

FAILED_SCORE = -math.inf
NOT_FINITE = "the {scoring} score on the validation split is {score}"


class GuardedEstimator(BaseEstimator):
    """An estimator whose ``partial_fit`` failures are recorded instead of raised."""

    error_: str

    def __init__(self, estimator: Any = None, topic: str = "") -> None:
        self.estimator = estimator
        self.topic = topic

    def fit(self, X: Any, y: Any = None, **fit_params: Any) -> GuardedEstimator:
        self.estimator.fit(X, y, **fit_params)
        return self

    def partial_fit(self, X: Any, y: Any = None, **fit_params: Any) -> GuardedEstimator:
        if getattr(self, "error_", ""):
            return self
        try:
            self.estimator.partial_fit(X, y, **fit_params)
        except Exception as exc:
            self.error_ = describe(exc)
            _report(self.topic, self.estimator.get_params(deep=False), self.error_)
        return self

    def __getattr__(self, name: str) -> Any:
        # predict, predict_proba, decision_function, classes_ ... of the wrapped estimator
        if name.startswith("__") or name in ("estimator", "topic", "error_"):
            raise AttributeError(name)
        return getattr(self.estimator, name)


class GuardedScorer:
    """A scorer giving -inf to a candidate whose partial_fit failed."""

    def __init__(self, scoring: str) -> None:
        self.scoring = scoring

    def __call__(self, estimator: GuardedEstimator, X: Any, y: Any) -> float:
        if getattr(estimator, "error_", ""):
            return FAILED_SCORE
        try:
            score = float(get_scorer(self.scoring)(estimator.estimator, X, y))
        except Exception as exc:
            estimator.error_ = describe(exc)
            _report(estimator.topic, estimator.estimator.get_params(deep=False), estimator.error_)
            return FAILED_SCORE
        if not math.isfinite(score):  # e.g. roc_auc on a one-class validation split
            estimator.error_ = NOT_FINITE.format(scoring=self.scoring, score=score)
            _report(estimator.topic, estimator.estimator.get_params(deep=False), estimator.error_)
            return FAILED_SCORE
        return score


def _report(topic: str, params: dict[str, Any], error: str) -> None:
    try:
        from distributed import get_worker

        worker = get_worker()
    except ValueError:  # not running on a dask worker
        return
    shown = {key: repr(value) for key, value in params.items()}
    worker.log_event(topic, {"params": shown, "error": error})


def reported_errors(client: Any, topic: str) -> list[tuple[dict[str, str], str]]:
    """(params as reprs, error) of every failure the guards reported under ``topic``."""
    return [(msg["params"], msg["error"]) for _, msg in client.get_events(topic)]
