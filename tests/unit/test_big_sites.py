"""Pieces of big sites: data tables, the content-security policy, experiment hashes and
lazily read run files."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from mlreport.dataset import UNREADABLE_TABLE, experiment_digests, read_dataset
from mlreport.errors import DatasetError
from mlreport.site import Cell, Column, Table
from mlreport.site._build import render_page, template_environment
from mlreport.site._csp import inline_script_hashes, with_content_security_policy
from mlreport.site._models import HTML_TABLE_ROWS, RunsPage
from tests.builders import DatasetBuilder
from tests.htmltools import elements, script_data, table_rows


def table_of(rows: int) -> Table:
    return Table(
        table_id="t",
        columns=(Column("Name"), Column("Score", numeric=True)),
        rows=tuple(
            (Cell(f"</script><b>{i}</b>", href=f"m{i}.html"), Cell(f"{i}", sort=str(i)))
            for i in range(rows)
        ),
    )


def rendered(table: Table) -> str:
    page = RunsPage(path="runs.md", title="t", tables={"runs": table})
    return render_page(template_environment(), page)


def test_a_short_table_is_html_and_a_long_one_is_data() -> None:
    short = rendered(table_of(HTML_TABLE_ROWS))
    assert len(table_rows(short, "t")) == HTML_TABLE_ROWS
    assert script_data(short, "t-rows") == ""
    long = rendered(table_of(HTML_TABLE_ROWS + 1))
    assert [tag for tag, _ in elements(long)].count("tr") == 1  # the header row only
    data = json.loads(script_data(long, "t-rows"))
    assert len(data) == HTML_TABLE_ROWS + 1
    assert data[3] == [["</script><b>3</b>", None, "m3.html"], ["3", "3"]]
    assert "</script><b>" not in long  # the data cannot close its <script> block
    assert table_rows(long, "t")[3] == ["</script><b>3</b>", "3"]


def test_the_policy_allows_the_themes_inline_scripts_and_none_in_the_content() -> None:
    page = (
        '<html><head><meta charset="utf-8"><title>x</title><script>var a = 1;</script>'
        '<script src="assets/x.js"></script>'
        '<script data-type="x">b()</script></head><body>'
        '<article class="md-content__inner"><script>alert("smuggled")</script>'
        '<script type="application/json" id="d">{"a": 1}</script></article>'
        "<script>var a = 1;</script><script type='module'>c()</script></body></html>"
    )
    expected = [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in ("var a = 1;", "b()", "c()")
    ]
    # files and data blocks need no hash; the script inside the content gets none
    assert inline_script_hashes(page) == expected
    secured = with_content_security_policy(page)
    assert secured.startswith(
        '<html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy"'
    )
    policy = dict(elements(secured)[3][1])["content"] or ""
    script_src = next(d for d in policy.split("; ") if d.startswith("script-src"))
    assert script_src == "script-src 'self' " + " ".join(expected)
    assert "object-src 'none'" in policy and "base-uri 'self'" in policy


def two_experiments() -> DatasetBuilder:
    builder = DatasetBuilder()
    for experiment_id, name in (("1", "a"), ("2", "b")):
        builder.experiment(experiment_id, name)
        builder.search(
            experiment_id,
            name,
            f"{name}-model",
            primary="accuracy",
            trials=[({"C": "1"}, {"cv_accuracy_mean": 0.5, "fit_time_s": 0.1, "rank": 1.0})],
            test_scores={"accuracy": 0.5},
        )
        builder.predictions[f"{name}-model-best"] = pd.DataFrame(
            {"y_true": ["x", "y"], "y_pred": ["x", "x"]}
        )
    return builder


def test_an_experiment_hash_changes_with_its_own_rows_and_files_only(tmp_path: Path) -> None:
    base = experiment_digests(read_dataset(two_experiments().write(tmp_path / "base")))
    again = two_experiments().write(tmp_path / "again")
    assert base == experiment_digests(read_dataset(again))  # not a timestamp of writing
    builder = two_experiments()
    builder.rows["params"][-1]["value"] = "2"  # a param of b's best run
    changed = experiment_digests(read_dataset(builder.write(tmp_path / "params")))
    assert changed["1"] == base["1"] and changed["2"] != base["2"]
    builder = two_experiments()
    builder.predictions["a-model-best"] = pd.DataFrame({"y_true": ["x"], "y_pred": ["y"]})
    changed = experiment_digests(read_dataset(builder.write(tmp_path / "predictions")))
    assert changed["1"] != base["1"] and changed["2"] == base["2"]


def test_run_files_are_read_when_used_and_a_corrupt_one_is_one_line(tmp_path: Path) -> None:
    folder = two_experiments().write(tmp_path / "export")
    (folder / "predictions" / "b-model-best.parquet").write_bytes(b"not parquet")
    dataset = read_dataset(folder)  # reads no run file yet
    assert set(dataset.predictions) == {"a-model-best", "b-model-best"}
    assert "b-model-best" in dataset.predictions
    assert list(dataset.predictions["a-model-best"]["y_pred"]) == ["x", "x"]
    with pytest.raises(DatasetError) as info:
        dataset.predictions["b-model-best"]
    message = str(info.value)
    assert message.startswith(
        UNREADABLE_TABLE.split("{reason}")[0].format(
            path=folder, table="predictions of run b-model-best"
        )
    )
    assert "\n" not in message
