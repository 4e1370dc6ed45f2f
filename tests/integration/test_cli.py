"""The command line contract: exit codes, one-line errors, nothing written on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from distributed import LocalCluster

from mlreport.errors import EXIT_CONFIG
from mlreport.run._cluster import SCHEDULER_UNREACHABLE
from mlreport.run._trials import ALL_TRIALS_FAILED
from tests.conftest import run_cli

pytestmark = pytest.mark.integration

THREE_MISTAKES = """
name: broken
data: {kind: synthetic, n_samples: 200}
colour: blue                                     # 1. an unknown key
models:
  - name: m
    estimator: sklearn.linear_model.LogisticRegresion   # 2. does not import
    search: {strategy: grid, cv: three}          # 3. a wrong type
"""

SMALL = """
name: small
data: {kind: synthetic, n_samples: 200, n_features: 4, n_informative: 2}
models:
  - name: lr
    estimator: sklearn.linear_model.LogisticRegression
    search: {strategy: grid, cv: 2, space: {C: [0.5, 2.0]}}
"""


def project_with(tmp_path: Path, **files: str) -> Path:
    (tmp_path / "experiments").mkdir()
    for name, text in files.items():
        (tmp_path / "experiments" / f"{name}.yaml").write_text(text)
    return tmp_path


def test_validate_names_all_three_mistakes_and_writes_nothing(tmp_path: Path) -> None:
    project = project_with(tmp_path, broken=THREE_MISTAKES, small=SMALL)
    before = sorted(p.name for p in project.rglob("*"))
    result = run_cli("validate", cwd=project)
    assert result.returncode == EXIT_CONFIG
    assert "3 problems" in result.stderr
    assert "experiments/broken.yaml:4: colour: unknown key" in result.stderr
    assert "experiments/broken.yaml:7: models[0] (m).estimator: " in result.stderr
    assert "LogisticRegresion" in result.stderr
    assert "experiments/broken.yaml:8: models[0] (m).search.cv: " in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in project.rglob("*")) == before


def test_build_with_an_invalid_file_runs_nothing(tmp_path: Path) -> None:
    project = project_with(tmp_path, broken=THREE_MISTAKES, small=SMALL)
    result = run_cli("build", cwd=project)
    assert result.returncode == EXIT_CONFIG
    assert not (project / "mlflow.db").exists()
    assert not (project / "site").exists()


def test_validate_ok(tmp_path: Path) -> None:
    result = run_cli("validate", cwd=project_with(tmp_path, small=SMALL))
    assert result.returncode == 0
    assert result.stdout.strip() == "ok: 1 experiment, 1 models, 2 candidates"


PEOPLE = """name: {name}
data:
  kind: file
  path: {path}
  target: {target}
  sensitive_features: [{sensitive}]
models:
  - name: lr
    estimator: sklearn.linear_model.LogisticRegression
    search: {{strategy: grid, cv: 2, space: {{C: [0.5, 2.0]}}}}
"""


def test_validate_checks_data_files_columns_separators_and_floors_in_one_run(
    tmp_path: Path,
) -> None:
    """Issue 17 item 7: what `validate` said "ok" to now fails, each problem with its line:
    a missing data file, a missing target, a missing sensitive column, a `;`-separated
    file and a misspelt experiment in mlreport.yaml's metric_floors."""
    (tmp_path / "people.csv").write_text("age,sex,label\n30,F,a\n40,M,b\n")
    (tmp_path / "semi.csv").write_text("age;sex;label\n30;F;a\n40;M;b\n")
    project = project_with(
        tmp_path,
        gone=PEOPLE.format(name="gone", path="../nope.csv", target="label", sensitive="sex"),
        target=PEOPLE.format(name="target", path="../people.csv", target="y", sensitive="sex"),
        group=PEOPLE.format(name="group", path="../people.csv", target="label", sensitive="race"),
        semi=PEOPLE.format(name="semi", path="../semi.csv", target="label", sensitive="sex"),
    )
    (project / "mlreport.yaml").write_text("gates:\n  metric_floors:\n    gorup: {accuracy: 0.5}\n")
    result = run_cli("validate", cwd=project)
    assert result.returncode == EXIT_CONFIG
    assert "5 problems" in result.stderr
    lines = result.stderr
    assert f"experiments/gone.yaml:4: data.path: data file {tmp_path.resolve()}/nope.csv" in lines
    assert "experiments/target.yaml:5: data.target: column 'y' is not in data file" in lines
    assert "experiments/group.yaml:6: data.sensitive_features[0]: column 'race'" in lines
    assert "experiments/semi.yaml:4: data.path: " in lines
    assert "add read_options: {sep: ';'} to data (its columns: age, sex, label)" in lines
    assert "mlreport.yaml:3: gates.metric_floors.gorup: no experiment file defines experiment " in (
        lines
    )
    assert "(did you mean 'group'?)" in lines
    assert "Traceback" not in lines


NAN_TARGETS = """name: people
data:
  kind: file
  path: people.csv
  target: label
models:
  - name: lr
    estimator: sklearn.linear_model.LogisticRegression
    search: {strategy: grid, cv: 2, space: {C: [1.0]}}
"""


def test_rows_with_a_missing_target_are_counted_on_the_cli_in_the_export_and_the_page(
    tmp_path: Path,
) -> None:
    """Issue 17 item 6: 29 of 200 rows without a target are dropped, and said so on the run's
    line, in the exported tags of the search and best runs, and on the experiment page."""
    import numpy as np
    import pandas as pd

    from mlreport import schema
    from mlreport.dataset import read_dataset
    from tests.htmltools import visible_text

    rng = np.random.default_rng(0)
    label = np.where(rng.random(200) > 0.5, "yes", "no").astype(object)
    label[::7] = None  # 29 rows
    project = project_with(tmp_path, people=NAN_TARGETS)
    frame = pd.DataFrame({"x": rng.normal(size=200), "z": rng.normal(size=200), "label": label})
    frame.to_csv(project / "experiments" / "people.csv", index=False)
    result = run_cli("build", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "people / lr: 1 trials, best accuracy" in result.stdout
    assert "; 171 of 200 rows; 29 dropped: missing target" in result.stdout
    tags = read_dataset(project / "export")["tags"]
    dropped = tags[tags["key"] == schema.TAG_ROWS_DROPPED]
    assert list(dropped["value"]) == ["29", "29"]  # the search run and the best run
    reasons = tags[tags["key"] == schema.TAG_ROWS_DROPPED_REASON]
    assert set(reasons["value"]) == {"missing target"}
    page = (project / "site" / "experiments" / "people.html").read_text()
    assert "171 of 200 rows; 29 dropped: missing target" in visible_text(page)


def test_unreachable_scheduler_is_one_clear_line(tmp_path: Path) -> None:
    project = project_with(tmp_path, small=SMALL)
    result = run_cli("run", "--scheduler", "tcp://127.0.0.1:9", cwd=project)
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    prefix = SCHEDULER_UNREACHABLE.split("{reason}")[0].format(address="tcp://127.0.0.1:9")
    assert line.startswith("error: " + prefix)


def test_run_on_an_existing_scheduler(tmp_path: Path) -> None:
    project = project_with(tmp_path, small=SMALL)
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        result = run_cli("run", "--scheduler", cluster.scheduler_address, cwd=project)
        assert result.returncode == 0, result.stderr
        assert "small / lr: 2 trials" in result.stdout
        # The search's tasks ran on this cluster, not on a cluster of its own.
        prefixes = set(cluster.scheduler.task_prefixes)
        assert {"cv-split", "logisticregression-fit", "fit_candidate"} <= prefixes


def test_unexpected_errors_have_no_traceback_unless_debug(tmp_path: Path) -> None:
    project = project_with(tmp_path, small=SMALL)
    (project / "mlreport.yaml").write_text("site_name: [unclosed\n")
    result = run_cli("validate", cwd=project)
    assert result.returncode == EXIT_CONFIG
    assert "mlreport.yaml: invalid YAML" in result.stderr
    assert "Traceback" not in result.stderr
    debug = run_cli("--debug", "validate", cwd=project)
    assert "Traceback" in debug.stderr


FAILING = """
name: failing
data: {kind: synthetic, n_samples: 200, n_features: 4, n_informative: 2}
models:
  - name: partly
    estimator: sklearn.tree.DecisionTreeClassifier
    search: {strategy: grid, cv: 2, space: {max_depth: [2, -1]}}   # -1 fails to fit
  - name: broken
    estimator: sklearn.tree.DecisionTreeClassifier
    search: {strategy: grid, cv: 2, space: {max_depth: [-1]}}      # every candidate fails
"""


def test_failing_trials_are_logged_and_a_failed_search_fails_the_build(tmp_path: Path) -> None:
    from mlreport.dataset import read_dataset
    from tests.htmltools import table_rows

    project = project_with(tmp_path, failing=FAILING)
    result = run_cli("build", cwd=project)
    assert result.returncode == 1
    assert "failing / partly: 2 trials, 1 failed" in result.stdout
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert line == f"error: 1 model search(es) failed: failing / broken: {ALL_TRIALS_FAILED}"
    dataset = read_dataset(project / "export")  # the export and the site are still built
    runs, tags = dataset["runs"], dataset["tags"]
    errors = tags[tags["key"] == "mlreport.error"].set_index("run_id")["value"]
    failed = runs[runs["status"] == "FAILED"]
    # the failed candidate of 'partly', the one candidate of 'broken' and its search
    assert len(failed) == 3
    assert all(run_id in errors.index for run_id in failed["run_id"])
    trial_errors = [errors[r] for r in failed["run_id"] if errors[r] != ALL_TRIALS_FAILED]
    assert len(trial_errors) == 2
    assert all(
        e.startswith("InvalidParameterError: The 'max_depth' parameter") for e in trial_errors
    )
    page = (project / "site" / "experiments" / "failing.html").read_text()
    models = {row[0]: row for row in table_rows(page, "models")}
    assert models["broken"][-1].startswith("FAILED: ")
    assert models["partly"][7] == "1"  # failed trials
