"""The dask client a search runs on: an existing scheduler or a LocalCluster."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from mlreport.errors import MlreportError

SCHEDULER_UNREACHABLE = "cannot connect to the dask scheduler at {address}: {reason}"


@contextmanager
def dask_client(address: str | None) -> Iterator[Any]:
    """Connect to ``address``, or start a LocalCluster with one process per core."""
    from distributed import Client, LocalCluster

    if address:
        try:
            client = Client(address, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise MlreportError(SCHEDULER_UNREACHABLE.format(address=address, reason=exc)) from exc
        with client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=max(1, os.cpu_count() or 1),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client
