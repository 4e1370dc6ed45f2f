"""The static site: a registry of page kinds, page models, templates and the MkDocs build."""

from __future__ import annotations

from mlreport.site import _kinds  # noqa: F401  (registers mlreport's page kinds first)
from mlreport.site._build import (
    SITE_RECORD,
    SiteSummary,
    build_site,
    front_matter_title,
    render_page,
    template_environment,
    write_site,
)
from mlreport.site._fairness_pages import standalone_fairness_page
from mlreport.site._links import (
    HOME_PATH,
    RUNS_PATH,
    experiment_path,
    fairness_overview_path,
    fairness_path,
    model_path,
    page_url,
    relative_url,
    scaling_path,
    slug,
)
from mlreport.site._models import (
    Cell,
    Chart,
    Column,
    ExperimentPage,
    FairnessOverviewPage,
    FairnessPage,
    HistoryPage,
    HomePage,
    ModelPage,
    Page,
    RunsPage,
    ScalingPage,
    Table,
)
from mlreport.site._pages import (
    experiment_page,
    home_page,
    leaderboard_table,
    model_page,
)
from mlreport.site._registry import (
    PAGE_KINDS,
    ExperimentContext,
    PageKind,
    SiteContext,
    build_pages,
    register_page_kind,
    unregister_page_kind,
)
from mlreport.site._run_pages import runs_page

__all__ = [
    "HOME_PATH",
    "PAGE_KINDS",
    "RUNS_PATH",
    "SITE_RECORD",
    "Cell",
    "Chart",
    "Column",
    "ExperimentContext",
    "ExperimentPage",
    "FairnessOverviewPage",
    "FairnessPage",
    "HistoryPage",
    "HomePage",
    "ModelPage",
    "Page",
    "PageKind",
    "RunsPage",
    "ScalingPage",
    "SiteContext",
    "SiteSummary",
    "Table",
    "build_pages",
    "build_site",
    "experiment_page",
    "experiment_path",
    "fairness_overview_path",
    "fairness_path",
    "front_matter_title",
    "home_page",
    "leaderboard_table",
    "model_page",
    "model_path",
    "page_url",
    "register_page_kind",
    "relative_url",
    "render_page",
    "runs_page",
    "scaling_path",
    "slug",
    "standalone_fairness_page",
    "template_environment",
    "unregister_page_kind",
    "write_site",
]
