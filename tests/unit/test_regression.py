"""Regression scores against scikit-learn's, from exported predictions."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import mean_absolute_error, r2_score, root_mean_squared_error

from mlreport.analysis import is_regression, regression_summary


def _predictions(n: int = 300, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    y_true = rng.normal(100, 20, n)
    return pd.DataFrame({"y_true": y_true, "y_pred": y_true + rng.normal(3, 10, n)})


def test_scores_equal_scikit_learn_and_residuals_are_actual_minus_predicted() -> None:
    predictions = _predictions()
    summary = regression_summary(predictions)
    y_true, y_pred = predictions["y_true"], predictions["y_pred"]
    assert summary.r2 == pytest.approx(r2_score(y_true, y_pred))
    assert summary.mean_absolute_error == pytest.approx(mean_absolute_error(y_true, y_pred))
    assert summary.root_mean_squared_error == pytest.approx(root_mean_squared_error(y_true, y_pred))
    assert summary.samples == 300
    assert np.allclose(summary.residuals, y_true - y_pred)
    assert [name for name, _ in summary.scores] == ["R²", "MAE", "RMSE"]


def test_non_finite_rows_are_left_out_and_too_few_rows_give_nan() -> None:
    predictions = _predictions(10)
    predictions.loc[3, "y_pred"] = np.nan
    predictions.loc[4, "y_true"] = np.inf
    kept = predictions.drop(index=[3, 4])
    summary = regression_summary(predictions)
    assert summary.samples == 8
    assert summary.r2 == pytest.approx(r2_score(kept["y_true"], kept["y_pred"]))
    assert math.isnan(regression_summary(predictions.head(1)).r2)


def test_labels_are_not_regression() -> None:
    assert is_regression(_predictions())
    labels = pd.DataFrame({"y_true": ["1", "0"], "y_pred": ["1", "1"]})
    assert not is_regression(labels)
