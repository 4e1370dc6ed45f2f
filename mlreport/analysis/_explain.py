"""SHAP explanations and eli5 weights of a fitted model, and pure summaries of them.

Two halves: `explain_model` needs the fitted model and turns it into long tables
(`EXPLANATION_COLUMNS`, `WEIGHTS_COLUMNS`) that are logged as artifacts;
`global_importance` and `top_features` summarise those tables without the model.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

#: Columns of the long explanation table: one row per (sample, feature, output).
EXPLANATION_COLUMNS = ("sample", "feature", "output", "shap_value", "feature_value")
#: Columns of eli5's weights table.
WEIGHTS_COLUMNS = ("output", "feature", "weight")
#: Columns of `global_importance`.
IMPORTANCE_COLUMNS = ("feature", "mean_abs_shap")

TREE, LINEAR, KERNEL = "tree", "linear", "kernel"
#: The feature name eli5's "<BIAS>" row gets.
INTERCEPT_FEATURE = "(intercept)"
COEFFICIENTS = "coefficients"
IMPORTANCES = "feature importances"
PERMUTATION = "permutation importance"
#: Shuffles of each feature for eli5's permutation importance.
PERMUTATION_ROUNDS = 3
#: Rows explained at most by the (slow) kernel explainer, whatever ``max_samples``.
KERNEL_MAX_SAMPLES = 50
#: Coalitions evaluated per explained row by the kernel explainer (each one predicts on
#: every background centre).
KERNEL_MAX_EVALS = 100
#: Bound on rows x leaves x (maximum depth)² for the tree explainer (about 10 s here):
#: a gradient boosting model explains every sampled row, a fully grown random forest of
#: 100 trees on 25,000 rows only about 10 (0.75 s per row).
TREE_MAX_WORK = 20_000_000_000

NO_OUTPUTS = "outputs must name the classes in the estimator's order, or be ('prediction',)"
NO_ROWS = "no rows to explain"
BAD_LIMIT = "{name} must be at least {low}, got {value}"
OUTPUT_MISMATCH = (
    "the {explainer} explainer gives {found} output(s) per sample; outputs {outputs} need {needed}"
)

_ELI5_BIAS = "<BIAS>"


@dataclass(frozen=True)
class ExplanationResult:
    """SHAP values of a sample of rows, in the long form that is logged, and eli5's weights.

    ``explanation`` has `EXPLANATION_COLUMNS`: ``sample`` is the row's position in the
    explained data, ``feature_value`` the (preprocessed) value the estimator saw.
    ``weights`` has `WEIGHTS_COLUMNS`, or is None where eli5 cannot explain the estimator.
    ``output_space`` names what the SHAP values add up to ("probability", "log-odds",
    "margin" or "prediction"): per sample, ``base_values[output]`` plus the sample's
    SHAP values for that output is the model's output in that space.
    """

    explanation: pd.DataFrame
    weights: pd.DataFrame | None
    explainer: str  # TREE, LINEAR or KERNEL
    sample_size: int  # rows explained
    base_values: dict[str, float]  # per output
    output_space: str = ""
    weights_kind: str = ""  # COEFFICIENTS, IMPORTANCES or PERMUTATION; "" without weights


def feature_names(pipeline: Any, input_columns: Sequence[str]) -> list[str]:
    """Readable names of the features the final estimator sees.

    For a Pipeline whose preprocessing steps give ``get_feature_names_out``, those names
    without ColumnTransformer prefixes ("numeric__age" → "age") and with one-hot columns
    as "column = category" ("sex = Female"); a name that would then be ambiguous keeps
    its prefix. For a bare estimator, the input columns; otherwise "x0", "x1", ….
    """
    return _names(pipeline, input_columns, _n_features_in(_estimator(pipeline), input_columns))


def explain_model(
    pipeline: Any,
    X: pd.DataFrame | np.ndarray,
    *,
    outputs: Sequence[str],
    max_samples: int = 200,
    background_size: int = 20,
    seed: int = 0,
    kernel_max_evals: int = KERNEL_MAX_EVALS,
    kernel_max_samples: int = KERNEL_MAX_SAMPLES,
    y: np.ndarray | None = None,
) -> ExplanationResult:
    """SHAP values of the final estimator on a seeded sample of ``X``, and eli5's weights.

    ``outputs`` are the class labels in the estimator's order, or ``("prediction",)`` for
    a regressor. A binary classifier is explained for its positive (last) class only, a
    multi-class one for every class. At most ``max_samples`` rows are drawn without
    replacement (``numpy.random.default_rng(seed)``), preprocessed by the pipeline's
    steps before the estimator, and the estimator is explained on that matrix:

    - tree models (anything ``shap.TreeExplainer`` accepts): shap's default,
      tree-path-dependent TreeSHAP (exact, no background) of the model's raw output:
      probability for random forests and decision trees, log-odds (per class: softmax
      logits) for gradient boosting, the prediction for regressors. Very deep forests
      explain only the first drawn rows that fit in `TREE_MAX_WORK`;
    - linear models (``coef_`` with one row per output): ``shap.LinearExplainer`` with
      the sample as its (interventional) background, on the linear predictor: the
      ``decision_function`` margin (log-odds for logistic models; hinge-loss models
      without ``predict_proba`` work too) or the regression prediction;
    - anything else: ``shap.KernelExplainer`` on ``predict_proba`` (else the
      ``decision_function`` margin, else ``predict``) against ``shap.kmeans`` of the
      sample with ``background_size`` centres. Its cost is rows x evaluations x centres
      model predictions, so it explains only the first ``kernel_max_samples`` drawn rows
      with ``kernel_max_evals`` coalitions each (seeded; numpy's global random state is
      restored afterwards). With the defaults that is 100,000 predictions: about 1 s for
      an MLP, 6 s for k-nearest neighbours on 24,000 rows, 25 s for an 8,000-row SVC.

    ``sample_size`` says how many rows were explained. ``sample`` in the explanation is
    the row's position in ``X``. eli5's weights are the coefficients of linear models and
    the feature importances of the tree models eli5 supports; for any other model, given
    ``y`` (the targets of ``X``, as the estimator was trained on them), eli5's permutation
    importance on the drawn rows (``PERMUTATION_ROUNDS`` shuffles of each feature).
    ``weights_kind`` says which.
    """
    labels = [str(output) for output in outputs]
    if not labels:
        raise ValueError(NO_OUTPUTS)
    for name, value, low in (
        ("max_samples", max_samples, 1),
        ("background_size", background_size, 1),
        ("kernel_max_samples", kernel_max_samples, 1),
        ("kernel_max_evals", kernel_max_evals, 2),
    ):
        if value < low:
            raise ValueError(BAD_LIMIT.format(name=name, low=low, value=value))
    row_count = len(X)
    if not row_count:
        raise ValueError(NO_ROWS)
    rng = np.random.default_rng(seed)
    drawn = rng.choice(row_count, size=min(max_samples, row_count), replace=False)
    rows = np.sort(drawn)
    estimator, preprocess = _estimator(pipeline), _preprocess(pipeline)
    sample = X.iloc[rows] if isinstance(X, pd.DataFrame) else np.asarray(X)[rows]
    matrix = _dense(preprocess.transform(sample) if preprocess is not None else sample)
    columns = [str(column) for column in X.columns] if isinstance(X, pd.DataFrame) else []
    names = _names(pipeline, columns, matrix.shape[1])

    order = np.searchsorted(rows, drawn)  # the sample's rows of ``matrix`` in drawn order
    explained = _tree(estimator, matrix, order)
    if explained is None:
        explained = _linear(estimator, matrix, len(labels))
    if explained is None:
        explained = _kernel(
            estimator,
            matrix,
            order,
            background_size=background_size,
            rows=kernel_max_samples,
            evals=kernel_max_evals,
            seed=seed,
        )
    kind, values, base, space, kept = explained
    weights = None if kind == KERNEL else _weights(estimator, names, labels)
    weights_kind = (COEFFICIENTS if kind == LINEAR else IMPORTANCES) if weights is not None else ""
    if weights is None and y is not None:
        weights = _permutation_weights(estimator, matrix, np.asarray(y)[rows], names, seed)
        weights_kind = PERMUTATION if weights is not None else ""
    rows, matrix = rows[kept], matrix[kept]
    values, base, shown = _select_outputs(kind, _as_3d(values, matrix.shape), base, labels)
    return ExplanationResult(
        explanation=_long_table(rows, names, shown, values, matrix),
        weights=weights,
        explainer=kind,
        sample_size=len(rows),
        base_values={label: float(value) for label, value in zip(shown, base, strict=True)},
        output_space=space,
        weights_kind=weights_kind,
    )


def global_importance(explanation: pd.DataFrame) -> pd.DataFrame:
    """Mean |SHAP value| per feature: over samples per output, then averaged over outputs.

    Sorted by importance descending, ties by feature name.
    """
    feature, mean_abs_shap = IMPORTANCE_COLUMNS
    if explanation.empty:
        return pd.DataFrame({feature: pd.Series(dtype=str), mean_abs_shap: pd.Series(dtype=float)})
    per_output = (
        explanation.assign(abs_shap=explanation["shap_value"].abs())
        .groupby(["feature", "output"], sort=False)["abs_shap"]
        .mean()
    )
    importance = per_output.groupby(level="feature", sort=False).mean()
    frame = pd.DataFrame(
        {feature: importance.index.astype(str), mean_abs_shap: importance.to_numpy(float)}
    )
    return frame.sort_values(
        [mean_abs_shap, feature], ascending=[False, True], kind="mergesort"
    ).reset_index(drop=True)


def top_features(explanation: pd.DataFrame, *, limit: int = 15) -> list[str]:
    """The ``limit`` most important features, most important first."""
    if limit < 0:
        raise ValueError(BAD_LIMIT.format(name="limit", low=0, value=limit))
    return [str(name) for name in global_importance(explanation)["feature"].head(limit)]


# --- the model's parts and its feature names ------------------------------------------------


def _estimator(pipeline: Any) -> Any:
    steps = getattr(pipeline, "steps", None)
    return steps[-1][1] if steps else pipeline


def _preprocess(pipeline: Any) -> Any:
    """The pipeline without its final estimator, or None for a bare estimator."""
    steps = getattr(pipeline, "steps", None)
    return pipeline[:-1] if steps and len(steps) > 1 else None


def _n_features_in(estimator: Any, input_columns: Sequence[str]) -> int:
    count = getattr(estimator, "n_features_in_", None)
    return int(count) if count is not None else len(input_columns)


def _names(pipeline: Any, input_columns: Sequence[str], width: int) -> list[str]:
    """`feature_names`, or "x0".."xN" when they do not give ``width`` names."""
    columns = [str(column) for column in input_columns]
    preprocess = _preprocess(pipeline)
    names: list[str] | None = None
    if preprocess is None:
        names = columns
    else:
        try:
            readable, prefixes = _readable_copy(preprocess)
            raw = readable.get_feature_names_out(columns or None)
            names = _strip_prefixes([str(name) for name in raw], prefixes)
        except (AttributeError, TypeError, ValueError):
            names = None
    if names is None or len(names) != width:
        return [f"x{i}" for i in range(width)]
    return names


def _readable_copy(transformer: Any) -> tuple[Any, set[str]]:
    """A shallow copy whose one-hot encoders name columns "column = category", and the
    names of every ColumnTransformer's transformers inside (their output prefixes)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    prefixes: set[str] = set()
    if isinstance(transformer, OneHotEncoder):
        encoder = copy.copy(transformer)
        encoder.feature_name_combiner = _one_hot_name
        return encoder, prefixes
    if isinstance(transformer, Pipeline):
        steps = []
        for name, step in transformer.steps:
            readable, inner = _readable_copy(step)
            steps.append((name, readable))
            prefixes |= inner
        pipeline = copy.copy(transformer)
        pipeline.steps = steps
        return pipeline, prefixes
    if isinstance(transformer, ColumnTransformer) and hasattr(transformer, "transformers_"):
        fitted = []
        for name, step, columns in transformer.transformers_:
            readable, inner = _readable_copy(step)
            fitted.append((name, readable, columns))
            prefixes |= inner | {name}
        columns_copy = copy.copy(transformer)
        columns_copy.transformers_ = fitted
        return columns_copy, prefixes
    return transformer, prefixes


def _one_hot_name(column: str, category: Any) -> str:
    return f"{column} = {category}"


def _strip_prefixes(names: list[str], prefixes: set[str]) -> list[str]:
    """Names without leading "transformer__" prefixes, unless that makes them ambiguous."""

    def strip(name: str) -> str:
        head, separator, rest = name.partition("__")
        while separator and head in prefixes:
            name = rest
            head, separator, rest = name.partition("__")
        return name

    stripped = [strip(name) for name in names]
    counts = pd.Series(stripped).value_counts()
    return [
        short if counts[short] == 1 else name for name, short in zip(names, stripped, strict=True)
    ]


def _dense(matrix: Any) -> np.ndarray:
    if hasattr(matrix, "toarray"):
        matrix = matrix.toarray()
    return np.asarray(matrix, dtype=float)


# --- the three explainers ---------------------------------------------------------------------

#: (explainer, SHAP values as shap returns them, base value(s), output space, rows of the
#: matrix explained)
_Explained = tuple[str, Any, Any, str, np.ndarray]

_TREE_SPACES = {"probability": "probability", "log_odds": "log-odds", "raw_value": "prediction"}


def _first_drawn(order: np.ndarray, count: int) -> np.ndarray:
    """The first ``count`` rows in drawn order (a seeded subsample), in matrix order."""
    return np.sort(order[: max(count, 1)])


def _tree(estimator: Any, matrix: np.ndarray, order: np.ndarray) -> _Explained | None:
    """Tree-path-dependent TreeSHAP of the raw output (shap's default), or None if shap's
    tree explainer does not accept the estimator. Explains the first drawn rows that fit
    in `TREE_MAX_WORK`."""
    import shap

    try:
        explainer = shap.TreeExplainer(estimator)
    except Exception:  # shap raises several types for models that are not tree ensembles
        return None
    model = explainer.model
    kept = _first_drawn(order, TREE_MAX_WORK // _tree_work(model))
    values = explainer.shap_values(matrix[kept], check_additivity=False)
    tree_output = str(getattr(model, "tree_output", ""))
    space = _TREE_SPACES.get(tree_output, tree_output)
    return TREE, values, explainer.expected_value, space, kept


def _tree_work(model: Any) -> int:
    """An estimate of TreeSHAP's work per row: leaves of every tree x (maximum depth)²."""
    trees = getattr(model, "trees", None) or []
    leaves = sum(int(np.sum(np.asarray(tree.children_left) < 0)) for tree in trees)
    depth = int(getattr(model, "max_depth", 1) or 1)
    return max(leaves, 1) * max(depth, 1) ** 2


def _linear(estimator: Any, matrix: np.ndarray, label_count: int) -> _Explained | None:
    """Exact linear SHAP of the linear predictor, or None if the estimator is not linear
    with one coefficient row per output (a multi-class SVC has one per pair of classes)."""
    coef = getattr(estimator, "coef_", None)
    if coef is None or not hasattr(estimator, "intercept_"):
        return None
    rows = 1 if np.ndim(coef) == 1 else np.shape(coef)[0]
    if rows not in (1, label_count) or np.shape(coef)[-1] != matrix.shape[1]:
        return None
    if rows > 1 and hasattr(estimator, "support_vectors_"):
        return None
    import shap

    masker = shap.maskers.Independent(matrix, max_samples=len(matrix))
    explainer = shap.LinearExplainer(estimator, masker)
    space = "margin" if hasattr(estimator, "classes_") else "prediction"
    kept = np.arange(len(matrix))
    return LINEAR, explainer.shap_values(matrix), explainer.expected_value, space, kept


def _kernel(
    estimator: Any,
    matrix: np.ndarray,
    order: np.ndarray,
    *,
    background_size: int,
    rows: int,
    evals: int,
    seed: int,
) -> _Explained:
    """Kernel SHAP of the first ``rows`` drawn rows against k-means centres of the sample."""
    import shap

    function, space = _model_function(estimator)
    kept = _first_drawn(order, rows)
    with warnings.catch_warnings(), _seeded_global_random(seed):
        warnings.simplefilter("ignore")  # k-means on few distinct rows, lstsq conditioning
        background = shap.kmeans(matrix, min(background_size, len(matrix)))
        explainer = shap.KernelExplainer(function, background)
        values = explainer.shap_values(matrix[kept], nsamples=evals, l1_reg=False, silent=True)
    return KERNEL, values, explainer.expected_value, space, kept


def _model_function(estimator: Any) -> tuple[Callable[[np.ndarray], np.ndarray], str]:
    if hasattr(estimator, "predict_proba"):
        return estimator.predict_proba, "probability"
    if hasattr(estimator, "decision_function"):
        return estimator.decision_function, "margin"
    classes = getattr(estimator, "classes_", None)
    if classes is None:
        return estimator.predict, "prediction"

    def indicator(data: np.ndarray) -> np.ndarray:
        predicted = np.asarray(estimator.predict(data))
        return (predicted[:, None] == np.asarray(classes)[None, :]).astype(float)

    return indicator, "probability"


@contextmanager
def _seeded_global_random(seed: int) -> Iterator[None]:
    """Seed numpy's global random state (which KernelExplainer samples from), then restore it."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


# --- shap's output formats to one long table ------------------------------------------------


def _as_3d(values: Any, shape: tuple[int, ...]) -> np.ndarray:
    """shap's values (a list per output, a 3-D array or a 2-D array for one output) as an
    array (samples, features, model outputs)."""
    if isinstance(values, list):
        values = np.stack([np.asarray(v, dtype=float) for v in values], axis=-1)
    array = np.asarray(values, dtype=float)
    if array.ndim == 2:
        array = array[:, :, None]
    return array.reshape(shape[0], shape[1], -1)


def _select_outputs(
    kind: str, values: np.ndarray, base: Any, labels: list[str]
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The shown outputs: the positive class of a binary classifier, else every output."""
    found = values.shape[2]
    bases = np.atleast_1d(np.asarray(base, dtype=float)).reshape(-1)
    if bases.size == 1 and found > 1:
        bases = np.repeat(bases, found)
    if len(labels) == 2:
        if found in (1, 2):  # one output is the positive class (margin, log-odds)
            return values[:, :, -1:], bases[-1:], labels[-1:]
        needed = "1 or 2"
    elif found == len(labels):
        return values, bases, labels
    else:
        needed = str(len(labels))
    raise ValueError(
        OUTPUT_MISMATCH.format(explainer=kind, found=found, outputs=tuple(labels), needed=needed)
    )


def _long_table(
    rows: np.ndarray, names: list[str], shown: list[str], values: np.ndarray, matrix: np.ndarray
) -> pd.DataFrame:
    """One row per (sample, output, feature), in that order; features in the model's order."""
    samples, features, outputs = values.shape
    by_output = values.transpose(0, 2, 1)  # (samples, outputs, features)
    seen = np.broadcast_to(matrix[:, None, :], by_output.shape)
    frame = pd.DataFrame(
        {
            "sample": np.repeat(rows.astype(np.int64), outputs * features),
            "feature": np.tile(np.asarray(names, dtype=object), samples * outputs),
            "output": np.tile(np.repeat(np.asarray(shown, dtype=object), features), samples),
            "shap_value": by_output.reshape(-1),
            "feature_value": seen.reshape(-1).astype(float),
        }
    )
    return frame.astype({"feature": str, "output": str})[list(EXPLANATION_COLUMNS)]


# --- eli5 -------------------------------------------------------------------------------------


def _permutation_weights(
    estimator: Any, matrix: np.ndarray, y: np.ndarray, names: list[str], seed: int
) -> pd.DataFrame | None:
    """eli5's permutation importance of the fitted estimator on these rows, or None: the
    drop of the estimator's own score when a feature is shuffled (mean of the rounds)."""
    try:
        import eli5
        from eli5.sklearn import PermutationImportance

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            permuted = PermutationImportance(
                estimator, random_state=seed, n_iter=PERMUTATION_ROUNDS, cv="prefit"
            ).fit(matrix, y)
            frame = eli5.explain_weights_df(permuted, feature_names=names, top=None)
    except Exception:  # a model eli5 cannot score: no weights
        return None
    if frame is None or frame.empty:
        return None
    table = pd.DataFrame(
        {"output": "", "feature": frame["feature"].astype(str), "weight": frame["weight"]}
    )
    table = table.sort_values(["weight", "feature"], ascending=[False, True], kind="mergesort")
    return table.reset_index(drop=True)[list(WEIGHTS_COLUMNS)]


def _weights(estimator: Any, names: list[str], labels: list[str]) -> pd.DataFrame | None:
    """eli5's weights (coefficients or importances) with `WEIGHTS_COLUMNS`, or None.

    ``output`` is eli5's target as text; a single-output regressor's "y" becomes the
    output label; importances that belong to no output (trees) have output "".
    """
    try:
        import eli5

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = eli5.explain_weights_df(estimator, feature_names=names, top=None)
    except Exception:  # eli5 fails in many ways on estimators it does not support
        return None
    if frame is None or frame.empty or not {"feature", "weight"} <= set(frame.columns):
        return None
    targets = (
        [str(target) for target in frame["target"]] if "target" in frame else [""] * len(frame)
    )
    classes = getattr(estimator, "classes_", None)
    if classes is not None and len(classes) == len(labels):
        # mlreport trains on class codes: eli5 names outputs by them, the page by labels
        by_code = {str(code): label for code, label in zip(classes, labels, strict=True)}
        targets = [by_code.get(target, target) for target in targets]
    if len(labels) == 1:
        targets = [labels[0] if target else "" for target in targets]
    table = pd.DataFrame(
        {
            "output": targets,
            "feature": [
                INTERCEPT_FEATURE if feature == _ELI5_BIAS else str(feature)
                for feature in frame["feature"]
            ],
            "weight": frame["weight"].to_numpy(float),
        }
    )
    order = {label: i for i, label in enumerate(["", *labels])}
    table["_order"] = [order.get(output, len(order)) for output in table["output"]]
    table = table.sort_values(
        ["_order", "output", "weight", "feature"],
        ascending=[True, True, False, True],
        kind="mergesort",
    )
    return table.drop(columns="_order").reset_index(drop=True)[list(WEIGHTS_COLUMNS)]
