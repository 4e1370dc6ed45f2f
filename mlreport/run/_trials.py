"""Turn a fitted search into per-trial records (pure)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.stats import rankdata

from mlreport import schema
from mlreport.errors import MlreportError, describe
from mlreport.run._search import fit_candidate, unprefixed

TRIAL_FAILED = "the fit or scoring of this candidate failed on at least one CV split"
ALL_TRIALS_FAILED = "every candidate failed, so there is no best model"


@dataclass(frozen=True)
class TrialResult:
    """One candidate of a search: its params, scores and how it ended."""

    index: int
    params: dict[str, Any]
    metrics: dict[str, float]
    failed: bool
    #: metric key -> (step, value, seconds since the search started) per logged value
    history: dict[str, tuple[tuple[int, float, float], ...]] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    compute_s: float = 0.0  # fit and score time the candidate used, over all folds or calls
    error: str = ""  # why a failed candidate failed


def trial_results(
    cv_results: dict[str, Any], *, scoring: list[str], primary: str, folds: int
) -> list[TrialResult]:
    """One result per candidate from dask-ml's ``cv_results_``."""
    means = np.asarray(cv_results[f"mean_test_{primary}"], dtype=float)
    # Rank 1 is the best mean score; candidates without a score get no rank.
    ranks = rankdata(-means, method="min", nan_policy="omit")
    trials = []
    for index, params in enumerate(cv_results["params"]):
        metrics: dict[str, float] = {
            schema.METRIC_FIT_TIME: float(cv_results["mean_fit_time"][index]),
            schema.METRIC_SCORE_TIME: float(cv_results["mean_score_time"][index]),
        }
        failed = False
        for scorer in scoring:
            mean = float(cv_results[f"mean_test_{scorer}"][index])
            std = float(cv_results[f"std_test_{scorer}"][index])
            if not math.isfinite(mean):
                failed = True
                continue
            metrics[schema.CV_MEAN.format(scorer=scorer)] = mean
            metrics[schema.CV_STD.format(scorer=scorer)] = std
        if not failed:
            metrics[schema.METRIC_RANK] = float(ranks[index])
        compute_s = (metrics[schema.METRIC_FIT_TIME] + metrics[schema.METRIC_SCORE_TIME]) * folds
        trials.append(
            TrialResult(
                index=index,
                params=unprefixed(params),
                metrics=metrics,
                failed=failed,
                compute_s=compute_s,
            )
        )
    return trials


def best_trial(trials: list[TrialResult], *, key: str) -> TrialResult:
    """The candidate with the best value of the score ``key`` (first on ties)."""
    scored = [t for t in trials if not t.failed and key in t.metrics]
    if not scored:
        raise MlreportError(ALL_TRIALS_FAILED)
    return max(scored, key=lambda t: (t.metrics[key], -t.index))


def failure_reason(pipeline: Any, params: dict[str, Any], X: Any, y: Any, rows: int = 500) -> str:
    """Why a candidate failed: its error when fitted again on the first ``rows`` rows.

    dask-ml turns a failed fit into a NaN score and keeps the error on the worker; a
    small refit here recovers it (a generic message if the small fit succeeds).
    """
    try:
        fit_candidate(pipeline, params, X[:rows], y[:rows])
    except Exception as exc:
        return describe(exc)
    return TRIAL_FAILED
