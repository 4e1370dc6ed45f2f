"""mlreport's own page kinds, registered in site order."""

from __future__ import annotations

from mlreport.site._fairness_pages import fairness_kind_pages, fairness_overview_kind_pages
from mlreport.site._models import (
    ComparePage,
    ExperimentPage,
    FairnessOverviewPage,
    FairnessPage,
    HistoryPage,
    HomePage,
    ModelPage,
    OtherRunsTablePage,
    RunsPage,
    RunsTablePage,
    RunViewPage,
    ScalingPage,
)
from mlreport.site._pages import (
    experiment_kind_pages,
    history_kind_pages,
    home_kind_pages,
    model_kind_pages,
    scaling_kind_pages,
)
from mlreport.site._registry import PageKind, register_page_kind
from mlreport.site._run_pages import (
    compare_kind_pages,
    experiment_runs_kind_pages,
    other_runs_kind_pages,
    run_view_kind_pages,
    runs_kind_pages,
)

BUILT_IN = (
    PageKind("home", "home.md.j2", HomePage, "home", home_kind_pages),
    PageKind(
        "experiment",
        "experiment.md.j2",
        ExperimentPage,
        "experiment",
        experiment_kind_pages,
        nav_section="Experiments",
    ),
    PageKind("model", "model.md.j2", ModelPage, "experiment", model_kind_pages, "Models"),
    PageKind("scaling", "scaling.md.j2", ScalingPage, "experiment", scaling_kind_pages, "Scaling"),
    PageKind(
        "fairness-overview",
        "fairness-overview.md.j2",
        FairnessOverviewPage,
        "experiment",
        fairness_overview_kind_pages,
        nav_section="Fairness",
    ),
    PageKind(
        "fairness", "fairness.md.j2", FairnessPage, "experiment", fairness_kind_pages, "Fairness"
    ),
    PageKind(
        "experiment-runs",
        "runs-table.md.j2",
        RunsTablePage,
        "experiment",
        experiment_runs_kind_pages,
        in_nav=False,
    ),
    PageKind("history", "history.md.j2", HistoryPage, "store", history_kind_pages),
    PageKind("runs", "runs.md.j2", RunsPage, "store", runs_kind_pages),
    PageKind("compare", "compare.md.j2", ComparePage, "store", compare_kind_pages),
    PageKind(
        "other-runs",
        "runs-table.md.j2",
        OtherRunsTablePage,
        "store",
        other_runs_kind_pages,
        in_nav=False,
    ),
    PageKind("run", "run.md.j2", RunViewPage, "store", run_view_kind_pages, in_nav=False),
)

for _kind in BUILT_IN:
    register_page_kind(_kind)
