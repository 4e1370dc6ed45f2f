"""Pure analysis of the exported dataset: result objects, no I/O, no plotting."""

from __future__ import annotations

from mlreport.analysis._confusion import (
    CLASS_STATISTICS,
    ClassStatistics,
    ConfusionSummary,
    confusion_summary,
)
from mlreport.analysis._curves import BinaryCurves, binary_curves
from mlreport.analysis._explain import (
    ExplanationResult,
    explain_model,
    feature_names,
    global_importance,
    top_features,
)
from mlreport.analysis._model_scaling import ModelScaling, model_scaling
from mlreport.analysis._regression import RegressionSummary, is_regression, regression_summary
from mlreport.analysis._runs import (
    ExperimentResult,
    ModelResult,
    OtherExperiment,
    RunListing,
    ScalingRun,
    Trial,
    experiment_results,
    high_first,
    other_experiments,
    records,
    run_listing,
    run_table,
    text,
)
from mlreport.analysis._scaling import (
    ParallelPoint,
    PowerLawFit,
    ScalingVerdict,
    fit_power_law,
    parallel_scaling,
    scaling_verdict,
)

__all__ = [
    "CLASS_STATISTICS",
    "BinaryCurves",
    "ClassStatistics",
    "ConfusionSummary",
    "ExperimentResult",
    "ExplanationResult",
    "ModelResult",
    "ModelScaling",
    "OtherExperiment",
    "ParallelPoint",
    "PowerLawFit",
    "RegressionSummary",
    "RunListing",
    "ScalingRun",
    "ScalingVerdict",
    "Trial",
    "binary_curves",
    "confusion_summary",
    "experiment_results",
    "explain_model",
    "feature_names",
    "fit_power_law",
    "global_importance",
    "high_first",
    "is_regression",
    "model_scaling",
    "other_experiments",
    "parallel_scaling",
    "records",
    "regression_summary",
    "run_listing",
    "run_table",
    "scaling_verdict",
    "text",
    "top_features",
]
