"""Fairness page models: a report per best model, and fairness against performance."""

from __future__ import annotations

import math

from mlreport.analysis import (
    Disparity,
    ExperimentResult,
    FairnessReport,
    ModelFairness,
    ThresholdOutcome,
    ThresholdResult,
    threshold_outcomes,
    worst_outcomes,
)
from mlreport.site._charts import (
    fairness_tradeoff_chart,
    group_confusion_chart,
    group_metrics_chart,
)
from mlreport.site._links import (
    HOME_PATH,
    experiment_path,
    fairness_overview_path,
    fairness_path,
    model_path,
    relative_url,
)
from mlreport.site._models import (
    Cell,
    Column,
    FairnessOverviewPage,
    FairnessPage,
    FairnessSection,
    Table,
)
from mlreport.site._registry import ExperimentContext
from mlreport.text import (
    METRIC_LABELS,
    THRESHOLD_LABELS,
    describe_outcome,
    fairness_findings,
    group_label,
    grouping_label,
    model_rows,
    threshold_verdict,
)
from mlreport.text import display as fmt

TOO_SMALL = "too small to judge"


def fairness_kind_pages(context: ExperimentContext) -> list[FairnessPage]:
    """A fairness report per best model with sensitive features."""
    return [
        fairness_page(context.result, f, has_model_page=f.model in context.evaluations)
        for f in context.fairness
    ]


def fairness_overview_kind_pages(context: ExperimentContext) -> list[FairnessOverviewPage]:
    fairness = list(context.fairness)
    return [fairness_overview_page(context.result, fairness)] if fairness else []


def fairness_page(
    result: ExperimentResult, fairness: ModelFairness, *, has_model_page: bool
) -> FairnessPage:
    """A best model's fairness report: per grouping, thresholds, group metrics with
    intervals, disparities, confusion counts per group, and the findings as sentences."""
    path = fairness_path(result.name, fairness.model)
    links = {
        "experiment": relative_url(path, experiment_path(result.name)),
        "overview": relative_url(path, fairness_overview_path(result.name)),
    }
    if has_model_page:
        links["model"] = relative_url(path, model_path(result.name, fairness.model))
    model = next((m for m in result.models if m.name == fairness.model), None)
    return _fairness_page(
        fairness,
        path=path,
        title=f"{result.name} · {fairness.model} · fairness",
        intro=f"How the best {fairness.model} treats groups of the sensitive features, "
        "on its test predictions.",
        links=links,
        rows_note=model_rows(model) if model is not None else "",
    )


def standalone_fairness_page(
    fairness: ModelFairness, *, source: str, rows_note: str = ""
) -> FairnessPage:
    """The fairness report of predictions made elsewhere, as the home page of its own site;
    ``rows_note`` (the file's rows and those dropped) replaces the count of rows reported."""
    return _fairness_page(
        fairness,
        path=HOME_PATH,
        title=f"{fairness.model} · fairness",
        intro=f"How the model behind {source} treats groups of the sensitive features.",
        links={},
        rows_note=rows_note,
    )


def _fairness_page(
    fairness: ModelFairness,
    *,
    path: str,
    title: str,
    intro: str,
    links: dict[str, str],
    rows_note: str = "",
) -> FairnessPage:
    first = fairness.reports[0] if fairness.reports else None
    facts: tuple[tuple[str, str], ...] = ()
    if first is not None:
        facts = (
            ("Rows", rows_note or f"{sum(row.size for row in first.groups):,}"),
            ("Positive class", first.positive if first.positive is not None else fmt.MISSING),
            ("Smallest group judged", f"{first.min_group_size} rows"),
            ("Intervals", f"{first.level * 100:g}% bootstrap"),
        )
    return FairnessPage(
        path=path,
        title=title,
        intro=intro + " Group metrics and disparities come from fairlearn's MetricFrame; "
        "intervals resample rows within each group.",
        links=links,
        facts=facts,
        notes={"error": fairness.error} if fairness.error else {},
        sections=tuple(
            _section(report, number) for number, report in enumerate(fairness.reports, start=1)
        ),
    )


def _section(report: FairnessReport, number: int) -> FairnessSection:
    return FairnessSection(
        heading=f"By {grouping_label(report.features)}",
        sentences=fairness_findings(report),
        thresholds=_threshold_table(report, number),
        groups=_group_table(report, number),
        disparities=_disparity_table(report, number),
        confusion=_confusion_table(report, number) if report.task == "classification" else None,
        chart=group_metrics_chart(report, chart_id=f"chart-groups-{number}"),
        confusion_chart=group_confusion_chart(report, chart_id=f"chart-confusion-{number}"),
    )


def _threshold_table(report: FairnessReport, number: int) -> Table:
    return Table(
        table_id=f"thresholds-{number}",
        columns=(
            Column("Threshold"),
            Column("Value", numeric=True),
            Column(f"{report.level * 100:g}% interval"),
            Column("Bound"),
            Column("Result"),
        ),
        rows=tuple(
            (
                Cell(THRESHOLD_LABELS[result.threshold.metric]),
                _value_cell(result.value),
                Cell(_interval(result.interval)),
                Cell(_bound(result)),
                Cell(threshold_verdict(result)),
            )
            for result in report.thresholds
        ),
        empty_text="No threshold applies (thresholds need a classifier, or none is configured).",
    )


def _group_table(report: FairnessReport, number: int) -> Table:
    metrics = tuple(report.groups[0].metrics) if report.groups else ()
    return Table(
        table_id=f"groups-{number}",
        columns=(
            *(Column(feature) for feature in report.features),
            Column("Rows", numeric=True),
            *(Column(METRIC_LABELS[m], numeric=True) for m in metrics),
        ),
        rows=tuple(
            (
                *(Cell(value) for value in row.group),
                Cell(
                    f"{row.size:,} · {TOO_SMALL}" if row.too_small else f"{row.size:,}",
                    sort=str(row.size),
                    tooltip=f"fewer than {report.min_group_size} rows: shown, not compared"
                    if row.too_small
                    else None,
                ),
                *(_estimate_cell(row.metrics[m], row.intervals[m]) for m in metrics),
            )
            for row in report.groups
        ),
    )


def _disparity_table(report: FairnessReport, number: int) -> Table:
    return Table(
        table_id=f"disparities-{number}",
        columns=(
            Column("Metric"),
            Column("Lowest group"),
            Column("Highest group"),
            Column("Difference", numeric=True),
            Column("Ratio", numeric=True),
            Column("Worst for"),
        ),
        rows=tuple(_disparity_row(report, d) for d in report.disparities),
        empty_text="Fewer than two groups are large enough to compare.",
    )


def _disparity_row(report: FairnessReport, disparity: Disparity) -> tuple[Cell, ...]:
    def named(group: tuple[str, ...] | None, value: float) -> Cell:
        if group is None:
            return Cell(fmt.MISSING)
        return Cell(f"{group_label(report.features, group)}: {fmt.score(value, 3)}")

    return (
        Cell(METRIC_LABELS[disparity.metric]),
        named(disparity.lowest_group, disparity.lowest),
        named(disparity.highest_group, disparity.highest),
        _estimate_cell(disparity.difference, disparity.difference_interval),
        _estimate_cell(disparity.ratio, disparity.ratio_interval),
        Cell(
            group_label(report.features, disparity.worst_group)
            if disparity.worst_group is not None
            else fmt.MISSING
        ),
    )


def _confusion_table(report: FairnessReport, number: int) -> Table:
    positive = report.positive or "positive"
    return Table(
        table_id=f"confusion-{number}",
        columns=(
            *(Column(feature) for feature in report.features),
            Column("True negatives", numeric=True),
            Column("False positives", numeric=True),
            Column("False negatives", numeric=True),
            Column("True positives", numeric=True),
        ),
        rows=tuple(
            (
                *(Cell(value) for value in row.group),
                *(
                    Cell(f"{count:,}", sort=str(count))
                    for pair in row.confusion or ((0, 0), (0, 0))
                    for count in pair
                ),
            )
            for row in report.groups
        ),
        empty_text=f"No confusion counts ({positive} against the rest).",
    )


def fairness_overview_page(
    result: ExperimentResult, models: list[ModelFairness]
) -> FairnessOverviewPage:
    """Fairness against performance across an experiment's best models: each threshold
    measure's worst value over the groupings against the primary test score."""
    path = fairness_overview_path(result.name)
    measures = list(dict.fromkeys(m for f in models for m in worst_outcomes(f)))
    rows = []
    for fairness in models:
        worst = worst_outcomes(fairness)
        failed = [o for o in threshold_outcomes(fairness) if o.result.passed is False]
        rows.append(
            (
                Cell(
                    fairness.model,
                    href=relative_url(path, fairness_path(result.name, fairness.model)),
                ),
                _value_cell(fairness.primary_score, digits=4),
                *(_worst_cell(worst.get(metric)) for metric in measures),
                Cell(
                    fairness.error
                    or (
                        f"{len(failed)} of {len(threshold_outcomes(fairness))} failed"
                        if failed
                        else "pass"
                        if worst
                        else "cannot be judged"
                    )
                ),
            )
        )
    table = Table(
        table_id="fairness-overview",
        columns=(
            Column("Model"),
            Column(f"Test {result.primary_metric}", numeric=True),
            *(Column(f"{THRESHOLD_LABELS[m]} (worst)", numeric=True) for m in measures),
            Column("Thresholds"),
        ),
        rows=tuple(rows),
    )
    charts = {
        metric: fairness_tradeoff_chart(
            models,
            metric=metric,
            primary_metric=result.primary_metric,
            chart_id=f"chart-tradeoff-{number}",
        )
        for number, metric in enumerate(measures, start=1)
    }
    return FairnessOverviewPage(
        path=path,
        title=f"{result.name} · fairness",
        intro="Fairness against performance: each best model's test score of the primary "
        "metric against its worst disparity over the groupings of the sensitive features.",
        tables={"overview": table},
        charts={THRESHOLD_LABELS[m]: c for m, c in charts.items() if c is not None},
        links={"experiment": relative_url(path, experiment_path(result.name))},
    )


def _worst_cell(outcome: ThresholdOutcome | None) -> Cell:
    if outcome is None:
        return Cell(fmt.MISSING, sort="")
    result = outcome.result
    return Cell(
        f"{fmt.score(result.value, 3)} by {grouping_label(outcome.features)}: "
        + threshold_verdict(result),
        sort=fmt.sort_value(result.value),
        tooltip=describe_outcome(outcome),
    )


def _value_cell(value: float, digits: int = 3) -> Cell:
    return Cell(fmt.score(value, digits), sort=fmt.sort_value(value))


def _estimate_cell(value: float, interval: tuple[float, float]) -> Cell:
    text = fmt.score(value, 3)
    if math.isfinite(value) and all(math.isfinite(v) for v in interval):
        text += f" ({_interval(interval)})"
    return Cell(text, sort=fmt.sort_value(value))


def _interval(interval: tuple[float, float]) -> str:
    low, high = interval
    if not (math.isfinite(low) and math.isfinite(high)):
        return fmt.MISSING
    return f"{low:.3f}\u2013{high:.3f}"


def _bound(result: ThresholdResult) -> str:
    sign = "\u2265" if result.threshold.kind == "min" else "\u2264"
    return f"{sign} {result.threshold.bound:g}"
