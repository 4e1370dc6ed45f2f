"""Issue 17 items 2 and 6: a failed build changes nothing published, says what failed
(history, banner) and the experiment page shows failed trials and searches."""

from __future__ import annotations

import json
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest

from mlreport import schema
from mlreport.dataset import read_builds, read_dataset
from mlreport.run._trials import ALL_TRIALS_FAILED
from mlreport.site import HOME_PATH, experiment_path, fairness_path, model_path, page_url
from mlreport.site._links import HISTORY_PATH
from tests.conftest import run_cli
from tests.htmltools import table_rows, visible_text

pytestmark = pytest.mark.integration

PEOPLE = """
name: people
seed: 1
data:
  kind: file
  path: people.csv
  target: income
  sensitive_features: [{column}]
fairness: {{features: [{column}]}}
models:
  - name: lr
    estimator: sklearn.linear_model.LogisticRegression
    search: {{strategy: grid, cv: 2, space: {{C: [1.0]}}}}
"""

BROKEN = """
name: broken
seed: 1
data: {kind: file, path: broken.csv, target: income}
models:
  - name: lr
    estimator: sklearn.linear_model.LogisticRegression
    search: {strategy: grid, cv: 2, space: {C: [1.0]}}
"""

SYNTH = """
name: synth
seed: 2
data: {{kind: synthetic, n_samples: 200, n_features: 4, n_informative: 2}}
models:
  - name: lr
    estimator: sklearn.linear_model.LogisticRegression
    search: {{strategy: grid, cv: 2, space: {{C: {values}}}}}
  - name: tree
    estimator: sklearn.tree.DecisionTreeClassifier
    search: {{strategy: grid, cv: 2, space: {{max_depth: [{depth}]}}}}   # -1 fails to fit
"""


def _people_csv(path: Path, rows: int = 240) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, 2))
    pd.DataFrame(
        {
            "x1": x[:, 0],
            "x2": x[:, 1],
            "sex": rng.choice(["f", "m"], size=rows),
            "income": np.where(x[:, 0] + rng.normal(scale=0.5, size=rows) > 0, ">50K", "<=50K"),
        }
    ).to_csv(path, index=False)


def _page(site: Path, path: str) -> str:
    return (site / page_url(path)).read_text()


def _fairness_tag(project: Path) -> str:
    client = mlflow.MlflowClient(f"sqlite:///{project / 'mlflow.db'}")
    experiment = client.get_experiment_by_name("people")
    assert experiment is not None
    return experiment.tags[schema.TAG_FAIRNESS]


@pytest.fixture(scope="module")
def failed_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A good build, then one where 'people' renames its sensitive column to one its data
    lacks, 'broken' loses its target column, 'synth / tree' fails every candidate and
    'synth / lr' changes (and runs again, fine)."""
    project = tmp_path_factory.mktemp("failing")
    experiments = project / "experiments"
    experiments.mkdir()
    _people_csv(experiments / "people.csv")
    _people_csv(experiments / "broken.csv")
    (experiments / "people.yaml").write_text(PEOPLE.format(column="sex"))
    (experiments / "broken.yaml").write_text(BROKEN)
    (experiments / "synth.yaml").write_text(SYNTH.format(values="[1.0]", depth=2))
    first = run_cli("build", cwd=project)
    assert first.returncode == 0, first.stderr
    site = project / "site"
    before = {
        "tag": _fairness_tag(project),
        "fairness": visible_text(_page(site, fairness_path("people", "lr"))),
        "people": table_rows(_page(site, experiment_path("people")), "models"),
        "broken": table_rows(_page(site, experiment_path("broken")), "models"),
        "tree": visible_text(_page(site, model_path("synth", "tree"))),
    }
    (experiments / "people.yaml").write_text(PEOPLE.format(column="gender"))
    pd.read_csv(experiments / "broken.csv").drop(columns=["income"]).to_csv(
        experiments / "broken.csv", index=False
    )
    (experiments / "synth.yaml").write_text(SYNTH.format(values="[0.1, 1.0]", depth=-1))
    second = run_cli("build", cwd=project)
    return {"project": project, "before": before, "second": second}


def test_a_failed_experiment_writes_no_settings_to_mlflow(failed_build: dict) -> None:
    """Issue 17 item 2: a sensitive column renamed to one the data lacks fails the build
    without writing the new fairness settings; the fairness page is as it was."""
    project, before = failed_build["project"], failed_build["before"]
    assert failed_build["second"].returncode == 1
    assert _fairness_tag(project) == before["tag"]
    assert json.loads(_fairness_tag(project))["groupings"] == [["sex"]]
    page = visible_text(_page(project / "site", fairness_path("people", "lr")))
    assert "No fairness report" not in page
    assert page == before["fairness"]


def test_the_others_are_built_and_failed_experiments_keep_their_pages(
    failed_build: dict,
) -> None:
    """Issue 17 item 2: the site is built for the experiments that did not fail; the
    failed ones keep their last good pages with a banner naming the failure; exit 1
    with every failure listed."""
    project, before, second = (
        failed_build["project"],
        failed_build["before"],
        failed_build["second"],
    )
    assert second.returncode == 1
    (line,) = [x for x in second.stderr.splitlines() if x.startswith("error:")]
    assert "3 model search(es) failed" in line
    # a data problem found before training is its experiment's failure: the others run
    assert (
        "people / lr: experiments/people.yaml:8: data.sensitive_features[0]: "
        "column 'gender' is not in data file"
    ) in line
    assert "broken / lr: experiments/broken.yaml:4: data.target: column 'income'" in line
    assert f"synth / tree: {ALL_TRIALS_FAILED}" in line
    site = project / "site"
    synth = _page(site, experiment_path("synth"))
    models = {row[0]: row for row in table_rows(synth, "models")}
    assert models["lr"][6] == "2"  # the changed model's new search: 2 trials
    assert models["tree"][9] == "FINISHED"  # the failed search leaves the last good one
    assert visible_text(_page(site, model_path("synth", "tree"))) == before["tree"]
    for name in ("people", "broken"):
        page = _page(site, experiment_path(name))
        assert table_rows(page, "models") == before[name]
        banner = visible_text(page).split("The latest build (")[1]
        assert f"failed for this experiment: lr: experiments/{name}.yaml:" in banner
        assert "This page shows the last results that were built without failing" in banner
    assert "failed for this experiment: tree: " + ALL_TRIALS_FAILED in visible_text(synth)
    home = visible_text(_page(site, HOME_PATH))
    assert "The latest build (" in home and "synth / tree: " + ALL_TRIALS_FAILED in home


def test_the_history_records_the_build_as_failed_naming_what_failed(
    failed_build: dict,
) -> None:
    """Issue 17 item 2: the history holds the failed build with each failure and its
    reason, and the History page shows it."""
    project = failed_build["project"]
    builds = read_builds(project / "export")
    first, second = sorted(set(builds["build_time"]))
    assert set(builds.loc[builds["build_time"] == first, "status"]) == {schema.BUILD_OK}
    latest = builds[builds["build_time"] == second]
    failed = latest[latest["status"] == schema.BUILD_FAILED]
    assert sorted(zip(failed["experiment"], failed["model"], strict=True)) == [
        ("broken", "lr"),
        ("people", "lr"),
        ("synth", "tree"),
    ]
    assert failed["test_score"].isna().all()
    assert all(failed["error"].str.len() > 0)
    ok = latest[latest["status"] == schema.BUILD_OK]
    assert list(zip(ok["experiment"], ok["model"], strict=True)) == [("synth", "lr")]
    rows = table_rows(_page(project / "site", HISTORY_PATH), "builds")
    assert [row[2] for row in rows] == ["failed", "ok"]  # newest first
    assert "people / lr: experiments/people.yaml:8: data.sensitive_features[0]" in rows[0][3]
    assert rows[1][3] == ""


PARTLY = """
name: partly
seed: 4
data: {kind: synthetic, n_samples: 200, n_features: 4, n_informative: 2}
models:
  - name: lr
    estimator: sklearn.linear_model.LogisticRegression
    params: {solver: lbfgs}
    search: {strategy: grid, cv: 2, space: {penalty: [l1, l2], C: [0.1, 1.0, 10.0]}}
  - name: tree
    estimator: sklearn.tree.DecisionTreeClassifier
    search:
      strategy: random
      n_iter: 6
      cv: 2
      space:
        max_depth: {distribution: randint, low: 1, high: 4}
        criterion: [gini, entropy]
"""


def test_failed_trials_are_on_the_experiment_page_grouped_by_error(tmp_path: Path) -> None:
    """Issue 17 item 6: trials that fail (l1 with lbfgs) are listed on the experiment page
    with their params and error, one row per error with its count; a random search over
    six candidates trains each once."""
    (tmp_path / "experiments").mkdir()
    (tmp_path / "experiments" / "partly.yaml").write_text(PARTLY)
    result = run_cli("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    page = _page(tmp_path / "site", experiment_path("partly"))
    ((model, kind, count, params, error),) = table_rows(page, "failures")
    assert (model, kind, count) == ("lr", "trial", "3")
    assert params.count("penalty=l1") == 3
    assert error.startswith("ValueError: Solver lbfgs supports only 'l2'")
    dataset = read_dataset(tmp_path / "export")
    runs, params_table, tags = dataset["runs"], dataset["params"], dataset["tags"]
    tree_runs = set(tags[(tags["key"] == schema.TAG_MODEL) & (tags["value"] == "tree")]["run_id"])
    trials = set(
        tags[(tags["key"] == schema.TAG_ROLE) & (tags["value"] == schema.ROLE_TRIAL)]["run_id"]
    )
    tree_trials = runs[runs["run_id"].isin(tree_runs & trials)]["run_id"]
    chosen = params_table[
        params_table["run_id"].isin(tree_trials)
        & params_table["key"].isin(["max_depth", "criterion"])
    ]
    candidates = chosen.pivot(index="run_id", columns="key", values="value")
    assert len(candidates) == 6
    assert len(candidates.drop_duplicates()) == 6  # every candidate of the space, once
