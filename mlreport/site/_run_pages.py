"""Page models of the runs: the store's runs page, each experiment's runs table (with its
run data files), the run view and the comparison view."""

from __future__ import annotations

import posixpath
from typing import TypeVar

import pandas as pd

from mlreport.analysis import RunGroup
from mlreport.site._links import (
    COMPARE_PATH,
    HOME_PATH,
    RUN_VIEW_PATH,
    RUNS_PATH,
    experiment_path,
    mlflow_group,
    mlreport_group,
    relative_url,
    runs_table_path,
    slug,
)
from mlreport.site._models import (
    Cell,
    Column,
    ComparePage,
    OtherRunsTablePage,
    RunsPage,
    RunsTablePage,
    RunViewPage,
    Table,
)
from mlreport.site._registry import ExperimentContext, SiteContext
from mlreport.site._run_data import run_data_files

TablePage = TypeVar("TablePage", bound=RunsTablePage)


def group_key(group: RunGroup) -> str:
    return mlreport_group(group.name) if group.mlreport else mlflow_group(group.experiment_id)


def experiment_runs_kind_pages(context: ExperimentContext) -> list[RunsTablePage]:
    """The runs table of an mlreport experiment."""
    group = context.analysis.run_group(context.result.name)
    if group is None:
        return []
    return [runs_table_page(group, context, page_type=RunsTablePage)]


def other_runs_kind_pages(context: SiteContext) -> list[OtherRunsTablePage]:
    """A runs table for each MLflow experiment of the store mlreport did not create."""
    return [
        runs_table_page(group, context, page_type=OtherRunsTablePage)
        for group in context.analysis.run_groups
        if not group.mlreport
    ]


def runs_table_page(
    group: RunGroup,
    context: ExperimentContext | SiteContext,
    *,
    page_type: type[TablePage],
) -> TablePage:
    key = group_key(group)
    path = runs_table_path(key)
    title = group.name or group.experiment_id
    files = run_data_files(key, context.analysis.run_index.details(group.run_ids), title=title)
    folder = posixpath.dirname(path)
    links = {"runs": relative_url(path, RUNS_PATH), "home": relative_url(path, HOME_PATH)}
    if group.mlreport:
        links["experiment"] = relative_url(path, experiment_path(group.name))
    return page_type(
        path=path,
        title=f"{title} · runs",
        intro=""
        if group.mlreport
        else "An experiment of the tracking store that mlreport did not create.",
        links=links,
        facts=(("Runs", f"{len(group.run_ids):,}"), ("MLflow experiment id", group.experiment_id)),
        files=files,
        group=key,
        scripts=tuple(
            posixpath.relpath(name, folder) for name in sorted(files) if "/runs-" in name
        ),
        run_view=relative_url(path, RUN_VIEW_PATH),
        compare=relative_url(path, COMPARE_PATH),
        csv_name=f"{slug(group.name or group.experiment_id)}-runs.csv",
    )


def run_view_kind_pages(context: SiteContext) -> list[RunViewPage]:
    return [
        RunViewPage(
            path=RUN_VIEW_PATH,
            title="Run",
            links={"runs": relative_url(RUN_VIEW_PATH, RUNS_PATH)},
        )
    ]


def compare_kind_pages(context: SiteContext) -> list[ComparePage]:
    return [
        ComparePage(
            path=COMPARE_PATH,
            title="Compare runs",
            links={"runs": relative_url(COMPARE_PATH, RUNS_PATH)},
        )
    ]


def runs_kind_pages(context: SiteContext) -> list[RunsPage]:
    return [runs_page(list(context.analysis.run_groups), context.analysis.run_index.table)]


def runs_page(groups: list[RunGroup], runs: pd.DataFrame) -> RunsPage:
    """The store's experiments with their runs counted by status, each linked to its
    runs table."""
    status = runs.set_index("run_id")["status"]
    deleted = set(runs.loc[runs["lifecycle_stage"] == "deleted", "run_id"])
    starts = runs.set_index("run_id")["start_time"]
    rows = []
    for group in groups:
        counts = status.reindex(list(group.run_ids)).value_counts()
        latest = starts.reindex(list(group.run_ids)).max() if group.run_ids else None
        started = "" if latest is None or pd.isna(latest) else f"{latest:%Y-%m-%d %H:%M}"
        rows.append(
            (
                Cell(
                    group.name or group.experiment_id,
                    href=relative_url(RUNS_PATH, runs_table_path(group_key(group))),
                ),
                Cell("mlreport" if group.mlreport else "other"),
                _count(len(group.run_ids)),
                *(_count(int(counts.get(s, 0))) for s in ("FINISHED", "FAILED", "RUNNING")),
                _count(sum(r in deleted for r in group.run_ids)),
                Cell(started, sort=started),
            )
        )
    table = Table(
        table_id="runs",
        columns=(
            Column("Experiment"),
            Column("Made by"),
            Column("Runs", numeric=True),
            Column("Finished", numeric=True),
            Column("Failed", numeric=True),
            Column("Running", numeric=True),
            Column("Deleted", numeric=True),
            Column("Latest start (UTC)"),
        ),
        rows=tuple(rows),
        empty_text="The tracking store holds no run.",
    )
    return RunsPage(
        path=RUNS_PATH,
        title="All runs",
        tables={"runs": table},
        links={
            "home": relative_url(RUNS_PATH, HOME_PATH),
            "compare": relative_url(RUNS_PATH, COMPARE_PATH),
        },
        facts=(
            ("Runs", f"{sum(len(g.run_ids) for g in groups):,}"),
            ("Experiments", f"{len(groups):,}"),
        ),
    )


def _count(count: int) -> Cell:
    return Cell(f"{count:,}", sort=str(count))
