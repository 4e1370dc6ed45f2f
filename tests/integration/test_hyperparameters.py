"""Hyperparameter views from a real MLflow store: importances against Optuna's own output
on the exported trials, parallel coordinates and the optimisation history."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from mlreport.analysis import IMPORTANCE_DEPTH, IMPORTANCE_SEED, IMPORTANCE_TREES
from mlreport.dataset import read_dataset
from mlreport.site import experiment_path, page_url
from tests.conftest import run_cli
from tests.htmltools import plotly_values, script_data
from tests.stores import SEARCH_EXPERIMENT, SEARCH_SPACE, SEARCH_TRIALS, log_generated_store

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated store (alpha alone decides the score), exported and built."""
    root = tmp_path_factory.mktemp("generated")
    uri = f"sqlite:///{root / 'mlflow.db'}"
    log_generated_store(uri)
    exported = run_cli("export", "--tracking-uri", uri, cwd=root)
    assert exported.returncode == 0, exported.stderr
    built = run_cli("site", cwd=root)
    assert built.returncode == 0, built.stderr
    return root


def _figure(root: Path, chart_id: str) -> dict:
    page = (root / "site" / page_url(experiment_path(SEARCH_EXPERIMENT))).read_text()
    return json.loads(script_data(page, f"{chart_id}-data"))


def _optuna_importances(root: Path) -> dict[str, float]:
    """fANOVA straight from Optuna (mlreport's forest size and seed), fed the exported
    trials and the space."""
    import optuna
    from optuna.distributions import CategoricalDistribution, FloatDistribution

    dataset = read_dataset(root / "export")
    params, metrics, tags = dataset["params"], dataset["metrics"], dataset["tags"]
    trials = set(tags[(tags["key"] == "mlreport.role") & (tags["value"] == "trial")]["run_id"])
    indices = tags[tags["key"] == "mlreport.trial_index"].set_index("run_id")["value"]
    distributions = {
        "alpha": FloatDistribution(1e-4, 1.0, log=True),
        "l1_ratio": FloatDistribution(0.0, 1.0),
        "penalty": CategoricalDistribution(SEARCH_SPACE["penalty"]),
    }
    study = optuna.create_study(direction="maximize")
    for run_id in sorted(trials, key=lambda run: int(indices[run])):  # in trial order
        values = dict(params[params["run_id"] == run_id][["key", "value"]].values)
        score = metrics[(metrics["run_id"] == run_id) & (metrics["key"] == "cv_accuracy_mean")]
        study.add_trial(
            optuna.trial.create_trial(
                params={
                    "alpha": float(values["alpha"]),
                    "l1_ratio": float(values["l1_ratio"]),
                    "penalty": values["penalty"],
                },
                distributions=distributions,
                value=float(score["value"].iloc[0]),
            )
        )
    evaluator = optuna.importance.FanovaImportanceEvaluator(
        n_trees=IMPORTANCE_TREES, max_depth=IMPORTANCE_DEPTH, seed=IMPORTANCE_SEED
    )
    return dict(optuna.importance.get_param_importances(study, evaluator=evaluator))


def test_the_param_the_score_depends_on_is_the_most_important(generated: Path) -> None:
    figure = _figure(generated, "chart-params-0-importance")
    bars = figure["data"][0]
    shown = dict(zip(bars["y"], plotly_values(bars["x"]), strict=True))
    assert max(shown, key=shown.__getitem__) == "alpha"
    assert shown["alpha"] > 0.9
    expected = _optuna_importances(generated)
    assert set(shown) == set(expected)
    for name, value in expected.items():
        assert math.isclose(shown[name], value, rel_tol=1e-9, abs_tol=1e-12), name


def test_parallel_coordinates_draw_one_line_per_trial(generated: Path) -> None:
    figure = _figure(generated, "chart-params-0-parallel")
    lines = 0
    for trace in figure["data"]:
        points = trace["y"]
        lines += sum(1 for point in points if point is None)  # each line ends with a gap
        assert len(points) == 5 * sum(1 for point in points if point is None)  # 4 axes
    assert lines == SEARCH_TRIALS
    labels = figure["layout"]["xaxis"]["ticktext"]
    assert labels == ["alpha (log)", "l1_ratio", "penalty", "accuracy"]


def test_optimisation_history_ends_at_the_best_score(generated: Path) -> None:
    dataset = read_dataset(generated / "export")
    metrics = dataset["metrics"]
    best = metrics[metrics["key"] == "cv_accuracy_mean"]["value"].max()
    for suffix in ("order", "time"):
        figure = _figure(generated, f"chart-params-0-history-{suffix}")
        trials, best_so_far = figure["data"]
        scores = plotly_values(trials["y"])
        assert len(scores) == SEARCH_TRIALS
        marks = list(zip(plotly_values(trials["x"]), scores, strict=True))
        steps = list(
            zip(plotly_values(best_so_far["x"]), plotly_values(best_so_far["y"]), strict=True)
        )
        assert steps[0][0] == marks[0][0] and steps[-1][0] == marks[-1][0]  # whole span
        for x, running in steps:  # the line steps at each new best and nowhere else
            assert running == max(score for at, score in marks if at <= x)
        improvements = [marks[0]] + [
            (x, s) for i, (x, s) in enumerate(marks[1:], 1) if s > max(v for _, v in marks[:i])
        ]
        assert {x for x, _ in improvements} <= {x for x, _ in steps}
        assert math.isclose(steps[-1][1], best)
