"""Fairness pages from an exported dataset: numbers from the analysis, links, escaping."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd

from mlreport import schema
from mlreport.analysis import (
    analyse,
    experiment_fairness,
    experiment_results,
    fairness_report,
    worst_outcomes,
)
from mlreport.config import FairnessSettings, SiteSettings, Threshold
from mlreport.dataset import Dataset
from mlreport.site import build_pages, model_path, render_page
from mlreport.site._build import template_environment
from mlreport.site._links import experiment_path, fairness_overview_path, fairness_path
from mlreport.text import fairness_findings
from tests.unit.test_pages import HOSTILE, two_model_dataset

POSITIVE, NEGATIVE = "yes", "no"
SETTINGS = FairnessSettings(
    groupings=(("sex",), ("sex", "group")),
    thresholds=(
        Threshold("demographic_parity_ratio", 0.8, "min"),
        Threshold("equalized_odds_difference", 0.1, "max"),
    ),
    bootstrap=50,
    min_group_size=50,
)


def _predictions(seed: int, bias: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 800
    sex = rng.choice(["F", "M"], n)
    group = rng.choice(["a", HOSTILE], n, p=[0.9, 0.1])
    actual = rng.random(n) < 0.4
    predicted = np.where(rng.random(n) < 0.85, actual, ~actual)
    predicted &= (sex == "M") | (rng.random(n) > bias)
    score = np.clip(0.3 + 0.4 * actual + rng.normal(0, 0.2, n), 0, 1)
    return pd.DataFrame(
        {
            "y_true": np.where(actual, POSITIVE, NEGATIVE),
            "y_pred": np.where(predicted, POSITIVE, NEGATIVE),
            f"proba_{NEGATIVE}": 1 - score,
            f"proba_{POSITIVE}": score,
            "sensitive_sex": sex,
            "sensitive_group": group,
        }
    )


def _dataset(settings: str | None = SETTINGS.to_json()) -> Dataset:
    builder = two_model_dataset()
    if settings is not None:
        builder.rows["experiment_tags"].append(
            {"experiment_id": "1", "key": schema.TAG_FAIRNESS, "value": settings}
        )
    predictions = {"lr-best": _predictions(0, bias=0.5), "forest-best": _predictions(1, bias=0.1)}
    return replace(builder.build(), predictions=predictions)


def _page(pages: list, path: str):  # type: ignore[no-untyped-def]
    return next(p for p in pages if p.path == path)


def test_each_best_model_gets_a_report_per_grouping_with_the_analysis_numbers() -> None:
    dataset = _dataset()
    pages = build_pages(analyse(dataset), SiteSettings())
    page = _page(pages, fairness_path("demo", "lr"))
    expected = fairness_report(
        dataset.predictions["lr-best"],
        ["sex"],
        thresholds=SETTINGS.thresholds,
        bootstrap=50,
        min_group_size=50,
    )
    assert [s.heading for s in page.sections] == ["By sex", "By sex \u00d7 group"]
    first = page.sections[0]
    assert first.sentences == fairness_findings(expected)
    rows = {row[0].text: row for row in first.groups.rows}
    for group in expected.groups:
        row = rows[group.group[0]]
        assert row[1].text == f"{group.size:,}"
        low, high = group.intervals["selection_rate"]
        assert row[2].text == f"{group.metrics['selection_rate']:.3f} ({low:.3f}\u2013{high:.3f})"
        tn_fp, fn_tp = group.confusion or ((0, 0), (0, 0))
        confusion = next(
            r
            for r in (first.confusion.rows if first.confusion else ())
            if r[0].text == group.group[0]
        )
        assert [c.text for c in confusion[1:]] == [f"{c:,}" for c in (*tn_fp, *fn_tp)]
    thresholds = [(r[0].text, r[1].text, r[4].text) for r in first.thresholds.rows]
    assert thresholds == [
        (
            label,
            f"{r.value:.3f}",
            ("pass" if r.passed else "fail")
            + ("" if r.conclusive else " (interval crosses the bound)"),
        )
        for label, r in zip(
            ["demographic parity ratio", "equalized odds difference"],
            expected.thresholds,
            strict=True,
        )
    ]
    assert expected.thresholds[0].passed is False  # the bias makes women selected less
    assert page.charts == {} and first.chart is not None


def test_small_intersections_are_flagged_and_the_overview_shows_the_worst_grouping() -> None:
    dataset = _dataset()
    pages = build_pages(analyse(dataset), SiteSettings())
    crossed = _page(pages, fairness_path("demo", "lr")).sections[1]
    small = [row for row in crossed.groups.rows if "too small to judge" in row[2].text]
    assert small and all(HOSTILE in row[1].text for row in small)
    (result,) = experiment_results(dataset)
    overview = _page(pages, fairness_overview_path("demo"))
    rows = {row[0].text: row for row in overview.tables["overview"].rows}
    assert set(rows) == {"lr", "forest"}
    for fairness in experiment_fairness(dataset, result):
        worst = worst_outcomes(fairness)["demographic_parity_ratio"]
        values = [
            r.value
            for report in fairness.reports
            for r in report.thresholds
            if r.threshold.metric == "demographic_parity_ratio"
        ]
        assert worst.result.value == min(values)
        assert rows[fairness.model][2].text.startswith(f"{worst.result.value:.3f} by ")
        assert rows[fairness.model][1].text == f"{fairness.primary_score:.4f}"
    chart = json.loads(overview.charts["demographic parity ratio"].figure_json)
    assert {trace["name"] for trace in chart["data"]} == {"lr", "forest"}
    assert chart["layout"]["shapes"][0]["y0"] == 0.8  # the bound


def test_pages_link_to_each_other_and_escape_group_values() -> None:
    pages = build_pages(analyse(_dataset()), SiteSettings())
    model = _page(pages, model_path("demo", "lr"))
    assert model.links["fairness"] == "fairness/lr.html"
    experiment = _page(pages, experiment_path("demo"))
    assert experiment.links["fairness"] == "demo/fairness.html"
    page = _page(pages, fairness_path("demo", "lr"))
    assert page.links["model"] == "../lr.html"
    html = render_page(template_environment(), page)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_without_logged_settings_each_sensitive_column_is_reported_with_defaults() -> None:
    pages = build_pages(analyse(_dataset(settings=None)), SiteSettings())
    page = _page(pages, fairness_path("demo", "lr"))
    assert [s.heading for s in page.sections] == ["By sex", "By group"]
    assert len(page.sections[0].thresholds.rows) == 2  # the default thresholds


def test_unreadable_settings_give_a_page_that_says_so() -> None:
    pages = build_pages(analyse(_dataset(settings="{broken")), SiteSettings())
    page = _page(pages, fairness_path("demo", "lr"))
    assert page.sections == ()
    assert page.notes["error"].startswith("unreadable fairness settings")
    settings = FairnessSettings(groupings=(("age",),)).to_json()
    missing = _page(
        build_pages(analyse(_dataset(settings)), SiteSettings()), fairness_path("demo", "lr")
    )
    assert "no sensitive feature 'age'" in missing.notes["error"]


def test_predictions_without_sensitive_features_get_no_fairness_pages() -> None:
    dataset = _dataset()
    plain = {
        k: v.drop(columns=["sensitive_sex", "sensitive_group"])
        for k, v in dataset.predictions.items()
    }
    pages = build_pages(analyse(replace(dataset, predictions=plain)), SiteSettings())
    assert not any("fairness" in p.path for p in pages)
    assert "fairness" not in _page(pages, model_path("demo", "lr")).links


def test_each_group_gets_a_small_confusion_matrix_normalised_by_the_actual_class() -> None:
    dataset = _dataset()
    section = _page(
        build_pages(analyse(dataset), SiteSettings()), fairness_path("demo", "lr")
    ).sections[0]
    assert section.confusion_chart is not None
    figure = json.loads(section.confusion_chart.figure_json)
    report = fairness_report(dataset.predictions["lr-best"], ["sex"], bootstrap=0)
    by_size = sorted(report.groups, key=lambda row: -row.size)
    assert len(figure["data"]) == len(by_size)
    for trace, row in zip(figure["data"], by_size, strict=True):
        (tn, fp), (fn, tp) = row.confusion or ((0, 0), (0, 0))
        assert trace["text"] == [[f"{tn:,}", f"{fp:,}"], [f"{fn:,}", f"{tp:,}"]]
        assert trace["z"][0][0] == tn / (tn + fp) and trace["z"][1][1] == tp / (fn + tp)
    titles = [a["text"] for a in figure["layout"]["annotations"]]
    assert titles == [f"{row.group[0]}<br>{row.size:,} rows" for row in by_size]


def test_fairness_is_computed_once_per_analysis() -> None:
    analysis = analyse(_dataset())
    (result,) = analysis.results
    first = analysis.fairness(result)
    assert analysis.fairness(result) is first
    with_history = analysis.with_builds(analysis.dataset.builds.copy())  # what record_build returns
    assert with_history.fairness(result) is first
    other = replace(result, fairness=FairnessSettings(groupings=(("group",),), bootstrap=0))
    reports = experiment_fairness(analysis.dataset, other)[0].reports
    assert [r.features for r in reports] == [("group",)]
