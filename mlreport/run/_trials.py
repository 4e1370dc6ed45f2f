"""Turn a fitted search into per-trial records (pure)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from mlreport import schema
from mlreport.run._search import unprefixed

TRIAL_FAILED = "the fit or scoring of this candidate failed on at least one CV split"


@dataclass(frozen=True)
class TrialResult:
    """One candidate of a search: its params and CV results."""

    index: int
    params: dict[str, Any]
    metrics: dict[str, float]
    failed: bool


def trial_results(
    cv_results: dict[str, Any], *, scoring: list[str], primary: str
) -> list[TrialResult]:
    """One result per candidate from dask-ml's ``cv_results_``."""
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
            metrics[schema.METRIC_RANK] = float(
                np.asarray(cv_results[f"rank_test_{primary}"])[index]
            )
        trials.append(
            TrialResult(index=index, params=unprefixed(params), metrics=metrics, failed=failed)
        )
    return trials
