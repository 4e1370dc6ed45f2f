"""Helpers shared by the benchmarks: a quiet LocalCluster, timing, arguments and output.

The benchmarks print ratios against a baseline measured in the same run (the machines
they run on are noisy and shared), plus the raw numbers. They never assert timings.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import time
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from typing import Any

#: Packages whose versions every benchmark prints with its results.
VERSIONED = ("dask", "distributed", "dask-ml", "scikit-learn", "mlflow", "numpy")


def quiet_warnings() -> None:
    """Hide warnings that repeat once per task and drown the results."""
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", "Running on a single-machine scheduler", UserWarning)
    warnings.filterwarnings("ignore", "invalid value encountered in cast", RuntimeWarning)
    try:
        from sklearn.exceptions import ConvergenceWarning

        warnings.filterwarnings("ignore", category=ConvergenceWarning)
    except ImportError:  # pragma: no cover - scikit-learn is a dependency
        pass


@contextmanager
def local_client() -> Iterator[Any]:
    """The cluster mlreport itself starts: one single-threaded worker process per core.

    Callers must run under ``if __name__ == "__main__":``: worker processes are spawned.
    """
    from mlreport.run import dask_client

    quiet_warnings()
    with dask_client(None) as client:
        client.run(quiet_warnings)
        yield client


@dataclass
class Stopwatch:
    """Wall time of a ``with timed() as watch:`` block, in seconds (monotonic clock)."""

    started: float = 0.0
    seconds: float = math.nan


@contextmanager
def timed() -> Iterator[Stopwatch]:
    watch = Stopwatch(started=time.perf_counter())
    try:
        yield watch
    finally:
        watch.seconds = time.perf_counter() - watch.started


def parser(description: str) -> argparse.ArgumentParser:
    """An argument parser with the ``--quick`` flag every benchmark has."""
    result = argparse.ArgumentParser(
        description=description, formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    result.add_argument(
        "--quick", action="store_true", help="a ~1 minute smoke run with smaller settings"
    )
    return result


def parse_with_defaults(
    cli: argparse.ArgumentParser, defaults: dict[str, tuple[Any, Any]]
) -> argparse.Namespace:
    """Parse the arguments; an option left unset takes its (full, quick) default.

    A ``repeats`` option must be at least 1.
    """
    args = cli.parse_args()
    for name, (full, quick) in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
    if getattr(args, "repeats", 1) < 1:
        cli.error("--repeats must be at least 1")
    return args


def header(title: str, *, goal: str, settings: dict[str, Any]) -> None:
    """Print what is measured, the goal, the machine and the settings of this run."""
    print(f"== {title} ==")
    print(f"goal: {goal}")
    print(f"machine: {machine()}")
    print("settings: " + ", ".join(f"{key}={value}" for key, value in settings.items()))
    print(flush=True)


def machine() -> str:
    import psutil

    versions = []
    for name in VERSIONED:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    memory = psutil.virtual_memory()
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{os.cpu_count()} cores, {gb(memory.total)} RAM ({gb(memory.available)} available), "
        f"load average {load}; Python {platform.python_version()}; " + ", ".join(versions)
    )


def ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``, NaN when either is missing or the denominator is 0."""
    if math.isnan(numerator) or math.isnan(denominator) or denominator == 0:
        return math.nan
    return numerator / denominator


def median(values: Sequence[float]) -> float:
    """The median of the values that are not NaN (NaN when none are)."""
    present = [v for v in values if not math.isnan(v)]
    return statistics.median(present) if present else math.nan


def verdict(met: bool | None) -> str:
    if met is None:
        return "not measured"
    return "met" if met else "NOT met"


def result_line(label: str, value: float, shown: str, goal: str, met: bool) -> str:
    """One RESULT line: what was measured, the goal, and whether it is met (NaN: not measured)."""
    return f"{label} = {shown}; goal {goal}: {verdict(None if math.isnan(value) else met)}"


def gb(n_bytes: float) -> str:
    """Bytes in decimal gigabytes (1 GB = 10**9 bytes), as the goals are stated."""
    return f"{n_bytes / 1e9:.2f} GB"


def seconds(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.2f} s"
