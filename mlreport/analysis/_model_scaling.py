"""A model's training-time scaling, from its scaling run's measurements: fits and verdict."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import pandas as pd

from mlreport import schema
from mlreport.analysis._runs import ScalingRun
from mlreport.analysis._scaling import (
    ParallelPoint,
    PowerLawFit,
    ScalingVerdict,
    fit_power_law,
    parallel_scaling,
    scaling_verdict,
)

NO_MEASUREMENTS = "no measurement was exported"
TOO_FEW_SIZES = "fewer than two sample sizes were timed"


@dataclass(frozen=True)
class ModelScaling:
    """What the scaling page shows for one model."""

    model: str
    status: str  # the scaling run's status
    problem: str  # why there is no verdict, or what failed after the fits ("" if nothing)
    fits: tuple[tuple[int, float, float], ...]  # (rows, fit time s, peak memory bytes)
    time_fit: PowerLawFit | None
    memory_fit: PowerLawFit | None
    parallel: tuple[ParallelPoint, ...]
    verdict: ScalingVerdict | None
    train_rows: int
    target_rows: int
    cores: int
    memory_bytes: int


def model_scaling(model: str, run: ScalingRun, measurements: pd.DataFrame | None) -> ModelScaling:
    """Fit power laws to fit time and peak memory against rows and judge the target size.

    A failed run, missing measurements or too few sizes give a result with ``problem``
    set and no verdict, so that the page can say what went wrong.
    """
    target_rows = _int(run.param("target_rows"))
    empty = ModelScaling(
        model=model,
        status=run.status,
        problem="",
        fits=(),
        time_fit=None,
        memory_fit=None,
        parallel=(),
        verdict=None,
        train_rows=_int(run.param("train_rows")),
        target_rows=target_rows,
        cores=_int(run.param("machine_cores"), 1),
        memory_bytes=_int(run.param("machine_memory_bytes")),
    )
    failed = f"the measurement failed: {run.error}" if run.error else ""
    if measurements is None or measurements.empty:
        return replace(empty, problem=failed or NO_MEASUREMENTS)
    empty = replace(empty, problem=failed)  # what was measured before a failure is shown
    fits = measurements[measurements["kind"] == schema.SCALING_FIT].sort_values(["rows", "repeat"])
    searches = measurements[measurements["kind"] == schema.SCALING_SEARCH]
    points = tuple(
        (int(rows), float(seconds), float(peak))
        for rows, seconds, peak in zip(
            fits["rows"], fits["fit_time_s"], fits["peak_memory_bytes"], strict=True
        )
    )
    parallel = (
        parallel_scaling(
            [int(w) for w in searches["workers"]], [float(t) for t in searches["wall_time_s"]]
        )
        if len(searches)
        else ()
    )
    try:
        time_fit = fit_power_law([p[0] for p in points], [p[1] for p in points])
    except ValueError:
        return replace(empty, problem=failed or TOO_FEW_SIZES, fits=points, parallel=parallel)
    try:
        memory_fit: PowerLawFit | None = fit_power_law(
            [p[0] for p in points], [p[2] for p in points]
        )
    except ValueError:
        memory_fit = None  # nothing traced: too small to measure
    verdict = scaling_verdict(
        time_fit,
        memory_fit,
        target_rows=max(1, target_rows or empty.train_rows * 100),
        fits_in_search=max(1, math.ceil(_float(run.param("fits_in_search"), 1.0))),
        cores=max(1, empty.cores),
        memory_bytes=max(1, empty.memory_bytes),
        time_budget_s=_float(run.param("time_budget_s"), 3600.0),
        has_partial_fit=run.param("has_partial_fit") == "True",
        parallel=parallel,
    )
    return replace(
        empty,
        fits=points,
        time_fit=time_fit,
        memory_fit=memory_fit,
        parallel=parallel,
        verdict=verdict,
    )


def _int(text: str, default: int = 0) -> int:
    try:
        return int(float(text))
    except ValueError:
        return default


def _float(text: str, default: float) -> float:
    try:
        value = float(text)
    except ValueError:
        return default
    return value if math.isfinite(value) else default
