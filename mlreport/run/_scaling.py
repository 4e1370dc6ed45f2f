"""Measure training-time scaling: fit time and memory against rows, search time against workers.

The fits run with the best params the search found, on nested seeded samples of the
training rows (each sample holds the smaller ones), so the curve follows the data size
only. Fit time is measured without tracing; peak memory in a second fit of the same
sample under ``tracemalloc``, which sees every allocation made through Python's and
numpy's allocators (native libraries allocating on their own are not counted).
"""

from __future__ import annotations

import math
import os
import pickle
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlreport import schema
from mlreport.config import ExperimentSpec, ModelSpec
from mlreport.errors import MlreportError
from mlreport.run._data import ExperimentData
from mlreport.run._search import fit_candidate

SEARCH_TIMING_FAILED = "timing the search on {workers} workers failed: {reason}"
#: Longest the searches timed against worker counts may take together.
SEARCH_TIMING_LIMIT_S = 3600.0
_SEARCH_TIMING = "mlreport.run._search_timing"  # the module a timed search runs in
#: Fewer training rows than this are not timed: a fit that small measures overhead only.
MIN_ROWS = 20


@dataclass(frozen=True)
class Measurement:
    """One row of the scaling artifact (``schema.SCALING_ARTIFACT``)."""

    kind: str  # schema.SCALING_FIT or SCALING_SEARCH
    rows: int
    workers: int
    repeat: int
    fit_time_s: float = math.nan
    peak_memory_bytes: float = math.nan
    wall_time_s: float = math.nan


@dataclass(frozen=True)
class Machine:
    """Where the fits ran: what the verdict compares the extrapolation with."""

    cores: int
    memory_bytes: int


def this_machine() -> Machine:
    import psutil

    return Machine(cores=os.cpu_count() or 1, memory_bytes=int(psutil.virtual_memory().total))


def measurements_frame(measurements: list[Measurement]) -> pd.DataFrame:
    columns = list(Measurement.__dataclass_fields__)
    return pd.DataFrame([asdict(m) for m in measurements], columns=columns)


def timed_fit(fit: Callable[[], Any]) -> tuple[float, float]:
    """Seconds of one call of ``fit``, then the peak bytes traced during a second call."""
    started = time.perf_counter()
    fit()
    elapsed = time.perf_counter() - started
    already_tracing = tracemalloc.is_tracing()
    if not already_tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    baseline = tracemalloc.get_traced_memory()[0]
    try:
        fit()
        peak = tracemalloc.get_traced_memory()[1] - baseline
    finally:
        if not already_tracing:
            tracemalloc.stop()
    return elapsed, float(max(peak, 0))


def _fit_on_worker(pipeline: Any, params: dict[str, Any], X: Any, y: Any) -> tuple[float, float]:
    return timed_fit(lambda: fit_candidate(pipeline, params, X, y))


def sample_sizes(rows: int, fractions: list[float]) -> list[int]:
    """Distinct row counts for the fractions, none below ``MIN_ROWS``."""
    return sorted({n for f in fractions if (n := round(rows * f)) >= MIN_ROWS})


def measure_fit_scaling(
    spec: ExperimentSpec,
    model: ModelSpec,
    data: ExperimentData,
    params: dict[str, Any],
    *,
    client: Any,
    on_step: Callable[[str], None] = lambda _: None,
) -> list[Measurement]:
    """Fit the best params on nested samples of the training rows, on a dask worker."""
    from mlreport.run._search import build_pipeline

    assert spec.scaling is not None
    categorical = list(data.categorical)
    numeric = [c for c in data.X_train.columns if c not in categorical]
    pipeline = build_pipeline(model, numeric=numeric, categorical=categorical, seed=spec.seed)
    order = np.random.default_rng(spec.seed).permutation(len(data.X_train))
    measurements = []
    for rows in sample_sizes(len(order), spec.scaling.sample_fractions):
        chosen = np.sort(order[:rows])
        X, y = data.X_train.iloc[chosen], data.y_train[chosen]
        if spec.task == "classification" and len(np.unique(y)) < 2:
            continue  # a single class cannot be fitted
        for repeat in range(spec.scaling.repeats):
            on_step(f"fit on {rows:,} rows")
            seconds, peak = client.submit(
                _fit_on_worker, pipeline, params, X, y, pure=False
            ).result()
            measurements.append(Measurement(schema.SCALING_FIT, rows, 1, repeat, seconds, peak))
    return measurements


def measure_partial_fit_scaling(
    spec: ExperimentSpec,
    estimator: Any,
    X_train: Any,
    y_train: Any,
    *,
    classes: list[int],
    on_step: Callable[[str], None] = lambda _: None,
) -> list[Measurement]:
    """One ``partial_fit`` pass over the first blocks of the (preprocessed) training
    arrays, for block counts following the sample fractions; blocks are computed one at
    a time, as an incremental search does, and their loading counts."""
    from sklearn.base import clone

    assert spec.scaling is not None
    block_rows = [int(n) for n in X_train.chunks[0]]
    counts = sorted({max(1, math.ceil(f * len(block_rows))) for f in spec.scaling.sample_fractions})
    measurements = []
    for count in counts:
        rows = sum(block_rows[:count])

        def one_pass(count: int = count) -> None:
            fitted = clone(estimator)
            for index in range(count):
                X_block = np.asarray(X_train.blocks[index].compute())
                y_block = np.asarray(y_train.blocks[index].compute())
                fitted.partial_fit(X_block, y_block, classes=classes)

        for repeat in range(spec.scaling.repeats):
            on_step(f"partial_fit on {rows:,} rows")
            seconds, peak = timed_fit(one_pass)
            measurements.append(Measurement(schema.SCALING_FIT, rows, 1, repeat, seconds, peak))
    return measurements


def measure_search_scaling(
    spec: ExperimentSpec,
    model: ModelSpec,
    data: ExperimentData,
    *,
    on_step: Callable[[str], None] = lambda _: None,
) -> list[Measurement]:
    """Wall time of the whole grid or random search on local clusters of each worker count.

    The searches run in a fresh Python process with its own clusters and clients: two
    distributed clients in one process can mix up their connections and hang.
    """
    assert spec.scaling is not None
    counts = sorted(set(spec.scaling.workers))
    on_step(f"search on {', '.join(str(w) for w in counts)} workers")
    runs = [str(w) for w in counts for _ in range(spec.scaling.repeats)]
    with tempfile.TemporaryDirectory(prefix="mlreport-scaling-") as folder:
        job, result = Path(folder, "search.pkl"), Path(folder, "times.txt")
        with job.open("wb") as file:
            pickle.dump((spec, model.name, data.X_train, data.y_train, data.categorical), file)
        try:
            done = subprocess.run(
                [sys.executable, "-m", _SEARCH_TIMING, str(job), str(result), *runs],
                capture_output=True,
                text=True,
                check=False,
                timeout=SEARCH_TIMING_LIMIT_S,
            )
            failure = (done.stderr.strip().splitlines() or ["no output"])[-1]
        except subprocess.TimeoutExpired:
            failure = f"not done after {SEARCH_TIMING_LIMIT_S:.0f} s"
        times = result.read_text().split() if result.exists() else []
    if len(times) != len(runs):
        workers = ", ".join(str(w) for w in counts)
        raise MlreportError(SEARCH_TIMING_FAILED.format(workers=workers, reason=failure))
    return [
        Measurement(
            schema.SCALING_SEARCH,
            len(data.X_train),
            int(workers),
            index % spec.scaling.repeats,
            wall_time_s=float(seconds),
        )
        for index, (workers, seconds) in enumerate(zip(runs, times, strict=True))
    ]
