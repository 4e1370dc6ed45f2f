"""The findings of a fairness report, threshold verdicts and threshold outcomes in words."""

from __future__ import annotations

import math

from mlreport.analysis import Disparity, FairnessReport, ThresholdOutcome, ThresholdResult
from mlreport.text._labels import (
    METRIC_LABELS,
    THRESHOLD_LABELS,
    UNDEFINED_BECAUSE,
    capital,
    group_label,
    grouping_label,
    join_and,
)
from mlreport.text._numbers import estimate, format_number
from mlreport.text.display import against


def fairness_findings(report: FairnessReport) -> tuple[str, ...]:
    """Plain sentences stating the report's numbers: groups, ranges, undefined values,
    thresholds, and what was left out."""
    percent = _percent(report.level)
    out = [_grouping_sentence(report)]
    small = [row for row in report.groups if row.too_small]
    if small:
        names = ", ".join(f"{group_label(report.features, r.group)} ({r.size} rows)" for r in small)
        out.append(
            f"Too small to judge (fewer than {report.min_group_size} rows), shown but left out "
            f"of the comparisons: {names}."
        )
    if report.judged_groups < 2:
        out.append(
            f"Fewer than two groups have at least {report.min_group_size} rows: nothing to compare."
        )
    for disparity in report.disparities:
        out.extend(_disparity_sentences(report, disparity, percent))
    out.extend(_threshold_sentence(result, percent) for result in report.thresholds)
    if report.skipped_thresholds:
        names = join_and([THRESHOLD_LABELS[t.metric] for t in report.skipped_thresholds])
        out.append(f"Thresholds on {names} need a classifier: not checked.")
    if report.unscored_metrics:
        names = join_and([METRIC_LABELS[m] for m in report.unscored_metrics])
        out.append(f"{capital(names)} needs a score for the positive class: not shown.")
    return tuple(out)


def threshold_verdict(result: ThresholdResult) -> str:
    """``pass``, ``fail`` or ``cannot be judged``, and whether the interval crosses the bound."""
    if result.passed is None:
        return "cannot be judged"
    text = "pass" if result.passed else "fail"
    return text if result.conclusive else text + " (interval crosses the bound)"


def undefined_reason(result: ThresholdResult) -> str:
    """Why a threshold cannot be judged ("" when it can)."""
    if result.undefined_reason is None:
        return ""
    if result.undefined_reason == "too-few-groups":
        return "fewer than two groups large enough have a defined value"
    zero = join_and([METRIC_LABELS[m] for m in result.zero_metrics])
    return f"the {zero or 'rate'} is 0 in every group, so the ratio is undefined"


def describe_outcome(outcome: ThresholdOutcome) -> str:
    """One line naming the measure, its value (with the digits that tell it from the
    bound), the bound and the two end groups."""
    threshold = outcome.result.threshold
    side = "minimum" if threshold.kind == "min" else "maximum"
    value = outcome.result.value
    shown = against(value, threshold.bound) if math.isfinite(value) else format_number(value)
    text = (
        f"{THRESHOLD_LABELS[threshold.metric]} by {grouping_label(outcome.features)} is "
        f"{shown} ({side} {threshold.bound:g})"
    )
    deciding = outcome.deciding
    if deciding is not None and deciding.lowest_group and deciding.highest_group:
        text += (
            f": {METRIC_LABELS[deciding.metric]} {format_number(deciding.lowest)} for "
            f"{group_label(outcome.features, deciding.lowest_group)}, "
            f"{format_number(deciding.highest)} for "
            f"{group_label(outcome.features, deciding.highest_group)}"
        )
    return text


def _percent(level: float) -> str:
    return f"{level * 100:g}%"


def _grouping_sentence(report: FairnessReport) -> str:
    features = report.features
    crossed = features[0] if len(features) == 1 else "the intersections of " + join_and(features)
    positive = report.positive
    return f"Groups by {crossed}" + (
        f", with {positive!r} as the positive class." if positive is not None else "."
    )


def _disparity_sentences(report: FairnessReport, disparity: Disparity, percent: str) -> list[str]:
    """Where the metric is undefined, and its range over the groups compared."""
    features = report.features
    label = capital(METRIC_LABELS[disparity.metric])
    out = []
    undefined = [
        group_label(features, row.group)
        for row in report.groups
        if disparity.metric in row.metrics and math.isnan(row.metrics[disparity.metric])
    ]
    if undefined:
        reason = UNDEFINED_BECAUSE.get(disparity.metric, "no value")
        out.append(f"{label} is undefined for {', '.join(undefined)} ({reason}).")
    if report.judged_groups < 2:
        return out
    if disparity.lowest_group is None or disparity.highest_group is None:
        out.append(f"{label} is defined for fewer than two groups: not compared.")
        return out
    text = (
        f"{label} ranges from {format_number(disparity.lowest)} "
        f"({group_label(features, disparity.lowest_group)}) to "
        f"{format_number(disparity.highest)} "
        f"({group_label(features, disparity.highest_group)}): a difference of "
        f"{estimate(disparity.difference, disparity.difference_interval, percent)}"
    )
    if math.isfinite(disparity.ratio):
        text += f" and a ratio of {estimate(disparity.ratio, disparity.ratio_interval, percent)}"
    if disparity.worst_group is not None:
        text += f"; worst for {group_label(features, disparity.worst_group)}"
    return [*out, text + "."]


def _threshold_sentence(result: ThresholdResult, percent: str) -> str:
    threshold = result.threshold
    label = capital(THRESHOLD_LABELS[threshold.metric])
    if result.passed is None:
        return f"{label} cannot be judged: {undefined_reason(result)}."
    bound = f"{threshold.bound:g}"
    if threshold.metric == "demographic_parity_ratio" and threshold.bound == 0.8:
        limit = f"the {bound} of the four-fifths rule"
    else:
        limit = f"the {'minimum' if threshold.kind == 'min' else 'maximum'} of {bound}"
    if threshold.kind == "min":
        relation = "at or above" if result.passed else "below"
    else:
        relation = "at or below" if result.passed else "above"
    verdict = "passes" if result.passed else "fails"
    text = (
        f"{label} is {estimate(result.value, result.interval, percent)}, "
        f"{relation} {limit}: {verdict}"
    )
    if not result.conclusive and math.isfinite(result.interval[0]):
        text += f", though its {percent} interval reaches across the bound"
    return text + "."
