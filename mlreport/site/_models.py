"""Page models: everything a template shows, computed by pure functions."""

from __future__ import annotations

from dataclasses import dataclass, field


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


@dataclass(frozen=True)
class Table:
    table_id: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    empty_text: str = "Nothing to show."


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
    """One page of the site: where it goes, its title, its template and its content."""

    path: str  # source path under the docs dir, e.g. "experiments/adult.md"
    title: str
    template: str
    intro: str = ""
    tables: dict[str, Table] = field(default_factory=dict)
    charts: dict[str, Chart] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    facts: tuple[tuple[str, str], ...] = ()
    notes: dict[str, str] = field(default_factory=dict)  # plain-text paragraphs
    #: (heading, sentences) sections of plain text, e.g. a model's scaling verdict
    verdicts: tuple[tuple[str, tuple[str, ...]], ...] = ()
    sections: tuple[FairnessSection, ...] = ()
