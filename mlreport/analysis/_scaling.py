"""Scaling of training: power laws of fit time and peak memory against rows, the speedup
of a search on more dask workers, and the verdict built from them (the facts of it; the
text layer states them in sentences)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

#: Raised by `fit_power_law` when fewer than two distinct sizes survive the filtering.
TOO_FEW_POINTS = "a power law needs at least two distinct positive sizes with positive values"
#: Raised when paired sequences differ in length.
LENGTH_MISMATCH = "sizes and values differ in length"
#: Raised by `PowerLawFit.predict` and `PowerLawFit.prediction_interval` for x <= 0.
NON_POSITIVE_X = "a power law is defined only at a finite positive size"
#: Raised by `PowerLawFit.prediction_interval` for a level outside (0, 1).
LEVEL_OUT_OF_RANGE = "the interval's level must lie strictly between 0 and 1"
#: Raised by `parallel_scaling` without measurements.
NO_PARALLEL_MEASUREMENTS = "parallel scaling needs at least one (workers, wall time) measurement"
#: Raised by `parallel_scaling` for a worker count that is not a positive integer, or a wall
#: time that is not finite and positive.
NON_POSITIVE_PARALLEL = (
    "worker counts must be positive integers and wall times finite and positive seconds"
)
#: Raised by `scaling_verdict` for a non-positive option; formatted with its name and value.
NOT_POSITIVE = "{name} must be positive, got {value!r}"
#: Raised by `scaling_verdict` for a memory share outside (0, 1].
MEMORY_SHARE_OUT_OF_RANGE = "memory_share must lie in (0, 1], got {value!r}"

#: Confidence level of `PowerLawFit.exponent_interval` and of the verdict's intervals.
LEVEL = 0.95
#: From this multiple of the largest measured size on, the verdict warns about extrapolation.
FAR_EXTRAPOLATION = 100

Route = Literal["none", "parallel", "incremental", "bigger-machine"]


@dataclass(frozen=True)
class PowerLawFit:
    """y = coefficient * x ** exponent, fitted by least squares on log-log axes.

    `predict` back-transforms the log-space line, so it estimates the median y, not the mean.
    """

    coefficient: float
    exponent: float
    exponent_stderr: float  # standard error of the slope (nan with 2 points)
    exponent_interval: tuple[float, float]  # 95% CI (student t, n-2 dof); (nan, nan) if n == 2
    r_squared: float  # on log-log axes
    n_points: int
    x_range: tuple[float, float]  # measured min and max x
    log_x_mean: float  # mean of ln x over the points, for prediction intervals
    log_x_sxx: float  # sum of squared deviations of ln x from its mean
    log_residual_std: float  # residual standard deviation in ln y (nan with 2 points)

    def predict(self, x: float) -> float:
        """The fitted y at size x."""
        _check_positive_x(x)
        return self.coefficient * float(x) ** self.exponent

    def prediction_interval(self, x: float, level: float = LEVEL) -> tuple[float, float]:
        """Prediction interval for one measured y at x (back-transformed from log space;
        (nan, nan) with 2 points)."""
        _check_positive_x(x)
        if not 0.0 < level < 1.0:
            raise ValueError(LEVEL_OUT_OF_RANGE)
        dof = self.n_points - 2
        if dof < 1:
            return (math.nan, math.nan)
        deviation = math.log(x) - self.log_x_mean
        half_width = (
            _t_quantile(level, dof)
            * self.log_residual_std
            * math.sqrt(1.0 + 1.0 / self.n_points + deviation**2 / self.log_x_sxx)
        )
        centre = math.log(self.predict(x))
        return (math.exp(centre - half_width), math.exp(centre + half_width))


@dataclass(frozen=True)
class ParallelPoint:
    """A search's wall time at one worker count, against the fewest workers measured."""

    workers: int
    wall_time_s: float  # median over repeated measurements
    speedup: float  # t(base) / t(workers), base = the fewest workers measured
    efficiency: float  # speedup / (workers / base)


@dataclass(frozen=True)
class ScalingVerdict:
    """Whether training at `target_rows` needs to scale, how, and the facts behind it."""

    needs_scaling: bool
    route: Route
    target_rows: int
    estimated_fit_time_s: float
    fit_time_interval_s: tuple[float, float]  # 95% prediction interval
    estimated_peak_memory_bytes: float  # nan without a memory fit
    memory_interval_bytes: tuple[float, float]  # 95% prediction interval; nan without a fit
    estimated_search_time_s: float  # fits * fit time / usable parallelism on this machine
    time_fit: PowerLawFit  # the fits extrapolated to target_rows
    memory_fit: PowerLawFit | None  # None: memory not measured
    fits_in_search: int
    cores: int
    memory_bytes: int  # of this machine
    memory_share: float  # of memory_bytes one fit may take
    time_budget_s: float
    has_partial_fit: bool
    parallel_efficiency: float | None  # at the most workers measured, capped at 1; None: unmeasured
    workers_needed: int | None  # fewest workers within the budget; None: one per fit is over it
    largest_measured_rows: float  # the largest size of the shorter measured range
    far_extrapolation: bool  # target_rows is FAR_EXTRAPOLATION times it or more
    level: float  # of the intervals


def fit_power_law(x: Sequence[float], y: Sequence[float]) -> PowerLawFit:
    """Least squares of ln y on ln x over the pairs with both finite and positive (the others
    are dropped); repeated sizes are kept as separate points."""
    xs = np.asarray(x, dtype=np.float64).ravel()
    ys = np.asarray(y, dtype=np.float64).ravel()
    if xs.shape != ys.shape:
        raise ValueError(LENGTH_MISMATCH)
    keep = np.isfinite(xs) & np.isfinite(ys) & (xs > 0) & (ys > 0)
    xs, ys = xs[keep], ys[keep]
    if np.unique(xs).size < 2:
        raise ValueError(TOO_FEW_POINTS)
    log_x, log_y = np.log(xs), np.log(ys)
    n = int(log_x.size)
    x_mean, y_mean = float(log_x.mean()), float(log_y.mean())
    sxx = float(np.sum((log_x - x_mean) ** 2))
    slope = float(np.sum((log_x - x_mean) * (log_y - y_mean))) / sxx
    intercept = y_mean - slope * x_mean
    ss_res = float(np.sum((log_y - (intercept + slope * log_x)) ** 2))
    ss_tot = float(np.sum((log_y - y_mean) ** 2))
    dof = n - 2
    if dof > 0:
        residual_std = math.sqrt(ss_res / dof)
        stderr = residual_std / math.sqrt(sxx)
        half_width = _t_quantile(LEVEL, dof) * stderr
        interval = (slope - half_width, slope + half_width)
    else:
        residual_std = stderr = math.nan
        interval = (math.nan, math.nan)
    return PowerLawFit(
        coefficient=math.exp(intercept),
        exponent=slope,
        exponent_stderr=stderr,
        exponent_interval=interval,
        r_squared=1.0 - ss_res / ss_tot if ss_tot > 0 else 1.0,
        n_points=n,
        x_range=(float(xs.min()), float(xs.max())),
        log_x_mean=x_mean,
        log_x_sxx=sxx,
        log_residual_std=residual_std,
    )


def parallel_scaling(
    workers: Sequence[int], wall_times_s: Sequence[float]
) -> tuple[ParallelPoint, ...]:
    """Speedup and efficiency per worker count, sorted by workers, against the fewest workers
    measured; repeated counts are summarised by their median wall time."""
    if len(workers) != len(wall_times_s):
        raise ValueError(LENGTH_MISMATCH)
    if not workers:
        raise ValueError(NO_PARALLEL_MEASUREMENTS)
    times: dict[int, list[float]] = {}
    for count, seconds in zip(workers, wall_times_s, strict=True):
        if isinstance(count, bool) or count != int(count) or count < 1:
            raise ValueError(NON_POSITIVE_PARALLEL)
        if not (math.isfinite(seconds) and seconds > 0):
            raise ValueError(NON_POSITIVE_PARALLEL)
        times.setdefault(int(count), []).append(float(seconds))
    medians = {count: float(np.median(values)) for count, values in sorted(times.items())}
    base = min(medians)
    points = []
    for count, seconds in medians.items():
        speedup = medians[base] / seconds
        points.append(ParallelPoint(count, seconds, speedup, speedup / (count / base)))
    return tuple(points)


def scaling_verdict(
    time_fit: PowerLawFit,
    memory_fit: PowerLawFit | None,
    *,
    target_rows: int,
    fits_in_search: int,
    cores: int,
    memory_bytes: int,
    time_budget_s: float,
    has_partial_fit: bool,
    parallel: Sequence[ParallelPoint] = (),
    memory_share: float = 0.5,
) -> ScalingVerdict:
    """Whether a search of `fits_in_search` fits at `target_rows` fits this machine.

    Memory first: a fit whose estimated peak memory exceeds `memory_share` of the RAM needs
    out-of-core training ("incremental", with partial_fit) or more memory ("bigger-machine").
    Otherwise a search whose estimated time on min(cores, fits) workers, at the parallel
    efficiency measured at the largest worker count (capped at 1, applied only with more than
    one worker), exceeds the budget needs more workers ("parallel"). Otherwise "none".
    """
    for name, value in (
        ("target_rows", target_rows),
        ("fits_in_search", fits_in_search),
        ("cores", cores),
        ("memory_bytes", memory_bytes),
        ("time_budget_s", time_budget_s),
    ):
        if not (math.isfinite(value) and value > 0):
            raise ValueError(NOT_POSITIVE.format(name=name, value=value))
    if not 0.0 < memory_share <= 1.0:
        raise ValueError(MEMORY_SHARE_OUT_OF_RANGE.format(value=memory_share))

    fit_time = time_fit.predict(target_rows)
    fit_time_interval = time_fit.prediction_interval(target_rows)
    if memory_fit is None:
        memory, memory_interval = math.nan, (math.nan, math.nan)
    else:
        memory = memory_fit.predict(target_rows)
        memory_interval = memory_fit.prediction_interval(target_rows)
    efficiency = _measured_efficiency(parallel)
    search_time = _search_time(fit_time, fits_in_search, cores, efficiency)

    if memory_fit is not None and memory > memory_share * memory_bytes:
        route: Route = "incremental" if has_partial_fit else "bigger-machine"
    elif search_time > time_budget_s:
        route = "parallel"
    else:
        route = "none"
    measured = min(f.x_range[1] for f in (time_fit, memory_fit) if f is not None)
    return ScalingVerdict(
        needs_scaling=route != "none",
        route=route,
        target_rows=int(target_rows),
        estimated_fit_time_s=fit_time,
        fit_time_interval_s=fit_time_interval,
        estimated_peak_memory_bytes=memory,
        memory_interval_bytes=memory_interval,
        estimated_search_time_s=search_time,
        time_fit=time_fit,
        memory_fit=memory_fit,
        fits_in_search=fits_in_search,
        cores=cores,
        memory_bytes=memory_bytes,
        memory_share=memory_share,
        time_budget_s=time_budget_s,
        has_partial_fit=has_partial_fit,
        parallel_efficiency=efficiency,
        workers_needed=_workers_needed(fit_time, fits_in_search, time_budget_s, efficiency),
        largest_measured_rows=measured,
        far_extrapolation=target_rows >= FAR_EXTRAPOLATION * measured,
        level=LEVEL,
    )


def _check_positive_x(x: float) -> None:
    if not (math.isfinite(x) and x > 0):
        raise ValueError(NON_POSITIVE_X)


def _t_quantile(level: float, dof: int) -> float:
    """The two-sided student t quantile for `level` with `dof` degrees of freedom."""
    from scipy.stats import t

    return float(t.ppf(0.5 + level / 2.0, dof))


def _measured_efficiency(parallel: Sequence[ParallelPoint]) -> float | None:
    """The efficiency at the largest measured worker count, capped at 1; None if unmeasured."""
    if not parallel:
        return None
    largest = max(parallel, key=lambda point: point.workers)
    return min(largest.efficiency, 1.0)


def _search_time(fit_time: float, fits: int, workers: int, efficiency: float | None) -> float:
    """Wall time of `fits` fits on `workers` workers (efficiency applies only in parallel)."""
    usable = min(workers, fits)
    factor = efficiency if efficiency is not None and usable > 1 else 1.0
    return fits * fit_time / (usable * factor)


def _workers_needed(
    fit_time: float, fits: int, budget: float, efficiency: float | None
) -> int | None:
    """The fewest workers (beyond one) whose search time is within the budget, at the given
    efficiency; None if even one worker per fit is over it."""
    wanted = fits * fit_time / ((efficiency or 1.0) * budget)
    workers = max(1, math.ceil(wanted * (1.0 - 1e-12)))  # tolerate rounding of exact ratios
    return workers if workers <= fits else None
