from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest

from mlreport.analysis import analyse, experiment_results, other_experiments
from mlreport.config import SiteSettings
from mlreport.site import (
    ModelPage,
    build_pages,
    experiment_path,
    front_matter_title,
    leaderboard_table,
    model_path,
    relative_url,
    render_page,
    slug,
)
from mlreport.site._build import template_environment
from mlreport.site._models import ComparePage, Page, RunsTablePage, RunViewPage
from tests.builders import DatasetBuilder

HOSTILE = "<script>alert(1)</script> *em* [x](javascript:alert(2)) `code` {{ 7*7 }} | &amp;"


def two_model_dataset(name: str = "demo") -> DatasetBuilder:
    builder = DatasetBuilder()
    builder.experiment("1", name, description="A demo experiment.")
    builder.search(
        "1",
        name,
        "lr",
        primary="roc_auc",
        trials=[
            (
                {"C": "0.1", "max_iter": "100"},
                {"cv_roc_auc_mean": 0.80, "cv_roc_auc_std": 0.01, "fit_time_s": 0.5, "rank": 2},
            ),
            (
                {"C": "1.0", "max_iter": "100"},
                {"cv_roc_auc_mean": 0.85, "cv_roc_auc_std": 0.02, "fit_time_s": 0.6, "rank": 1},
            ),
        ],
        test_scores={"roc_auc": 0.84},
    )
    builder.search(
        "1",
        name,
        "forest",
        primary="roc_auc",
        trials=[
            (
                {"max_depth": "3"},
                {"cv_roc_auc_mean": 0.90, "cv_roc_auc_std": 0.01, "fit_time_s": 2.0, "rank": 1},
            ),
            ({"max_depth": "9"}, {"fit_time_s": 2.5}),  # a failed candidate
        ],
        test_scores={"roc_auc": 0.91},
    )
    return builder


def test_best_model_is_highest_test_score() -> None:
    (result,) = experiment_results(two_model_dataset().build())
    assert result.primary_metric == "roc_auc"
    assert result.best_model is not None and result.best_model.name == "forest"
    assert [m.name for m in result.models] == ["forest", "lr"]
    assert result.trial_count == 4
    assert result.models[0].failed_trials == 1
    assert result.description == "A demo experiment."


def test_leaderboard_has_a_row_per_trial_best_first_with_varying_params_only() -> None:
    (result,) = experiment_results(two_model_dataset().build())
    table = leaderboard_table(result)
    assert len(table.rows) == 4
    models = [row[1].text for row in table.rows]
    assert models == ["forest", "lr", "lr", "forest"]  # failed candidate last
    assert table.rows[0][4].text == "0.9000 ± 0.0100"
    assert table.rows[1][3].text == "C=1.0"  # max_iter is fixed, so not shown
    assert table.rows[3][4].text == "—" and table.rows[3][-1].text == "FAILED"
    run = table.rows[0][2]  # each trial links to its run view, and can be ticked
    assert run.href == f"../run.html?run=experiments/demo/{table.row_runs[0].split('/')[-1]}"
    assert len(table.row_runs) == 4 and table.compare_url == "../compare.html"


def test_latest_search_of_a_model_replaces_older_ones() -> None:
    builder = two_model_dataset()
    builder.search(
        "1",
        "demo",
        "lr",
        primary="roc_auc",
        prefix="v2-",
        trials=[
            (
                {"C": "5.0"},
                {"cv_roc_auc_mean": 0.95, "cv_roc_auc_std": 0.0, "fit_time_s": 0.1, "rank": 1},
            )
        ],
        test_scores={"roc_auc": 0.97},
    )
    (result,) = experiment_results(builder.build())
    assert result.best_model is not None and result.best_model.name == "lr"
    assert result.best_model.search_run_id == "v2-lr-search"
    assert result.trial_count == 3


def test_runs_not_created_by_mlreport_are_listed() -> None:
    builder = two_model_dataset()
    builder.experiment("7", "notebook work")
    builder.run(
        "plain-1",
        "7",
        name="my run",
        params={"lr": "0.1"},
        metrics={"loss": 0.3},
        tags={"team": "a"},
    )
    dataset = builder.build()
    (other,) = other_experiments(dataset)
    assert (other.name, other.run_count) == ("notebook work", 1)
    pages = build_pages(analyse(dataset), SiteSettings())
    runs = next(p for p in pages if p.path == "runs.md").tables["runs"]
    counts = {row[0].text: (row[1].text, row[2].text, row[0].href) for row in runs.rows}
    assert counts == {
        "demo": (
            "mlreport",
            "8",
            "experiments/demo/runs.html",
        ),  # per model: search, 2 trials, best
        "notebook work": ("other", "1", "mlflow/7/runs.html"),
    }
    table = next(p for p in pages if p.path == "mlflow/7/runs.md")
    (plain,) = run_data(table)
    assert (plain["name"], plain["params"], plain["metrics"]) == (
        "my run",
        {"lr": "0.1"},
        {"loss": 0.3},
    )
    assert plain["tags"]["team"] == "a"


def run_data(page: Page) -> list[dict]:
    """Every run of a runs table page's data files."""
    prefix = "(window.mlreportData = window.mlreportData || []).push("
    runs = []
    for _, text in sorted(page.files.items()):
        assert text.startswith(prefix) and text.endswith(");\n")
        data = json.loads(text[len(prefix) : -3])
        if data["kind"] == "runs":
            runs.extend(_as_objects(run) for run in data["runs"])
    return runs


def _as_objects(run: dict) -> dict:
    """A run record with its key-value pairs as dicts, as the site's script reads it."""
    return {
        **run,
        **{kind: dict(run[kind]) for kind in ("params", "metrics", "tags")},
        "history": {key: [part, logged] for key, part, logged in run["history"]},
    }


def test_pages_and_links() -> None:
    pages = build_pages(analyse(two_model_dataset().build()), SiteSettings())
    assert [p.path for p in pages] == [
        "index.md",
        "experiments/demo.md",
        "experiments/demo/runs.md",
        "runs.md",
        "compare.md",
        "run.md",
    ]
    home = pages[0].tables["experiments"]
    (row,) = home.rows
    assert row[0].href == "experiments/demo.html"
    assert row[2].text == "forest" and row[4].text == "0.9100"
    assert pages[1].links["runs"] == "demo/runs.html"


def test_slugs_are_stable_unique_and_safe() -> None:
    assert slug("adult-income") == "adult-income"
    assert slug("Adult Income") != slug("adult income")
    assert slug("Adult Income") == slug("Adult Income")
    assert slug("Adult Income").startswith("adult-income-")
    assert all(c.isalnum() or c == "-" for c in slug(HOSTILE))
    assert relative_url("experiments/a.md", "index.md") == "../index.html"
    assert experiment_path("x y").startswith("experiments/x-y-")


def test_hostile_text_is_escaped_in_rendered_pages() -> None:
    builder = DatasetBuilder()
    builder.hostile_experiment("1", HOSTILE)
    environment = template_environment()
    for page in build_pages(analyse(builder.build()), SiteSettings(site_name=HOSTILE)):
        text = render_page(environment, page)
        body = text.split("---", 2)[2]
        assert "<script>alert(1)" not in body
        if isinstance(page, RunsTablePage):  # names reach it as data, shown as text by JS
            assert any(r["name"] == f"{HOSTILE} trial 0" for r in run_data(page))
        elif not isinstance(page, RunViewPage | ComparePage):
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
            assert "{{ 7*7 }}" in body  # template syntax stays text


def test_front_matter_title_is_escaped_yaml() -> None:
    import yaml

    title = front_matter_title(HOSTILE)
    assert yaml.safe_load(f"title: {title}")["title"] == (
        "&lt;script&gt;alert(1)&lt;/script&gt; *em* [x](javascript:alert(2)) `code` "
        "{{ 7*7 }} | &amp;amp;"
    )


@pytest.mark.parametrize(("value", "text"), [(math.nan, "—"), (math.inf, "+inf"), (0.5, "0.5000")])
def test_scores_render_non_finite_values(value: float, text: str) -> None:
    from mlreport.text.display import score

    assert score(value) == text


def test_an_empty_store_gives_an_empty_site() -> None:
    pages = build_pages(analyse(DatasetBuilder().build()), SiteSettings())
    assert [p.path for p in pages] == ["index.md", "runs.md", "compare.md", "run.md"]
    assert pages[0].tables["experiments"].rows == ()
    assert pages[1].tables["runs"].rows == ()
    environment = template_environment()
    assert "No mlreport experiment in this export yet" in render_page(environment, pages[0])


def test_deleted_searches_leave_leaderboards_but_stay_on_the_runs_page() -> None:
    builder = two_model_dataset()
    builder.search(
        "1",
        "demo",
        "lr",
        primary="roc_auc",
        prefix="gone-",
        deleted=True,
        trials=[
            (
                {"C": "9.0"},
                {"cv_roc_auc_mean": 0.99, "cv_roc_auc_std": 0.0, "fit_time_s": 0.1, "rank": 1},
            )
        ],
        test_scores={"roc_auc": 0.99},
    )
    dataset = builder.build()
    (result,) = experiment_results(dataset)
    lr = next(m for m in result.models if m.name == "lr")
    assert lr.search_run_id == "lr-search"  # not the later, deleted one
    pages = build_pages(analyse(dataset), SiteSettings())
    runs = next(p for p in pages if p.path == "runs.md").tables["runs"]
    assert [(row[0].text, row[6].text) for row in runs.rows] == [
        ("demo", "1")
    ]  # the deleted search
    table = next(p for p in pages if p.path == "experiments/demo/runs.md")
    deleted = [r for r in run_data(table) if r["name"] == "lr search" and r["deleted"]]
    assert len(deleted) == 1


def test_runs_page_shows_user_tags_and_no_nan_for_missing_names() -> None:
    builder = DatasetBuilder()
    builder.experiment("1", "plain")
    builder.run("r1", "1", name=None, tags={"owner": "<b>me</b>", "mlflow.user": "x"})  # type: ignore[arg-type]
    pages = build_pages(analyse(builder.build()), SiteSettings())
    (run,) = run_data(next(p for p in pages if p.path == "mlflow/1/runs.md"))
    assert run["name"] == ""
    assert run["tags"]["owner"] == "<b>me</b>"  # as text: the browser shows it as text


def test_a_best_model_with_predictions_gets_a_page_with_hostile_labels_as_text() -> None:
    import pandas as pd

    dataset = two_model_dataset().build()
    labels = [HOSTILE, "ok", HOSTILE, "ok", "ok"]
    predictions = pd.DataFrame({"y_true": labels, "y_pred": [HOSTILE, "ok", "ok", "ok", "ok"]})
    dataset = replace(dataset, predictions={"lr-best": predictions})
    pages = build_pages(analyse(dataset), SiteSettings())
    (page,) = [p for p in pages if isinstance(p, ModelPage)]
    assert page.path == model_path("demo", "lr")
    assert [row[0].text for row in page.tables["classes"].rows] == sorted({HOSTILE, "ok"})
    experiment = next(p for p in pages if p.path == experiment_path("demo"))
    linked = {row[0].text: row[0].href for row in experiment.tables["models"].rows}
    assert linked == {"lr": relative_url(experiment.path, page.path), "forest": None}
    text = render_page(template_environment(), page)
    assert "<script>alert" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    figure = page.charts["confusion"].figure_json
    assert "<" not in figure  # embedded as JSON in a <script> block
    assert "&lt;script&gt;" in json.loads(figure)["data"][0]["x"][0]  # plotly shows text
