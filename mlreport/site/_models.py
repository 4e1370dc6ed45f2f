"""Page models: everything a template shows, computed by pure functions."""

from __future__ import annotations

import json
from dataclasses import dataclass, field


def embeddable_json(text: str) -> str:
    """JSON that cannot close or comment out the ``<script>`` element holding it."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = False


@dataclass(frozen=True)
class Cell:
    """One table cell: its text, an optional link and a value to sort by."""

    text: str
    sort: str | None = None
    href: str | None = None
    tooltip: str | None = None


#: Tables longer than this are sent as data and paged, sorted and filtered in the browser
#: (``assets/mlreport.js``); shorter ones are plain HTML tables.
HTML_TABLE_ROWS = 100


@dataclass(frozen=True)
class Table:
    table_id: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    empty_text: str = "Nothing to show."
    #: the run ref of each row (``_links.run_ref``) when rows can be ticked for comparison
    row_runs: tuple[str, ...] = ()
    compare_url: str = ""  # the comparison view, relative to the table's page

    @property
    def paged(self) -> bool:
        """Whether the rows go to the browser as data rather than as HTML rows."""
        return len(self.rows) > HTML_TABLE_ROWS

    def rows_json(self) -> str:
        """The rows as JSON for a data ``<script>`` block: a cell is its text, or
        ``[text, sort, href, tooltip]`` when it has more than text."""

        def encode(cell: Cell) -> str | list[str | None]:
            extra = [cell.sort, cell.href, cell.tooltip]
            while extra and extra[-1] is None:
                extra.pop()
            return [cell.text, *extra] if extra else cell.text

        rows = [[encode(cell) for cell in row] for row in self.rows]
        data: object = {"rows": rows, "runs": list(self.row_runs)} if self.row_runs else rows
        return embeddable_json(json.dumps(data, ensure_ascii=False, separators=(",", ":")))


@dataclass(frozen=True)
class Chart:
    """A plotly figure serialised to JSON, safe to embed in a data ``<script>`` block."""

    chart_id: str
    figure_json: str
    caption: str = ""
    height: int = 380  # px: the room kept for it before it is drawn


@dataclass(frozen=True)
class FairnessSection:
    """One grouping of a fairness page: its sentences, tables and chart."""

    heading: str
    sentences: tuple[str, ...]
    thresholds: Table
    groups: Table
    disparities: Table
    confusion: Table | None
    chart: Chart | None
    confusion_chart: Chart | None = None


@dataclass(frozen=True)
class HyperparameterSection:
    """One model's search through its params: importances, parallel coordinates, the
    score against each param, and the optimisation history."""

    model: str
    importance: Chart | None
    importance_note: str  # how the importances were computed, or why there are none
    parallel: Chart | None
    by_param: tuple[Chart, ...]
    history: tuple[Chart, ...]


@dataclass(frozen=True)
class Page:
    """What every page has: where it goes, its title and its content. Each page kind
    (``_registry.PAGE_KINDS``) has a model type of its own that adds what only it shows."""

    path: str  # source path under the docs dir, e.g. "experiments/adult.md"
    title: str
    intro: str = ""
    tables: dict[str, Table] = field(default_factory=dict)
    charts: dict[str, Chart] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    facts: tuple[tuple[str, str], ...] = ()
    notes: dict[str, str] = field(default_factory=dict)  # plain-text paragraphs
    #: files the page's scripts load (path under the docs dir -> text), such as run data
    files: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class HomePage(Page):
    """The site's overview: each experiment's best model, and the other experiments."""


@dataclass(frozen=True)
class ExperimentPage(Page):
    """An experiment: its models, the leaderboard of every trial, its search charts."""

    hyperparameters: tuple[HyperparameterSection, ...] = ()


@dataclass(frozen=True)
class ModelPage(Page):
    """A best model: test scores, confusion or regression views, explanations."""


@dataclass(frozen=True)
class ScalingPage(Page):
    """An experiment's training-time scaling."""

    #: (model, sentences): each model's verdict
    verdicts: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class FairnessPage(Page):
    """A best model's fairness report, one section per grouping."""

    sections: tuple[FairnessSection, ...] = ()


@dataclass(frozen=True)
class FairnessOverviewPage(Page):
    """Fairness against performance across an experiment's best models."""


@dataclass(frozen=True)
class HistoryPage(Page):
    """Trends across builds."""


@dataclass(frozen=True)
class RunsPage(Page):
    """The store's experiments, each linked to its runs table."""


@dataclass(frozen=True)
class RunsTablePage(Page):
    """An mlreport experiment's runs, as a table the browser builds from its run data:
    one column per param and per metric, chosen, filtered and sorted by the reader."""

    group: str = ""  # the key of its runs (``_links.mlreport_group``)
    scripts: tuple[str, ...] = ()  # its run data files (``files``), relative to the page
    run_view: str = ""  # the run view, relative to the page
    compare: str = ""  # the comparison view, relative to the page
    csv_name: str = ""  # the file name of the table's CSV download


@dataclass(frozen=True)
class OtherRunsTablePage(RunsTablePage):
    """The runs of an MLflow experiment mlreport did not create."""


@dataclass(frozen=True)
class RunViewPage(Page):
    """Any run of the site, named by the page's ``?run=`` (its run ref)."""


@dataclass(frozen=True)
class ComparePage(Page):
    """Runs side by side, named by the page's ``?run=`` values."""
