"""A Markdown summary of what changed between two exports, for a pull-request comment.

Everything taken from run data (experiment, model and run names, params, errors) is escaped,
so a name cannot break the table, inject HTML or links. The summary stays under GitHub's
65,536-character comment limit: lists are shortened first, then experiments left out, with
the site (``site_url``) as the place for the rest.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from mlreport._markdown import markdown_text
from mlreport.analysis import (
    Best,
    ExperimentChange,
    Trial,
    analyse,
    compare_exports,
)
from mlreport.dataset import read_dataset
from mlreport.text import THRESHOLD_LABELS, grouping_label
from mlreport.text import display as fmt

#: GitHub's limit on the body of a comment.
COMMENT_LIMIT = 65_536
#: Items of each list shown when the full summary is too long.
SHORT_LIST = 5


def diff_exports(
    base_dir: Path,
    head_dir: Path,
    *,
    top: int = 5,
    site_url: str | None = None,
    limit: int = COMMENT_LIMIT,
    cache_dir: Path | None = None,
) -> str:
    """The Markdown summary of ``head_dir``'s export against ``base_dir``'s (fairness reports
    from the analysis cache in ``cache_dir`` when either export is unchanged)."""
    base = analyse(read_dataset(base_dir), cache_dir=cache_dir)
    head = analyse(read_dataset(head_dir), cache_dir=cache_dir)
    changes = compare_exports(base, head, top=top)
    return diff_markdown(changes, top=top, site_url=site_url, limit=limit)


def diff_markdown(
    changes: Sequence[ExperimentChange],
    *,
    top: int = 5,
    site_url: str | None = None,
    limit: int = COMMENT_LIMIT,
) -> str:
    """Header, a table row per experiment, and a section per experiment that changed.

    Too long for ``limit``: lists are cut to ``SHORT_LIST`` items; then unchanged experiments
    are only counted; then whole table rows and sections are left out, with a line saying
    how many. Text is never cut mid-line.
    """
    links = _Links(site_url)
    for items in (None, SHORT_LIST):
        sections = [s for c in changes if (s := _section(c, top=top, items=items))]
        text = _assemble(changes, changes, sections, links)
        if len(text) <= limit:
            return text
    listed = [c for c in changes if c.status != "unchanged"]
    while listed and len(_assemble(changes, listed, [], links)) > limit:
        listed = listed[: len(listed) * 9 // 10]
    kept: list[str] = []
    for section in sections:
        candidate = _assemble(changes, listed, [*kept, section], links)
        if len(candidate) > limit - 200:  # room for the notes
            break
        kept.append(section)
    return _assemble(changes, listed, kept, links, sections_left=len(sections) - len(kept))


class _Links:
    def __init__(self, site_url: str | None) -> None:
        self.base = site_url.rstrip("/") if site_url else None

    def wrap(self, label: str, path: str) -> str:
        from mlreport.site import page_url

        return f"[{label}]({self.base}/{page_url(path)})" if self.base else label


def _assemble(
    changes: Sequence[ExperimentChange],
    rows: Sequence[ExperimentChange],
    sections: list[str],
    links: _Links,
    *,
    sections_left: int = 0,
) -> str:
    counts = {status: sum(c.status == status for c in changes) for status in _STATUS_ORDER}
    summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    lines = [
        "## mlreport: changes against the base",
        "",
        f"{len(changes)} experiments: {summary or 'none'}.",
        "",
        "| Experiment | Status | Best model | Test score | Change | Failing thresholds "
        "| New failed runs |",
        "| --- | --- | --- | --- | ---: | ---: | ---: |",
        *(_row(c, links) for c in rows),
    ]
    unlisted = [c for c in changes if c not in rows]
    if unlisted:
        unchanged = sum(c.status == "unchanged" for c in unlisted)
        lines += ["", f"_Not in the table: {len(unlisted)} experiments ({unchanged} unchanged)._"]
    text = "\n".join(lines) + "\n" + "".join(sections)
    if sections_left:
        text += f"\n_{sections_left} more experiments changed; see the site for them._\n"
    return text


_STATUS_ORDER = ("changed", "new", "removed", "unchanged")


def _row(change: ExperimentChange, links: _Links) -> str:
    from mlreport.site import experiment_path

    best = change.best_after or change.best_before
    score = (
        f"{markdown_text(change.primary_metric)} {fmt.score(best.score)}"
        if best is not None
        else "—"
    )
    cells = [
        links.wrap(markdown_text(change.name), experiment_path(change.name))
        if change.status not in ("removed", "new")  # pages the published site has
        else markdown_text(change.name),
        change.status,
        markdown_text(best.model) if best is not None else "—",
        score,
        _delta(change.best_before, change.best_after),
        str(change.failing_thresholds),
        str(len(change.new_failures)),
    ]
    return "| " + " | ".join(cells) + " |"


def _section(change: ExperimentChange, *, top: int, items: int | None) -> str:
    if change.status in ("unchanged", "removed"):
        return ""
    lines = ["", f"### {markdown_text(change.name)}", ""]
    before, after = change.best_before, change.best_after
    metric = markdown_text(change.primary_metric)
    if after is not None:
        model = f"**{markdown_text(after.model)}**"
        if before is None:
            lines.append(f"- Best model: {model}, test {metric} {fmt.score(after.score)}.")
        else:
            was = "" if before.model == after.model else f" (was {markdown_text(before.model)})"
            lines.append(
                f"- Best model: {model}{was}, test {metric} "
                f"{fmt.against(before.score, after.score, decimals=4)} → "
                f"{fmt.against(after.score, before.score, decimals=4)} ({_delta(before, after)})."
            )
    if change.entered:
        lines.append(f"- Entered the top {top}: " + _list(change.entered, change, items) + ".")
    if change.left:
        lines.append(f"- Left the top {top}: " + _list(change.left, change, items) + ".")
    fairness, more_fairness = _shortened(change.fairness, items)
    for threshold in fairness:
        page = markdown_text(threshold.model)
        lines.append(
            f"- Fairness, {page}: {THRESHOLD_LABELS[threshold.metric]} by "
            f"{markdown_text(grouping_label(threshold.features))} "
            f"{_value(threshold.before, threshold.bound)} → "
            f"{_value(threshold.after, threshold.bound)} "
            f"({_verdict(threshold.passed_before)} → {_verdict(threshold.passed_after)})."
        )
    if more_fairness:
        lines.append(f"- And {more_fairness} more fairness changes.")
    failures, more_failures = _shortened(change.new_failures, items)
    for failure in failures:
        error = f": {markdown_text(failure.error[:300])}" if failure.error else ""
        lines.append(
            f"- New failed run {markdown_text(failure.run_name)} "
            f"({markdown_text(failure.model)}){error}."
        )
    if more_failures:
        lines.append(f"- And {more_failures} more new failed runs.")
    return "\n".join(lines) + "\n"


def _list(trials: tuple[Trial, ...], change: ExperimentChange, items: int | None) -> str:
    shown, more = _shortened(trials, items)
    text = "; ".join(
        f"{markdown_text(t.model)} ({markdown_text(_params(t))}) "
        f"{fmt.score(t.score(change.primary_metric))}"
        for t in shown
    )
    return text + (f"; and {more} more" if more else "")


Item = TypeVar("Item")


def _shortened(values: tuple[Item, ...], items: int | None) -> tuple[tuple[Item, ...], int]:
    """The first ``items`` values (all if None) and how many are left out."""
    shown = values if items is None else values[:items]
    return shown, len(values) - len(shown)


def _params(trial: Trial) -> str:
    return fmt.params(trial.params) or "default params"


def _value(value: float, bound: float) -> str:
    """A threshold's value, with the digits that tell it from the bound."""
    return fmt.against(value, bound) if math.isfinite(value) else "—"


def _verdict(passed: bool | None) -> str:
    return "—" if passed is None else "pass" if passed else "fail"


def _delta(before: Best | None, after: Best | None) -> str:
    if before is None or after is None:
        return "—"
    change = after.score - before.score
    if not math.isfinite(change):
        return "—"
    return fmt.against(change, 0.0, decimals=4, signed=True)
