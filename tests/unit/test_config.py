from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest

from mlreport.config import (
    CLASSIFICATION_METRICS,
    DEFAULT_THRESHOLDS,
    REGRESSION_METRICS,
    SCORE_METRICS,
    THRESHOLD_METRICS,
    Distribution,
    FairnessSettings,
    Threshold,
    check_data,
    discover_experiment_files,
    load_experiments,
    load_site_settings,
)
from mlreport.config._load import DUPLICATE_EXPERIMENT, NO_EXPERIMENT_FILES
from mlreport.config._models import (
    BOUND_NEEDS_ONE_SIDE,
    FAIRNESS_NEEDS_SENSITIVE,
    FAIRNESS_THRESHOLD_IN_REGRESSION,
    NO_SUCH_CLASS,
    ThresholdMetric,
)
from mlreport.errors import ConfigError
from mlreport.run import search_space
from mlreport.run._fingerprint import model_fingerprint
from mlreport.text import METRIC_LABELS, THRESHOLD_LABELS

REPO = Path(__file__).resolve().parents[2]

VALID = """
name: tiny
data: {kind: synthetic, n_samples: 100}
scoring: [accuracy, f1]
models:
  - name: lr
    estimator: sklearn.linear_model.LogisticRegression
    search:
      strategy: random
      n_iter: 3
      space:
        C: {distribution: loguniform, low: 0.01, high: 10}
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text)
    return path


def problems_of(files: list[Path]) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_experiments(files)
    return info.value.problems


def test_bundled_examples_are_valid() -> None:
    specs = load_experiments(discover_experiment_files(REPO / "experiments"))
    names = {spec.name for spec in specs}
    assert {"adult-income", "synthetic-classification"} <= names
    adult = next(s for s in specs if s.name == "adult-income")
    strategies = {m.search.strategy for m in adult.models}
    assert strategies == {"grid", "random"}
    assert len(adult.models) >= 3


def test_valid_file_defaults(tmp_path: Path) -> None:
    (spec,) = load_experiments([write(tmp_path, "a.yaml", VALID)])
    assert spec.primary == "accuracy"  # first scorer when primary_metric is absent
    assert spec.split.test_size == 0.25
    assert spec.models[0].search.candidate_count == 3
    assert isinstance(spec.models[0].search.space["C"], Distribution)
    assert spec.source_file == (tmp_path / "a.yaml").resolve()


def test_three_mistakes_are_all_reported_with_file_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "bad.yaml",
        """
name: bad
colour: blue
data: {kind: synthetic}
models:
  - name: m
    estimator: sklearn.linear_model.NoSuchModel
    search: {strategy: grid, cv: three}
""",
    )
    problems = problems_of([path])
    assert len(problems) == 3
    text = "\n".join(problems)
    assert all("bad.yaml" in p for p in problems)
    assert "bad.yaml:3: colour: unknown key" in text
    no_such = NO_SUCH_CLASS.format(module="sklearn.linear_model", name="NoSuchModel")
    assert f"bad.yaml:7: models[0] (m).estimator: {no_such}" in text
    assert "bad.yaml:8: models[0] (m).search.cv" in text


def test_problems_in_several_files_are_reported_together(tmp_path: Path) -> None:
    one = write(tmp_path, "one.yaml", VALID.replace("n_iter: 3", "n_iter: 0"))
    two = write(tmp_path, "two.yaml", "name: [unclosed")
    problems = problems_of([one, two])
    assert any("one.yaml" in p and "n_iter" in p for p in problems)
    assert any("two.yaml" in p and "invalid YAML" in p for p in problems)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("strategy: random", "strategy: grid"), "grid search needs lists"),
        (("C: {distribution", "nope: {distribution"), "has no parameter nope"),
        (("scoring: [accuracy, f1]", "scoring: [accuracy, f2]"), "unknown scoring metric f2"),
        (("low: 0.01", "low: 20"), "must be below high"),
        (("kind: synthetic", "kind: database"), "data"),
        (("scoring: [accuracy, f1]", "scoring: [accuracy]\nprimary_metric: f1"), "not in scoring"),
    ],
)
def test_semantic_problems(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    path = write(tmp_path, "x.yaml", VALID.replace(*change))
    assert any(expected in p for p in problems_of([path]))


def test_duplicate_experiment_names_across_files(tmp_path: Path) -> None:
    files = [write(tmp_path, "a.yaml", VALID), write(tmp_path, "b.yaml", VALID)]
    (problem,) = problems_of(files)
    assert problem == DUPLICATE_EXPERIMENT.format(
        file=tmp_path / "b.yaml", name="tiny", other=tmp_path / "a.yaml"
    )


def test_no_experiment_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        discover_experiment_files(tmp_path)
    assert info.value.problems == [NO_EXPERIMENT_FILES.format(directory=tmp_path)]


def test_site_settings(tmp_path: Path) -> None:
    assert load_site_settings(tmp_path / "missing.yaml").site_name == "mlreport"
    good = write(tmp_path, "mlreport.yaml", "site_name: Models of ACME\n")
    assert load_site_settings(good).site_name == "Models of ACME"
    bad = write(tmp_path, "bad.yaml", "site_nam: x\n")
    with pytest.raises(ConfigError, match="site_nam: unknown key"):
        load_site_settings(bad)


INCREMENTAL = """
name: inc
data: {kind: synthetic, n_samples: 1000, chunks: 100}
models:
  - name: sgd
    estimator: sklearn.linear_model.SGDClassifier
    search:
      strategy: hyperband
      max_iter: 27
      space: {alpha: {distribution: loguniform, low: 0.0001, high: 1}}
"""


def test_incremental_strategies_and_their_options(tmp_path: Path) -> None:
    (spec,) = load_experiments([write(tmp_path, "i.yaml", INCREMENTAL)])
    search = spec.models[0].search
    assert search.incremental and search.max_iter == 27
    assert search.candidate_count == 4 + 6 + 12 + 27  # Hyperband(max_iter=27): 4 brackets


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("max_iter: 27", "max_iter: 27\n      cv: 3"), "cv does not apply to strategy: hyperband"),
        (
            ("max_iter: 27", "max_iter: 27\n      n_initial_parameters: 5"),
            "n_initial_parameters does not apply to strategy: hyperband",
        ),
        (("SGDClassifier", "LogisticRegression"), "has no partial_fit"),
        (
            ("strategy: hyperband\n      max_iter: 27", "strategy: random"),
            "chunked data needs an incremental strategy",
        ),
        (("chunks: 100", "chunks: 100, flip_y: 0.1"), "flip_y cannot be set with chunks"),
        (("max_iter: 27", "max_iter: 27\n      patience: 1"), "greater than or equal to 2"),
    ],
)
def test_incremental_problems(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    path = write(tmp_path, "i.yaml", INCREMENTAL.replace(*change))
    assert any(expected in p for p in problems_of([path])), problems_of([path])


def test_the_out_of_core_example_is_valid_and_uses_the_issue_space() -> None:
    (spec,) = load_experiments([REPO / "experiments" / "scale" / "sgd-5m.yaml"])
    assert spec.data.kind == "synthetic" and spec.data.chunks == 100_000
    assert spec.data.n_samples == 5_000_000 and spec.data.n_features == 20
    assert {m.search.strategy for m in spec.models} == {"incremental", "hyperband"}
    space = search_space(spec.models[0])
    alpha, l1_ratio = space["model__alpha"], space["model__l1_ratio"]
    assert len(alpha) == 1000 and alpha[0] == pytest.approx(0.01) and alpha[-1] == pytest.approx(10)
    assert len(l1_ratio) == 1000 and l1_ratio[0] == 0 and l1_ratio[-1] == 1
    assert space["model__average"] == [True, False]


REGRESSION = """
name: reg
task: regression
data: {kind: sklearn, name: diabetes}
models:
  - name: ridge
    estimator: sklearn.linear_model.Ridge
    search: {strategy: grid, cv: 3, space: {alpha: [0.1, 1.0]}}
"""


def test_regression_defaults_to_regression_scores(tmp_path: Path) -> None:
    (spec,) = load_experiments([write(tmp_path, "r.yaml", REGRESSION)])
    assert spec.scoring == ["r2", "neg_mean_absolute_error", "neg_root_mean_squared_error"]
    assert spec.primary == "r2"
    assert spec.scaling is None and spec.explain.max_samples == 200


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("name: diabetes", "name: wine"), "the wine dataset is for classification"),
        (("task: regression\n", "task: regression\nscoring: [roc_auc]\n"), "roc_auc is for"),
        (
            ("data: {kind: sklearn, name: diabetes}", "data: {kind: synthetic}"),
            "synthetic data is a classification problem",
        ),
        (
            (
                "sklearn.linear_model.Ridge\n    search: {strategy: grid, cv: 3",
                "sklearn.linear_model.SGDRegressor\n    search: {strategy: incremental",
            ),
            "regression is searched with grid or random",
        ),
        (("task: regression\n", "task: regression\nscaling: {models: [nope]}\n"), "nope"),
        (
            ("task: regression\n", "task: regression\nscaling: {sample_fractions: [0.5, 0.5]}\n"),
            "at least two different fractions",
        ),
        (("task: regression\n", "task: regression\nexplain: {max_samples: 0}\n"), "max_samples"),
    ],
)
def test_task_scaling_and_explain_problems(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    text = REGRESSION.replace(*change)
    assert text != REGRESSION
    assert any(expected in p for p in problems_of([write(tmp_path, "r.yaml", text)]))


def test_diabetes_is_not_a_classification_dataset(tmp_path: Path) -> None:
    text = REGRESSION.replace("task: regression\n", "").replace(
        "sklearn.linear_model.Ridge", "sklearn.linear_model.LogisticRegression"
    )
    text = text.replace("alpha: [0.1, 1.0]", "C: [0.1, 1.0]")
    assert any(
        "for regression, but task is classification" in p
        for p in problems_of([write(tmp_path, "c.yaml", text)])
    )


FAIR = """
name: fair
data:
  kind: file
  path: people.csv
  target: y
  sensitive_features: [sex, race]
models:
  - name: lr
    estimator: sklearn.linear_model.LogisticRegression
    search: {strategy: grid, space: {C: [1.0]}}
"""


def _spec(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    (tmp_path / "people.csv").write_text("y,sex,race\n1,F,A\n")
    (spec,) = load_experiments([write(tmp_path, "fair.yaml", text)])
    return spec


def test_fairness_defaults_to_each_sensitive_feature_and_the_two_thresholds(
    tmp_path: Path,
) -> None:
    settings = _spec(tmp_path, FAIR).fairness_settings()
    assert settings is not None
    assert settings.groupings == (("sex",), ("race",))
    assert settings.thresholds == DEFAULT_THRESHOLDS
    assert (settings.bootstrap, settings.min_group_size, settings.level) == (200, 30, 0.95)
    no_sensitive = _spec(tmp_path, FAIR.replace("  sensitive_features: [sex, race]\n", ""))
    assert no_sensitive.fairness_settings() is None


def test_fairness_section_sets_groupings_metrics_thresholds_and_intervals(
    tmp_path: Path,
) -> None:
    text = (
        FAIR
        + """
seed: 3
fairness:
  features: [sex]
  intersections: [[sex, race]]
  metrics: [selection_rate, roc_auc]
  thresholds:
    demographic_parity_difference: {max: 0.05}
    equalized_odds_ratio: {min: 0.9}
  bootstrap: 500
  min_group_size: 50
  confidence: 0.9
"""
    )
    settings = _spec(tmp_path, text).fairness_settings()
    assert settings == FairnessSettings(
        groupings=(("sex",), ("sex", "race")),
        metrics=("selection_rate", "roc_auc"),
        thresholds=(
            Threshold("demographic_parity_difference", 0.05, "max"),
            Threshold("equalized_odds_ratio", 0.9, "min"),
        ),
        bootstrap=500,
        min_group_size=50,
        level=0.9,
        seed=3,
    )


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ("fairness: {features: [age]}", "fairness names age, which are not in"),
        ("fairness: {intersections: [[sex, age]]}", "fairness names age"),
        ("fairness: {metrics: [mean_error]}", "fairness metric mean_error is not a classification"),
        ("fairness: {thresholds: {demographic_parity_ratio: {}}}", BOUND_NEEDS_ONE_SIDE),
        ("fairness: {thresholds: {demographic_parity_ratio: {min: 0.8, max: 1}}}", "exactly one"),
        ("fairness: {thresholds: {statistical_parity: {min: 0.8}}}", "statistical_parity"),
        ("fairness: {bootstrap: -1}", "bootstrap"),
        ("fairness: {confidence: 1.5}", "confidence"),
    ],
)
def test_fairness_mistakes_name_the_problem(tmp_path: Path, section: str, expected: str) -> None:
    (tmp_path / "people.csv").write_text("y,sex,race\n1,F,A\n")
    path = write(tmp_path, "fair.yaml", FAIR + section + "\n")
    assert any(expected in p for p in problems_of([path])), problems_of([path])


def test_fairness_needs_sensitive_features_and_regression_has_no_thresholds(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "x.yaml", VALID + "fairness: {bootstrap: 10}\n")
    assert any(FAIRNESS_NEEDS_SENSITIVE in p for p in problems_of([path]))
    regression = (
        FAIR.replace("name: fair", "name: fair\ntask: regression")
        .replace("sklearn.linear_model.LogisticRegression", "sklearn.linear_model.Ridge")
        .replace("C: [1.0]", "alpha: [1.0]")
    )
    assert _spec(tmp_path, regression).fairness_settings().thresholds == ()  # type: ignore[union-attr]
    path = write(
        tmp_path,
        "r.yaml",
        regression + "fairness: {thresholds: {demographic_parity_ratio: {min: 0.8}}}\n",
    )
    assert any(FAIRNESS_THRESHOLD_IN_REGRESSION in p for p in problems_of([path]))


def test_threshold_names_in_config_are_the_analysis_measures() -> None:
    assert get_args(ThresholdMetric) == THRESHOLD_METRICS == tuple(THRESHOLD_LABELS)
    named = (*CLASSIFICATION_METRICS, *SCORE_METRICS, *REGRESSION_METRICS)
    assert set(named) == set(METRIC_LABELS)


def test_fairness_settings_do_not_change_the_search_fingerprint(tmp_path: Path) -> None:
    plain = _spec(tmp_path, FAIR)
    fair = _spec(tmp_path, FAIR + "fairness: {bootstrap: 999, intersections: [[sex, race]]}\n")
    assert model_fingerprint(plain, plain.models[0], data_digest="d") == model_fingerprint(
        fair, fair.models[0], data_digest="d"
    )
    other = _spec(tmp_path, FAIR.replace("[sex, race]", "[sex]"))
    assert model_fingerprint(other, other.models[0], data_digest="d") != model_fingerprint(
        plain, plain.models[0], data_digest="d"
    )


def test_fairness_positive_defaults_to_the_data_positive_label_and_groupings_are_checked(
    tmp_path: Path,
) -> None:
    labelled = FAIR.replace("  sensitive_features", "  positive_label: 1\n  sensitive_features")
    assert _spec(tmp_path, labelled).fairness_settings().positive == "1"  # type: ignore[union-attr]
    chosen = _spec(tmp_path, labelled + "fairness: {positive: 0}\n")
    assert chosen.fairness_settings().positive == "0"  # type: ignore[union-attr]
    (tmp_path / "people.csv").write_text("y,sex,race\n1,F,A\n")
    twice = write(tmp_path, "t.yaml", FAIR + "fairness: {intersections: [[sex, sex]]}\n")
    assert any("sensitive feature sex is listed twice" in p for p in problems_of([twice]))
    empty = write(tmp_path, "e.yaml", FAIR + "fairness: {features: []}\n")
    assert any("fairness groups by nothing" in p for p in problems_of([empty]))


ONE_PASS = """name: bad
colour: blue
data: {kind: synthetic, n_samples: 100}
scoring: [accuracy, f1]
primary_metric: roc_auc
models:
  - name: lr
    estimator: sklearn.linear_model.LogisticRegression
    params: {max_iterr: 100}
    search:
      strategy: grid
      cv: three
  - name: forest
    estimator: sklearn.ensemble.RandomForestClassifier
    search:
      strategy: random
      n_iter: 0
      space:
        n_estimator: [10, 20]
  - name: lr
    estimator: sklearn.tree.DecisionTreeClassifier
    search: {strategy: grid, space: {max_depth: [1, 2]}}
"""


def test_one_bad_file_reports_every_kind_of_problem_in_one_pass_with_lines(
    tmp_path: Path,
) -> None:
    """Issue 17 item 7: schema errors, unknown params, a primary_metric missing from scoring
    and a duplicate model name, all in one run, each with its line and model name."""
    path = write(tmp_path, "bad.yaml", ONE_PASS)
    problems = problems_of([path])
    shown = [p.removeprefix(str(path)) for p in problems]
    assert shown == [
        ":2: colour: unknown key",
        ":5: primary_metric: primary_metric 'roc_auc' is not in scoring",
        ":9: models[0] (lr).params.max_iterr: sklearn.linear_model.LogisticRegression has no "
        "parameter max_iterr (did you mean 'max_iter'?)",
        ":12: models[0] (lr).search.cv: Input should be a valid integer, unable to parse string "
        "as an integer (got 'three')",
        ":17: models[1] (forest).search.n_iter: Input should be greater than or equal to 1 (got 0)",
        ":19: models[1] (forest).search.space.n_estimator: sklearn.ensemble."
        "RandomForestClassifier has no parameter n_estimator (did you mean 'n_estimators'?)",
        ":20: models[2] (lr).name: duplicate model name lr (also models[0])",
    ]


def test_unknown_keys_and_metrics_get_a_did_you_mean(tmp_path: Path) -> None:
    """Issue 17 item 7: unknown keys (at any depth) and scorers suggest the close name."""
    text = VALID.replace("scoring: [accuracy, f1]", "primary_metrc: f1\nscoring: [acuracy, f1]")
    text = text.replace("low: 0.01", "loww: 0.01")
    problems = "\n".join(problems_of([write(tmp_path, "x.yaml", text)]))
    assert "x.yaml:4: primary_metrc: unknown key (did you mean 'primary_metric'?)" in problems
    assert "x.yaml:5: scoring: unknown scoring metric acuracy (did you mean 'accuracy'?)" in (
        problems
    )
    assert "models[0] (lr).search.space.C.loww: unknown key (did you mean 'low'?)" in problems
    assert "function-after" not in problems and "spacing" not in problems  # one branch only


BYO = """name: {name}
data:
  kind: file
  path: {path}
  target: {target}
  sensitive_features: [{sensitive}]
models:
  - name: lr
    estimator: sklearn.linear_model.LogisticRegression
    search: {{strategy: grid, cv: 2}}
"""


def _project(tmp_path: Path, **experiments: str) -> Path:
    (tmp_path / "experiments").mkdir()
    for name, text in experiments.items():
        write(tmp_path / "experiments", f"{name}.yaml", text)
    return tmp_path


def _project_problems(root: Path) -> list[str]:
    from mlreport.config import Project
    from mlreport.pipeline import load_project

    with pytest.raises(ConfigError) as info:
        load_project(Project(root))
    return info.value.problems


def test_data_files_columns_and_separators_are_checked_without_training(tmp_path: Path) -> None:
    """Issue 17 items 7 and 8: a missing data file (by its resolved path), a missing target,
    a misspelt sensitive column and a `;`-separated file are problems of their line."""
    (tmp_path / "people.csv").write_text("age,sex,label\n30,F,a\n40,M,b\n")
    (tmp_path / "semi.csv").write_text("age;sex;label\n30;F;a\n")
    root = _project(
        tmp_path,
        gone=BYO.format(name="gone", path="../nope.csv", target="label", sensitive="sex"),
        columns=BYO.format(name="columns", path="../people.csv", target="y", sensitive="sexx"),
        semi=BYO.format(name="semi", path="../semi.csv", target="label", sensitive="sex"),
    )
    problems = _project_problems(root)
    folder = (tmp_path / "experiments").resolve()
    people = (tmp_path / "people.csv").resolve()
    assert problems == [
        f"{folder}/columns.yaml:5: data.target: column 'y' is not in data file {people} "
        "(columns: age, sex, label)",
        f"{folder}/columns.yaml:6: data.sensitive_features[0]: column 'sexx' is not in data file "
        f"{people} (did you mean 'sex'?) (columns: age, sex, label)",
        f"{folder}/gone.yaml:4: data.path: data file {tmp_path.resolve() / 'nope.csv'} does not "
        f"exist ('../nope.csv' is read from {folder}, the folder of gone.yaml)",
        f"{folder}/semi.yaml:4: data.path: data file {(tmp_path / 'semi.csv').resolve()} is read "
        "as one column 'age;sex;label': it is separated by semicolons, not commas; add "
        "read_options: {sep: ';'} to data (its columns: age, sex, label)",
    ]
    write(
        root / "experiments",
        "semi.yaml",
        BYO.format(name="semi", path="../semi.csv", target="label", sensitive="sex").replace(
            "  target:", "  read_options: {sep: ';'}\n  target:"
        ),
    )
    assert not any("semi.yaml" in p for p in _project_problems(root))


READ_WITH = """name: people
data:
  kind: file
  path: ../people.csv
  target: {target}
  {options}
models:
  - name: sgd
    estimator: sklearn.linear_model.SGDClassifier
    search: {{strategy: {strategy}, space: {{alpha: [0.001, 0.01]}}}}
"""


@pytest.mark.parametrize(
    ("options", "strategy"),
    [
        ("read_options: {engine: pyarrow}", "random"),
        ("read_options: {engine: python, skipfooter: 1}", "random"),
        (
            "blocksize: 1000000\n  read_options: {assume_missing: true, sample: 100000}",
            "incremental",
        ),
        ("blocksize: 1000000\n  read_options: {include_path_column: true}", "incremental"),
    ],
)
def test_read_options_of_the_loader_pass_the_data_checks(
    tmp_path: Path, options: str, strategy: str
) -> None:
    """Options that pandas cannot combine with nrows, or that only dask's read_csv takes
    (with blocksize), made a readable file "cannot read data file"; the columns are
    still checked with them."""
    from mlreport.config import Project
    from mlreport.pipeline import load_project

    (tmp_path / "people.csv").write_text("age,label\n30,a\n40,b\n50,a\n")
    text = READ_WITH.format(target="label", options=options, strategy=strategy)
    root = _project(tmp_path, people=text)
    _, specs = load_project(Project(root))
    assert [spec.name for spec in specs] == ["people"]
    write(root / "experiments", "people.yaml", text.replace("target: label", "target: y"))
    (problem,) = _project_problems(root)
    assert "data.target: column 'y' is not in data file" in problem


def test_data_checks_are_per_experiment(tmp_path: Path) -> None:
    """Issue 17 item 7: the data checks return each experiment's problems on their own."""
    (tmp_path / "people.csv").write_text("age,sex,label\n30,F,a\n")
    (tmp_path / "empty.csv").write_text("age,sex,label\n")
    good = write(
        tmp_path,
        "good.yaml",
        BYO.format(name="people", path="people.csv", target="label", sensitive="sex"),
    )
    empty = write(
        tmp_path,
        "empty.yaml",
        BYO.format(name="empty", path="empty.csv", target="label", sensitive="sex"),
    )
    found = check_data(load_experiments([good, empty]))
    assert list(found) == ["empty"]
    (problem,) = found["empty"]
    empty_csv = (tmp_path / "empty.csv").resolve()
    assert problem.endswith(
        f"empty.yaml:4: data.path: data file {empty_csv} has no rows, only a header"
    )


def test_metric_floors_must_name_experiments_and_their_scores(tmp_path: Path) -> None:
    """Issue 17 item 7: a misspelt experiment (or score) in mlreport.yaml's metric_floors is
    a problem of its line, with the close name; a name close to none may be an experiment
    of external predictions only (check fails its floor if the export lacks it)."""
    root = _project(tmp_path, tiny=VALID)
    write(
        root,
        "mlreport.yaml",
        "gates:\n  metric_floors:\n    tiyn: {accuracy: 0.5}\n    tiny: {acuracy: 0.5}\n"
        "    vendors: {roc_auc: 0.7}\n",  # predictions logged with fairness --experiment
    )
    problems = _project_problems(root)
    settings = (root / "mlreport.yaml").resolve()
    assert problems == [
        f"{settings}:3: gates.metric_floors.tiyn: no experiment file defines experiment 'tiyn' "
        "(did you mean 'tiny'?) (experiments: tiny)",
        f"{settings}:4: gates.metric_floors.tiny.acuracy: experiment 'tiny' does not score "
        "'acuracy' (did you mean 'accuracy'?) (scoring: accuracy, f1)",
    ]


def test_a_file_with_schema_errors_still_gets_its_data_and_floors_checked(
    tmp_path: Path,
) -> None:
    """Issue 17 item 7: one pass, even when a file has schema errors: its data section
    (valid on its own) is checked against the data file, and mlreport.yaml's floors
    against the experiments, so that fixing the schema errors reveals nothing new."""
    (tmp_path / "people.csv").write_text("age,sex,label\n30,F,a\n40,M,b\n")
    broken = BYO.format(name="people", path="../people.csv", target="lable", sensitive="sexx")
    broken = broken.replace("data:", "descripton: x\ndata:").replace("cv: 2", "cv: 1")
    root = _project(tmp_path, people=broken)
    write(
        root,
        "mlreport.yaml",
        "gates:\n  metric_floors:\n    people: {accuracy: 0.5}\n    peple: {accuracy: 0.5}\n",
    )
    problems = "\n".join(_project_problems(root))
    assert "people.yaml:2: descripton: unknown key" in problems
    assert "search.cv: Input should be greater than or equal to 2" in problems
    assert "people.yaml:6: data.target: column 'lable' is not in data file" in problems
    assert "data.sensitive_features[0]: column 'sexx' is not in data file" in problems
    assert (
        "mlreport.yaml:4: gates.metric_floors.peple: no experiment file defines experiment "
        "'peple' (did you mean 'people'?)"
    ) in problems
    assert "metric_floors.people" not in problems  # exists; what it scores is unknown yet
