"""The run data files of a group: every run in full, as JavaScript files the runs table, the
run view and the comparison load with ``<script src>`` (which works offline and from
``file://``, where browsers refuse ``fetch``, and which the site's policy allows).

Each file pushes one JSON object onto ``window.mlreportData``:

- ``runs-<n>.js``: ``{"kind": "runs", "group", "part", "parts", "runs": [...]}``; a run
  is ``{id, name, status, deleted, role, model, parent, start (ms), duration (s),
  params, metrics, tags, artifacts, history: {key: [history part, values logged]}}``;
- ``history-<n>.js``: ``{"kind": "history", "group", "part", "runs": {run id: {key:
  {step: [...], value: [...], time: [...]}}}}``.

Files are cut at about ``PART_BYTES``, so no file grows with the store. Values longer than
``VALUE_CHARS`` are cut (the export holds them whole); non-finite numbers are strings.
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


def run_data_files(group: str, runs: Sequence[RunDetail]) -> dict[str, str]:
    """The group's data files: path under the docs dir -> JavaScript."""
    history_parts: list[dict[str, Any]] = [{}]
    history_bytes = 0
    records = []
    for run in runs:
        record = _run_record(run)
        if run.histories:
            encoded = {h.key: _history_record(h) for h in run.histories}
            size = len(_json(encoded))
            if history_parts[-1] and history_bytes + size > PART_BYTES:
                history_parts.append({})
                history_bytes = 0
            history_parts[-1][run.run_id] = encoded
            history_bytes += size
            in_part = len(history_parts) - 1
            record["history"] = {h.key: [in_part, h.logged] for h in run.histories}
        records.append(record)
    run_parts: list[list[dict[str, Any]]] = [[]]
    run_bytes = 0
    for record in records:
        size = len(_json(record))
        if run_parts[-1] and run_bytes + size > PART_BYTES:
            run_parts.append([])
            run_bytes = 0
        run_parts[-1].append(record)
        run_bytes += size
    files = {
        run_data_path(group, "runs", number): _script(
            {"kind": "runs", "group": group, "part": number, "parts": len(run_parts), "runs": part}
        )
        for number, part in enumerate(run_parts)
    }
    for number, part in enumerate(history_parts):
        if part:
            files[run_data_path(group, "history", number)] = _script(
                {"kind": "history", "group": group, "part": number, "runs": part}
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
        "duration": _number(run.duration_s),
        "params": {key: _cut(value) for key, value in run.params},
        "metrics": {key: _number(value) for key, value in run.metrics},
        "tags": {key: _cut(value) for key, value in run.tags},
        "artifacts": list(run.artifacts),
    }


def _history_record(history: MetricHistory) -> dict[str, Any]:
    return {
        "step": list(history.steps),
        "value": [value if math.isfinite(value) else None for value in history.values],
        "time": list(history.timestamps),
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


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _script(data: dict[str, Any]) -> str:
    return f"(window.mlreportData = window.mlreportData || []).push({_json(data)});\n"
