"""Arrow table helpers of the export: which runs differ between two reads of a store."""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa
import pyarrow.compute as pc


def runs_with_differences(
    before: Mapping[str, pa.Table], after: Mapping[str, pa.Table]
) -> set[str]:
    """Runs with a row in one of ``after``'s tables that is not in ``before``'s, or back.

    The tables have a ``run_id`` column and no duplicate rows (the readers drop them),
    ``runs`` among them with a row per run; NaN equals NaN here. When both sides are
    sorted alike, the usual case (runs added, the others untouched) is settled without
    comparing rows one by one (the readers return a store's rows in the same order each
    time, new rows last).
    """
    runs_before = set(before["runs"]["run_id"].to_pylist())
    runs_after = set(after["runs"]["run_id"].to_pylist())
    added, gone = runs_after - runs_before, runs_before - runs_after
    changed = added | gone
    for name, table in after.items():
        kept_before = _without_runs(before[name], gone)
        kept_after = _without_runs(table, added)
        if kept_before.equals(kept_after):
            continue
        both = pa.concat_tables([kept_before, kept_after])
        counts = both.group_by(both.column_names, use_threads=False).aggregate([([], "count_all")])
        unmatched = counts.filter(pc.equal(counts["count_all"], 1))
        changed.update(unmatched["run_id"].to_pylist())
    return changed


def _without_runs(table: pa.Table, run_ids: set[str]) -> pa.Table:
    if not run_ids:
        return table
    value_set = pa.array(sorted(run_ids), pa.string())
    return table.filter(pc.invert(pc.is_in(table["run_id"], value_set=value_set)))
