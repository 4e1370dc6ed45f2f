"""Arrow helpers: row order (export and dataset) and which runs differ between two reads."""

from __future__ import annotations

import math

import pyarrow as pa

from mlreport._sort import sort_rows
from mlreport.export._arrow import runs_with_differences


def test_runs_with_differences_names_new_changed_and_removed_runs_only() -> None:
    before = pa.table(
        {
            "run_id": ["same", "same", "changed", "removed", "nan"],
            "value": [1.0, 2.0, 3.0, 4.0, math.nan],
        }
    )
    after = pa.table(
        {
            "run_id": ["same", "same", "changed", "new", "nan"],
            "value": [2.0, 1.0, 3.5, 5.0, math.nan],
        }
    )
    runs_before = pa.table({"run_id": ["same", "changed", "removed", "nan", "params later"]})
    runs_after = pa.table({"run_id": ["same", "changed", "new", "nan", "params later"]})
    later = pa.table({"run_id": ["params later"], "value": [0.0]})
    found = runs_with_differences(
        {"runs": runs_before, "t": before},
        {"runs": runs_after, "t": pa.concat_tables([after, later])},
    )
    assert found == {"changed", "removed", "new", "params later"}
    sorted_alike = {"runs": runs_after, "t": after.sort_by("run_id")}
    assert runs_with_differences(sorted_alike, sorted_alike) == set()


def test_sort_rows_sorts_what_is_out_of_order_nulls_and_nan_included() -> None:
    keys = ["run_id", "step"]
    ordered = pa.table({"run_id": ["a", "a", "b"], "step": [0, 1, 0]})
    assert sort_rows(ordered, keys) is ordered  # no work when already in order
    shuffled = pa.table({"run_id": ["b", "a", "a"], "step": [0, 1, 0]})
    assert sort_rows(shuffled, keys).to_pylist() == ordered.to_pylist()
    with_null = pa.table({"run_id": [None, "x", None], "step": [0, 1, 2]})
    assert sort_rows(with_null, keys)["run_id"].to_pylist() == ["x", None, None]
    with_nan = pa.table({"run_id": ["a", "a"], "step": [0, 0], "v": [math.nan, 1.0]})
    assert sort_rows(with_nan, [*keys, "v"])["v"].to_pylist()[0] == 1.0
