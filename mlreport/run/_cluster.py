"""The dask client a search runs on: an existing scheduler or a LocalCluster."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from distributed import WorkerPlugin

from mlreport.errors import MlreportError

SCHEDULER_UNREACHABLE = "cannot connect to the dask scheduler at {address}: {reason}"


def quiet_convergence_warnings() -> None:
    """Hide warnings repeated once per CV fit that drown the build's output."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    # dask-ml casts the NaN rank of a failed candidate to int; mlreport ranks by itself.
    warnings.filterwarnings("ignore", "invalid value encountered in cast", RuntimeWarning)
    # dask_ml.datasets.make_classification computes its coefficients on a local scheduler.
    warnings.filterwarnings("ignore", "Running on a single-machine scheduler", UserWarning)


class QuietWorkers(WorkerPlugin):
    """Worker plugin applying ``quiet_convergence_warnings`` on every (re)started worker."""

    name = "mlreport-quiet-warnings"

    def setup(self, worker: Any) -> None:
        quiet_convergence_warnings()


@contextmanager
def dask_client(address: str | None) -> Iterator[Any]:
    """Connect to ``address``, or start a LocalCluster with one process per core."""
    from distributed import Client

    if address:
        try:
            client = Client(address, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise MlreportError(SCHEDULER_UNREACHABLE.format(address=address, reason=exc)) from exc
        with client:
            _prepare(client)
            yield client
        return
    with local_client(max(1, os.cpu_count() or 1)) as client:
        yield client


@contextmanager
def local_client(workers: int) -> Iterator[Any]:
    """A LocalCluster of ``workers`` single-threaded processes, and a client of it."""
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # any free port: several clusters may run at once
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        _prepare(client)
        yield client


def _prepare(client: Any) -> None:
    quiet_convergence_warnings()
    client.register_plugin(QuietWorkers())
