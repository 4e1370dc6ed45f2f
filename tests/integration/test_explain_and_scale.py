"""End to end: explanations, regression pages and scaling pages from a real build.

A real SQLite MLflow store, a real LocalCluster (and local clusters of 1 and 2 workers
for the scaling measurement), a real MkDocs build; the pages are checked against
numbers computed directly from the exported artifacts.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from mlreport import schema
from mlreport.analysis import experiment_results, fit_power_law, global_importance
from mlreport.dataset import read_dataset
from mlreport.site import model_path, page_url
from mlreport.site._links import scaling_path
from mlreport.site._pages import ALL_OUTPUTS
from tests.conftest import run_cli
from tests.htmltools import table_rows, visible_text

pytestmark = pytest.mark.integration

REGRESSION = """
name: diabetes
task: regression
seed: 1
data: {kind: sklearn, name: diabetes}
scaling:
  sample_fractions: [0.25, 0.5, 1.0]
  workers: [1, 2]
  target_rows: 1000000
models:
  - name: ridge
    estimator: sklearn.linear_model.Ridge
    search: {strategy: grid, cv: 3, space: {alpha: [0.1, 1.0, 10.0]}}
  - name: tree
    estimator: sklearn.tree.DecisionTreeRegressor
    search: {strategy: grid, cv: 3, space: {max_depth: [3, 5]}}
"""

MULTICLASS = """
name: wine
seed: 2
data: {kind: sklearn, name: wine}
scoring: [accuracy]
explain: {max_samples: 30, background_size: 5}
models:
  - name: knn
    estimator: sklearn.neighbors.KNeighborsClassifier
    search: {strategy: grid, cv: 3, space: {n_neighbors: [3, 7]}}
  - name: lr
    estimator: sklearn.linear_model.LogisticRegression
    params: {max_iter: 2000}
    search: {strategy: grid, cv: 3, space: {C: [0.1, 1.0]}}
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("models")
    (root / "experiments").mkdir()
    (root / "experiments" / "diabetes.yaml").write_text(REGRESSION)
    (root / "experiments" / "wine.yaml").write_text(MULTICLASS)
    built = run_cli("build", cwd=root)
    assert built.returncode == 0, built.stderr
    return root


def _chart(page: str, chart_id: str) -> dict:  # type: ignore[type-arg]
    found = re.search(rf'<script type="application/json" id="{chart_id}-data">(.*?)</script>', page)
    assert found is not None, chart_id
    return json.loads(found.group(1))  # type: ignore[no-any-return]


def _best_runs(project: Path) -> tuple[pd.DataFrame, dict[tuple[str, str], str]]:
    dataset = read_dataset(project / "export")
    return dataset, {
        (result.name, model.name): model.best_run_id or ""
        for result in experiment_results(dataset)
        for model in result.models
    }


def test_every_best_model_page_shows_its_exported_shap_values_and_eli5_weights(
    project: Path,
) -> None:
    dataset, best = _best_runs(project)
    explainers = {}
    for (experiment, model), run_id in best.items():
        page = (project / "site" / page_url(model_path(experiment, model))).read_text()
        explanation = dataset.explanations[run_id]
        expected = global_importance(explanation).head(15)
        bars = _chart(page, "chart-importance")["data"][0]
        assert bars["x"][::-1] == pytest.approx(expected["mean_abs_shap"].tolist())
        assert bars["y"][::-1] == expected["feature"].tolist()
        beeswarm = _chart(page, "chart-beeswarm")
        outputs = explanation["output"].unique().tolist()
        assert [trace["name"] for trace in beeswarm["data"]] == outputs
        tags = dataset["tags"]
        explainers[model] = tags[
            (tags["run_id"] == run_id) & (tags["key"] == schema.TAG_EXPLAINER)
        ]["value"].item()
        text = visible_text(page)
        assert f"SHAP values of {explanation['sample'].nunique()} test rows" in text
        if run_id in dataset.weights:
            weights = dataset.weights[run_id]
            rows = table_rows(page, "weights")
            biggest = weights.loc[weights["weight"].abs().idxmax()]
            output = biggest["output"] or ALL_OUTPUTS
            assert [output, biggest["feature"], f"{biggest['weight']:.4f}"] in rows
        else:
            assert "eli5 gives no weights for this model" in text
    assert explainers == {"ridge": "linear", "tree": "tree", "knn": "kernel", "lr": "linear"}
    wine = dataset.explanations[best[("wine", "lr")]]
    assert sorted(wine["output"].unique()) == ["class_0", "class_1", "class_2"]
    assert wine["sample"].nunique() == 30  # explain.max_samples
    knn_weights = dataset.weights[best[("wine", "knn")]]  # eli5's permutation importance
    assert set(knn_weights["output"]) == {""} and len(knn_weights) == 13  # wine's features
    knn_page = (project / "site" / page_url(model_path("wine", "knn"))).read_text()
    assert "eli5's permutation importance on the explained test rows" in visible_text(knn_page)
    assert "sex" in set(dataset.explanations[best[("diabetes", "ridge")]]["feature"])


def test_a_regressor_page_has_sklearn_scores_and_prediction_plots(project: Path) -> None:
    from sklearn.metrics import mean_absolute_error, r2_score

    dataset, best = _best_runs(project)
    run_id = best[("diabetes", "ridge")]
    predictions = dataset.predictions[run_id]
    assert predictions["y_true"].dtype == "float64"
    page = (project / "site" / page_url(model_path("diabetes", "ridge"))).read_text()
    r2 = r2_score(predictions["y_true"], predictions["y_pred"])
    mae = mean_absolute_error(predictions["y_true"], predictions["y_pred"])
    text = visible_text(page)
    assert f"R²{r2:.4f}" in text.replace("\n", "") and f"MAE{mae:.4f}" in text.replace("\n", "")
    metrics = dataset["metrics"]
    logged = metrics[(metrics["run_id"] == run_id) & (metrics["key"] == "test_r2")]
    assert logged["value"].item() == pytest.approx(r2)
    scatter = _chart(page, "chart-predicted")["data"][0]
    assert scatter["x"] == pytest.approx(predictions["y_true"].tolist())
    assert "chart-residuals-data" in page and "chart-confusion-data" not in page


def test_the_scaling_page_fits_the_exported_measurements_and_gives_a_verdict(
    project: Path,
) -> None:
    dataset = read_dataset(project / "export")
    (diabetes,) = [r for r in experiment_results(dataset) if r.name == "diabetes"]
    page = (project / "site" / page_url(scaling_path("diabetes"))).read_text()
    rows = {row[0]: row for row in table_rows(page, "scaling")}
    assert set(rows) == {"ridge", "tree"}
    for model in diabetes.models:
        assert model.scaling is not None and model.scaling.status == "FINISHED"
        measured = dataset.scaling[model.scaling.run_id]
        fits = measured[measured["kind"] == "fit"]
        assert sorted(fits["rows"].unique()) == [83, 166, 331]  # 25%, 50%, 100% of 331
        assert (fits["fit_time_s"] > 0).all() and (fits["peak_memory_bytes"] > 0).all()
        expected = fit_power_law(fits["rows"].tolist(), fits["fit_time_s"].tolist())
        assert rows[model.name][2].startswith(f"{expected.exponent:.2f}")
        searches = measured[measured["kind"] == "search"]
        assert sorted(searches["workers"]) == [1, 2] and (searches["wall_time_s"] > 0).all()
    text = visible_text(page)
    assert "ridge. Fit time grows as rows^" in text and "tree. Fit time grows as rows^" in text
    parallel = table_rows(page, "parallel")
    assert [row[1] for row in parallel] == ["1", "2", "1", "2"]
    assert [row[3] for row in parallel][::2] == ["1.00x", "1.00x"]
    experiment = (project / "site" / "experiments" / "diabetes.html").read_text()
    assert 'href="diabetes/scaling.html"' in experiment
    assert not (project / "site" / page_url(scaling_path("wine"))).exists()  # not asked for
