"""Plotly figures for the pages, as JSON (rendered client-side by the shared plotly.js)."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from mlreport.analysis import (
    BinaryCurves,
    ConfusionSummary,
    ExperimentResult,
    ExperimentTrend,
    FairnessReport,
    ModelFairness,
    ModelHyperparameters,
    ModelScaling,
    ParamAxis,
    RegressionSummary,
    spread,
    worst_outcomes,
)
from mlreport.site._models import Chart, embeddable_json
from mlreport.text import METRIC_LABELS, THRESHOLD_LABELS, grouping_label
from mlreport.text import display as fmt


def score_vs_fit_time(result: ExperimentResult, *, chart_id: str) -> Chart | None:
    """Each trial's mean CV score of the primary metric against its mean fit time."""
    figure = _figure()
    for model in result.models:
        points = [(t.fit_time_s, t.score(result.primary_metric), t) for t in model.trials]
        points = [(x, y, t) for x, y, t in points if math.isfinite(x) and math.isfinite(y)]
        if not points:
            continue
        figure.add_trace(
            go.Scatter(
                x=[x for x, _, _ in points],
                y=[y for _, y, _ in points],
                mode="markers",
                name=html.escape(model.name),
                text=[html.escape(fmt.params(t.params)[:300]) for _, _, t in points],
                hovertemplate="%{text}<br>score %{y:.4f}<br>fit %{x:.3g} s<extra></extra>",
            )
        )
    figure.update_layout(xaxis_type="log", legend_title_text="model")
    return _chart(
        figure,
        chart_id=chart_id,
        x_title="fit time (s): mean per CV fold, or all partial_fit calls",
        y_title=f"{html.escape(result.primary_metric)} (CV mean or validation)",
        caption="Each point is one candidate of the search; hover for its parameters.",
    )


def score_by_calls(result: ExperimentResult, *, chart_id: str) -> Chart | None:
    """Each incremental trial's validation score against its partial_fit calls."""
    figure = _figure()
    for number, model in enumerate(m for m in result.models if m.incremental):
        colour = _COLOURS[number % len(_COLOURS)]
        for position, trial in enumerate(t for t in model.trials if t.history):
            figure.add_trace(
                go.Scatter(
                    x=[step for step, _, _ in trial.history],
                    y=[value for _, value, _ in trial.history],
                    mode="lines+markers",
                    line={"color": colour, "width": 1},
                    marker={"size": 4},
                    opacity=0.6,
                    name=html.escape(model.name),
                    legendgroup=html.escape(model.name),
                    showlegend=position == 0,
                    text=html.escape(fmt.params(trial.params)[:300]),
                    hovertemplate="%{text}<br>calls %{x}<br>score %{y:.4f}<extra></extra>",
                )
            )
    return _chart(
        figure,
        chart_id=chart_id,
        x_title="partial_fit calls",
        y_title=f"validation {html.escape(result.primary_metric)}",
        caption="One line per trial: its validation score each time it was scored. "
        "Lines that stop early are candidates the search dropped.",
    )


_COLOURS = ("#636efa", "#ef553b", "#00cc96", "#ab63fa", "#ffa15a", "#19d3f3", "#ff6692")


#: The plotly template of every chart. It is not written into each figure: the site ships
#: it once (``assets/mlreport-plotly-template.js``) and ``mlreport.js`` applies it.
TEMPLATE = "plotly_white"


def _figure(data: Any = None) -> go.Figure:
    """A figure without plotly's default template (applying one to each figure costs more
    than drawing it, and would repeat the template in every chart's JSON)."""
    return go.Figure(data=data, layout={"template": {}})


def _values(numbers: Sequence[float]) -> np.ndarray:
    """A long series as an array: plotly checks it at once and writes it as a typed array
    (base64), where a list is checked and written number by number."""
    return np.asarray(numbers, dtype=float)


def plotly_template_script() -> str:
    """The shared chart template, as the site's ``assets/mlreport-plotly-template.js``."""
    template = pio.json.to_json_plotly(pio.templates[TEMPLATE].to_plotly_json())
    return f"window.mlreportPlotlyTemplate = {template};\n"


def _trace(kind: str = "scatter", **settings: Any) -> dict[str, Any]:
    """A trace as plotly's JSON has it, built without plotly's checks (which cost more
    than the whole of a small chart's other work)."""
    return {"type": kind, **settings}


def _raw_figure(data: Any) -> dict[str, Any]:
    """A figure as a plain dict: ``data`` a trace or a list of traces from ``_trace``."""
    return {"data": data if isinstance(data, list) else [data], "layout": {}}


def _chart(
    figure: go.Figure | dict[str, Any],
    *,
    chart_id: str,
    x_title: str,
    y_title: str,
    caption: str,
    height: int = 380,
    layout: dict[str, Any] | None = None,
) -> Chart | None:
    """The figure with mlreport's layout (and ``layout`` over it), serialised; None when
    it has no trace."""
    if isinstance(figure, dict):
        if not figure["data"]:
            return None
        data = figure
    else:
        if not figure.data:
            return None
        # merged into the figure's dict: plotly's update_layout would check and copy it all
        data = figure.to_dict()
    _merge(
        data.setdefault("layout", {}),
        {
            "xaxis": {"title": {"text": x_title}},
            "yaxis": {"title": {"text": y_title}},
            "margin": {"l": 60, "r": 20, "t": 20, "b": 50},
            "height": height,
        },
    )
    _merge(data["layout"], layout or {})
    return Chart(
        chart_id=chart_id,
        figure_json=embeddable_json(pio.to_json(data, validate=False, pretty=False)),
        caption=caption,
        height=int(data["layout"].get("height", height)),
    )


def _merge(target: dict[str, Any], extra: dict[str, Any]) -> None:
    """Set ``extra``'s values in ``target``, merging nested dicts as update_layout does."""
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


#: The confusion matrix's views: the button label, and what each cell shows.
CONFUSION_VIEWS = ("counts", "normalised by true class", "normalised by predicted class")


def confusion_heatmap(summary: ConfusionSummary, *, chart_id: str) -> Chart:
    """The confusion matrix as a heatmap with a switch between counts and both
    normalisations; hovering a cell shows its count and both percentages."""
    labels = [html.escape(label) for label in summary.labels]
    views = (summary.counts, summary.by_true_class, summary.by_predicted_class)
    hover = [
        [
            f"true {labels[i]}, predicted {labels[j]}: {summary.counts[i][j]}"
            f" ({fmt.percent(summary.by_true_class[i][j])} of true {labels[i]},"
            f" {fmt.percent(summary.by_predicted_class[i][j])} of predicted {labels[j]})"
            for j in range(len(labels))
        ]
        for i in range(len(labels))
    ]
    cell_text = (
        [[str(count) for count in row] for row in summary.counts],
        [[fmt.percent(share) for share in row] for row in summary.by_true_class],
        [[fmt.percent(share) for share in row] for row in summary.by_predicted_class],
    )
    figure = _figure(
        go.Heatmap(
            z=[list(row) for row in views[0]],
            x=labels,
            y=labels,
            text=cell_text[0],
            texttemplate="%{text}",
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            colorscale="Blues",
        )
    )
    figure.update_layout(
        updatemenus=[
            {
                "type": "buttons",
                "direction": "right",
                "x": 0,
                "y": 1.15,
                "xanchor": "left",
                "buttons": [
                    {
                        "label": label,
                        "method": "restyle",
                        "args": [{"z": [[list(row) for row in view]], "text": [text]}],
                    }
                    for label, view, text in zip(CONFUSION_VIEWS, views, cell_text, strict=True)
                ],
            }
        ],
        yaxis_autorange="reversed",
        margin={"l": 80, "r": 20, "t": 60, "b": 60},
    )
    chart = _chart(
        figure,
        chart_id=chart_id,
        x_title="predicted class",
        y_title="true class",
        caption="Rows are true classes, columns predicted ones. The buttons switch between "
        "counts and shares of each true or predicted class.",
    )
    assert chart is not None  # the heatmap is a trace
    return chart


def roc_curve_chart(curves: BinaryCurves, *, chart_id: str) -> Chart | None:
    """The ROC curve of the positive class, with the chance diagonal."""
    figure = _figure(
        [
            go.Scatter(
                x=_values(curves.false_positive_rate),
                y=_values(curves.true_positive_rate),
                mode="lines",
                name=f"AUC {fmt.score(curves.roc_auc)}",
                hovertemplate="false positive rate %{x:.3f}<br>true positive rate %{y:.3f}"
                "<extra></extra>",
            ),
            _reference_line([0, 1], [0, 1], name="chance"),
        ]
    )
    return _chart(
        figure,
        chart_id=chart_id,
        x_title="false positive rate",
        y_title="true positive rate",
        caption=f"Positive class {curves.positive}, ranked by its "
        f"{curves.score}: ROC AUC {fmt.score(curves.roc_auc)} on the test split.",
    )


def precision_recall_chart(curves: BinaryCurves, *, chart_id: str) -> Chart | None:
    """The precision-recall curve of the positive class."""
    figure = _figure(
        go.Scatter(
            x=_values(curves.recall),
            y=_values(curves.precision),
            mode="lines",
            line_shape="hv",
            name=f"AP {fmt.score(curves.average_precision)}",
            hovertemplate="recall %{x:.3f}<br>precision %{y:.3f}<extra></extra>",
        )
    )
    return _chart(
        figure,
        chart_id=chart_id,
        x_title="recall",
        y_title="precision",
        caption=f"Positive class {curves.positive}: average precision "
        f"{fmt.score(curves.average_precision)} on the test split.",
    )


#: Most points a scatter plot of test samples carries (evenly spaced over the samples).
MAX_SCATTER_POINTS = 5000


#: The style of lines to read the data against.
_REFERENCE = {"dash": "dot", "color": "#999"}


def _reference_line(x: list[float], y: list[float], *, name: str) -> go.Scatter:
    """A dotted grey line to read the data against (chance, perfect, zero, ideal)."""
    return go.Scatter(x=x, y=y, mode="lines", line=_REFERENCE, name=name, hoverinfo="skip")


def _test_samples(x: list[float], y: list[float], *, hovertemplate: str) -> go.Scatter:
    """One marker per test sample."""
    return go.Scatter(
        x=x,
        y=y,
        mode="markers",
        marker={"size": 5, "opacity": 0.6},
        name="test samples",
        hovertemplate=hovertemplate,
    )


def _thinned(values: tuple[float, ...]) -> list[float]:
    step = max(1, math.ceil(len(values) / MAX_SCATTER_POINTS))
    return list(values[::step])


def _shown(summary: RegressionSummary) -> str:
    shown = len(_thinned(summary.y_true))
    return "" if shown == summary.samples else f" ({shown:,} of {summary.samples:,} shown)"


def predicted_vs_actual_chart(summary: RegressionSummary, *, chart_id: str) -> Chart | None:
    """Each test sample's prediction against its actual value, with the identity line."""
    if summary.samples == 0:
        return None
    actual, predicted = _thinned(summary.y_true), _thinned(summary.y_pred)
    low = min(min(actual), min(predicted))
    high = max(max(actual), max(predicted))
    figure = _figure(
        [
            _test_samples(
                actual,
                predicted,
                hovertemplate="actual %{x:.4g}<br>predicted %{y:.4g}<extra></extra>",
            ),
            _reference_line([low, high], [low, high], name="perfect"),
        ]
    )
    return _chart(
        figure,
        chart_id=chart_id,
        x_title="actual",
        y_title="predicted",
        caption=f"Test samples{_shown(summary)}; on the dotted line a prediction is exact. "
        f"R² {fmt.score(summary.r2)}.",
    )


def residuals_chart(summary: RegressionSummary, *, chart_id: str) -> Chart | None:
    """Residuals (actual - predicted) against the prediction, with the zero line."""
    if summary.samples == 0:
        return None
    predicted, residuals = _thinned(summary.y_pred), _thinned(summary.residuals)
    figure = _figure(
        [
            _test_samples(
                predicted,
                residuals,
                hovertemplate="predicted %{x:.4g}<br>residual %{y:.4g}<extra></extra>",
            ),
            _reference_line([min(predicted), max(predicted)], [0, 0], name="zero"),
        ]
    )
    return _chart(
        figure,
        chart_id=chart_id,
        x_title="predicted",
        y_title="residual (actual - predicted)",
        caption=f"Residuals of the test samples{_shown(summary)}: a pattern or a funnel means "
        f"the errors depend on the prediction. MAE {fmt.score(summary.mean_absolute_error)}, "
        f"RMSE {fmt.score(summary.root_mean_squared_error)}.",
    )


def importance_chart(importance: list[tuple[str, float]], *, chart_id: str) -> Chart | None:
    """Mean |SHAP value| per feature as horizontal bars, the most important on top."""
    if not importance:
        return None
    shown = list(reversed(importance))  # plotly draws the first bar at the bottom
    figure = _figure(
        go.Bar(
            x=[value for _, value in shown],
            y=[html.escape(name) for name, _ in shown],
            orientation="h",
            hovertemplate="%{y}<br>mean |SHAP| %{x:.4g}<extra></extra>",
        )
    )
    figure.update_layout(yaxis={"automargin": True})
    return _chart(
        figure,
        chart_id=chart_id,
        x_title="mean |SHAP value| (average impact on the model output)",
        y_title="",
        height=_rows_height(len(importance)),
        caption="Global importance: how far, on average, each feature moves the model's "
        "output on the explained test rows.",
    )


def beeswarm_chart(
    points: dict[str, list[tuple[str, float, float]]], features: list[str], *, chart_id: str
) -> Chart | None:
    """One dot per (test row, feature): its SHAP value, coloured by the feature's value.

    ``points``: output -> (feature, SHAP value, feature value) for ``features`` (most
    important first). Several outputs (classes) get buttons that switch between them.
    """
    if not features or not points:
        return None
    rows = {name: position for position, name in enumerate(reversed(features))}
    figure = _figure()
    for number, (output, dots) in enumerate(points.items()):
        colours = _per_feature_scale([(feature, value) for feature, _, value in dots])
        jitter = [_jitter(i) for i in range(len(dots))]
        figure.add_trace(
            go.Scatter(
                x=[shap for _, shap, _ in dots],
                y=[
                    rows[feature] + offset
                    for (feature, _, _), offset in zip(dots, jitter, strict=True)
                ],
                mode="markers",
                visible=number == 0,
                name=html.escape(output),
                marker={
                    "size": 5,
                    "color": colours,
                    "colorscale": "Bluered",
                    "cmin": 0,
                    "cmax": 1,
                    "showscale": True,
                    "colorbar": {
                        "title": {"text": "feature value"},
                        "tickvals": [0, 1],
                        "ticktext": ["low", "high"],
                    },
                },
                text=[f"{html.escape(feature)} = {value:.4g}" for feature, _, value in dots],
                hovertemplate="%{text}<br>SHAP %{x:.4g}<extra></extra>",
            )
        )
    figure.update_layout(
        yaxis={
            "tickmode": "array",
            "tickvals": list(rows.values()),
            "ticktext": [html.escape(name) for name in rows],
            "automargin": True,
        },
        showlegend=False,
    )
    if len(points) > 1:
        figure.update_layout(
            updatemenus=[
                {
                    "type": "buttons",
                    "direction": "right",
                    "x": 0,
                    "y": 1.15,
                    "xanchor": "left",
                    "buttons": [
                        {
                            "label": html.escape(output),
                            "method": "restyle",
                            "args": [{"visible": [i == number for i in range(len(points))]}],
                        }
                        for number, output in enumerate(points)
                    ],
                }
            ],
            margin={"t": 60},
        )
    chart = _chart(
        figure,
        chart_id=chart_id,
        x_title="SHAP value (impact on the model output)",
        y_title="",
        height=_rows_height(len(features)) + (40 if len(points) > 1 else 0),
        caption="Each dot is one explained test row: where it sits shows how much that "
        "feature pushed this row's output up or down, its colour the feature's value "
        "(low to high within the feature)."
        + (" The buttons pick the class explained." if len(points) > 1 else ""),
    )
    return chart


def _rows_height(rows: int) -> int:
    """Height of a chart with one row per feature: room for each, 380 px at least."""
    return max(380, 120 + 28 * rows)


def _per_feature_scale(values: list[tuple[str, float]]) -> list[float]:
    """Each value scaled to 0..1 within its feature (0.5 when the feature is constant)."""
    ranges: dict[str, tuple[float, float]] = {}
    for feature, value in values:
        if math.isfinite(value):
            low, high = ranges.get(feature, (value, value))
            ranges[feature] = (min(low, value), max(high, value))
    scaled = []
    for feature, value in values:
        low, high = ranges.get(feature, (0.0, 0.0))
        if not math.isfinite(value) or high == low:
            scaled.append(0.5)
        else:
            scaled.append((value - low) / (high - low))
    return scaled


def _jitter(index: int) -> float:
    """A deterministic vertical offset in [-0.3, 0.3] that spreads a row's dots."""
    return ((index * 0.618033988749895) % 1.0 - 0.5) * 0.6


def scaling_chart(scalings: list[ModelScaling], *, measure: str, chart_id: str) -> Chart | None:
    """Fit time (``measure="time"``) or peak memory (``"memory"``) against training rows,
    log-log: each model's measurements, its fitted power law over the measured sizes, the
    extrapolation to the target (dashed) and the 95% prediction interval there."""
    figure = _figure()
    for number, scaling in enumerate(scalings):
        fit = scaling.time_fit if measure == "time" else scaling.memory_fit
        values = [
            (rows, seconds if measure == "time" else peak) for rows, seconds, peak in scaling.fits
        ]
        values = [(x, y) for x, y in values if math.isfinite(y) and y > 0]
        if not values:
            continue
        colour = _COLOURS[number % len(_COLOURS)]
        name = html.escape(scaling.model)
        unit = "s" if measure == "time" else "bytes"
        figure.add_trace(
            go.Scatter(
                x=[x for x, _ in values],
                y=[y for _, y in values],
                mode="markers",
                marker={"color": colour, "size": 7},
                name=name,
                legendgroup=name,
                hovertemplate=f"{name}<br>%{{x:,}} rows<br>%{{y:.3g}} {unit}<extra></extra>",
            )
        )
        if fit is None:
            continue
        low, high = fit.x_range
        target = float(max(scaling.target_rows, high))
        figure.add_trace(
            go.Scatter(
                x=[low, high],
                y=[fit.predict(low), fit.predict(high)],
                mode="lines",
                line={"color": colour},
                name=f"{name}: rows^{fit.exponent:.2f}",
                legendgroup=name,
                hoverinfo="skip",
            )
        )
        if target > high:
            lower, upper = fit.prediction_interval(target)
            error = (
                {
                    "type": "data",
                    "symmetric": False,
                    # on the target's point only, the second of the dashed line
                    "array": [0, upper - fit.predict(target)],
                    "arrayminus": [0, fit.predict(target) - lower],
                }
                if math.isfinite(lower) and math.isfinite(upper)
                else None
            )
            figure.add_trace(
                go.Scatter(
                    x=[high, target],
                    y=[fit.predict(high), fit.predict(target)],
                    mode="lines+markers",
                    line={"color": colour, "dash": "dash"},
                    marker={"size": [0, 9], "symbol": "diamond"},
                    error_y=error,
                    name=f"{name}: extrapolated",
                    legendgroup=name,
                    showlegend=False,
                    hovertemplate=f"{name}: %{{x:,}} rows<br>estimated %{{y:.3g}} {unit}"
                    "<extra></extra>",
                )
            )
    figure.update_layout(xaxis_type="log", yaxis_type="log", legend_title_text="model")
    what = "fit time (s)" if measure == "time" else "peak memory (bytes)"
    return _chart(
        figure,
        chart_id=chart_id,
        x_title="training rows",
        y_title=what,
        caption=f"Measured {what} of the best params against the training rows, with the "
        "fitted power law (the slope on these log-log axes is the exponent) and its "
        "extrapolation to the target size; the bar there is the 95% prediction interval.",
    )


def speedup_chart(scalings: list[ModelScaling], *, chart_id: str) -> Chart | None:
    """The whole search's speedup against dask workers, with ideal linear speedup."""
    figure = _figure()
    counts = [p.workers for s in scalings for p in s.parallel]
    for number, scaling in enumerate(s for s in scalings if s.parallel):
        colour = _COLOURS[number % len(_COLOURS)]
        name = html.escape(scaling.model)
        figure.add_trace(
            go.Scatter(
                x=[p.workers for p in scaling.parallel],
                y=[p.speedup for p in scaling.parallel],
                mode="lines+markers",
                line={"color": colour},
                name=name,
                customdata=[[p.wall_time_s, p.efficiency] for p in scaling.parallel],
                hovertemplate=f"{name}<br>%{{x}} workers: %{{customdata[0]:.3g}} s"
                "<br>speedup %{y:.2f}, efficiency %{customdata[1]:.0%}<extra></extra>",
            )
        )
    if not figure.data:
        return None
    base, most = min(counts), max(counts)
    figure.add_trace(_reference_line([base, most], [1, most / base], name="ideal"))
    return _chart(
        figure,
        chart_id=chart_id,
        x_title="dask workers",
        y_title="speedup of the whole search",
        caption="The search's wall time on local clusters of each size, as speedup over "
        "the fewest workers measured; hover for the time and the parallel efficiency.",
    )


def group_metrics_chart(report: FairnessReport, *, chart_id: str) -> Chart | None:
    """Each group metric per group, as bars with their bootstrap intervals."""
    figure = _figure()
    labels = [html.escape(", ".join(row.group)) for row in report.groups]
    for number, metric in enumerate(report.groups[0].metrics if report.groups else ()):
        values = [row.metrics[metric] for row in report.groups]
        intervals = [row.intervals[metric] for row in report.groups]
        if not any(math.isfinite(v) for v in values):
            continue
        figure.add_trace(
            go.Bar(
                x=labels,
                y=[v if math.isfinite(v) else None for v in values],
                name=html.escape(METRIC_LABELS[metric]),
                marker_color=_COLOURS[number % len(_COLOURS)],
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [_above(v, i) for v, i in zip(values, intervals, strict=True)],
                    "arrayminus": [_below(v, i) for v, i in zip(values, intervals, strict=True)],
                },
                customdata=[row.size for row in report.groups],
                hovertemplate="%{x}: %{y:.3f} (%{customdata} rows)<extra>%{fullData.name}</extra>",
            )
        )
    figure.update_layout(barmode="group", legend_title_text="metric")
    percent = f"{report.level * 100:g}%"
    return _chart(
        figure,
        chart_id=chart_id,
        x_title=html.escape(grouping_label(report.features)),
        y_title="value in the group",
        caption=f"Whiskers: {percent} bootstrap intervals (rows resampled within each group). "
        "Click a metric in the legend to hide it.",
    )


def _above(value: float, interval: tuple[float, float]) -> float | None:
    high = interval[1]
    return max(0.0, high - value) if math.isfinite(value) and math.isfinite(high) else None


def _below(value: float, interval: tuple[float, float]) -> float | None:
    low = interval[0]
    return max(0.0, value - low) if math.isfinite(value) and math.isfinite(low) else None


def fairness_tradeoff_chart(
    models: list[ModelFairness], *, metric: str, primary_metric: str, chart_id: str
) -> Chart | None:
    """Each model's test score of the primary metric against its worst value of one
    threshold measure, with the threshold's bound."""
    figure = _figure()
    bound: float | None = None
    for number, fairness in enumerate(models):
        outcome = worst_outcomes(fairness).get(metric)
        if outcome is None or not math.isfinite(fairness.primary_score):
            continue
        bound = outcome.result.threshold.bound
        low, high = outcome.result.interval
        value = outcome.result.value
        figure.add_trace(
            go.Scatter(
                x=[fairness.primary_score],
                y=[value],
                mode="markers",
                marker={"size": 12, "color": _COLOURS[number % len(_COLOURS)]},
                name=html.escape(fairness.model),
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [_above(value, (low, high))],
                    "arrayminus": [_below(value, (low, high))],
                },
                text=[html.escape(grouping_label(outcome.features))],
                hovertemplate=f"{html.escape(fairness.model)}<br>{html.escape(primary_metric)} "
                "%{x:.4f}<br>value %{y:.3f} (by %{text})<extra></extra>",
            )
        )
    if bound is None:
        return None
    figure.add_hline(
        y=bound,
        line=_REFERENCE,
        annotation_text=f"bound {bound:g}",
        annotation_position="top left",
    )
    return _chart(
        figure,
        chart_id=chart_id,
        x_title=f"test {html.escape(primary_metric)}",
        y_title=html.escape(THRESHOLD_LABELS[metric]) + " (worst grouping)",
        caption="One point per model: its test score against the worst value of this measure "
        "over the groupings (whiskers: bootstrap interval); the dotted line is the bound.",
    )


#: Most groups drawn as small confusion matrices (the largest ones).
MAX_GROUP_MATRICES = 12


def group_confusion_chart(report: FairnessReport, *, chart_id: str) -> Chart | None:
    """One small confusion matrix per group (the largest ``MAX_GROUP_MATRICES``), rows
    normalised by the true class, counts as cell text."""
    from plotly.subplots import make_subplots

    rows = sorted(
        (row for row in report.groups if row.confusion is not None),
        key=lambda row: -row.size,
    )[:MAX_GROUP_MATRICES]
    if not rows:
        return None
    columns = min(3, len(rows))
    lines = math.ceil(len(rows) / columns)
    titles = [
        f"{html.escape(', '.join(row.group)[:40])}<br>{row.size:,} rows"
        + (" (too small to judge)" if row.too_small else "")
        for row in rows
    ]
    figure = make_subplots(
        rows=lines, cols=columns, subplot_titles=titles, horizontal_spacing=0.12,
        vertical_spacing=0.3 / lines,
    )  # fmt: skip
    positive = html.escape(report.positive or "positive")
    axis = [f"not {positive}", positive]
    for index, row in enumerate(rows):
        counts = [list(pair) for pair in row.confusion or ()]
        shares = [[c / sum(pair) if sum(pair) else math.nan for c in pair] for pair in counts]
        figure.add_trace(
            go.Heatmap(
                z=shares,
                x=[f"pred. {a}" for a in axis],
                y=[f"actual {a}" for a in axis],
                text=[[f"{c:,}" for c in pair] for pair in counts],
                texttemplate="%{text}",
                zmin=0,
                zmax=1,
                colorscale="Blues",
                showscale=index == 0,
                colorbar={"title": {"text": "share of row"}},
                hovertemplate="%{y}, %{x}: %{text} (%{z:.1%} of the row)<extra></extra>",
            ),
            row=index // columns + 1,
            col=index % columns + 1,
        )
    figure.update_yaxes(autorange="reversed", showticklabels=False)
    figure.update_yaxes(showticklabels=True, col=1, tickfont={"size": 10})
    figure.update_xaxes(tickfont={"size": 10})
    figure.update_annotations(font={"size": 11})
    shown = "" if len(rows) == len(report.groups) else f" (the {len(rows)} largest groups)"
    return _chart(
        figure,
        chart_id=chart_id,
        x_title="",
        y_title="",
        caption=f"Each group's confusion matrix{shown}: rows are the actual class, colour is "
        "the share of the row (the diagonal: true negative and true positive rates), cell "
        "text the count. Hover for the cell.",
        height=max(280, 260 * lines),
    )


def trend_chart(trend: ExperimentTrend, *, chart_id: str) -> Chart | None:
    """An experiment's best test score per build, each model's score, regressions marked."""
    figure = _figure()
    for number, (model, series) in enumerate(trend.models):
        figure.add_trace(
            go.Scatter(
                x=[t.isoformat() for t, _ in series],
                y=[v for _, v in series],
                mode="lines+markers",
                line={"color": _COLOURS[number % len(_COLOURS)], "width": 1},
                marker={"size": 5},
                opacity=0.5,
                name=html.escape(model),
                hovertemplate=f"{html.escape(model)}: %{{y:.4f}}<br>%{{x}}<extra></extra>",
            )
        )
    figure.add_trace(
        go.Scatter(
            x=[p.build_time.isoformat() for p in trend.points],
            y=[p.best_score for p in trend.points],
            mode="lines+markers",
            line={"color": "#222", "width": 3},
            name="best",
            text=[
                html.escape(f"{p.best_model} ({p.git_commit[:8] or 'no commit'})")
                for p in trend.points
            ],
            hovertemplate="best: %{text}<br>%{y:.4f}<br>%{x}<extra></extra>",
        )
    )
    if trend.regressions:
        figure.add_trace(
            go.Scatter(
                x=[r.build_time.isoformat() for r in trend.regressions],
                y=[r.after for r in trend.regressions],
                mode="markers",
                marker={"symbol": "x", "size": 14, "color": "#d62728"},
                name="regression",
                customdata=[[r.before] for r in trend.regressions],
                hovertemplate="regression: %{customdata[0]:.4f} → %{y:.4f}<extra></extra>",
            )
        )
    return _chart(
        figure,
        chart_id=chart_id,
        x_title="build",
        y_title=f"test {html.escape(trend.metric)}",
        caption="The best model's test score at each build (thick line), each model's (thin), "
        "and a red cross where the best score fell below the previous build's.",
    )


#: Score bands of the parallel-coordinates view: one trace (colour) each, best on top.
PARALLEL_BANDS = 6
#: The hyperparameter views draw at most this many trials of a search (spread over the
#: ranks by score), so an experiment page stays small whatever the search's size.
MAX_DRAWN_TRIALS = 2_000
#: A numeric axis with at most this many distinct values (a grid's) is ticked at each.
PARALLEL_VALUE_TICKS = 6
_BAND_COLOURS = ("#440154", "#414487", "#2a788e", "#22a884", "#7ad151", "#fde725")


def parallel_coordinates_chart(view: ModelHyperparameters, *, chart_id: str) -> Chart | None:
    """Every scored trial of a search as one line through an axis per param and one for
    the primary score, coloured by its band of the score: log axes for log-spaced params,
    categorical axes for categories. Clicking a band in the legend hides its trials.

    Drawn as SVG lines: plotly's own ``parcoords`` needs WebGL code that is compiled at
    run time (``new Function``), which the site's Content-Security-Policy forbids."""
    complete = [p for p in view.scored if all(v is not None for v in p.values)]
    if not complete or not view.axes:
        return None
    drawn = list(spread(complete, MAX_DRAWN_TRIALS))
    axes = [
        _parallel_axis(axis, [p.values[index] for p in drawn])
        for index, axis in enumerate(view.axes)
    ]
    scores = [p.score for p in drawn]
    axes.append(_linear_axis(html.escape(view.primary), scores))
    low, high = min(scores), max(scores)
    width = (high - low) / PARALLEL_BANDS
    bands: list[list[int]] = [[] for _ in range(PARALLEL_BANDS)]
    for row, score in enumerate(scores):
        band = min(int((score - low) / width), PARALLEL_BANDS - 1) if width > 0 else 0
        bands[band].append(row)
    traces = []
    for band, rows in enumerate(bands):
        if not rows:
            continue
        x: list[float | None] = []
        y: list[float | None] = []
        text: list[str | None] = []
        for row in rows:
            name = html.escape(drawn[row].run_name)
            for position, axis in enumerate(axes):
                x.append(position)
                y.append(round(axis["positions"][row], 4))  # far finer than a pixel
                text.append(f"{name}<br>{axis['label']} = {axis['shown'][row]}")
            x.append(None)
            y.append(None)
            text.append(None)
        band_low = low + band * width
        traces.append(
            _trace(
                x=x,
                y=y,
                text=text,
                mode="lines",
                line={"color": _BAND_COLOURS[band], "width": 1.2},
                opacity=0.75,
                connectgaps=False,
                name=f"{fmt.score(band_low)}\u2013{fmt.score(band_low + width if width else high)}",
                hovertemplate="%{text}<extra></extra>",
            )
        )
    figure = _raw_figure(traces)
    annotations = [
        {"x": position, "y": tick, "text": label, "showarrow": False, "xanchor": "left",
         "xshift": 4, "font": {"size": 10}}
        for position, axis in enumerate(axes)
        for tick, label in axis["ticks"]
    ]  # fmt: skip
    layout = dict(
        xaxis={
            "tickmode": "array",
            "tickvals": list(range(len(axes))),
            "ticktext": [axis["label"] for axis in axes],
            "showgrid": True,
            "gridcolor": "#888",
            "zeroline": False,
            "range": [-0.2, len(axes) - 0.4],
        },
        yaxis={"visible": False, "range": [-0.05, 1.05], "fixedrange": True},
        # anchored at its bottom, a legend that wraps on a narrow screen grows upwards
        # (plotly widens the top margin) instead of over the axes
        legend={
            "title": {"text": html.escape(view.primary)},
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.02,
        },
        annotations=annotations,
        margin={"l": 20, "r": 20, "t": 60, "b": 60},
    )
    left_out = len(view.points) - len(complete)
    caption = (
        f"One line per trial ({len(drawn):,}) through its params and its {view.primary} "
        "score, coloured by score; click a score band in the legend to hide its trials."
    )
    if len(drawn) < len(complete):
        caption += _spread_note(len(drawn), len(complete))
    if left_out:
        caption += f" {left_out:,} failed or unscored trials are not drawn."
    return _chart(
        figure, chart_id=chart_id, x_title="", y_title="", caption=caption, height=420,
        layout=layout,  # merged unchecked: plotly's update_layout checks every annotation
    )  # fmt: skip


def _parallel_axis(axis: ParamAxis, values: list[float | str | None]) -> dict[str, Any]:
    """An axis of the parallel-coordinates view: each trial's position on it (0 to 1),
    the value shown for it, and labelled ticks."""
    label = html.escape(axis.name)
    if axis.scale == "categorical":
        codes = {category: code for code, category in enumerate(axis.categories)}
        last = max(len(axis.categories) - 1, 1)
        return {
            "label": label,
            "positions": [codes[str(v)] / last for v in values],
            "shown": [html.escape(str(v)) for v in values],
            "ticks": [(code / last, html.escape(c)) for c, code in codes.items()],
        }
    numbers = [float(v) for v in values if v is not None]
    if axis.scale != "log":
        return _linear_axis(label, numbers)
    logs = [math.log10(n) for n in numbers]
    low, high = min(logs), max(logs)
    span = high - low or 1.0
    ticks = [t for t in range(math.ceil(low), math.floor(high) + 1)] or [round(low)]
    return {
        "label": f"{label} (log)",
        "positions": [(v - low) / span if high > low else 0.5 for v in logs],
        "shown": [fmt.param(repr(n)) for n in numbers],
        "ticks": [
            ((t - low) / span if high > low else 0.5, fmt.param(f"{10.0**t:g}")) for t in ticks
        ],
    }


def _linear_axis(label: str, numbers: list[float]) -> dict[str, Any]:
    """A linear axis, ticked at its values when it has few (a grid's), else at five
    evenly spaced ones."""
    low, high = min(numbers), max(numbers)
    span = high - low
    distinct = sorted(set(numbers))
    whole = all(n.is_integer() for n in distinct)
    if len(distinct) <= PARALLEL_VALUE_TICKS:
        ticked = distinct
    elif whole:
        ticked = sorted({float(round(low + span * i / 4)) for i in range(5)})
    else:
        ticked = [low + span * i / 4 for i in range(5)]

    def shown(number: float) -> str:
        return fmt.param(repr(int(number)) if whole else repr(number))

    return {
        "label": label,
        "positions": [(n - low) / span if span else 0.5 for n in numbers],
        "shown": [shown(n) for n in numbers],
        "ticks": [((t - low) / span if span else 0.5, shown(t)) for t in ticked],
    }


def score_by_param_charts(view: ModelHyperparameters, *, chart_id: str) -> list[Chart]:
    """One small plot per param: each scored trial's score against its value of the param
    (log axis for log-spaced params, categories in the space's order)."""
    charts = []
    primary = html.escape(view.primary)
    drawn = spread(view.scored, MAX_DRAWN_TRIALS)
    for index, axis in enumerate(view.axes):
        points = [(p.values[index], p) for p in drawn if p.values[index] is not None]
        if not points:
            continue
        figure = _raw_figure(
            _trace(
                x=[html.escape(str(v)) for v, _ in points]
                if axis.scale == "categorical"
                else _values([float(v) for v, _ in points if v is not None]),
                y=_values([p.score for _, p in points]),
                mode="markers",
                marker={"size": 6, "opacity": 0.7},
                text=[html.escape(p.run_name) for _, p in points],
                hovertemplate="%{text}<br>%{x}<br>" + primary + " %{y:.4f}<extra></extra>",
            )
        )
        xaxis: dict[str, Any] = {}
        if axis.scale == "log":
            xaxis = _log_ticks([v for v, _ in points if isinstance(v, float)])
        elif axis.scale == "categorical":
            xaxis = {
                "type": "category",
                "categoryorder": "array",
                "categoryarray": [html.escape(c) for c in axis.categories],
            }
        chart = _chart(
            figure,
            chart_id=f"{chart_id}-{index}",
            x_title=html.escape(axis.name),
            y_title=primary,
            caption=_spread_note(len(drawn), len(view.scored)).strip(),
            height=260,
            layout={"xaxis": xaxis, "margin": {"l": 55, "r": 10, "t": 10}},
        )
        if chart is not None:
            charts.append(chart)
    return charts


def _spread_note(drawn: int, scored: int) -> str:
    if drawn >= scored:
        return ""
    return (
        f" {drawn:,} of the {scored:,} scored trials are drawn, spread evenly over their "
        "ranks by score (the best and the worst among them)."
    )


def _log_ticks(numbers: list[float]) -> dict[str, Any]:
    """A small plot's log axis: ticks at 1, 2 and 5 x 10^k over a short span, else at
    powers of ten (every second or third one over a long span), so labels never touch."""
    positive = [n for n in numbers if n > 0]
    decades = math.log10(max(positive) / min(positive)) if positive else 0.0
    if decades < 1.5:
        return {"type": "log", "tickformat": ".2~g", "dtick": "D2"}
    return {
        "type": "log",
        "dtick": max(1, math.ceil(decades / 5)),
        "exponentformat": "power",
        "showexponent": "all",
    }


def param_importance_chart(view: ModelHyperparameters, *, chart_id: str) -> Chart | None:
    """Each param's importance (fANOVA) as horizontal bars, the most important on top."""
    if not view.importances:
        return None
    shown = list(reversed(view.importances))
    figure = _raw_figure(
        _trace(
            "bar",
            x=[value for _, value in shown],
            y=[html.escape(name) for name, _ in shown],
            orientation="h",
            hovertemplate="%{y}<br>importance %{x:.3f}<extra></extra>",
        )
    )
    return _chart(
        figure,
        chart_id=chart_id,
        x_title="share of the score's variance explained",
        y_title="",
        height=max(200, 90 + 34 * len(shown)),
        caption="",
        layout={"yaxis": {"automargin": True}, "xaxis": {"range": [0, 1]}},
    )


def optimisation_history_charts(view: ModelHyperparameters, *, chart_id: str) -> list[Chart]:
    """Each scored trial's score and the best so far, against trial order and against the
    time since the search started."""
    charts = []
    primary = html.escape(view.primary)
    for by, suffix, x_title in (
        ("order", "order", "trial (in the order the search made them)"),
        ("time", "time", "seconds since the search started"),
    ):
        history = view.history(by)  # type: ignore[arg-type]
        if not history:
            continue
        # the best so far steps only where it improves; of a very long search, evenly
        # spaced trials are drawn, and every trial that improved the best
        steps = [h for i, h in enumerate(history) if i in (0, len(history) - 1) or h[1] == h[2]]
        every = math.ceil(len(history) / MAX_DRAWN_TRIALS)
        marked = [h for i, h in enumerate(history) if i % every == 0 or h[1] == h[2]]
        figure = _raw_figure(
            [
                _trace(
                    x=_values([h[0] for h in marked]),
                    y=_values([h[1] for h in marked]),
                    mode="markers",
                    name="trial",
                    marker={"size": 5, "opacity": 0.6},
                    hovertemplate="%{x:.4g}<br>" + primary + " %{y:.4f}<extra></extra>",
                ),
                _trace(
                    x=_values([h[0] for h in steps]),
                    y=_values([h[2] for h in steps]),
                    mode="lines",
                    name="best so far",
                    line={"shape": "hv"},
                    hovertemplate="%{x:.4g}<br>best %{y:.4f}<extra></extra>",
                ),
            ]
        )
        chart = _chart(
            figure,
            chart_id=f"{chart_id}-{suffix}",
            x_title=x_title,
            y_title=primary,
            caption=(
                f"{len(marked):,} of the {len(history):,} scored trials are drawn: evenly "
                "spaced ones and every one that improved the best."
                if len(marked) < len(history)
                else ""
            ),
            height=280,
            layout={"margin": {"t": 30}, "legend": {"orientation": "h", "y": 1.12}},
        )
        if chart is not None:
            charts.append(chart)
    return charts
