"""Arrow table helpers of the export: row order, runs that differ between two reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def sort_rows(table: pa.Table, keys: Sequence[str]) -> pa.Table:
    """The table sorted by ``keys`` (ascending, NaN last); no work if it already is."""
    if _is_sorted(table, keys):
        return table
    return table.sort_by([(key, "ascending") for key in keys])


def _is_sorted(table: pa.Table, keys: Sequence[str]) -> bool:
    """Whether every row is <= the next one, comparing ``keys`` in order."""
    if table.num_rows < 2:
        return True
    in_order = pa.array(np.zeros(table.num_rows - 1, dtype=bool))  # decided "<" so far
    undecided = pa.array(np.ones(table.num_rows - 1, dtype=bool))  # equal so far
    for key in keys:
        column = table[key].combine_chunks()
        before, after = column.slice(0, len(column) - 1), column.slice(1)
        less = pc.fill_null(pc.less(before, after), False)  # a null: sort to be sure
        equal = pc.fill_null(pc.equal(before, after), False)
        in_order = pc.or_(in_order, pc.and_(undecided, less))
        undecided = pc.and_(undecided, equal)
    return bool(pc.all(pc.or_(in_order, undecided)).as_py())


def runs_with_differences(
    before: Mapping[str, pa.Table], after: Mapping[str, pa.Table]
) -> set[str]:
    """Runs with a row in one of ``after``'s tables that is not in ``before``'s, or back.

    The tables have a ``run_id`` column and no duplicate rows (the readers drop them);
    NaN equals NaN here.
    """
    changed: set[str] = set()
    for name, table in after.items():
        both = pa.concat_tables([before[name], table])
        counts = both.group_by(both.column_names, use_threads=False).aggregate([([], "count_all")])
        unmatched = counts.filter(pc.equal(counts["count_all"], 1))
        changed.update(unmatched["run_id"].to_pylist())
    return changed
