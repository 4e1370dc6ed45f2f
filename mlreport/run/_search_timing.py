"""``python -m mlreport.run._search_timing JOB RESULT WORKERS...``: timed searches, in their
own process (two distributed clients in one process can mix up their connections and hang).

``JOB`` is a pickle of (spec, model name, training features, training target, categorical
columns) written by ``measure_search_scaling``. The search runs once per WORKERS value on a
new LocalCluster of that many workers; the wall times in seconds are written to RESULT,
one per line, when all are done.
"""

from __future__ import annotations

import pickle
import sys
import time
import warnings
from pathlib import Path

from mlreport.run._cluster import local_client
from mlreport.run._search import build_search


def _time_search(job: Path, workers: int) -> float:
    """Run the pickled search on a new LocalCluster of ``workers``; its wall time."""

    with job.open("rb") as file:
        spec, model_name, X_train, y_train, categorical = pickle.load(file)
    model = spec.model(model_name)
    numeric = [c for c in X_train.columns if c not in categorical]
    with local_client(workers) as client:
        search = build_search(
            spec, model, numeric=numeric, categorical=list(categorical), scheduler=client
        )
        started = time.perf_counter()
        search.fit(X_train, y_train)
        return time.perf_counter() - started


if __name__ == "__main__":
    warnings.simplefilter("ignore")  # only the times are asked for
    job, result = Path(sys.argv[1]), Path(sys.argv[2])
    times = [_time_search(job, int(workers)) for workers in sys.argv[3:]]
    result.write_text("".join(f"{seconds!r}\n" for seconds in times))
