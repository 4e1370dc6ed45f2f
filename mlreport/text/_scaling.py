"""A scaling verdict in sentences, and the name of each scaling route."""

from __future__ import annotations

import math
from collections.abc import Callable

from mlreport.analysis import ModelScaling, PowerLawFit, Route, ScalingVerdict
from mlreport.text._numbers import DASH, duration, memory_size

#: How the scaling table names each route.
ROUTE_LABELS: dict[Route, str] = {
    "none": "no scaling needed",
    "parallel": "parallel search on more workers",
    "incremental": "incremental (partial_fit) search out of core",
    "bigger-machine": "more memory (no partial_fit)",
}


def route_label(route: Route) -> str:
    """The scaling route in a few words, for a table cell."""
    return ROUTE_LABELS[route]


def scaling_sentences(scaling: ModelScaling) -> tuple[str, ...]:
    """A model's scaling verdict in sentences, or why there is none; a step that failed
    after the fits is said last."""
    if scaling.verdict is None:
        return (f"No verdict: {scaling.problem}.",)
    sentences = verdict_sentences(scaling.verdict)
    if scaling.problem:  # fits measured, then a later step failed
        return (*sentences, f"Then {scaling.problem}.")
    return sentences


def verdict_sentences(verdict: ScalingVerdict) -> tuple[str, ...]:
    """Two to four plain sentences: how fit time (and peak memory) grow, what the target
    size takes, whether and how to scale, and a warning when extrapolating far."""
    rows = f"{verdict.target_rows:,} rows"
    level = verdict.level
    sentences = [
        f"Fit time grows as {_growth(verdict.time_fit, level)}; one fit at {rows} takes about "
        f"{duration(verdict.estimated_fit_time_s)}"
        f"{_range(verdict.fit_time_interval_s, duration, level)}."
    ]
    if verdict.memory_fit is not None:
        sentences.append(
            f"Peak memory grows as {_growth(verdict.memory_fit, level)}; at {rows} it reaches "
            f"about {memory_size(verdict.estimated_peak_memory_bytes)}"
            f"{_range(verdict.memory_interval_bytes, memory_size, level)}."
        )
    sentences.append(_route_sentence(verdict))
    if verdict.far_extrapolation:
        measured = verdict.largest_measured_rows
        sentences.append(
            f"{rows} is {verdict.target_rows / measured:,.0f} times the largest measured "
            f"size ({measured:,.0f} rows), far outside the measured range: treat these "
            "estimates as rough."
        )
    return tuple(sentences)


def _route_sentence(verdict: ScalingVerdict) -> str:
    share = (
        f"{verdict.memory_share:.0%} of this machine's {memory_size(verdict.memory_bytes)} of RAM"
    )
    if verdict.route == "incremental":
        return (
            f"That is more than {share}, and the estimator has partial_fit: train out of "
            "core, with partial_fit on blocks of rows and an incremental (Hyperband) search."
        )
    if verdict.route == "bigger-machine":
        return (
            f"That is more than {share}, and the estimator has no partial_fit: use a "
            "machine with more memory, or an estimator that supports partial_fit."
        )
    if verdict.route == "parallel":
        return _parallel_sentence(verdict)
    memory_note = "memory not measured" if verdict.memory_fit is None else f"one fit within {share}"
    return (
        f"On {_cores(verdict.cores)} the search's {_fits_take(verdict.fits_in_search)} "
        f"about {duration(verdict.estimated_search_time_s)}, within the "
        f"{duration(verdict.time_budget_s)} budget ({memory_note}): training does not need "
        "to scale."
    )


def _parallel_sentence(verdict: ScalingVerdict) -> str:
    efficiency = verdict.parallel_efficiency
    at = "" if efficiency is None else f" at the measured {efficiency:.0%} parallel efficiency"
    start = (
        f"On {_cores(verdict.cores)} the search's {_fits_take(verdict.fits_in_search)} about "
        f"{duration(verdict.estimated_search_time_s)}{at}, over the "
        f"{duration(verdict.time_budget_s)} budget"
    )
    workers = verdict.workers_needed
    if workers is None:
        alternative = (
            "an incremental (Hyperband) search with partial_fit, fewer candidates or fewer rows"
            if verdict.has_partial_fit
            else "fewer candidates or fewer rows"
        )
        return (
            f"{start}, and even one worker per fit cannot bring it under, as one fit alone "
            f"takes about {duration(verdict.estimated_fit_time_s)}: use {alternative}."
        )
    assumption = (
        "assuming ideal parallel efficiency (none measured)"
        if efficiency is None
        else "assuming the same efficiency"
    )
    return f"{start}: {workers:,} dask workers would bring it within budget, {assumption}."


def _growth(fit: PowerLawFit, level: float) -> str:
    """E.g. 'rows^1.08 (95% interval 0.95-1.21)', with an en dash."""
    low, high = fit.exponent_interval
    if math.isnan(low):
        return f"rows^{fit.exponent:.2f} (from two measurements, no interval)"
    return f"rows^{fit.exponent:.2f} ({level:.0%} interval {low:.2f}{DASH}{high:.2f})"


def _range(interval: tuple[float, float], unit: Callable[[float], str], level: float) -> str:
    low, high = interval
    if math.isnan(low) or math.isnan(high):
        return ""
    return f" ({level:.0%} prediction interval {unit(low)}{DASH}{unit(high)})"


def _cores(cores: int) -> str:
    return "1 core" if cores == 1 else f"{cores:,} cores"


def _fits_take(fits: int) -> str:
    return "1 fit takes" if fits == 1 else f"{fits:,} fits take"
