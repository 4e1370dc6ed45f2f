"""Run experiments as dask-backed searches logged to MLflow.

The public names are imported on first use (PEP 562): most of them need scikit-learn and
dask, which the MLflow writer ``mlreport.run.tracking`` (used by ``mlreport fairness``)
and commands that never run a search must not load.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlreport.run._builders import SEARCH_BUILDERS, SearchInputs
    from mlreport.run._cluster import dask_client
    from mlreport.run._data import ExperimentData, load_data
    from mlreport.run._execute import (
        ModelOutcome,
        RunSummary,
        predictions_frame,
        run_experiments,
    )
    from mlreport.run._search import build_pipeline, build_search, needs_scaling, search_space
    from mlreport.run._stale import interrupt_reason, process_tags

#: Public name -> the module that defines it.
_MODULES = {
    "SEARCH_BUILDERS": "mlreport.run._builders",
    "SearchInputs": "mlreport.run._builders",
    "dask_client": "mlreport.run._cluster",
    "ExperimentData": "mlreport.run._data",
    "load_data": "mlreport.run._data",
    "ModelOutcome": "mlreport.run._execute",
    "RunSummary": "mlreport.run._execute",
    "predictions_frame": "mlreport.run._execute",
    "run_experiments": "mlreport.run._execute",
    "build_pipeline": "mlreport.run._search",
    "build_search": "mlreport.run._search",
    "needs_scaling": "mlreport.run._search",
    "search_space": "mlreport.run._search",
    "interrupt_reason": "mlreport.run._stale",
    "process_tags": "mlreport.run._stale",
}

__all__ = [
    "SEARCH_BUILDERS",
    "ExperimentData",
    "ModelOutcome",
    "RunSummary",
    "SearchInputs",
    "build_pipeline",
    "build_search",
    "dask_client",
    "interrupt_reason",
    "load_data",
    "needs_scaling",
    "predictions_frame",
    "process_tags",
    "run_experiments",
    "search_space",
]


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
