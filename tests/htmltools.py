"""Read generated HTML the way a browser would see its text (no regex on markup)."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any


class _TableRows(HTMLParser):
    def __init__(self, table_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.table_id = table_id
        self.depth = 0
        self.in_body = False
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and (self.depth or dict(attrs).get("id") == self.table_id):
            self.depth += 1
        elif self.depth and tag == "tbody":
            self.in_body = True
        elif self.depth and self.in_body and tag == "tr":
            self.rows.append([])
        elif self.depth and self.in_body and tag == "td":
            # the tick box of a row that can be compared is not one of the table's columns
            picked = "mlreport-pick-cell" in (dict(attrs).get("class") or "")
            self._cell = None if picked else []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.depth:
            self.depth -= 1
        elif tag == "tbody":
            self.in_body = False
        elif tag == "td" and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def table_rows(html: str, table_id: str) -> list[list[str]]:
    """The text of every body cell of the table with this id (the rows of a long table,
    which arrive as data, in the order the page sends them)."""
    data = script_data(html, f"{table_id}-rows")
    if data:
        rows = json.loads(data)
        rows = rows["rows"] if isinstance(rows, dict) else rows  # with the rows' run refs
        return [[c if isinstance(c, str) else c[0] for c in row] for row in rows]
    parser = _TableRows(table_id)
    parser.feed(html)
    return parser.rows


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "".join(parser.parts)


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    """Every start tag with its attributes."""
    parser = _Elements()
    parser.feed(html)
    return parser.tags


class _ScriptData(HTMLParser):
    def __init__(self, element_id: str) -> None:
        super().__init__(convert_charrefs=False)
        self.element_id = element_id
        self.inside = False
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.inside = tag == "script" and dict(attrs).get("id") == self.element_id

    def handle_endtag(self, tag: str) -> None:
        self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.parts.append(data)


def script_data(html: str, element_id: str) -> str:
    """The text of the ``<script>`` element with this id (e.g. embedded chart JSON)."""
    parser = _ScriptData(element_id)
    parser.feed(html)
    return "".join(parser.parts)


def plotly_values(value: Any) -> list[Any]:
    """A plotly trace's data array as a list, also when written as a typed array
    (``{"dtype": "f8", "bdata": <base64>}``)."""
    if isinstance(value, dict) and "bdata" in value:
        import base64

        import numpy as np

        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        return list(array.tolist())
    return list(value)
