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
        return embeddable_json(json.dumps(rows, ensure_ascii=False, separators=(",", ":")))


@dataclass(frozen=True)
class Chart:
    """A plotly figure serialised to JSON, safe to embed in a data ``<script>`` block."""

    chart_id: str
    figure_json: str
    caption: str = ""


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


@dataclass(frozen=True)
class HomePage(Page):
    """The site's overview: each experiment's best model, and the other experiments."""


@dataclass(frozen=True)
class ExperimentPage(Page):
    """An experiment: its models, the leaderboard of every trial, its search charts."""


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
    """Every run of the store."""
