"""End to end: a real SQLite MLflow store, a real LocalCluster, a real MkDocs build."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import mlflow
import pandas as pd
import pytest

from mlreport import schema
from mlreport.dataset import read_dataset
from mlreport.site import experiment_path, model_path, page_url, relative_url
from mlreport.site._links import HISTORY_PATH, mlflow_group
from tests.conftest import REPO, run_cli
from tests.htmltools import elements, plotly_values, table_rows, visible_text

pytestmark = pytest.mark.integration

HOSTILE = "<img src=x onerror=alert(1)> *em* [l](javascript:alert(2)) `tick` | & {{ 7*7 }}"

TINY = """
name: tiny
description: A tiny synthetic experiment.
seed: 3
data: {kind: synthetic, n_samples: 300, n_features: 6, n_informative: 3}
scoring: [accuracy, roc_auc]
primary_metric: roc_auc
models:
  - name: lr
    estimator: sklearn.linear_model.LogisticRegression
    search: {strategy: grid, cv: 2, space: {C: [0.1, 1.0, 10.0]}}
  - name: tree
    estimator: sklearn.tree.DecisionTreeClassifier
    params: {random_state: 0}
    search:
      strategy: random
      n_iter: 2
      cv: 2
      space: {max_depth: {distribution: randint, low: 2, high: 6}}
"""

HOSTILE_EXPERIMENT = f"""
name: '{HOSTILE.replace("'", "''")}'
description: '{HOSTILE.replace("'", "''")}'
data: {{kind: synthetic, n_samples: 200, n_features: 4, n_informative: 2}}
models:
  - name: '<b>bold</b> model'
    estimator: sklearn.naive_bayes.GaussianNB
    search: {{strategy: grid, cv: 2}}
"""

EXPECTED_TRIALS = {"tiny": {"lr": 3, "tree": 2}, HOSTILE: {"<b>bold</b> model": 1}}


def log_plain_mlflow_run(project: Path) -> None:
    """What a user's own training script does, with hostile names."""
    mlflow.set_tracking_uri(f"sqlite:///{project / 'mlflow.db'}")
    mlflow.set_experiment("notebook <i>work</i>")
    with mlflow.start_run(run_name=f"plain {HOSTILE}"):
        mlflow.log_param("note", HOSTILE)
        mlflow.log_metric("loss", 0.25)
        mlflow.set_tag("owner", HOSTILE)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project")
    (root / "experiments").mkdir()
    (root / "experiments" / "tiny.yaml").write_text(TINY)
    (root / "experiments" / "hostile.yaml").write_text(HOSTILE_EXPERIMENT)
    log_plain_mlflow_run(root)
    first = run_cli("build", cwd=root)
    assert first.returncode == 0, first.stderr
    assert "ran 3 model searches (6 trials)" in first.stdout
    (root / "first-build.txt").write_text(first.stdout)
    return root


def test_every_trial_is_an_mlflow_child_run_in_the_export(project: Path) -> None:
    dataset = read_dataset(project / "export")
    runs, tags = dataset["runs"], dataset["tags"]
    role = tags[tags["key"] == schema.TAG_ROLE].set_index("run_id")["value"]
    model = tags[tags["key"] == schema.TAG_MODEL].set_index("run_id")["value"]
    runs = runs.assign(role=runs["run_id"].map(role), model=runs["run_id"].map(model))
    for experiment, models in EXPECTED_TRIALS.items():
        for name, trial_count in models.items():
            mine = runs[runs["model"] == name]
            assert (mine["role"] == "search").sum() == 1
            search_id = mine.loc[mine["role"] == "search", "run_id"].item()
            trials = mine[mine["role"] == "trial"]
            assert len(trials) == trial_count, (experiment, name)
            assert set(trials["parent_run_id"]) == {search_id}
            assert (trials["status"] == "FINISHED").all()
            best = mine[mine["role"] == "best"]
            assert len(best) == 1 and best["parent_run_id"].item() == search_id
    metrics = dataset["metrics"]
    trial_ids = runs.loc[(runs["role"] == "trial") & (runs["model"] == "lr"), "run_id"]
    trial_metrics = metrics[metrics["run_id"].isin(trial_ids)]
    expected_keys = {
        "cv_roc_auc_mean",
        "cv_roc_auc_std",
        "cv_accuracy_mean",
        "cv_accuracy_std",
        "fit_time_s",
        "score_time_s",
        "rank",
    }
    assert set(trial_metrics["key"]) == expected_keys
    params = dataset["params"]
    assert sorted(
        params.loc[params["run_id"].isin(trial_ids) & (params["key"] == "C"), "value"]
    ) == ["0.1", "1.0", "10.0"]
    best_ids = runs.loc[runs["role"] == "best", "run_id"]
    artifacts = dataset["artifacts"]
    with_predictions = artifacts[artifacts["path"] == schema.PREDICTIONS_ARTIFACT]["run_id"]
    assert set(best_ids) == set(with_predictions)
    assert dataset.manifest["row_counts"]["runs"] == len(dataset["runs"])


def test_predictions_artifact_holds_test_labels_and_scores(project: Path) -> None:
    dataset = read_dataset(project / "export")
    tags = dataset["tags"]
    best = set(tags[(tags["key"] == schema.TAG_ROLE) & (tags["value"] == "best")]["run_id"])
    lr = set(tags[(tags["key"] == schema.TAG_MODEL) & (tags["value"] == "lr")]["run_id"])
    (run_id,) = best & lr
    uri = dataset["runs"].set_index("run_id").loc[run_id, "artifact_uri"]
    predictions = pd.read_parquet(Path(uri) / schema.PREDICTIONS_ARTIFACT)
    assert len(predictions) == 75  # 25% of 300
    assert {"y_true", "y_pred", "proba_0", "proba_1"} <= set(predictions.columns)
    accuracy = (predictions["y_true"] == predictions["y_pred"]).mean()
    metrics = dataset["metrics"]
    logged = metrics[(metrics["run_id"] == run_id) & (metrics["key"] == "test_accuracy")]
    assert logged["value"].item() == pytest.approx(accuracy)


def test_site_has_home_experiment_pages_and_leaderboards(project: Path) -> None:
    site = project / "site"
    home = (site / "index.html").read_text()
    assert {row[0] for row in table_rows(home, "experiments")} == set(EXPECTED_TRIALS)
    for experiment, models in EXPECTED_TRIALS.items():
        page = site / page_url(experiment_path(experiment))
        rows = table_rows(page.read_text(), "leaderboard")
        assert len(rows) == sum(models.values())
        assert {row[1] for row in rows} == set(models)
    tiny = (site / page_url(experiment_path("tiny"))).read_text()
    scores = [float(row[4].split(" ± ")[0]) for row in table_rows(tiny, "leaderboard")]
    assert scores == sorted(scores, reverse=True)
    assert (site / "assets" / "plotly.min.js").stat().st_size > 1_000_000
    assert not any("cdn" in (a.get("src") or "") for _, a in elements(tiny))


def test_each_best_model_has_a_page_with_pycm_confusion_and_statistics(project: Path) -> None:
    from pycm import ConfusionMatrix
    from sklearn.metrics import roc_auc_score, roc_curve

    dataset = read_dataset(project / "export")
    tags = dataset["tags"]
    best = set(tags[(tags["key"] == schema.TAG_ROLE) & (tags["value"] == "best")]["run_id"])
    model_of = tags[tags["key"] == schema.TAG_MODEL].set_index("run_id")["value"]
    site = project / "site"
    for experiment, models in EXPECTED_TRIALS.items():
        experiment_page = (site / page_url(experiment_path(experiment))).read_text()
        links = {a.get("href") for tag, a in elements(experiment_page) if tag == "a"}
        for model in models:
            (run_id,) = [r for r in best if model_of.get(r) == model]
            predictions = dataset.predictions[run_id]
            expected = ConfusionMatrix(
                actual_vector=[str(v) for v in predictions["y_true"]],
                predict_vector=[str(v) for v in predictions["y_pred"]],
            )
            path = model_path(experiment, model)
            assert relative_url(experiment_path(experiment), path) in links
            page = (site / page_url(path)).read_text()
            found = re.search(
                r'<script type="application/json" id="chart-confusion-data">(.*?)</script>', page
            )
            assert found is not None, path
            heatmap = json.loads(found.group(1))["data"][0]
            labels = [str(label) for label in expected.classes]
            assert heatmap["z"] == [[expected.table[t][p] for p in labels] for t in labels]
            buttons = json.loads(found.group(1))["layout"]["updatemenus"][0]["buttons"]
            assert [b["label"] for b in buttons] == [
                "counts",
                "normalised by true class",
                "normalised by predicted class",
            ]
            if experiment == "tiny":  # binary, with probabilities: ROC and PR curves
                roc = re.search(
                    r'<script type="application/json" id="chart-roc-data">(.*?)</script>', page
                )
                assert roc is not None, path
                positive = predictions.columns[predictions.columns.str.startswith("proba_")][1]
                is_positive = predictions["y_true"].astype(str) == positive.removeprefix("proba_")
                fpr, tpr, _ = roc_curve(is_positive, predictions[positive])
                line = json.loads(roc.group(1))["data"][0]
                assert plotly_values(line["x"]) == fpr.tolist()
                assert plotly_values(line["y"]) == tpr.tolist()
                auc = roc_auc_score(is_positive, predictions[positive])
                assert f"ROC AUC {auc:.4f} on the test split" in page
                assert 'id="chart-pr-data"' in page
            rows = table_rows(page, "classes")
            assert [row[0] for row in rows] == labels
            for row in rows:
                stat = expected.class_stat
                for column, key in ((1, "PPV"), (2, "TPR"), (3, "F1"), (4, "MCC")):
                    value = stat[key][row[0]]
                    shown = "—" if value == "None" else f"{float(value):.4f}"
                    assert row[column] == shown, (path, row[0], key)
                assert row[5] == str(stat["P"][row[0]])


def test_plain_mlflow_runs_are_on_the_runs_page(project: Path) -> None:
    dataset = read_dataset(project / "export")
    assert "notebook <i>work</i>" in set(dataset["experiments"]["name"])
    assert f"plain {HOSTILE}" in set(dataset["runs"]["run_name"])
    rows = table_rows((project / "site" / "runs.html").read_text(), "runs")
    (listed,) = [row for row in rows if row[0] == "notebook <i>work</i>"]
    assert listed[1:3] == ["other", "1"]
    experiment_id = dataset["experiments"].set_index("name").loc["notebook <i>work</i>"]
    group = mlflow_group(str(experiment_id["experiment_id"]))
    (data,) = (project / "site" / "data" / group).glob("runs-*.js")
    (plain,) = json.loads(data.read_text().split(".push(", 1)[1].removesuffix(");\n"))["runs"]
    assert plain["name"] == f"plain {HOSTILE}"
    params, tags, metrics = (dict(plain[kind]) for kind in ("params", "tags", "metrics"))
    assert params["note"] == HOSTILE and tags["owner"] == HOSTILE
    assert metrics["loss"] == 0.25
    home = (project / "site" / "index.html").read_text()
    assert ["notebook <i>work</i>", "active", "1"] in table_rows(home, "other-experiments")


def test_special_characters_are_text_on_every_page(project: Path) -> None:
    pages = sorted((project / "site").rglob("*.html"))
    assert len(pages) >= 5
    for page in pages:
        html = page.read_text()
        tags = elements(html)
        assert not any(
            (tag in ("img", "b", "i") and "onerror" in attrs) or tag == "b" for tag, attrs in tags
        ), page
        for _, attrs in tags:
            assert not any(name.startswith("on") for name in attrs), (page, attrs)
            assert not (attrs.get("href") or "").startswith("javascript:"), (page, attrs)
    experiment = (project / "site" / page_url(experiment_path(HOSTILE))).read_text()
    text = visible_text(experiment)
    assert HOSTILE in text  # the name and description, verbatim, as text
    assert "<b>bold</b> model" in text
    runs_text = visible_text((project / "site" / "runs.html").read_text())
    assert "notebook <i>work</i>" in runs_text  # the experiment's name, as text
    # run names, params and tags reach the runs tables as JSON strings in data files,
    # which the browser shows as text (the browser tests)
    for data in (project / "site" / "data").rglob("*.js"):
        prefix, rest = data.read_text().split(".push(", 1)
        assert prefix == "(window.mlreportData = window.mlreportData || [])"
        json.loads(rest.removesuffix(");\n"))


def test_second_build_reruns_nothing_and_produces_the_same_pages(project: Path) -> None:
    site = project / "site"
    before = {p.relative_to(site): p.read_bytes() for p in site.rglob("*.html")}
    runs_before = len(read_dataset(project / "export")["runs"])
    second = run_cli("build", cwd=project)
    assert second.returncode == 0, second.stderr
    assert "ran 0 model searches" in second.stdout and "skipped 3 unchanged" in second.stdout
    assert len(read_dataset(project / "export")["runs"]) == runs_before
    after = {p.relative_to(site): p.read_bytes() for p in site.rglob("*.html")}
    # every page is the same but the history, which records each build
    history = Path(page_url(HISTORY_PATH))
    assert before.pop(history) != after.pop(history)
    assert after == before
    assert read_dataset(project / "export").builds["build_time"].nunique() == 2


def test_changed_model_config_reruns_only_that_model(project: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("site", "export", ".mlreport"))
    spec = copy / "experiments" / "tiny.yaml"
    spec.write_text(spec.read_text().replace("C: [0.1, 1.0, 10.0]", "C: [0.5, 5.0]"))
    result = run_cli("run", cwd=copy)
    assert result.returncode == 0, result.stderr
    assert "ran 1 model searches (2 trials); skipped 2 unchanged" in result.stdout
    exported = run_cli("site", cwd=copy)  # no export yet in the copy: a clear error
    assert exported.returncode == 1
    assert exported.stderr.startswith("error: ") and "Traceback" not in exported.stderr
    assert run_cli("export", cwd=copy).returncode == 0
    assert run_cli("site", cwd=copy).returncode == 0
    page = (copy / "site" / page_url(experiment_path("tiny"))).read_text()
    rows = table_rows(page, "leaderboard")
    assert sorted(row[3] for row in rows if row[1] == "lr") == ["C=0.5", "C=5.0"]
    # Issue 17 item 11: only the latest search counts, as the README now says: going back
    # to the first configuration runs the model again
    spec.write_text(spec.read_text().replace("C: [0.5, 5.0]", "C: [0.1, 1.0, 10.0]"))
    reverted = run_cli("run", cwd=copy)
    assert "ran 1 model searches (3 trials); skipped 2 unchanged" in reverted.stdout
    assert "Only the latest search counts" in (REPO / "README.md").read_text()


def test_non_editable_install_builds_from_another_directory(project: Path, tmp_path: Path) -> None:
    wheel_dir, target, elsewhere = tmp_path / "wheel", tmp_path / "target", tmp_path / "elsewhere"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(wheel_dir),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheel_dir.glob("mlreport-*.whl")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    assert (target / "mlreport" / "templates" / "experiment.md.j2").is_file()
    assert (target / "mlreport" / "site_config" / "mkdocs.yml").is_file()
    assert (target / "mlreport" / "py.typed").is_file()  # type checkers read its hints
    elsewhere.mkdir()
    env = {"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import mlreport, sys; print(mlreport.__file__); from mlreport.cli import main; "
            "sys.argv = ['mlreport', 'site', '--data', sys.argv[1], '--out', 'out']; main()",
            str(project / "export"),
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(str(target))
    assert (elsewhere / "out" / "index.html").is_file()
    assert (elsewhere / "out" / "assets" / "plotly.min.js").is_file()
