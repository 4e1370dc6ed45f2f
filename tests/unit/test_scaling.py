"""Power-law fits of scaling measurements, parallel speedup, and the scaling verdict."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from scipy.stats import linregress

from mlreport.analysis._scaling import (
    LENGTH_MISMATCH,
    LEVEL_OUT_OF_RANGE,
    MEMORY_SHARE_OUT_OF_RANGE,
    NO_PARALLEL_MEASUREMENTS,
    NON_POSITIVE_PARALLEL,
    NON_POSITIVE_X,
    NOT_POSITIVE,
    TOO_FEW_POINTS,
    ParallelPoint,
    PowerLawFit,
    ScalingVerdict,
    _workers_needed,
    fit_power_law,
    parallel_scaling,
    scaling_verdict,
)
from mlreport.text import verdict_sentences
from mlreport.text._numbers import duration, memory_size

SIZES = [1000, 2000, 4000, 8000, 16000]
GIB = 2**30


def _measurements(
    coefficient: float, exponent: float, *, seed: int | None, repeats: int = 3
) -> tuple[list[float], list[float]]:
    """y = coefficient * x ** exponent at SIZES, times lognormal noise (sigma 0.05) if seeded."""
    x = np.repeat(np.array(SIZES, dtype=np.float64), repeats)
    y = coefficient * x**exponent
    if seed is not None:
        y = y * np.exp(np.random.default_rng(seed).normal(0.0, 0.05, x.size))
    return x.tolist(), y.tolist()


def _fit(coefficient: float, exponent: float, *, seed: int | None = 1) -> PowerLawFit:
    return fit_power_law(*_measurements(coefficient, exponent, seed=seed))


# --- fit_power_law -------------------------------------------------------------------------


def test_noisy_timings_recover_the_exponent_and_coefficient() -> None:
    x, y = _measurements(3e-6, 1.3, seed=1)
    fit = fit_power_law(x, y)
    assert fit.n_points == 15
    assert fit.x_range == (1000.0, 16000.0)
    assert abs(fit.exponent - 1.3) < 0.05
    low, high = fit.exponent_interval
    assert low < 1.3 < high
    assert low == pytest.approx(fit.exponent - (high - fit.exponent))
    assert fit.coefficient == pytest.approx(3e-6, rel=0.25)
    centre = math.exp(fit.log_x_mean)  # where the coefficient's error cancels out
    assert fit.predict(centre) == pytest.approx(3e-6 * centre**1.3, rel=0.03)
    assert 0.99 < fit.r_squared < 1.0


def test_the_fit_is_ordinary_least_squares_on_log_log_axes() -> None:
    x, y = _measurements(3e-6, 1.3, seed=1)
    reference = linregress(np.log(x), np.log(y))
    fit = fit_power_law(x, y)
    assert fit.exponent == pytest.approx(reference.slope, rel=1e-12)
    assert fit.coefficient == pytest.approx(math.exp(reference.intercept), rel=1e-12)
    assert fit.exponent_stderr == pytest.approx(reference.stderr, rel=1e-9)
    assert fit.r_squared == pytest.approx(reference.rvalue**2, rel=1e-9)


def test_intervals_have_their_nominal_coverage() -> None:
    """With 5 points (3 dof) a normal quantile instead of student t would cover only ~86%."""
    x = np.array(SIZES, dtype=np.float64)
    rng = np.random.default_rng(12345)
    trials, exponent_hits, prediction_hits = 2000, 0, 0
    for _ in range(trials):
        y = 3e-6 * x**1.3 * np.exp(rng.normal(0.0, 0.05, x.size))
        fit = fit_power_law(x.tolist(), y.tolist())
        low, high = fit.exponent_interval
        exponent_hits += low < 1.3 < high
        new_x = 64000.0  # extrapolated, where the interval's leverage term matters
        low, high = fit.prediction_interval(new_x)
        prediction_hits += low < 3e-6 * new_x**1.3 * math.exp(rng.normal(0.0, 0.05)) < high
    assert 0.93 < exponent_hits / trials < 0.97
    assert 0.93 < prediction_hits / trials < 0.97


def test_noise_free_data_is_recovered_exactly() -> None:
    fit = _fit(3e-6, 1.3, seed=None)
    assert fit.exponent == pytest.approx(1.3, abs=1e-9)
    assert fit.coefficient == pytest.approx(3e-6, rel=1e-9)
    assert fit.exponent_interval == pytest.approx((1.3, 1.3), abs=1e-9)
    assert fit.r_squared == pytest.approx(1.0, abs=1e-12)
    for x in (500.0, 5000.0, 1e6):
        assert fit.predict(x) == pytest.approx(3e-6 * x**1.3, rel=1e-9)


def test_predict_is_the_power_law_formula() -> None:
    fit = _fit(3e-6, 1.3)
    for x in (1.0, 1234.5, 3e7):
        assert fit.predict(x) == pytest.approx(fit.coefficient * x**fit.exponent, rel=1e-12)


def test_prediction_interval_contains_the_prediction_and_widens_away_from_the_data() -> None:
    fit = _fit(3e-6, 1.3)

    def log_width(x: float, level: float = 0.95) -> float:
        low, high = fit.prediction_interval(x, level)
        assert low < fit.predict(x) < high
        return math.log(high / low)

    centre = math.exp(fit.log_x_mean)
    assert log_width(centre) < log_width(16000) < log_width(1.6e6) < log_width(1.6e8)
    assert log_width(centre) < log_width(1000) < log_width(10)
    assert log_width(16000, 0.5) < log_width(16000, 0.95) < log_width(16000, 0.99)
    # Symmetric on log axes around the prediction.
    low, high = fit.prediction_interval(1e6)
    assert math.log(fit.predict(1e6)) == pytest.approx((math.log(low) + math.log(high)) / 2)


@pytest.mark.parametrize("x", [0.0, -5.0, math.nan, math.inf])
def test_predicting_at_a_non_positive_size_is_an_error(x: float) -> None:
    fit = _fit(3e-6, 1.3)
    with pytest.raises(ValueError, match=re.escape(NON_POSITIVE_X)):
        fit.predict(x)
    with pytest.raises(ValueError, match=re.escape(NON_POSITIVE_X)):
        fit.prediction_interval(x)


@pytest.mark.parametrize("level", [0.0, 1.0, -0.5, 95.0])
def test_a_level_outside_zero_and_one_is_an_error(level: float) -> None:
    with pytest.raises(ValueError, match=re.escape(LEVEL_OUT_OF_RANGE)):
        _fit(3e-6, 1.3).prediction_interval(1000.0, level)


def test_two_points_give_the_exact_line_and_no_uncertainty() -> None:
    fit = fit_power_law([10.0, 1000.0], [0.5, 5000.0])
    assert fit.exponent == pytest.approx(2.0, abs=1e-12)
    assert fit.coefficient == pytest.approx(0.005, rel=1e-12)
    assert fit.n_points == 2
    assert math.isnan(fit.exponent_stderr)
    assert all(math.isnan(v) for v in fit.exponent_interval)
    assert all(math.isnan(v) for v in fit.prediction_interval(100.0))
    assert fit.predict(100.0) == pytest.approx(50.0)


def test_repeats_at_two_sizes_are_used_and_give_an_interval() -> None:
    fit = fit_power_law([10, 10, 100, 100], [1.0, 1.2, 10.0, 12.0])
    assert fit.n_points == 4
    assert fit.exponent == pytest.approx(1.0)
    assert fit.coefficient == pytest.approx(math.sqrt(1.2) / 10)
    assert math.isfinite(fit.exponent_stderr)
    assert fit.exponent_interval[0] < 1.0 < fit.exponent_interval[1]


@pytest.mark.parametrize(
    ("x", "y"),
    [
        ([], []),
        ([1000.0], [1.0]),
        ([1000, 1000, 1000], [1.0, 1.1, 0.9]),  # repeats, one distinct size
        ([0, 1000, 2000], [1.0, 1.0, 0.0]),  # zero size, zero time: one pair left
        ([-1000, 1000, math.inf, math.nan], [1.0, 1.0, 2.0, 3.0]),
        ([1000, 2000], [1.0, math.nan]),
    ],
)
def test_fewer_than_two_distinct_positive_sizes_is_an_error(x: list[float], y: list[float]) -> None:
    with pytest.raises(ValueError, match=re.escape(TOO_FEW_POINTS)):
        fit_power_law(x, y)
    assert "at least two distinct positive sizes" in TOO_FEW_POINTS


def test_pairs_with_a_non_finite_or_non_positive_value_are_dropped_not_clipped() -> None:
    x, y = _measurements(3e-6, 1.3, seed=1)
    junk_x = [500.0, 0.0, -1000.0, math.nan, math.inf, 3000.0, 6000.0, 32000.0]
    junk_y = [0.0, 1.0, 1.0, 1.0, 1.0, -0.1, math.nan, math.inf]
    dirty = fit_power_law([*junk_x[:4], *x, *junk_x[4:]], [*junk_y[:4], *y, *junk_y[4:]])
    assert dirty == fit_power_law(x, y)
    assert dirty.x_range == (1000.0, 16000.0)


def test_sizes_and_values_of_different_lengths_is_an_error() -> None:
    with pytest.raises(ValueError, match=re.escape(LENGTH_MISMATCH)):
        fit_power_law([1000, 2000, 4000], [1.0, 2.0])


# --- parallel_scaling ----------------------------------------------------------------------


def test_speedup_and_efficiency_against_the_fewest_workers() -> None:
    points = parallel_scaling([8, 1, 4, 2], [20.0, 100.0, 30.0, 55.0])
    assert [p.workers for p in points] == [1, 2, 4, 8]
    assert [p.wall_time_s for p in points] == [100.0, 55.0, 30.0, 20.0]
    assert [p.speedup for p in points] == pytest.approx([1.0, 100 / 55, 100 / 30, 5.0])
    assert [p.efficiency for p in points] == pytest.approx([1.0, 100 / 110, 100 / 120, 5 / 8])


def test_repeated_worker_counts_use_the_median_time() -> None:
    points = parallel_scaling([2, 4, 2, 4, 4, 2], [10.0, 9.0, 14.0, 5.0, 6.0, 12.0])
    assert points == (
        ParallelPoint(workers=2, wall_time_s=12.0, speedup=1.0, efficiency=1.0),
        ParallelPoint(workers=4, wall_time_s=6.0, speedup=2.0, efficiency=1.0),
    )


def test_the_base_need_not_be_one_worker() -> None:
    (base, doubled) = parallel_scaling([4, 2], [6.0, 10.0])
    assert (base.workers, base.speedup, base.efficiency) == (2, 1.0, 1.0)
    assert doubled.speedup == pytest.approx(10 / 6)
    assert doubled.efficiency == pytest.approx(10 / 6 / 2)


def test_no_parallel_measurements_is_an_error() -> None:
    with pytest.raises(ValueError, match=re.escape(NO_PARALLEL_MEASUREMENTS)):
        parallel_scaling([], [])


@pytest.mark.parametrize(
    ("workers", "times"),
    [
        ([0, 2], [1.0, 1.0]),
        ([-1], [1.0]),
        ([1.5, 2], [1.0, 1.0]),
        ([True, 2], [1.0, 1.0]),
        ([1, 2], [1.0, 0.0]),
        ([1, 2], [-1.0, 1.0]),
        ([1, 2], [1.0, math.nan]),
        ([1, 2], [math.inf, 1.0]),
    ],
)
def test_non_positive_workers_or_times_are_an_error(workers: list[int], times: list[float]) -> None:
    with pytest.raises(ValueError, match=re.escape(NON_POSITIVE_PARALLEL)):
        parallel_scaling(workers, times)


def test_parallel_workers_and_times_of_different_lengths_is_an_error() -> None:
    with pytest.raises(ValueError, match=re.escape(LENGTH_MISMATCH)):
        parallel_scaling([1, 2], [1.0])


# --- scaling_verdict -----------------------------------------------------------------------

#: Noise-free: one fit takes exactly 10 s at 100,000 rows.
EXACT_TIME = _fit(1e-4, 1.0, seed=None)
#: Noisy: about 2e4 bytes a row, ~1.9 GB at 100,000 rows.
MEMORY = _fit(2e4, 1.0, seed=2)
#: Efficiency 0.625 at 2 workers, 0.5 at 8 (the largest, which the verdict uses).
PARALLEL = parallel_scaling([1, 8, 2], [100.0, 25.0, 80.0])


def _verdict(**options: object) -> ScalingVerdict:
    arguments: dict[str, object] = {
        "target_rows": 100_000,
        "fits_in_search": 100,
        "cores": 4,
        "memory_bytes": 64 * GIB,
        "time_budget_s": 3600.0,
        "has_partial_fit": False,
    }
    arguments.update(options)
    time_fit = arguments.pop("time_fit", EXACT_TIME)
    memory_fit = arguments.pop("memory_fit", MEMORY)
    return scaling_verdict(time_fit, memory_fit, **arguments)  # type: ignore[arg-type]


def _check_sentences(verdict: ScalingVerdict) -> str:
    sentences = verdict_sentences(verdict)
    assert 2 <= len(sentences) <= 4
    for sentence in sentences:
        assert sentence[0].isupper() or sentence[0].isdigit()
        assert sentence.endswith(".")
        assert not set(sentence) & set("<>*`[]#|\n")
    return " ".join(sentences)


@pytest.mark.parametrize(
    ("has_partial_fit", "route", "advice"),
    [
        (True, "incremental", "partial_fit on blocks of rows"),
        (False, "bigger-machine", "a machine with more memory"),
    ],
)
def test_a_fit_too_big_for_memory_needs_scaling(
    has_partial_fit: bool, route: str, advice: str
) -> None:
    memory = MEMORY.predict(1_000_000)  # about 19 GB
    verdict = _verdict(
        target_rows=1_000_000, memory_bytes=16 * GIB, has_partial_fit=has_partial_fit
    )
    assert verdict.needs_scaling
    assert verdict.route == route
    assert verdict.estimated_peak_memory_bytes == memory
    assert verdict.memory_interval_bytes == MEMORY.prediction_interval(1_000_000)
    assert verdict.memory_interval_bytes[0] < memory < verdict.memory_interval_bytes[1]
    text = _check_sentences(verdict)
    assert advice in text
    assert "50% of this machine's 16 GB of RAM" in text
    assert f"about {memory_size(memory)} (95% prediction interval" in text


def test_the_memory_limit_is_the_given_share_of_ram() -> None:
    memory = MEMORY.predict(100_000)
    just_over = _verdict(memory_bytes=int(memory / 0.25 * 0.99), memory_share=0.25)
    just_under = _verdict(memory_bytes=int(memory / 0.25 * 1.01), memory_share=0.25)
    assert just_over.route == "bigger-machine"
    assert just_under.route == "none"
    assert _verdict(memory_bytes=int(memory / 0.5 * 1.01)).route == "none"
    assert _verdict(memory_bytes=int(memory / 0.5 * 0.99)).route == "bigger-machine"


def test_memory_comes_before_time() -> None:
    verdict = _verdict(memory_bytes=GIB, time_budget_s=1.0, has_partial_fit=True)
    assert verdict.route == "incremental"


def test_a_search_over_budget_needs_more_workers_assuming_ideal_efficiency() -> None:
    # 100 fits of 10 s on 4 cores: 250 s; under 100 s needs 10 ideal workers.
    verdict = _verdict(time_budget_s=100.0)
    assert verdict.route == "parallel"
    assert verdict.needs_scaling
    assert verdict.estimated_fit_time_s == pytest.approx(10.0, rel=1e-9)
    assert verdict.estimated_search_time_s == pytest.approx(250.0, rel=1e-9)
    assert verdict.workers_needed == 10 and verdict.parallel_efficiency is None
    text = _check_sentences(verdict)
    assert "On 4 cores the search's 100 fits take about 4.2 min, over the 1.7 min budget" in text
    assert "10 dask workers would bring it within budget" in text
    assert "ideal parallel efficiency (none measured)" in text


def test_a_search_over_budget_uses_the_efficiency_at_the_most_workers_measured() -> None:
    # At 50% efficiency: 1000 s / (4 * 0.5) = 500 s; under 100 s needs 20 workers.
    verdict = _verdict(time_budget_s=100.0, parallel=PARALLEL)
    assert verdict.route == "parallel"
    assert verdict.estimated_search_time_s == pytest.approx(500.0, rel=1e-9)
    assert verdict.workers_needed == 20 and verdict.parallel_efficiency == pytest.approx(0.5)
    text = _check_sentences(verdict)
    assert "at the measured 50% parallel efficiency" in text
    assert "20 dask workers would bring it within budget, assuming the same efficiency" in text
    assert "ideal" not in text


def test_a_superlinear_efficiency_is_capped_at_ideal() -> None:
    superlinear = parallel_scaling([1, 4], [100.0, 20.0])  # efficiency 1.25
    assert superlinear[-1].efficiency == pytest.approx(1.25)
    verdict = _verdict(time_budget_s=100.0, parallel=superlinear)
    assert verdict.estimated_search_time_s == pytest.approx(250.0, rel=1e-9)
    assert "at the measured 100% parallel efficiency" in " ".join(verdict_sentences(verdict))
    assert "10 dask workers" in " ".join(verdict_sentences(verdict))


def test_the_budget_is_compared_with_the_estimated_search_time() -> None:
    assert _verdict(time_budget_s=250.0 * (1 + 1e-9)).route == "none"
    assert _verdict(time_budget_s=250.0 * (1 - 1e-9)).route == "parallel"
    assert _verdict(time_budget_s=500.0 * (1 + 1e-9), parallel=PARALLEL).route == "none"
    assert _verdict(time_budget_s=500.0 * (1 - 1e-9), parallel=PARALLEL).route == "parallel"


def test_a_single_fit_over_budget_cannot_be_parallelised_away() -> None:
    for has_partial_fit in (False, True):
        verdict = _verdict(time_budget_s=5.0, has_partial_fit=has_partial_fit)
        assert verdict.route == "parallel"
        assert verdict.workers_needed is None
        text = _check_sentences(verdict)
        assert "even one worker per fit cannot bring it under" in text
        assert "one fit alone takes about 10 s" in text
        assert "dask workers would" not in text
        assert ("Hyperband" in text) == has_partial_fit


def test_a_small_problem_needs_no_scaling() -> None:
    verdict = _verdict(fits_in_search=2, cores=8)  # only 2 of the 8 cores are usable
    assert not verdict.needs_scaling
    assert verdict.route == "none"
    assert verdict.estimated_search_time_s == pytest.approx(10.0, rel=1e-9)
    text = _check_sentences(verdict)
    assert "On 8 cores the search's 2 fits take about 10 s, within the 1 h budget" in text
    assert "training does not need to scale" in text
    assert "far outside" not in text


def test_one_core_runs_the_fits_one_after_another_whatever_the_efficiency() -> None:
    verdict = _verdict(cores=1, parallel=PARALLEL)
    assert verdict.estimated_search_time_s == pytest.approx(1000.0, rel=1e-9)
    assert "On 1 core the search's 100 fits take about 17 min" in " ".join(
        verdict_sentences(verdict)
    )


def test_without_a_memory_fit_only_time_decides() -> None:
    verdict = _verdict(memory_fit=None, memory_bytes=1)
    assert verdict.route == "none"
    assert math.isnan(verdict.estimated_peak_memory_bytes)
    assert all(math.isnan(v) for v in verdict.memory_interval_bytes)
    assert len(verdict_sentences(verdict)) == 2
    assert "memory not measured" in verdict_sentences(verdict)[1]
    assert _verdict(memory_fit=None, time_budget_s=1.0).route == "parallel"


def test_sentences_state_the_exponents_with_their_intervals() -> None:
    time_fit = _fit(3e-6, 1.3)
    verdict = _verdict(time_fit=time_fit)
    first, second = verdict_sentences(verdict)[:2]
    low, high = time_fit.exponent_interval
    assert first.startswith(
        f"Fit time grows as rows^{time_fit.exponent:.2f} (95% interval {low:.2f}\u2013{high:.2f})"
    )
    assert "rows^1.29 (95% interval 1.27\u20131.31)" in first  # the fit of seed 1, rounded
    assert "one fit at 100,000 rows takes about" in first
    low, high = MEMORY.exponent_interval
    assert second.startswith(
        f"Peak memory grows as rows^{MEMORY.exponent:.2f} (95% interval {low:.2f}\u2013{high:.2f})"
    )
    assert verdict.fit_time_interval_s == time_fit.prediction_interval(100_000)


def test_two_point_fits_say_there_is_no_interval() -> None:
    two_points = fit_power_law([1000, 10000], [0.1, 1.0])
    verdict = _verdict(time_fit=two_points, memory_fit=None)
    assert "rows^1.00 (from two measurements, no interval)" in verdict_sentences(verdict)[0]
    assert "prediction interval" not in verdict_sentences(verdict)[0]
    assert all(math.isnan(v) for v in verdict.fit_time_interval_s)


def test_far_extrapolation_is_flagged() -> None:
    far = _verdict(target_rows=1_600_000)  # largest measured size: 16,000 rows
    assert far.far_extrapolation and far.largest_measured_rows == 16_000
    assert not _verdict(target_rows=1_599_999).far_extrapolation
    text = _check_sentences(far)
    assert verdict_sentences(far)[-1] == (
        "1,600,000 rows is 100 times the largest measured size (16,000 rows), far outside "
        "the measured range: treat these estimates as rough."
    )  # 100 times, the default target, counts as far
    assert "far outside" not in " ".join(verdict_sentences(_verdict(target_rows=1_599_999)))
    assert "far outside" in text


def test_the_largest_size_of_the_shorter_measured_range_is_the_reference() -> None:
    short_memory = fit_power_law([1000, 2000, 4000], [2e7, 4e7, 8e7])
    verdict = _verdict(target_rows=400_001, memory_fit=short_memory)
    assert verdict.largest_measured_rows == 4000
    assert "the largest measured size (4,000 rows), far outside" in verdict_sentences(verdict)[-1]


def test_the_verdict_is_deterministic() -> None:
    options = {"time_budget_s": 100.0, "parallel": PARALLEL, "target_rows": 10**7}
    assert _verdict(**options) == _verdict(**options)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("target_rows", 0),
        ("fits_in_search", 0),
        ("cores", -1),
        ("memory_bytes", 0),
        ("time_budget_s", 0.0),
        ("time_budget_s", math.nan),
    ],
)
def test_non_positive_options_are_an_error(option: str, value: float) -> None:
    message = NOT_POSITIVE.format(name=option, value=value)
    with pytest.raises(ValueError, match=re.escape(message)):
        _verdict(**{option: value})


@pytest.mark.parametrize("share", [0.0, -0.5, 1.5])
def test_a_memory_share_outside_zero_and_one_is_an_error(share: float) -> None:
    with pytest.raises(ValueError, match=re.escape(MEMORY_SHARE_OUT_OF_RANGE.format(value=share))):
        _verdict(memory_share=share)


# --- units and worker counts ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.0042, "4.2 ms"),
        (0.5, "500 ms"),
        (1.0, "1 s"),
        (4.24, "4.2 s"),
        (42.4, "42 s"),
        (59.4, "59 s"),
        (59.6, "60 s"),
        (60.0, "1 min"),
        (150.0, "2.5 min"),
        (3599.0, "60 min"),
        (3600.0, "1 h"),
        (9000.0, "2.5 h"),
        (360_000.0, "100 h"),
        (3_600_000.0, "1,000 h"),
    ],
)
def test_durations_in_human_units(seconds: float, text: str) -> None:
    assert duration(seconds) == text


@pytest.mark.parametrize(
    ("n_bytes", "text"),
    [
        (512, "512 bytes"),
        (1536, "1.5 KB"),
        (200 * 2**20, "200 MB"),
        (1.5 * GIB, "1.5 GB"),
        (16 * GIB, "16 GB"),
        (1023.9 * GIB, "1,024 GB"),
        (1024 * GIB, "1 TB"),
        (2048 * GIB, "2 TB"),
    ],
)
def test_sizes_in_human_units(n_bytes: float, text: str) -> None:
    assert memory_size(n_bytes) == text


@pytest.mark.parametrize(
    ("fit_time", "fits", "budget", "efficiency", "workers"),
    [
        (10.0, 100, 100.0, None, 10),
        (10.0, 100, 100.0, 0.5, 20),
        (10.0, 100, 99.0, None, 11),
        (10.0, 100, 1000.0, None, 1),
        (10.0, 100, 10.0, None, 100),
        (10.0, 100, 9.9, None, None),  # one fit alone is over budget
        (10.0, 100, 15.0, 0.5, None),  # 10 s at 50% is 20 s per fit
    ],
)
def test_workers_needed(
    fit_time: float, fits: int, budget: float, efficiency: float | None, workers: int | None
) -> None:
    assert _workers_needed(fit_time, fits, budget, efficiency) == workers
