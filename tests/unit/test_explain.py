from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression, Ridge, SGDClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import SVC

from mlreport.analysis._explain import (
    COEFFICIENTS,
    EXPLANATION_COLUMNS,
    IMPORTANCE_COLUMNS,
    INTERCEPT_FEATURE,
    NO_OUTPUTS,
    OUTPUT_MISMATCH,
    PERMUTATION,
    WEIGHTS_COLUMNS,
    explain_model,
    feature_names,
    global_importance,
    top_features,
)
from mlreport.config import ModelSpec
from mlreport.run._search import build_pipeline

NOISE = [f"noise{i}" for i in range(5)]
NUMERIC = ["planted", *NOISE]


def data(rows: int = 300, *, classes: int = 2, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """y depends strongly on "planted" only; "color" is an uninformative categorical."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(rows, len(NUMERIC))), columns=NUMERIC)
    X["color"] = rng.choice(["red", "green", "blue"], size=rows)
    signal = X["planted"] + 0.1 * rng.normal(size=rows)
    if classes == 2:
        return X, np.where(signal > 0, "yes", "no")
    return X, np.digitize(signal, np.quantile(signal, [1 / 3, 2 / 3])).astype(str)


def plain_pipeline(estimator: Any) -> Pipeline:
    preprocess = ColumnTransformer(
        [
            ("numeric", StandardScaler(), NUMERIC),
            ("categorical", OneHotEncoder(sparse_output=False, handle_unknown="ignore"), ["color"]),
        ]
    )
    return Pipeline([("preprocess", preprocess), ("model", estimator)])


def fitted(estimator: Any, *, classes: int = 2) -> tuple[Pipeline, pd.DataFrame, list[str]]:
    X, y = data(classes=classes)
    pipeline = plain_pipeline(estimator).fit(X, y)
    return pipeline, X, [str(label) for label in pipeline.classes_]


def spec(estimator: str) -> ModelSpec:
    return ModelSpec.model_validate(
        {"name": "m", "estimator": estimator, "search": {"strategy": "grid"}}
    )


FAST_KERNEL = {"max_samples": 60, "kernel_max_samples": 15, "kernel_max_evals": 40}


@pytest.mark.parametrize(
    ("estimator", "explainer", "options"),
    [
        (RandomForestClassifier(n_estimators=30, max_depth=4, random_state=0), "tree", {}),
        (HistGradientBoostingClassifier(max_iter=30), "tree", {}),
        (LogisticRegression(), "linear", {}),
        (KNeighborsClassifier(n_neighbors=15), "kernel", FAST_KERNEL),
    ],
)
def test_planted_feature_ranks_first(estimator: Any, explainer: str, options: Any) -> None:
    pipeline, X, labels = fitted(estimator)
    result = explain_model(pipeline, X, outputs=labels, **options)
    assert result.explainer == explainer
    importance = global_importance(result.explanation)
    assert list(importance.columns) == list(IMPORTANCE_COLUMNS)
    assert importance["feature"].iloc[0] == "planted"
    assert importance["mean_abs_shap"].iloc[0] > 3 * importance["mean_abs_shap"].iloc[1]
    assert top_features(result.explanation, limit=2)[0] == "planted"


@pytest.mark.parametrize(
    ("estimator", "explainer"),
    [(Ridge(), "linear"), (GradientBoostingRegressor(n_estimators=30, random_state=0), "tree")],
)
def test_regression_has_one_prediction_output(estimator: Any, explainer: str) -> None:
    X, _ = data()
    y = 3 * X["planted"] + 0.1 * X["noise0"]
    pipeline = plain_pipeline(estimator).fit(X, y)
    result = explain_model(pipeline, X, outputs=("prediction",), max_samples=50)
    assert result.explainer == explainer
    assert result.output_space == "prediction"
    assert set(result.explanation["output"]) == {"prediction"}
    assert list(result.base_values) == ["prediction"]
    assert top_features(result.explanation)[0] == "planted"
    assert_additive(result, pipeline.predict(X.iloc[samples(result)]), "prediction")


def samples(result: Any) -> np.ndarray:
    return np.asarray(result.explanation["sample"].drop_duplicates(), dtype=int)


def assert_additive(result: Any, model_output: np.ndarray, output: str) -> None:
    """Per sample, base value + sum of SHAP values is the model's output."""
    frame = result.explanation[result.explanation["output"] == output]
    totals = frame.groupby("sample", sort=True)["shap_value"].sum().to_numpy()
    np.testing.assert_allclose(result.base_values[output] + totals, model_output, atol=1e-6)


@pytest.mark.parametrize(
    ("estimator", "space", "method"),
    [
        (RandomForestClassifier(n_estimators=20, max_depth=5, random_state=0), "probability", "p"),
        (HistGradientBoostingClassifier(max_iter=20), "log-odds", "d"),
        (LogisticRegression(), "margin", "d"),
        (SGDClassifier(loss="hinge", random_state=0), "margin", "d"),  # no predict_proba
    ],
)
def test_binary_shap_values_add_up_to_the_positive_class_output(
    estimator: Any, space: str, method: str
) -> None:
    pipeline, X, labels = fitted(estimator)
    result = explain_model(pipeline, X, outputs=labels, max_samples=40)
    assert set(result.explanation["output"]) == {"yes"} and list(result.base_values) == ["yes"]
    assert result.output_space == space
    rows = X.iloc[samples(result)]
    output = (
        pipeline.predict_proba(rows)[:, 1] if method == "p" else pipeline.decision_function(rows)
    )
    assert_additive(result, output, "yes")


@pytest.mark.parametrize(
    ("estimator", "method"),
    [
        (LogisticRegression(), "decision_function"),
        (RandomForestClassifier(n_estimators=20, max_depth=5, random_state=0), "predict_proba"),
        (HistGradientBoostingClassifier(max_iter=20), "decision_function"),
    ],
)
def test_multi_class_explains_every_class(estimator: Any, method: str) -> None:
    pipeline, X, labels = fitted(estimator, classes=3)
    assert labels == ["0", "1", "2"]
    result = explain_model(pipeline, X, outputs=labels, max_samples=30)
    frame = result.explanation
    assert list(frame["output"].drop_duplicates()) == labels
    assert list(result.base_values) == labels
    assert len(frame) == 30 * 3 * 9  # samples x classes x (6 numeric + 3 colors)
    output = getattr(pipeline, method)(X.iloc[samples(result)])
    for k, label in enumerate(labels):
        assert_additive(result, output[:, k], label)
    assert global_importance(frame)["feature"].iloc[0] == "planted"


def test_multi_class_svc_is_not_taken_for_linear() -> None:
    pipeline, X, labels = fitted(SVC(kernel="linear"), classes=3)  # coef_: one row per pair
    result = explain_model(pipeline, X, outputs=labels, **FAST_KERNEL)
    assert result.explainer == "kernel" and result.output_space == "margin"
    assert list(result.base_values) == labels
    output = pipeline.decision_function(X.iloc[samples(result)])
    for k, label in enumerate(labels):
        assert_additive(result, output[:, k], label)


def test_mismatched_outputs_are_refused() -> None:
    pipeline, X, labels = fitted(HistGradientBoostingClassifier(max_iter=5), classes=3)
    with pytest.raises(ValueError) as error:
        explain_model(pipeline, X, outputs=[*labels, "3"], max_samples=5)
    assert str(error.value) == OUTPUT_MISMATCH.format(
        explainer="tree", found=3, outputs=("0", "1", "2", "3"), needed="4"
    )
    with pytest.raises(ValueError, match="outputs must name"):
        explain_model(pipeline, X, outputs=[])
    assert "outputs must name" in NO_OUTPUTS


def test_feature_names_are_readable_for_mlreport_and_plain_pipelines() -> None:
    X, y = data()
    expected = [*NUMERIC, "color = blue", "color = green", "color = red"]
    ours = build_pipeline(
        spec("sklearn.linear_model.LogisticRegression"), numeric=NUMERIC, categorical=["color"]
    ).fit(X, y)
    plain = plain_pipeline(LogisticRegression()).fit(X, y)
    assert feature_names(ours, list(X.columns)) == expected
    assert feature_names(plain, list(X.columns)) == expected
    result = explain_model(ours, X, outputs=["no", "yes"], max_samples=10)
    assert list(result.explanation["feature"].iloc[: len(expected)]) == expected
    # feature_value is what the model saw: scaled numbers, one-hot indicators
    seen = ours[:-1].transform(X.iloc[samples(result)])
    np.testing.assert_allclose(
        result.explanation["feature_value"].to_numpy().reshape(seen.shape), seen
    )


def test_feature_names_of_bare_estimators() -> None:
    X, y = data()
    numbers = X[NUMERIC]
    model = LogisticRegression().fit(numbers.to_numpy(), y)
    assert feature_names(model, NUMERIC) == NUMERIC
    assert feature_names(model, []) == [f"x{i}" for i in range(6)]
    result = explain_model(model, numbers.to_numpy(), outputs=["no", "yes"], max_samples=5)
    assert list(result.explanation["feature"].iloc[:6]) == [f"x{i}" for i in range(6)]


def test_duplicate_names_keep_their_prefix() -> None:
    X, y = data()
    preprocess = ColumnTransformer(
        [("raw", "passthrough", ["planted"]), ("scaled", StandardScaler(), ["planted"])]
    )
    pipeline = Pipeline([("preprocess", preprocess), ("model", LogisticRegression())]).fit(X, y)
    assert feature_names(pipeline, list(X.columns)) == ["raw__planted", "scaled__planted"]


def test_sample_is_bounded_deterministic_and_sorted() -> None:
    pipeline, X, labels = fitted(LogisticRegression())
    first = explain_model(pipeline, X, outputs=labels, max_samples=25, seed=3)
    again = explain_model(pipeline, X, outputs=labels, max_samples=25, seed=3)
    other = explain_model(pipeline, X, outputs=labels, max_samples=25, seed=4)
    pd.testing.assert_frame_equal(first.explanation, again.explanation)
    assert first.sample_size == 25 and first.explanation["sample"].nunique() == 25
    assert set(samples(first)) != set(samples(other))
    assert list(first.explanation.columns) == list(EXPLANATION_COLUMNS)
    assert list(samples(first)) == sorted(samples(first))
    assert first.explanation["sample"].between(0, len(X) - 1).all()
    whole = explain_model(pipeline, X.head(12), outputs=labels, max_samples=200)
    assert list(samples(whole)) == list(range(12))


def test_kernel_sample_is_reduced_seeded_and_leaves_global_random_state_alone() -> None:
    pipeline, X, labels = fitted(KNeighborsClassifier(n_neighbors=15))
    np.random.seed(7)
    state = np.random.get_state()[1].copy()
    first = explain_model(pipeline, X, outputs=labels, seed=1, **FAST_KERNEL)
    assert (np.random.get_state()[1] == state).all()
    np.random.seed(8)  # the result does not depend on numpy's global random state
    again = explain_model(pipeline, X, outputs=labels, seed=1, **FAST_KERNEL)
    pd.testing.assert_frame_equal(first.explanation, again.explanation)
    assert first.explainer == "kernel" and first.output_space == "probability"
    assert first.sample_size == 15 and first.explanation["sample"].nunique() == 15
    assert_additive(first, pipeline.predict_proba(X.iloc[samples(first)])[:, 1], "yes")


def test_eli5_weights_for_linear_and_tree_models_only() -> None:
    linear, X, labels = fitted(LogisticRegression())
    weights = explain_model(linear, X, outputs=labels, max_samples=10).weights
    assert weights is not None and list(weights.columns) == list(WEIGHTS_COLUMNS)
    assert set(weights["output"]) == {"yes"}
    assert INTERCEPT_FEATURE in set(weights["feature"]) and "<BIAS>" not in set(weights["feature"])
    assert weights.loc[weights["weight"].abs().idxmax(), "feature"] == "planted"
    assert weights["weight"].is_monotonic_decreasing

    forest, X, labels = fitted(RandomForestClassifier(n_estimators=20, random_state=0))
    weights = explain_model(forest, X, outputs=labels, max_samples=10).weights
    assert weights is not None and list(weights.columns) == list(WEIGHTS_COLUMNS)
    assert set(weights["output"]) == {""}  # importances belong to no class
    assert weights["feature"].iloc[0] == "planted"
    assert len(weights) == 9

    regression = plain_pipeline(Ridge()).fit(X, X["planted"])
    weights = explain_model(regression, X, outputs=("prediction",), max_samples=10).weights
    assert weights is not None and set(weights["output"]) == {"prediction"}

    kernel, X, labels = fitted(KNeighborsClassifier())
    assert explain_model(kernel, X, outputs=labels, **FAST_KERNEL).weights is None  # no y


def test_other_models_get_eli5_permutation_importance_given_the_targets() -> None:
    X, y = data()
    labels = sorted(set(y))
    codes = np.searchsorted(labels, y)
    for estimator in (KNeighborsClassifier(), HistGradientBoostingClassifier(max_iter=30)):
        pipeline = plain_pipeline(estimator).fit(X, codes)
        result = explain_model(pipeline, X, outputs=labels, y=codes, **FAST_KERNEL)
        assert result.weights_kind == PERMUTATION
        assert result.weights is not None and list(result.weights.columns) == list(WEIGHTS_COLUMNS)
        assert result.weights["feature"].iloc[0] == "planted"  # shuffling it hurts most
        assert result.weights["weight"].is_monotonic_decreasing
    linear = plain_pipeline(LogisticRegression()).fit(X, codes)
    assert explain_model(linear, X, outputs=labels, y=codes).weights_kind == COEFFICIENTS


def test_global_importance_averages_samples_then_outputs_and_breaks_ties_by_name() -> None:
    explanation = pd.DataFrame(
        {
            "sample": [0, 0, 0, 1, 1, 1, 0, 1],
            "feature": ["b", "a", "c", "b", "a", "c", "b", "b"],
            "output": ["x", "x", "x", "x", "x", "x", "y", "y"],
            "shap_value": [1.0, -2.0, 0.5, -3.0, 2.0, 0.5, 0.0, 0.0],
            "feature_value": 0.0,
        }
    )
    importance = global_importance(explanation)
    # b: outputs x (2.0) and y (0.0) average to 1.0; a: 2.0 (only x); c: 0.5
    assert list(importance["feature"]) == ["a", "b", "c"]
    np.testing.assert_allclose(importance["mean_abs_shap"], [2.0, 1.0, 0.5])
    tie = explanation.assign(feature=explanation["feature"].replace({"c": "a0"}))
    tie.loc[tie["feature"] == "a0", "shap_value"] = 2.0
    assert list(global_importance(tie)["feature"]) == ["a", "a0", "b"]
    assert top_features(explanation, limit=2) == ["a", "b"]
    assert top_features(explanation.iloc[:0]) == []


@pytest.mark.parametrize("classes", [2, 3])
def test_eli5_outputs_are_labels_when_the_model_was_trained_on_class_codes(classes: int) -> None:
    """mlreport encodes targets as 0..k-1: the weights must still name the classes."""
    X, y = data(classes=classes)
    labels = sorted(set(y))
    codes = np.searchsorted(labels, y)
    pipeline = plain_pipeline(LogisticRegression(max_iter=2000)).fit(X, codes)
    result = explain_model(pipeline, X, outputs=labels, max_samples=20)
    assert result.weights is not None
    shown = labels[-1:] if classes == 2 else labels  # binary: the positive class
    assert sorted(result.weights["output"].unique()) == sorted(shown)
    assert sorted(result.explanation["output"].unique()) == sorted(shown)
