"""Plotly figures for the pages, as JSON (rendered client-side by the shared plotly.js)."""

from __future__ import annotations

import html
import math
from itertools import accumulate

import plotly.graph_objects as go
import plotly.io as pio

from mlreport.analysis import BinaryCurves, ConfusionSummary, ExperimentResult
from mlreport.site import _format as fmt
from mlreport.site._models import Chart


def score_vs_fit_time(result: ExperimentResult, *, chart_id: str) -> Chart | None:
    """Each trial's mean CV score of the primary metric against its mean fit time."""
    figure = go.Figure()
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
    figure = go.Figure()
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


def best_so_far(result: ExperimentResult, *, chart_id: str) -> Chart | None:
    """For each incremental search, the best validation score reached against wall time."""
    figure = go.Figure()
    for number, model in enumerate(m for m in result.models if m.incremental):
        points = sorted((elapsed, value) for t in model.trials for _, value, elapsed in t.history)
        if not points:
            continue
        figure.add_trace(
            go.Scatter(
                x=[elapsed for elapsed, _ in points],
                y=list(accumulate((value for _, value in points), max)),
                mode="lines",
                line={"shape": "hv", "color": _COLOURS[number % len(_COLOURS)]},
                name=html.escape(model.name),
                hovertemplate="%{x:.1f} s<br>best %{y:.4f}<extra></extra>",
            )
        )
    return _chart(
        figure,
        chart_id=chart_id,
        x_title="wall time since the search started (s)",
        y_title=f"best validation {html.escape(result.primary_metric)}",
        caption="How fast each search found its best candidate.",
    )


_COLOURS = ("#636efa", "#ef553b", "#00cc96", "#ab63fa", "#ffa15a", "#19d3f3", "#ff6692")


def _chart(
    figure: go.Figure, *, chart_id: str, x_title: str, y_title: str, caption: str
) -> Chart | None:
    """The figure with mlreport's layout, serialised; None when it has no trace."""
    if not figure.data:
        return None
    figure.update_layout(
        xaxis_title=x_title,
        yaxis_title=y_title,
        margin={"l": 60, "r": 20, "t": 20, "b": 50},
        height=380,
        template="plotly_white",
    )
    return Chart(
        chart_id=chart_id,
        figure_json=embeddable_json(pio.to_json(figure, validate=False, pretty=False)),
        caption=caption,
    )


def embeddable_json(text: str) -> str:
    """JSON that cannot close or comment out the ``<script>`` element holding it."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


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
    figure = go.Figure(
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
    figure = go.Figure(
        [
            go.Scatter(
                x=list(curves.false_positive_rate),
                y=list(curves.true_positive_rate),
                mode="lines",
                name=f"AUC {fmt.score(curves.roc_auc)}",
                hovertemplate="false positive rate %{x:.3f}<br>true positive rate %{y:.3f}"
                "<extra></extra>",
            ),
            go.Scatter(
                x=[0, 1],
                y=[0, 1],
                mode="lines",
                line={"dash": "dot", "color": "#999"},
                name="chance",
                hoverinfo="skip",
            ),
        ]
    )
    return _chart(
        figure,
        chart_id=chart_id,
        x_title="false positive rate",
        y_title="true positive rate",
        caption=f"Positive class {html.escape(curves.positive)}: ROC AUC "
        f"{fmt.score(curves.roc_auc)} on the test split.",
    )


def precision_recall_chart(curves: BinaryCurves, *, chart_id: str) -> Chart | None:
    """The precision-recall curve of the positive class."""
    figure = go.Figure(
        go.Scatter(
            x=list(curves.recall),
            y=list(curves.precision),
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
        caption=f"Positive class {html.escape(curves.positive)}: average precision "
        f"{fmt.score(curves.average_precision)} on the test split.",
    )
