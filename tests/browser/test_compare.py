"""Comparing runs in Chromium, served over HTTP and opened from disk (``file://``): ticking
runs, the comparison view, run views with their metric histories, the runs tables and
the parallel-coordinates view."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from mlreport.dataset import Dataset, read_dataset
from mlreport.site import experiment_path, page_url
from mlreport.site._links import mlflow_group
from tests.conftest import run_cli
from tests.stores import (
    FOREIGN_EXPERIMENT,
    LOSS_STEPS,
    SEARCH_EXPERIMENT,
    SEARCH_TRIALS,
    log_generated_store,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("compare")
    uri = f"sqlite:///{root / 'mlflow.db'}"
    log_generated_store(uri)
    for command in (("export", "--tracking-uri", uri), ("site",)):
        done = run_cli(*command, cwd=root)
        assert done.returncode == 0, done.stderr
    return root


@pytest.fixture(params=["http", "file"])
def site_url(
    request: pytest.FixtureRequest, generated: Path, serve: Callable[[Path], str]
) -> Callable[[str], str]:
    """Page path -> its URL, on a local server or on disk."""
    site = generated / "site"
    base = serve(site) if request.param == "http" else site.resolve().as_uri() + "/"
    return lambda path: base + path


@pytest.fixture
def page(browser: Any) -> Any:
    context = browser.new_context(accept_downloads=True)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    # MkDocs-Material's search fetches its index, which a page opened from disk cannot
    # (the site's search offline is another issue's); anything else is a failure
    assert [e for e in errors if "search/search_index.js" not in e] == []


def _dataset(root: Path) -> Dataset:
    return read_dataset(root / "export")


def _params(dataset: Dataset, run_id: str) -> dict[str, str]:
    params = dataset["params"]
    return dict(params[params["run_id"] == run_id][["key", "value"]].values)


def _foreign_runs(dataset: Dataset) -> pd.DataFrame:
    experiments = dataset["experiments"].set_index("name")
    experiment_id = str(experiments.loc[FOREIGN_EXPERIMENT, "experiment_id"])
    runs = dataset["runs"]
    return runs[runs["experiment_id"] == experiment_id].sort_values("run_name")


def _traces(page: Any, selector: str) -> list[dict[str, Any]]:
    page.wait_for_selector(f"{selector}[data-drawn]")
    return page.eval_on_selector(
        selector,
        "div => div.data.map(t => ({name: t.name, x: Array.from(t.x), y: Array.from(t.y)}))",
    )


def test_three_ticked_runs_compare_on_exactly_the_params_that_differ(
    page: Any, site_url: Callable[[str], str], generated: Path
) -> None:
    page.goto(site_url(page_url(experiment_path(SEARCH_EXPERIMENT))))
    boxes = page.locator("#leaderboard input.mlreport-pick")
    picked = [boxes.nth(i).get_attribute("value") for i in range(3)]
    for i in range(3):
        boxes.nth(i).check()
    compare = page.locator(".mlreport-compare-open").first
    assert compare.inner_text() == "Compare 3 ticked runs"
    compare.click()
    page.wait_for_selector("table.mlreport-compare-params")
    dataset = _dataset(generated)
    values = [_params(dataset, ref.rsplit("/", 1)[1]) for ref in picked]
    keys = set().union(*values)
    differ = {k for k in keys if len({v.get(k) for v in values}) > 1}
    assert "max_iter" in keys and "max_iter" not in differ
    rows = page.locator("table.mlreport-compare-params tbody tr")
    shown = {
        rows.nth(i).get_attribute("data-key")
        for i in range(rows.count())
        if rows.nth(i).is_visible()
    }
    assert shown == differ
    page.locator(".mlreport-only-differences input").uncheck()
    shown = {
        rows.nth(i).get_attribute("data-key")
        for i in range(rows.count())
        if rows.nth(i).is_visible()
    }
    assert shown == keys
    cells = page.locator("table.mlreport-compare-params tr[data-key=alpha] td")
    assert [cells.nth(i).inner_text() for i in range(3)] == [v["alpha"] for v in values]


def test_overlaid_histories_equal_the_exported_metric_history(
    page: Any, site_url: Callable[[str], str], generated: Path
) -> None:
    dataset = _dataset(generated)
    runs = _foreign_runs(dataset)
    group = mlflow_group(str(runs["experiment_id"].iloc[0]))
    page.goto(site_url(f"{group}/runs.html"))
    boxes = page.locator(".mlreport-runs-table input.mlreport-pick")
    assert boxes.count() == 3
    for i in range(3):
        boxes.nth(i).check()
    page.locator(".mlreport-compare-open").click()
    traces = _traces(page, ".mlreport-history-chart[data-metric=loss]")
    history = dataset["metric_history"]
    loss = history[history["key"] == "loss"].sort_values("step")
    assert sorted(t["name"] for t in traces) == sorted(runs["run_name"])
    for trace in traces:
        run_id = runs.set_index("run_name").loc[trace["name"], "run_id"]
        expected = loss[loss["run_id"] == run_id]
        assert trace["x"] == expected["step"].tolist()
        assert trace["y"] == expected["value"].tolist()


def test_a_foreign_run_shows_its_loss_curve_on_its_run_view(
    page: Any, site_url: Callable[[str], str], generated: Path
) -> None:
    dataset = _dataset(generated)
    run = _foreign_runs(dataset).iloc[0]
    group = mlflow_group(str(run["experiment_id"]))
    page.goto(site_url(f"run.html?run={group}/{run['run_id']}"))
    (trace,) = _traces(page, ".mlreport-history-chart[data-metric=loss]")
    history = dataset["metric_history"]
    expected = history[(history["run_id"] == run["run_id"]) & (history["key"] == "loss")]
    assert len(trace["x"]) == LOSS_STEPS
    assert trace["y"] == expected.sort_values("step")["value"].tolist()
    assert page.locator(".md-content h1").inner_text() == run["run_name"]
    params = page.locator("table.mlreport-run-params tbody tr")
    assert [params.nth(i).inner_text().split("\t") for i in range(params.count())] == [
        ["epochs", str(LOSS_STEPS)],
        ["lr", "0.1"],
        ["optimizer", "adam"],
    ]


def test_an_unknown_run_says_so(page: Any, site_url: Callable[[str], str]) -> None:
    page.goto(site_url("run.html?run=mlflow/999/0123abcd"))
    page.wait_for_selector(".mlreport-run-view .mlreport-empty")
    assert "no run 0123abcd" in page.locator(".mlreport-run-view").inner_text()


def test_parallel_coordinates_draw_one_line_per_trial(
    page: Any, site_url: Callable[[str], str]
) -> None:
    page.goto(site_url(page_url(experiment_path(SEARCH_EXPERIMENT))))
    page.wait_for_selector("#chart-params-0-parallel .main-svg")
    lines = page.eval_on_selector(
        "#chart-params-0-parallel",
        "div => div.data.reduce((n, t) => n + t.y.filter(v => v === null).length, 0)",
    )
    assert lines == SEARCH_TRIALS
    drawn = page.locator("#chart-params-0-parallel .scatterlayer .trace path.js-line")
    assert drawn.count() == SEARCH_TRIALS  # plotly draws each line between gaps as a path


def test_runs_table_hides_equal_columns_filters_sorts_and_downloads(
    page: Any, site_url: Callable[[str], str], generated: Path
) -> None:
    runs = _foreign_runs(_dataset(generated))
    page.goto(site_url(f"{mlflow_group(str(runs['experiment_id'].iloc[0]))}/runs.html"))
    table = page.locator(".mlreport-runs-table")
    headers = lambda: table.locator("thead tr").first.locator("th").all_inner_texts()  # noqa: E731
    assert "lr" in headers() and "optimizer" not in headers()  # adam in every run
    page.locator(".mlreport-hide-constant input").uncheck()
    assert "optimizer" in headers()
    column = headers().index("lr")
    lr_filter = table.locator("thead tr.mlreport-filters th").nth(column).locator("input")
    lr_filter.fill("> 0.005")
    body = table.locator("tbody tr")
    assert body.count() == 2
    table.locator("thead tr").first.locator("th").nth(column).click()
    shown = [body.nth(i).locator("td").nth(column).inner_text() for i in range(body.count())]
    assert shown == ["0.01", "0.1"]
    with page.expect_download() as download:
        page.locator(".mlreport-download").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert [row["param:lr"] for row in rows] == ["0.01", "0.1"]
    assert {row["run_id"] for row in rows} <= set(runs["run_id"])
    assert all(math.isclose(float(row["metric:final_accuracy"]), 0.8, abs_tol=0.03) for row in rows)


def test_values_that_differ_past_the_shown_digits_are_differences(
    page: Any, site_url: Callable[[str], str], generated: Path
) -> None:
    runs = _foreign_runs(_dataset(generated))
    group = mlflow_group(str(runs["experiment_id"].iloc[0]))
    refs = "&".join(f"run={group}/{run_id}" for run_id in runs["run_id"])
    page.goto(site_url(f"compare.html?{refs}"))
    close = page.locator("table.mlreport-compare-metrics tr[data-key=close]")
    close.wait_for()
    assert close.is_visible()  # "Only differences" is on
    cells = close.locator("td").all_inner_texts()
    assert len(set(cells)) == 1  # shown alike (0.123457), yet logged apart
    assert page.locator("table.mlreport-compare-params tr[data-key=optimizer]").is_hidden()


def test_keys_named_like_object_members_are_plain_keys(
    page: Any, site_url: Callable[[str], str], generated: Path
) -> None:
    runs = _foreign_runs(_dataset(generated))
    group = mlflow_group(str(runs["experiment_id"].iloc[0]))
    odd = runs.iloc[-1]
    page.goto(site_url(f"run.html?run={group}/{odd['run_id']}"))
    page.wait_for_selector("table.mlreport-run-params")
    params = page.locator("table.mlreport-run-params tbody tr").all_inner_texts()
    assert "__proto__\tp" in params and "constructor\tc" in params
    page.goto(site_url(f"{group}/runs.html"))
    table = page.locator(".mlreport-runs-table")
    headers = table.locator("thead tr").first.locator("th").all_inner_texts()
    column = headers.index("constructor")
    assert "__proto__" in headers
    cells = table.locator(f"tbody tr td:nth-child({column + 1})").all_inner_texts()
    assert sorted(cells) == ["", "", "c"]  # not the Object constructor's source
    table.locator("thead tr").first.locator("th").nth(column).click()  # sorts, no error
    filter_box = table.locator("thead tr.mlreport-filters th").nth(column).locator("input")
    filter_box.fill("c")
    assert table.locator("tbody tr").count() == 1


def test_a_run_of_a_group_the_site_lacks_is_missing_and_the_rest_compared(
    page: Any, site_url: Callable[[str], str], generated: Path
) -> None:
    runs = _foreign_runs(_dataset(generated))
    group = mlflow_group(str(runs["experiment_id"].iloc[0]))
    first, second = runs["run_id"].iloc[:2]
    page.goto(
        site_url(
            f"compare.html?run={group}/{first}&run=experiments/renamed/abc&run={group}/{second}"
        )
    )
    page.wait_for_selector("table.mlreport-compare-params")
    assert (
        "Not in this site: experiments/renamed/abc" in page.locator(".mlreport-error").inner_text()
    )
    heads = page.locator("table.mlreport-compare-params thead th").all_inner_texts()
    assert len(heads) == 3 and all(FOREIGN_EXPERIMENT in h for h in heads[1:])  # its name
