"""The run data files of a group: every run in full, as JavaScript files the runs table, the
run view and the comparison load with ``<script src>`` (which works offline and from
``file://``, where browsers refuse ``fetch``, and which the site's policy allows).

Each file pushes one JSON object onto ``window.mlreportData``:

- ``runs-<n>.js``: ``{"kind": "runs", "group", "title", "part", "parts", "runs": [...]}``;
  a run is ``{id, name, status, deleted, role, model, parent, start (ms or null),
  duration (s or null), params, metrics, tags, artifacts, history}``, where params,
  metrics and tags are ``[key, value]`` pairs (a key may be any text, ``__proto__``
  included, which an object literal would not keep) and history is ``[key, history
  part, values logged]`` triples;
- ``history-<n>.js``: ``{"kind": "history", "group", "part", "runs": {run id: [[key,
  {step: [...], value: [...]}], ...]}}``.

Files are cut at about ``PART_BYTES`` of UTF-8, a run's histories metric by metric, so no
file grows with the store or with one run's metrics. Values longer than ``VALUE_CHARS``
are cut (the export holds them whole); non-finite metrics are strings.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from mlreport.analysis import MetricHistory, RunDetail
from mlreport.site._links import run_data_path

#: A data file is started anew once it holds this many bytes.
PART_BYTES = 1_000_000
#: Param and tag values are cut to this many characters in the data files.
VALUE_CHARS = 2_000
CUT_NOTE = "… (cut: {length:,} characters in the export)"


def run_data_files(group: str, runs: Sequence[RunDetail], *, title: str) -> dict[str, str]:
    """The group's data files: path under the docs dir -> JavaScript. ``title`` names the
    group (its experiment's name) where the views show it."""
    history_parts: list[dict[str, list[Any]]] = [{}]
    history_bytes = 0
    records = []
    for run in runs:
        record = _run_record(run)
        for history in run.histories:
            encoded = _history_record(history)
            size = _size(encoded)
            if history_parts[-1] and history_bytes + size > PART_BYTES:
                history_parts.append({})
                history_bytes = 0
            history_parts[-1].setdefault(run.run_id, []).append([history.key, encoded])
            history_bytes += size
            record["history"].append([history.key, len(history_parts) - 1, history.logged])
        records.append(record)
    run_parts: list[list[dict[str, Any]]] = [[]]
    run_bytes = 0
    for record in records:
        size = _size(record)
        if run_parts[-1] and run_bytes + size > PART_BYTES:
            run_parts.append([])
            run_bytes = 0
        run_parts[-1].append(record)
        run_bytes += size
    files = {
        run_data_path(group, "runs", number): _script(
            {
                "kind": "runs",
                "group": group,
                "title": title,
                "part": number,
                "parts": len(run_parts),
                "runs": part,
            }
        )
        for number, part in enumerate(run_parts)
    }
    for number, history_part in enumerate(history_parts):
        if history_part:
            files[run_data_path(group, "history", number)] = _script(
                {"kind": "history", "group": group, "part": number, "runs": history_part}
            )
    return files


def _run_record(run: RunDetail) -> dict[str, Any]:
    return {
        "id": run.run_id,
        "name": run.run_name,
        "status": run.status,
        "deleted": run.deleted,
        "role": run.role,
        "model": run.model,
        "parent": run.parent_run_id,
        "start": run.start_ms,
        "duration": run.duration_s if math.isfinite(run.duration_s) else None,
        "params": [[key, _cut(value)] for key, value in run.params],
        "metrics": [[key, _number(value)] for key, value in run.metrics],
        "tags": [[key, _cut(value)] for key, value in run.tags],
        "artifacts": list(run.artifacts),
        "history": [],
    }


def _history_record(history: MetricHistory) -> dict[str, Any]:
    return {
        "step": list(history.steps),
        "value": [value if math.isfinite(value) else None for value in history.values],
    }


def _number(value: float) -> float | str:
    """A finite number as itself, others as ``"NaN"``, ``"Infinity"``, ``"-Infinity"``."""
    if math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"


def _cut(value: str) -> str:
    if len(value) <= VALUE_CHARS:
        return value
    return value[:VALUE_CHARS] + CUT_NOTE.format(length=len(value))


def _size(value: Any) -> int:
    """The bytes ``value`` takes in a data file (UTF-8)."""
    return len(_json(value).encode())


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _script(data: dict[str, Any]) -> str:
    return f"(window.mlreportData = window.mlreportData || []).push({_json(data)});\n"
