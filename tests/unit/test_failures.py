"""Failures on the site (pure): failed trials and searches on the experiment page, a
failed search leaving the last finished one shown, failed builds in the history."""

from __future__ import annotations

import math

import pandas as pd

from mlreport import schema
from mlreport.analysis import BuildFailure, analyse, build_records, build_trends, latest_build
from mlreport.config import SiteSettings
from mlreport.site._pages import experiment_page, home_page
from mlreport.text import failed_build_banner
from tests.builders import DatasetBuilder

LBFGS = "ValueError: Solver lbfgs supports only 'l2' or None penalties, got l1 penalty."
OK = {"cv_roc_auc_mean": 0.8, "cv_roc_auc_std": 0.01, "fit_time_s": 0.1, "rank": 1.0}


def _with_errors(builder: DatasetBuilder, errors: dict[str, str]) -> None:
    for run_id, error in errors.items():
        builder.rows["tags"].append({"run_id": run_id, "key": schema.TAG_ERROR, "value": error})


def _partly_failing() -> DatasetBuilder:
    builder = DatasetBuilder()
    builder.experiment("1", "demo")
    builder.search(
        "1",
        "demo",
        "lr",
        primary="roc_auc",
        trials=[
            ({"penalty": "l2", "C": "1"}, OK),
            ({"penalty": "l1", "C": "0.1"}, {"fit_time_s": 0.1}),
            ({"penalty": "l1", "C": "1"}, {"fit_time_s": 0.1}),
            ({"penalty": "l1", "C": "10"}, {"fit_time_s": 0.1}),
            ({"penalty": "elasticnet", "C": "1"}, {"fit_time_s": 0.1}),
        ],
        test_scores={"roc_auc": 0.8},
    )
    _with_errors(
        builder,
        {
            "lr-trial-1": LBFGS,
            "lr-trial-2": LBFGS,
            "lr-trial-3": LBFGS,
            "lr-trial-4": "ValueError: l1_ratio must be specified",
        },
    )
    return builder


def test_failed_trials_are_grouped_by_error_with_their_count_and_params() -> None:
    """Issue 17 item 6: the experiment page lists failed trials, one row per error."""
    (result,) = analyse(_partly_failing().build()).results
    page = experiment_page(result)
    rows = [[cell.text for cell in row] for row in page.tables["failures"].rows]
    assert rows == [
        ["lr", "trial", "3", "C=0.1, penalty=l1 | C=1, penalty=l1 | C=10, penalty=l1", LBFGS],
        ["lr", "trial", "1", "C=1, penalty=elasticnet", "ValueError: l1_ratio must be specified"],
    ]


def test_an_experiment_without_failures_has_no_failures_table() -> None:
    """Issue 17 item 6: the section only appears when something failed."""
    builder = DatasetBuilder()
    builder.experiment("1", "demo")
    builder.search(
        "1", "demo", "lr", primary="roc_auc", trials=[({"C": "1"}, OK)], test_scores={"roc_auc": 1}
    )
    (result,) = analyse(builder.build()).results
    assert "failures" not in experiment_page(result).tables


def test_a_failed_search_leaves_the_last_finished_one_and_is_listed() -> None:
    """Issue 17 items 2 and 6: the model keeps the results of its last search that
    finished; the later failed search and its failed trials are under Failures."""
    builder = _partly_failing()
    base = {
        schema.TAG_EXPERIMENT: "demo",
        schema.TAG_MODEL: "lr",
        schema.TAG_PRIMARY_METRIC: "roc_auc",
        schema.TAG_STRATEGY: "grid",
    }
    builder.run(
        "later-search",
        "1",
        name="lr search",
        status="FAILED",
        tags={**base, schema.TAG_ROLE: schema.ROLE_SEARCH, schema.TAG_ERROR: "every one failed"},
    )
    builder.run(
        "later-trial",
        "1",
        name="lr trial 0",
        status="FAILED",
        parent="later-search",
        params={"penalty": "l1"},
        tags={**base, schema.TAG_ROLE: schema.ROLE_TRIAL, schema.TAG_ERROR: LBFGS},
    )
    (result,) = analyse(builder.build()).results
    (model,) = result.models
    assert model.search_run_id == "lr-search" and model.test_score("roc_auc") == 0.8
    assert model.failed_search is not None and model.failed_search.run_id == "later-search"
    groups = [(g.kind, g.count, g.error) for g in result.failures]
    assert groups == [
        ("trial", 3, LBFGS),
        ("trial", 1, "ValueError: l1_ratio must be specified"),
        ("search", 1, "every one failed"),
        ("trial", 1, LBFGS),
    ]


def _history() -> pd.DataFrame:
    rows = []
    for day, failed in enumerate([False, True]):
        when = pd.Timestamp("2026-11-01", tz="UTC") + pd.Timedelta(days=day)
        score = math.nan if failed else 0.9
        status, error = ("failed", "DataError: column income not found") if failed else ("ok", "")
        rows.append((when, f"c{day}", "e", "a", "roc_auc", score, not failed, 0, status, error))
        rows.append((when, f"c{day}", "e", "b", "roc_auc", 0.5, False, 0, "ok", ""))
    return pd.DataFrame(rows, columns=[f.name for f in schema.BUILDS])


def test_a_failed_build_is_recorded_with_its_failures_and_is_no_trend_point() -> None:
    """Issue 17 item 2: the history's builds say which failed and why; a build in which
    a model failed is no point of the experiment's trend (no false regression)."""
    builds = _history()
    first, second = build_records(builds)
    assert not first.failed and second.failed
    assert second.failures == (BuildFailure("e", "a", "DataError: column income not found"),)
    assert latest_build(builds) == second
    (trend,) = build_trends(builds)
    assert [p.best_score for p in trend.points] == [0.9] and not trend.regressions


def test_the_banner_names_the_latest_builds_failures_on_home_and_experiment_pages() -> None:
    """Issue 17 item 2: the home page and the failed experiment's page carry a banner."""
    builds = _history()
    latest = latest_build(builds)
    assert latest is not None
    text = failed_build_banner(latest, experiment="e")
    assert text == (
        "The latest build (2026-11-02 00:00 UTC) failed for this experiment: a: DataError: "
        "column income not found. This page shows the last results that were built without "
        "failing."
    )
    assert failed_build_banner(latest, experiment="other") == ""
    (result,) = analyse(_partly_failing().build()).results
    assert "build_failed" not in experiment_page(result, latest_build=latest).notes
    home = home_page([result], [], SiteSettings(), latest_build=latest)
    assert "e / a: DataError: column income not found" in home.notes["build_failed"]


def test_models_failing_alike_are_named_once_with_their_error() -> None:
    """Issue 17 item 8: a data problem fails every model of its experiment with the same
    error; it is said once for all of them, on the CLI's error line and in the history."""
    from mlreport.text import failures_text

    failures = [
        BuildFailure("people", "lr", "column 'gender' is not in data file people.csv"),
        BuildFailure("people", "tree", "column 'gender' is not in data file people.csv"),
        BuildFailure("synth", "tree", LBFGS),
    ]
    text = failures_text(failures)
    assert text == (
        f"people / lr, tree: column 'gender' is not in data file people.csv; synth / tree: {LBFGS}"
    )
    assert failures_text(failures[:2], with_experiment=False).startswith("lr, tree: column")
