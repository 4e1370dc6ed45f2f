"""Incremental and Hyperband searches on blockwise data: every trial and its history logged."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlreport import schema
from mlreport.dataset import read_dataset
from mlreport.site import experiment_path, page_url
from tests.conftest import run_cli
from tests.htmltools import table_rows

pytestmark = pytest.mark.integration

CHUNKED = """
name: chunked
seed: 0
data: {kind: synthetic, n_samples: 40000, n_features: 10, n_informative: 4, chunks: 4000}
split: {test_size: 0.1}
scoring: [accuracy, roc_auc]
models:
  - name: incremental
    estimator: sklearn.linear_model.SGDClassifier
    params: {tol: 0.001, penalty: elasticnet}
    search:
      strategy: incremental
      n_initial_parameters: 4
      max_iter: 5
      space:
        alpha: {distribution: loguniform, low: 0.0001, high: 10}
        l1_ratio: {distribution: uniform, low: 0, high: 1}
  - name: hyperband
    estimator: sklearn.linear_model.SGDClassifier
    params: {tol: 0.001, penalty: elasticnet}
    search:
      strategy: hyperband
      max_iter: 9
      space:
        alpha: {distribution: loguniform, low: 0.0001, high: 10}
        average: [true, false]
  - name: halving
    estimator: sklearn.linear_model.SGDClassifier
    search:
      strategy: successive_halving
      n_initial_parameters: 4
      space:
        alpha: {distribution: loguniform, low: 0.0001, high: 10}
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("incremental")
    (root / "experiments").mkdir()
    (root / "experiments" / "chunked.yaml").write_text(CHUNKED)
    result = run_cli("build", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "chunked / incremental: 4 trials" in result.stdout
    assert "chunked / hyperband: 17 trials" in result.stdout  # Hyperband(max_iter=9) trains 17
    assert "chunked / halving: 4 trials" in result.stdout
    return root


def trial_frame(project: Path, model: str):  # type: ignore[no-untyped-def]
    dataset = read_dataset(project / "export")
    tags = dataset["tags"]
    wide = tags.pivot(index="run_id", columns="key", values="value")
    trials = wide[(wide[schema.TAG_MODEL] == model) & (wide[schema.TAG_ROLE] == "trial")]
    return dataset, trials


@pytest.mark.parametrize("model", ["incremental", "hyperband", "halving"])
def test_every_trial_has_its_score_history_by_partial_fit_calls(project: Path, model: str) -> None:
    dataset, trials = trial_frame(project, model)
    history = dataset["metric_history"]
    metrics = dataset["metrics"].set_index(["run_id", "key"])["value"]
    for run_id in trials.index:
        calls = int(metrics[(run_id, "partial_fit_calls")])
        steps = history[(history["run_id"] == run_id) & (history["key"] == "val_accuracy")]
        if model == "incremental":  # scored after every call (no patience, no decay)
            assert sorted(steps["step"]) == list(range(1, calls + 1))
        else:  # Hyperband scores at the end of each of its rungs
            assert sorted(steps["step"])[0] == 1 and max(steps["step"]) == calls
            assert steps["step"].is_unique
        assert steps.sort_values("step")["value"].iloc[-1] == metrics[(run_id, "val_accuracy")]
    reasons = set(trials[schema.TAG_STOP_REASON])
    if model == "hyperband":
        assert reasons == {schema.STOP_COMPLETED, schema.STOP_EARLY}
        assert set(trials[schema.TAG_BRACKET]) == {"0", "1", "2"}
    elif model == "halving":
        assert reasons == {schema.STOP_COMPLETED, schema.STOP_EARLY}
    else:  # without patience every candidate trains for max_iter calls
        assert reasons == {schema.STOP_COMPLETED}


def test_best_model_is_scored_on_the_blockwise_test_split(project: Path) -> None:
    dataset = read_dataset(project / "export")
    tags, metrics = dataset["tags"], dataset["metrics"]
    best = set(tags[(tags["key"] == schema.TAG_ROLE) & (tags["value"] == "best")]["run_id"])
    assert len(best) == 3
    test_metrics = metrics[metrics["run_id"].isin(best) & metrics["key"].str.startswith("test_")]
    assert set(test_metrics["key"]) == {"test_accuracy", "test_roc_auc"}
    assert (test_metrics["value"] > 0.5).all()  # better than chance on 4 informative features


def test_leaderboard_shows_validation_scores_and_stop_reasons(project: Path) -> None:
    page = (project / "site" / page_url(experiment_path("chunked"))).read_text()
    rows = table_rows(page, "leaderboard")
    assert len(rows) == 4 + 17 + 4
    evaluations = [row[5] for row in rows]
    assert all(e.startswith("validation after ") for e in evaluations)
    assert any("stopped early, bracket" in e for e in evaluations)


def test_experiment_page_shows_search_progress(project: Path) -> None:
    import json

    from tests.htmltools import plotly_values, script_data

    page = (project / "site" / page_url(experiment_path("chunked"))).read_text()
    progress = json.loads(script_data(page, "chart-progress-data"))
    assert len(progress["data"]) == 4 + 17 + 4  # one line per trial
    for number in range(3):  # every strategy has its optimisation history
        history = json.loads(script_data(page, f"chart-params-{number}-history-time-data"))
        trials, best = history["data"]
        assert plotly_values(trials["x"]) == sorted(plotly_values(trials["x"]))
        assert plotly_values(best["y"])[-1] == max(plotly_values(trials["y"]))


FAILING = """
name: failing-incremental
data: {kind: synthetic, n_samples: 20000, n_features: 6, n_informative: 3, chunks: 2000}
models:
  - name: sgd
    estimator: sklearn.linear_model.SGDClassifier
    search:
      strategy: incremental
      n_initial_parameters: 4
      max_iter: 4
      space: {alpha: [-1.0, 0.0001, 0.001, 0.01]}   # alpha=-1 fails in partial_fit
"""


def test_a_failing_candidate_is_a_failed_run_and_the_search_goes_on(tmp_path: Path) -> None:
    (tmp_path / "experiments").mkdir()
    (tmp_path / "experiments" / "failing.yaml").write_text(FAILING)
    result = run_cli("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "failing-incremental / sgd: 4 trials, 1 failed" in result.stdout
    dataset, trials = trial_frame(tmp_path, "sgd")
    failed = trials[trials[schema.TAG_STOP_REASON] == schema.STOP_FAILED]
    assert len(failed) == 1
    assert failed[schema.TAG_ERROR].item().startswith("InvalidParameterError: The 'alpha'")
    params = dataset["params"]
    alpha = params[(params["run_id"] == failed.index[0]) & (params["key"] == "alpha")]
    assert alpha["value"].item() == "-1.0"
    runs = dataset["runs"].set_index("run_id")
    assert runs.loc[failed.index[0], "status"] == "FAILED"
    assert (runs.loc[trials.index.difference(failed.index), "status"] == "FINISHED").all()


def test_a_csv_file_is_read_and_preprocessed_block_by_block(tmp_path: Path) -> None:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    n = 30_000
    signal = rng.normal(size=n)
    frame = pd.DataFrame(
        {
            "signal": signal,
            "noise": rng.normal(size=n),
            "colour": rng.choice(["red", "green", None], size=n),
            "group": rng.choice(["a", "b"], size=n),
            "label": np.where(signal + rng.normal(scale=0.5, size=n) > 0, "yes", "no"),
        }
    )
    (tmp_path / "experiments").mkdir()
    frame.to_csv(tmp_path / "experiments" / "people.csv", index=False)
    (tmp_path / "experiments" / "blocks.yaml").write_text(
        """
name: blocks
data: {kind: file, path: people.csv, target: label, positive_label: "yes",
       sensitive_features: [group], drop: [group], blocksize: 200000}
scoring: [accuracy, roc_auc]
models:
  - name: sgd
    estimator: sklearn.linear_model.SGDClassifier
    params: {loss: log_loss}
    search:
      strategy: incremental
      n_initial_parameters: 3
      max_iter: 3
      space: {alpha: [0.0001, 0.001, 0.01]}
"""
    )
    result = run_cli("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "blocks / sgd: 3 trials" in result.stdout
    dataset = read_dataset(tmp_path / "export")
    tags, metrics = dataset["tags"], dataset["metrics"]
    best = tags[(tags["key"] == schema.TAG_ROLE) & (tags["value"] == "best")]["run_id"].item()
    accuracy = metrics[(metrics["run_id"] == best) & (metrics["key"] == "test_accuracy")]
    assert accuracy["value"].item() > 0.8  # the signal column was used, after preprocessing
    uri = dataset["runs"].set_index("run_id").loc[best, "artifact_uri"]
    predictions = pd.read_parquet(Path(uri) / schema.PREDICTIONS_ARTIFACT)
    assert set(predictions["y_true"]) == {"yes", "no"}
    assert set(predictions["sensitive_group"]) == {"a", "b"}
    assert {"proba_no", "proba_yes"} <= set(predictions.columns)


def test_a_multiclass_target_is_searched_incrementally(tmp_path: Path) -> None:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(1)
    n = 30_000
    signal = rng.normal(size=n)
    noisy = signal + rng.normal(scale=0.3, size=n)
    frame = pd.DataFrame(
        {
            "signal": signal,
            "noise": rng.normal(size=n),
            "label": np.select([noisy < -0.5, noisy < 0.5], ["low", "mid"], "high"),
        }
    )
    (tmp_path / "experiments").mkdir()
    frame.to_csv(tmp_path / "experiments" / "levels.csv", index=False)
    (tmp_path / "experiments" / "levels.yaml").write_text(
        """
name: levels
data: {kind: file, path: levels.csv, target: label, blocksize: 200000}
scoring: [accuracy, balanced_accuracy]
models:
  - name: sgd
    estimator: sklearn.linear_model.SGDClassifier
    params: {loss: log_loss, random_state: 0}
    search:
      strategy: hyperband
      max_iter: 3
      space: {alpha: [0.00001, 0.0001, 0.001]}
"""
    )
    result = run_cli("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "levels / sgd:" in result.stdout
    dataset, trials = trial_frame(tmp_path, "sgd")
    assert len(trials) > 0
    assert set(trials[schema.TAG_STOP_REASON]) <= {schema.STOP_COMPLETED, schema.STOP_EARLY}
    tags, metrics = dataset["tags"], dataset["metrics"]
    best = tags[(tags["key"] == schema.TAG_ROLE) & (tags["value"] == "best")]["run_id"].item()
    accuracy = metrics[(metrics["run_id"] == best) & (metrics["key"] == "test_accuracy")]
    assert accuracy["value"].item() > 0.7  # chance is about 0.4: the three classes were learnt
    uri = dataset["runs"].set_index("run_id").loc[best, "artifact_uri"]
    predictions = pd.read_parquet(Path(uri) / schema.PREDICTIONS_ARTIFACT)
    assert set(predictions["y_true"]) == {"low", "mid", "high"}
    assert set(predictions["y_pred"]) == {"low", "mid", "high"}
    assert {"proba_low", "proba_mid", "proba_high"} <= set(predictions.columns)
    probabilities = predictions[["proba_low", "proba_mid", "proba_high"]].sum(axis=1)
    assert np.allclose(probabilities, 1.0)
