"""The README's main job: `mlreport build` on the bundled examples, checked page by page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mlreport.analysis import experiment_results
from mlreport.config import discover_experiment_files, load_experiments
from mlreport.dataset import read_dataset
from mlreport.site import model_path, page_url
from mlreport.site._links import scaling_path
from mlreport.site._pages import TOP_FEATURES
from tests.conftest import REPO, run_cli
from tests.htmltools import table_rows, visible_text

pytestmark = [pytest.mark.integration, pytest.mark.timeout(1200)]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("examples")
    shutil.copytree(REPO / "experiments", root / "experiments")
    built = run_cli("build", cwd=root, timeout=1200)
    assert built.returncode == 0, built.stderr
    return root


def test_every_example_model_has_its_evidence_explanations_and_weights(project: Path) -> None:
    specs = load_experiments(discover_experiment_files(project / "experiments"))
    assert {spec.task for spec in specs} == {"classification", "regression"}
    assert any(spec.name == "digits" for spec in specs)  # multi-class
    dataset = read_dataset(project / "export")
    results = {r.name: r for r in experiment_results(dataset)}
    for spec in specs:
        for model in spec.models:
            result = next(m for m in results[spec.name].models if m.name == model.name)
            page = (project / "site" / page_url(model_path(spec.name, model.name))).read_text()
            where = f"{spec.name} / {model.name}"
            if spec.task == "regression":
                assert 'id="chart-predicted-data"' in page and 'id="chart-residuals-data"' in page
            else:
                assert 'id="chart-confusion-data"' in page, where
                labels = [row[0] for row in table_rows(page, "classes")]
                assert len(labels) == (10 if spec.name == "digits" else 2), where
            assert 'id="chart-importance-data"' in page, where
            assert 'id="chart-beeswarm-data"' in page, where
            assert result.explainer in ("tree", "linear", "kernel"), where
            text = visible_text(page)
            assert "Weights (eli5)" in text, where
            # eli5: coefficients, tree importances, or else permutation importance
            assert result.best_run_id in dataset.weights, where
            weights = dataset.weights[result.best_run_id or ""]
            outputs = weights["output"].nunique()
            limit = TOP_FEATURES if outputs <= 2 else max(5, 2 * TOP_FEATURES // outputs)
            shown = sum(min(limit, n) for n in weights.groupby("output").size())
            assert len(table_rows(page, "weights")) == shown, where
            expected = "coefficients" if result.explainer == "linear" else None
            assert expected is None or result.weights_kind == expected, where


def test_every_example_has_a_scaling_page_with_exponents_and_a_verdict(project: Path) -> None:
    specs = load_experiments(discover_experiment_files(project / "experiments"))
    for spec in specs:
        assert spec.scaling is not None, spec.name
        page = (project / "site" / page_url(scaling_path(spec.name))).read_text()
        rows = {row[0]: row for row in table_rows(page, "scaling")}
        assert set(rows) == {m.name for m in spec.scaled_models()}, spec.name
        text = visible_text(page)
        for model, row in rows.items():
            exponent = float(row[2].split(" ")[0])
            assert -0.5 < exponent < 3.5, (spec.name, model, row)
            assert row[8] in {
                "no scaling needed",
                "parallel search on more workers",
                "incremental (partial_fit) search out of core",
                "more memory (no partial_fit)",
            }, (spec.name, model, row)
            assert f"{model}. Fit time grows as rows^" in text, (spec.name, model)
        if spec.scaling.workers:
            workers = sorted({int(row[1]) for row in table_rows(page, "parallel")})
            assert workers == sorted(set(spec.scaling.workers)), spec.name
