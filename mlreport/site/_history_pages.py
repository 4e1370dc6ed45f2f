"""The history page: trends across builds, with regressions marked."""

from __future__ import annotations

from mlreport import schema
from mlreport.analysis import BuildRecord, ExperimentTrend
from mlreport.site._charts import trend_chart
from mlreport.site._links import HISTORY_PATH, experiment_path, relative_url
from mlreport.site._models import Cell, Chart, Column, HistoryPage, Table
from mlreport.text import display as fmt
from mlreport.text import failures_text


def history_page(
    trends: tuple[ExperimentTrend, ...], records: tuple[BuildRecord, ...] = ()
) -> HistoryPage:
    """Each experiment's best score over the builds, a table of every regression, and
    every build (newest first) with its status and what failed in it."""
    regressions = Table(
        table_id="regressions",
        columns=(
            Column("Build"),
            Column("Commit"),
            Column("Experiment"),
            Column("Best before", numeric=True),
            Column("Best after", numeric=True),
            Column("Change", numeric=True),
        ),
        rows=tuple(
            (
                Cell(_when(r.build_time), sort=r.build_time.isoformat()),
                Cell(r.git_commit[:12] or fmt.MISSING),
                Cell(
                    trend.experiment,
                    href=relative_url(HISTORY_PATH, experiment_path(trend.experiment)),
                ),
                Cell(f"{r.model_before}: {fmt.score(r.before)}", sort=fmt.sort_value(r.before)),
                Cell(f"{r.model_after}: {fmt.score(r.after)}", sort=fmt.sort_value(r.after)),
                Cell(f"{r.after - r.before:+.4f}", sort=fmt.sort_value(r.after - r.before)),
            )
            for trend in trends
            for r in trend.regressions
        ),
        empty_text="No build lowered an experiment's best score.",
    )
    builds_table = Table(
        table_id="builds",
        columns=(Column("Build"), Column("Commit"), Column("Status"), Column("Failures")),
        rows=tuple(
            (
                Cell(_when(record.build_time), sort=record.build_time.isoformat()),
                Cell(record.git_commit[:12] or fmt.MISSING),
                Cell(schema.BUILD_FAILED if record.failed else schema.BUILD_OK),
                _failures_cell(record),
            )
            for record in reversed(records)
        ),
        empty_text="No build was recorded.",
    )
    builds = {p.build_time for trend in trends for p in trend.points}
    builds |= {record.build_time for record in records}
    charts: dict[str, Chart] = {}
    for number, trend in enumerate(trends, start=1):
        chart = trend_chart(trend, chart_id=f"chart-trend-{number}")
        if chart is not None:
            charts[trend.experiment] = chart
    return HistoryPage(
        path=HISTORY_PATH,
        title="History",
        intro="How the best models changed from build to build. Every mlreport build "
        "records a snapshot in the export folder; a nightly job that keeps it accumulates "
        "this history.",
        tables={"regressions": regressions, "builds": builds_table},
        charts=charts,
        facts=(
            ("Builds", str(len(builds))),
            ("First", _when(min(builds)) if builds else fmt.MISSING),
            ("Latest", _when(max(builds)) if builds else fmt.MISSING),
            ("Failed builds", str(sum(record.failed for record in records))),
            ("Regressions", str(len(regressions.rows))),
        ),
    )


def _failures_cell(record: BuildRecord, limit: int = 300) -> Cell:
    """Each failure of the build as ``experiment / model: error``, cut to ``limit``."""
    text = failures_text(record.failures)
    return Cell(fmt.truncate(text, limit), tooltip=text if len(text) > limit else None)


def _when(moment: object) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"
