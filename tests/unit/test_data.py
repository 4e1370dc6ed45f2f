from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from mlreport import schema
from mlreport.config import load_experiments
from mlreport.errors import DataError
from mlreport.run import load_data, predictions_frame
from mlreport.run._data import (
    NO_ROWS,
    POSITIVE_LABEL_NOT_BINARY,
    UNKNOWN_POSITIVE_LABEL,
    RowCount,
)
from mlreport.schema import MISSING_GROUP


def spec_for(tmp_path: Path, data: str, extra: str = ""):  # type: ignore[no-untyped-def]
    path = tmp_path / "e.yaml"
    path.write_text(
        f"name: e\ndata: {data}\n{extra}models:\n  - name: m\n"
        "    estimator: sklearn.linear_model.LogisticRegression\n"
        "    search: {strategy: grid, cv: 2}\n"
    )
    (spec,) = load_experiments([path])
    return spec


def people(tmp_path: Path, labels: list[object]) -> None:
    rng = np.random.default_rng(0)
    n = len(labels)
    pd.DataFrame(
        {
            "age": rng.integers(18, 80, n),
            "job": rng.choice(["a", "b", None], n),
            "sex": rng.choice(["F", "M", None], n),
            "label": labels,
        }
    ).to_csv(tmp_path / "people.csv", index=False)


def test_file_data_is_encoded_with_the_positive_class_last(tmp_path: Path) -> None:
    people(tmp_path, ["yes", "no"] * 50)
    spec = spec_for(
        tmp_path,
        "{kind: file, path: people.csv, target: label, sensitive_features: [sex], "
        "positive_label: 'no'}",
    )
    data = load_data(spec)
    assert data.classes == ("yes", "no")
    assert data.categorical == ("job", "sex")  # inferred: the non-numeric columns
    assert len(data.X_test) == 25 and len(data.X_train) == 75
    assert set(data.sensitive_test["sex"]) <= {"F", "M", MISSING_GROUP}
    assert "label" not in data.X_train.columns


def test_whole_float_labels_match_an_integer_positive_label(tmp_path: Path) -> None:
    people(tmp_path, [1.0, 0.0] * 50)
    spec = spec_for(tmp_path, "{kind: file, path: people.csv, target: label, positive_label: 1}")
    assert load_data(spec).classes == ("0", "1")


def test_label_problems_are_data_errors(tmp_path: Path) -> None:
    people(tmp_path, ["a", "b", "c", "d"] * 25)
    spec = spec_for(tmp_path, "{kind: file, path: people.csv, target: label, positive_label: a}")
    with pytest.raises(DataError) as info:
        load_data(spec)
    assert str(info.value) == POSITIVE_LABEL_NOT_BINARY.format(name="e", count=4)
    people(tmp_path, ["a", "b"] * 50)
    spec = spec_for(tmp_path, "{kind: file, path: people.csv, target: label, positive_label: z}")
    with pytest.raises(DataError) as info:
        load_data(spec)
    assert str(info.value) == UNKNOWN_POSITIVE_LABEL.format(name="e", label="z", labels="a, b")


def test_missing_file_and_column_are_data_errors(tmp_path: Path) -> None:
    """Issue 17 item 8: a missing data file is named by its resolved path, and the folder
    its relative path is read from."""
    (tmp_path / "experiments").mkdir()
    spec_file = tmp_path / "experiments" / "e.yaml"
    spec_file.write_text(
        "name: e\ndata: {kind: file, path: data/nope.csv, target: y}\nmodels:\n  - name: m\n"
        "    estimator: sklearn.linear_model.LogisticRegression\n"
        "    search: {strategy: grid, cv: 2}\n"
    )
    (spec,) = load_experiments([spec_file])
    with pytest.raises(DataError) as info:
        load_data(spec)
    resolved = tmp_path.resolve() / "experiments" / "data" / "nope.csv"
    assert f"data file {resolved} does not exist" in str(info.value)
    assert f"is read from {tmp_path.resolve() / 'experiments'}, the folder of e.yaml" in str(
        info.value
    )
    people(tmp_path, ["a", "b"] * 50)
    with pytest.raises(DataError, match="column income not found"):
        load_data(spec_for(tmp_path, "{kind: file, path: people.csv, target: income}"))


def test_a_header_only_file_is_said_to_have_no_rows(tmp_path: Path) -> None:
    """Issue 17 item 8: a 0-row CSV is not "the target has a single class (none)"."""
    (tmp_path / "empty.csv").write_text("age,label\n")
    spec = spec_for(tmp_path, "{kind: file, path: empty.csv, target: label}")
    with pytest.raises(DataError) as info:
        load_data(spec)
    assert str(info.value) == NO_ROWS.format(name="e", file=(tmp_path / "empty.csv").resolve())
    assert "single class" not in str(info.value)


def test_a_file_split_on_semicolons_gets_its_separator_suggested(tmp_path: Path) -> None:
    """Issue 17 item 8: a wrong delimiter names the separator and the real columns."""
    (tmp_path / "semi.csv").write_text("age;sex;label\n30;F;a\n40;M;b\n" * 10)
    spec = spec_for(tmp_path, "{kind: file, path: semi.csv, target: label}")
    with pytest.raises(DataError) as info:
        load_data(spec)
    message = str(info.value)
    assert "separated by semicolons" in message
    assert "read_options: {sep: ';'}" in message
    assert "(its columns: age, sex, label)" in message


def test_rows_with_a_missing_target_are_counted(tmp_path: Path) -> None:
    """Issue 17 item 6: rows dropped for a missing target are counted, not silent."""
    labels: list[object] = ["a", "b"] * 100
    for i in range(0, 200, 7):
        labels[i] = None
    people(tmp_path, labels)
    spec = spec_for(tmp_path, "{kind: file, path: people.csv, target: label}")
    data = load_data(spec)
    assert data.rows == RowCount(200, 29, "missing target")
    assert len(data.X_train) + len(data.X_test) == 171
    assert data.rows.tags() == {
        schema.TAG_ROWS_READ: "200",
        schema.TAG_ROWS_DROPPED: "29",
        schema.TAG_ROWS_DROPPED_REASON: "missing target",
    }


def test_multiclass_predictions_have_a_probability_per_class(tmp_path: Path) -> None:
    data = load_data(spec_for(tmp_path, "{kind: sklearn, name: wine}"))
    assert data.classes == ("class_0", "class_1", "class_2")
    model = LogisticRegression(max_iter=5000).fit(data.X_train, data.y_train)
    frame = predictions_frame(model, data.test())
    assert list(frame.columns) == [
        "y_true",
        "y_pred",
        "proba_class_0",
        "proba_class_1",
        "proba_class_2",
    ]
    assert (
        frame[["proba_class_0", "proba_class_1", "proba_class_2"]].sum(axis=1).round(6).eq(1).all()
    )
    assert set(frame["y_true"]) == set(data.classes)


def regression_spec(tmp_path: Path, data: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "r.yaml"
    path.write_text(
        f"name: r\ntask: regression\ndata: {data}\nmodels:\n  - name: m\n"
        "    estimator: sklearn.linear_model.Ridge\n"
        "    search: {strategy: grid, cv: 2}\n"
    )
    (spec,) = load_experiments([path])
    return spec


def test_a_regression_target_stays_numeric_and_predictions_are_numbers(tmp_path: Path) -> None:
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import Ridge

    data = load_data(regression_spec(tmp_path, "{kind: sklearn, name: diabetes}"))
    assert data.classes == ()
    assert data.y_train.dtype == np.float64
    targets = set(load_diabetes().target.tolist())
    assert set(data.y_train.tolist()) | set(data.y_test.tolist()) <= targets
    assert len(data.y_train) + len(data.y_test) == 442
    model = Ridge().fit(data.X_train, data.y_train)
    frame = predictions_frame(model, data.test())
    assert list(frame.columns) == ["y_true", "y_pred"]
    assert frame["y_true"].tolist() == data.y_test.tolist()
    assert np.allclose(frame["y_pred"], model.predict(data.X_test))


def test_a_text_regression_target_is_a_data_error(tmp_path: Path) -> None:
    from mlreport.run._data import NOT_NUMERIC_TARGET

    people(tmp_path, ["1.5", "2", "lots", "3"] * 5)
    spec = regression_spec(tmp_path, "{kind: file, path: people.csv, target: label}")
    with pytest.raises(DataError) as info:
        load_data(spec)
    assert str(info.value) == NOT_NUMERIC_TARGET.format(name="r", target="label", examples="'lots'")


def test_a_binary_decision_function_is_named_after_the_positive_class(tmp_path: Path) -> None:
    from sklearn.svm import LinearSVC

    data = load_data(spec_for(tmp_path, "{kind: sklearn, name: breast_cancer}"))
    model = LinearSVC().fit(data.X_train, data.y_train)
    frame = predictions_frame(model, data.test())
    positive = data.classes[-1]
    assert list(frame.columns) == ["y_true", "y_pred", f"decision_score_{positive}"]
    assert np.allclose(frame[f"decision_score_{positive}"], model.decision_function(data.X_test))


def test_labels_are_written_alike_however_typed() -> None:
    from mlreport.schema import class_labels, group_labels

    assert list(class_labels(pd.Series([1.0, 0.0]))) == ["1", "0"]
    assert list(class_labels(pd.Series(["1", 0, " 1"], dtype=object))) == ["1", "0", "1"]
    assert list(class_labels(pd.Series([True, False]))) == ["True", "False"]
    assert list(class_labels(pd.Series([" >50K", "<=50K"]))) == [">50K", "<=50K"]
    assert list(class_labels(pd.Series([0.5, 1.0]))) == ["0.5", "1.0"]
    assert list(group_labels(pd.Series(["F", None, 3]))) == ["F", "(missing)", "3"]
