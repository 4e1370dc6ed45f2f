"""Row order of Arrow tables: how the export writes the dataset's tables and how
``mlreport.dataset`` returns them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def sort_rows(table: pa.Table, keys: Sequence[str]) -> pa.Table:
    """The table sorted by ``keys`` (ascending, NaN last); no work if it already is."""
    return table if _is_sorted(table, keys) else table.sort_by([(k, "ascending") for k in keys])


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
