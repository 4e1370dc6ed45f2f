"""Pure analysis of the exported dataset: result objects, no I/O, no plotting."""

from __future__ import annotations

from mlreport.analysis._confusion import (
    CLASS_STATISTICS,
    ClassStatistics,
    ConfusionSummary,
    confusion_summary,
)
from mlreport.analysis._curves import BinaryCurves, binary_curves
from mlreport.analysis._runs import (
    ExperimentResult,
    ModelResult,
    OtherExperiment,
    RunListing,
    Trial,
    experiment_results,
    high_first,
    other_experiments,
    records,
    run_listing,
    run_table,
    text,
)

__all__ = [
    "CLASS_STATISTICS",
    "BinaryCurves",
    "ClassStatistics",
    "ConfusionSummary",
    "ExperimentResult",
    "ModelResult",
    "OtherExperiment",
    "RunListing",
    "Trial",
    "binary_curves",
    "confusion_summary",
    "experiment_results",
    "high_first",
    "other_experiments",
    "records",
    "run_listing",
    "run_table",
    "text",
]
