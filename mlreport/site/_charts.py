"""Plotly figures for the pages, as JSON (rendered client-side by the shared plotly.js)."""

from __future__ import annotations

import html
import math

import plotly.graph_objects as go
import plotly.io as pio

from mlreport.analysis import ExperimentResult
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
    if not figure.data:
        return None
    figure.update_layout(
        xaxis_title="fit time (s): mean per CV fold, or all partial_fit calls",
        xaxis_type="log",
        yaxis_title=f"{html.escape(result.primary_metric)} (CV mean or validation)",
        margin={"l": 60, "r": 20, "t": 20, "b": 50},
        height=380,
        legend_title_text="model",
        template="plotly_white",
    )
    return Chart(
        chart_id=chart_id,
        figure_json=embeddable_json(pio.to_json(figure, validate=False, pretty=False)),
        caption="Each point is one candidate of the search; hover for its parameters.",
    )


def embeddable_json(text: str) -> str:
    """JSON that cannot close or comment out the ``<script>`` element holding it."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
