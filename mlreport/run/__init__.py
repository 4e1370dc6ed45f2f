"""Run experiments as dask-backed searches logged to MLflow."""

from __future__ import annotations

from mlreport.run._builders import SEARCH_BUILDERS, SearchInputs
from mlreport.run._cluster import dask_client
from mlreport.run._data import ExperimentData, load_data
from mlreport.run._execute import ModelOutcome, RunSummary, predictions_frame, run_experiments
from mlreport.run._search import build_pipeline, build_search, needs_scaling, search_space

__all__ = [
    "SEARCH_BUILDERS",
    "ExperimentData",
    "ModelOutcome",
    "RunSummary",
    "SearchInputs",
    "build_pipeline",
    "build_search",
    "dask_client",
    "load_data",
    "needs_scaling",
    "predictions_frame",
    "run_experiments",
    "search_space",
]
