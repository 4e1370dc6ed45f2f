"""Pure analysis of the exported dataset: result objects, no I/O, no plotting."""

from __future__ import annotations

from mlreport.analysis._runs import (
    ExperimentResult,
    ModelResult,
    OtherExperiment,
    Trial,
    experiment_results,
    other_experiments,
    records,
    run_table,
)

__all__ = [
    "ExperimentResult",
    "ModelResult",
    "OtherExperiment",
    "Trial",
    "experiment_results",
    "other_experiments",
    "records",
    "run_table",
]
