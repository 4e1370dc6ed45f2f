"""The static site: page models, templates and the MkDocs build."""

from __future__ import annotations

from mlreport.site._build import (
    SITE_MARKER,
    SiteSummary,
    build_site,
    front_matter_title,
    render_page,
    write_site,
)
from mlreport.site._fairness_pages import standalone_fairness_page
from mlreport.site._links import (
    experiment_path,
    fairness_overview_path,
    fairness_path,
    model_path,
    page_url,
    relative_url,
    slug,
)
from mlreport.site._models import Cell, Chart, Column, Page, Table
from mlreport.site._pages import (
    HOME_PATH,
    RUNS_PATH,
    build_pages,
    experiment_page,
    home_page,
    leaderboard_table,
    model_page,
    runs_page,
)

__all__ = [
    "HOME_PATH",
    "RUNS_PATH",
    "SITE_MARKER",
    "Cell",
    "Chart",
    "Column",
    "Page",
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
    "relative_url",
    "render_page",
    "runs_page",
    "slug",
    "standalone_fairness_page",
    "write_site",
]
