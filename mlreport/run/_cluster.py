"""The dask client a search runs on: an existing scheduler or a LocalCluster."""

from __future__ import annotations

import logging
import os
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from distributed import WorkerPlugin

from mlreport._warnings import WorkerWarning
from mlreport.errors import MlreportError

SCHEDULER_UNREACHABLE = "cannot connect to the dask scheduler at {address}: {reason}"
_WORKER_INIT = "mlreport.run._worker_init"  # preloaded by the LocalCluster's workers


def quiet_handled_warnings() -> None:
    """Hide warnings about what mlreport handles itself."""
    # dask-ml casts the NaN rank of a failed candidate to int; mlreport ranks by itself.
    warnings.filterwarnings("ignore", "invalid value encountered in cast", RuntimeWarning)
    # dask_ml.datasets.make_classification computes its coefficients on a local scheduler.
    warnings.filterwarnings("ignore", "Running on a single-machine scheduler", UserWarning)


class SendWarnings(WorkerPlugin):
    """On every (re)started worker: ``quiet_handled_warnings``, and the other warnings
    sent to the client as dask events under ``topic`` instead of printed to the
    worker's stderr (the terminal of a LocalCluster)."""

    name = "mlreport-warnings"

    def __init__(self, topic: str) -> None:
        self.topic = topic

    def setup(self, worker: Any) -> None:
        quiet_handled_warnings()
        printed = warnings.showwarning
        topic = self.topic

        def send(
            message: Warning | str,
            category: type[Warning],
            filename: str,
            lineno: int,
            file: Any = None,
            line: str | None = None,
        ) -> None:
            try:
                worker.log_event(
                    topic,
                    {
                        "text": f"{category.__name__}: {message}",
                        "filename": filename,
                        "lineno": lineno,
                    },
                )
            except Exception:  # a closing worker: printed as before
                printed(message, category, filename, lineno, file, line)

        warnings.showwarning = send


def show_worker_warnings(client: Any, topic: str) -> None:
    """Warn, in this process, of each distinct warning the workers sent under ``topic``
    (so that the command counts them with its own)."""
    sent = {(m["text"], m["filename"], m["lineno"]) for _, m in client.get_events(topic)}
    for text, filename, lineno in sorted(sent):
        warnings.warn_explicit(text, WorkerWarning, filename, lineno)


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
            topic = _prepare(client)
            yield client
            show_worker_warnings(client, topic)
        return
    with local_client(max(1, os.cpu_count() or 1)) as client:
        yield client


@contextmanager
def local_client(workers: int) -> Iterator[Any]:
    """A LocalCluster of ``workers`` single-threaded processes, and a client of it.

    Its workers leave Ctrl-C to this process, and their logs below ERROR unprinted.
    """
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # any free port: several clusters may run at once
            silence_logs=logging.ERROR,
            preload=[_WORKER_INIT],
        ) as cluster,
        Client(cluster) as client,
    ):
        topic = _prepare(client)
        yield client
        show_worker_warnings(client, topic)


def _prepare(client: Any) -> str:
    """Set up warnings here and on the workers; the topic of the workers' warnings."""
    quiet_handled_warnings()
    topic = f"mlreport-warnings-{uuid.uuid4().hex}"
    client.register_plugin(SendWarnings(topic))
    return topic
