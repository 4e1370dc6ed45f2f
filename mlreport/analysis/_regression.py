"""Test scores and residuals of a regressor's test predictions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class RegressionSummary:
    """R², MAE and RMSE on the test split, with the points the plots need."""

    r2: float
    mean_absolute_error: float
    root_mean_squared_error: float
    samples: int
    y_true: tuple[float, ...]
    y_pred: tuple[float, ...]

    @property
    def residuals(self) -> tuple[float, ...]:
        """Actual minus predicted, per sample."""
        return tuple(t - p for t, p in zip(self.y_true, self.y_pred, strict=True))

    @property
    def scores(self) -> tuple[tuple[str, float], ...]:
        return (
            ("R²", self.r2),
            ("MAE", self.mean_absolute_error),
            ("RMSE", self.root_mean_squared_error),
        )


def is_regression(predictions: pd.DataFrame) -> bool:
    """Whether exported predictions are numbers (regression) rather than class labels."""
    return pd.api.types.is_float_dtype(predictions["y_true"]) and pd.api.types.is_numeric_dtype(
        predictions["y_pred"]
    )


def regression_summary(predictions: pd.DataFrame) -> RegressionSummary:
    """Scores of ``y_pred`` against ``y_true`` (scikit-learn), on rows where both are finite."""
    from sklearn.metrics import mean_absolute_error, r2_score, root_mean_squared_error

    y_true = predictions["y_true"].to_numpy(dtype=np.float64)
    y_pred = predictions["y_pred"].to_numpy(dtype=np.float64)
    finite = np.isfinite(y_true) & np.isfinite(y_pred)
    y_true, y_pred = y_true[finite], y_pred[finite]
    if len(y_true) < 2:
        nan = float("nan")
        return RegressionSummary(nan, nan, nan, len(y_true), tuple(y_true), tuple(y_pred))
    return RegressionSummary(
        r2=float(r2_score(y_true, y_pred)),
        mean_absolute_error=float(mean_absolute_error(y_true, y_pred)),
        root_mean_squared_error=float(root_mean_squared_error(y_true, y_pred)),
        samples=len(y_true),
        y_true=tuple(y_true.tolist()),
        y_pred=tuple(y_pred.tolist()),
    )
