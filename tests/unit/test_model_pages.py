"""Model pages for regressors and explanations, and experiments' scaling pages (pure)."""

from __future__ import annotations

import html
import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import mean_absolute_error, r2_score, root_mean_squared_error

from mlreport.analysis import (
    TOP_FEATURES,
    analyse,
    experiment_results,
    global_importance,
    model_scaling,
)
from mlreport.config import SiteSettings
from mlreport.site import build_pages, model_path, render_page
from mlreport.site._build import template_environment
from mlreport.site._links import scaling_path
from tests.unit.test_pages import HOSTILE, two_model_dataset


def _page(pages: list, path: str):  # type: ignore[no-untyped-def]
    return next(p for p in pages if p.path == path)


def _explanation(outputs: list[str], *, features: int = 20, rows: int = 30) -> pd.DataFrame:
    """SHAP values where feature f{i} has impact shrinking with i; f0 is named HOSTILE."""
    rng = np.random.default_rng(0)
    names = [HOSTILE] + [f"f{i}" for i in range(1, features)]
    records = []
    for sample in range(rows):
        for output in outputs:
            for position, name in enumerate(names):
                scale = 1.0 / (position + 1)
                records.append((sample, name, output, rng.normal(0, scale), rng.normal()))
    return pd.DataFrame(
        records, columns=["sample", "feature", "output", "shap_value", "feature_value"]
    )


def test_a_regressor_gets_predicted_against_actual_and_residuals_with_sklearn_scores() -> None:
    rng = np.random.default_rng(3)
    y_true = rng.normal(150, 40, 120)
    predictions = pd.DataFrame({"y_true": y_true, "y_pred": y_true + rng.normal(0, 25, 120)})
    dataset = replace(two_model_dataset().build(), predictions={"lr-best": predictions})
    page = _page(build_pages(analyse(dataset), SiteSettings()), model_path("demo", "lr"))
    assert "classes" not in page.tables and "confusion" not in page.charts
    facts = dict(page.facts)
    assert facts["R²"] == f"{r2_score(y_true, predictions['y_pred']):.4f}"
    assert facts["MAE"] == f"{mean_absolute_error(y_true, predictions['y_pred']):.4f}"
    assert facts["RMSE"] == f"{root_mean_squared_error(y_true, predictions['y_pred']):.4f}"
    scatter = json.loads(page.charts["predicted_vs_actual"].figure_json)["data"][0]
    assert scatter["x"] == pytest.approx(list(y_true))
    assert scatter["y"] == pytest.approx(list(predictions["y_pred"]))
    residuals = json.loads(page.charts["residuals"].figure_json)["data"][0]
    assert residuals["y"] == pytest.approx(list(y_true - predictions["y_pred"]))
    text = render_page(template_environment(), page)
    assert "Predicted against actual" in text and "Confusion matrix" not in text


def test_explanations_show_importance_beeswarm_per_class_and_eli5_weights() -> None:
    outputs = ["setosa", "versicolor", HOSTILE]
    explanation = _explanation(outputs)
    weights = pd.DataFrame(
        {
            "output": ["setosa"] * 3 + ["versicolor"] * 2,
            "feature": ["(intercept)", "f1", HOSTILE, "f1", "f2"],
            "weight": [0.1, -3.0, 2.0, 0.5, -0.7],
        }
    )
    labels = ["setosa", "versicolor", HOSTILE, "setosa"]
    dataset = replace(
        two_model_dataset().build(),
        predictions={"lr-best": pd.DataFrame({"y_true": labels, "y_pred": labels})},
        explanations={"lr-best": explanation},
        weights={"lr-best": weights},
    )
    page = _page(build_pages(analyse(dataset), SiteSettings()), model_path("demo", "lr"))

    expected = global_importance(explanation).head(TOP_FEATURES)
    bars = json.loads(page.charts["importance"].figure_json)["data"][0]
    assert bars["x"][::-1] == pytest.approx(list(expected["mean_abs_shap"]))  # top on top
    assert bars["y"][-1] == html.escape(HOSTILE)  # the most important, as text
    assert len(bars["y"]) == TOP_FEATURES < explanation["feature"].nunique()

    beeswarm = json.loads(page.charts["beeswarm"].figure_json)
    assert len(beeswarm["data"]) == len(outputs)  # one trace per class, one shown at a time
    assert [trace["visible"] for trace in beeswarm["data"]] == [True, False, False]
    buttons = beeswarm["layout"]["updatemenus"][0]["buttons"]
    assert [b["args"][0]["visible"] for b in buttons][1] == [False, True, False]
    shown = explanation[explanation["feature"].isin(expected["feature"])]
    first = shown[shown["output"] == "setosa"]
    assert beeswarm["data"][0]["x"] == pytest.approx(list(first["shap_value"]))
    assert "<" not in page.charts["beeswarm"].figure_json

    rows = [(r[0].text, r[1].text, r[2].text) for r in page.tables["weights"].rows]
    assert rows[:3] == [
        ("setosa", "f1", "-3.0000"),
        ("setosa", HOSTILE, "2.0000"),
        ("setosa", "(intercept)", "0.1000"),
    ]
    assert rows[3:] == [("versicolor", "f2", "-0.7000"), ("versicolor", "f1", "0.5000")]
    text = render_page(template_environment(), page)
    assert "<script>alert" not in text
    assert "SHAP values of 30 test rows" in text


def test_a_model_shap_failed_on_says_so() -> None:
    dataset = two_model_dataset().build()
    tags = dataset["tags"]
    failed = pd.DataFrame(
        [{"run_id": "lr-best", "key": "mlreport.explain_error", "value": "no explainer"}]
    )
    dataset.tables["tags"] = pd.concat([tags, failed], ignore_index=True)
    labels = ["a", "b"]
    dataset = replace(
        dataset, predictions={"lr-best": pd.DataFrame({"y_true": labels, "y_pred": labels})}
    )
    page = _page(build_pages(analyse(dataset), SiteSettings()), model_path("demo", "lr"))
    assert page.notes["explanation"] == "No explanation: SHAP failed on this model (no explainer)."
    assert "importance" not in page.charts


SCALING_PARAMS = {
    "train_rows": "8000",
    "target_rows": "1000000",
    "time_budget_s": "3600",
    "fits_in_search": "13",
    "has_partial_fit": "False",
    "machine_cores": "2",
    "machine_memory_bytes": str(16 * 1024**3),
}


def _measurements(exponent: float = 1.5, *, noise: float = 0.0) -> pd.DataFrame:
    """Fit times growing as rows**exponent, memory linearly, and a search on 1-2 workers."""
    rng = np.random.default_rng(7)
    rows = [1000, 2000, 4000, 8000]
    fits = [
        {
            "kind": "fit",
            "rows": n,
            "workers": 1,
            "repeat": repeat,
            "fit_time_s": 2e-6 * n**exponent * float(np.exp(rng.normal(0, noise))),
            "peak_memory_bytes": 800.0 * n,
            "wall_time_s": np.nan,
        }
        for n in rows
        for repeat in range(3)
    ]
    searches = [
        {
            "kind": "search",
            "rows": 8000,
            "workers": w,
            "repeat": 0,
            "fit_time_s": np.nan,
            "peak_memory_bytes": np.nan,
            "wall_time_s": t,
        }
        for w, t in ((1, 10.0), (2, 6.0))
    ]
    return pd.DataFrame(fits + searches)


def _with_scaling(builder, measurements: pd.DataFrame, **options):  # type: ignore[no-untyped-def]
    builder.scaling_run("1", "demo", "forest", measurements, params=SCALING_PARAMS, **options)
    return builder.build()


def test_the_scaling_exponent_is_recovered_from_synthetic_timings() -> None:
    dataset = _with_scaling(two_model_dataset(), _measurements(1.5, noise=0.05))
    (result,) = experiment_results(dataset)
    forest = next(m for m in result.models if m.name == "forest")
    assert forest.scaling is not None
    scaling = model_scaling("forest", forest.scaling, dataset.scaling[forest.scaling.run_id])
    assert scaling.time_fit is not None and scaling.memory_fit is not None
    assert scaling.time_fit.exponent == pytest.approx(1.5, abs=0.08)
    low, high = scaling.time_fit.exponent_interval
    assert low < 1.5 < high
    assert scaling.memory_fit.exponent == pytest.approx(1.0, abs=1e-9)
    assert [p.speedup for p in scaling.parallel] == pytest.approx([1.0, 10.0 / 6.0])
    assert scaling.verdict is not None and scaling.verdict.target_rows == 1_000_000


def test_the_scaling_page_shows_exponents_speedup_and_the_verdict() -> None:
    dataset = _with_scaling(two_model_dataset(), _measurements(1.5))
    pages = build_pages(analyse(dataset), SiteSettings())
    page = _page(pages, scaling_path("demo"))
    (row,) = page.tables["scaling"].rows
    assert row[0].text == "forest"
    assert row[2].text.startswith("1.50 (1.50 to 1.50)")
    assert row[4].text.startswith("1.00")
    # 2e-6 * 1e6**1.5 s = 2000 s per fit at the target, 13 fits on 2 cores: over 1 h
    assert row[5].text == "33.3 min"
    assert row[8].text == "parallel search on more workers"
    ((model, sentences),) = page.verdicts
    assert model == "forest" and any("rows^1.50" in s for s in sentences)
    speedups = [r[3].text for r in page.tables["parallel"].rows]
    assert speedups == ["1.00x", "1.67x"]
    assert {"time", "memory", "speedup"} <= set(page.charts)
    experiment = _page(pages, "experiments/demo.md")
    assert experiment.links["scaling"] == "demo/scaling.html"
    text = render_page(template_environment(), page)
    assert "rows^1.50" in text


def test_a_failed_scaling_run_is_shown_without_a_verdict() -> None:
    dataset = _with_scaling(
        two_model_dataset(), _measurements().head(0), status="FAILED", error="out of memory"
    )
    page = _page(build_pages(analyse(dataset), SiteSettings()), scaling_path("demo"))
    assert page.verdicts == (("forest", ("No verdict: the measurement failed: out of memory.",)),)
    assert page.tables["scaling"].rows[0][8].text == "the measurement failed: out of memory"


def test_a_model_named_scaling_does_not_take_the_scaling_page() -> None:
    assert model_path("demo", "scaling") != scaling_path("demo")
    assert model_path("demo", "scaling").startswith("experiments/demo/scaling-")


def test_fits_measured_before_a_failure_keep_their_verdict_and_say_what_failed() -> None:
    fits_only = _measurements(1.5)
    fits_only = fits_only[fits_only["kind"] == "fit"]
    failure = "timing the search on 1, 2 workers failed: boom"
    dataset = _with_scaling(two_model_dataset(), fits_only, status="FAILED", error=failure)
    page = _page(build_pages(analyse(dataset), SiteSettings()), scaling_path("demo"))
    ((model, sentences),) = page.verdicts
    assert model == "forest" and any("rows^1.50" in s for s in sentences)
    assert sentences[-1] == f"Then the measurement failed: {failure}."
    assert page.tables["scaling"].rows[0][8].text == "parallel search on more workers"
    assert page.tables["parallel"].rows == ()


def test_the_ideal_speedup_starts_at_the_fewest_workers_measured() -> None:
    measurements = _measurements(1.5)
    measurements.loc[measurements["kind"] == "search", "workers"] = [2, 4]
    dataset = _with_scaling(two_model_dataset(), measurements)
    page = _page(build_pages(analyse(dataset), SiteSettings()), scaling_path("demo"))
    ideal = json.loads(page.charts["speedup"].figure_json)["data"][-1]
    assert ideal["name"] == "ideal" and (ideal["x"], ideal["y"]) == ([2, 4], [1, 2.0])


def test_the_extrapolation_ends_at_the_target_with_its_prediction_interval() -> None:
    dataset = _with_scaling(two_model_dataset(), _measurements(1.5, noise=0.05))
    page = _page(build_pages(analyse(dataset), SiteSettings()), scaling_path("demo"))
    (result,) = experiment_results(dataset)
    forest = next(m for m in result.models if m.name == "forest")
    assert forest.scaling is not None
    fit = model_scaling("forest", forest.scaling, dataset.scaling[forest.scaling.run_id]).time_fit
    assert fit is not None
    traces = json.loads(page.charts["time"].figure_json)["data"]
    (extrapolated,) = [t for t in traces if t["name"].endswith("extrapolated")]
    assert extrapolated["x"] == [8000, 1_000_000]
    assert extrapolated["y"] == pytest.approx([fit.predict(8000), fit.predict(1_000_000)])
    lower, upper = fit.prediction_interval(1_000_000)
    error = extrapolated["error_y"]
    assert error["array"] == pytest.approx([0, upper - fit.predict(1_000_000)])
    assert error["arrayminus"] == pytest.approx([0, fit.predict(1_000_000) - lower])


def test_ten_classes_show_their_five_largest_weights_each() -> None:
    weights = pd.DataFrame(
        [(str(c), f"f{i}", (-1) ** i * i * (c + 1)) for c in range(10) for i in range(20)],
        columns=["output", "feature", "weight"],
    )
    labels = [str(c) for c in range(10)]
    dataset = replace(
        two_model_dataset().build(),
        predictions={"lr-best": pd.DataFrame({"y_true": labels, "y_pred": labels})},
        weights={"lr-best": weights},
    )
    page = _page(build_pages(analyse(dataset), SiteSettings()), model_path("demo", "lr"))
    rows = [(r[0].text, r[1].text) for r in page.tables["weights"].rows]
    assert len(rows) == 50
    assert rows[:5] == [("0", f"f{i}") for i in (19, 18, 17, 16, 15)]  # by |weight|
