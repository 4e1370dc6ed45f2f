"""MLflow logging overhead of mlreport's incremental (Hyperband) search (issue 3).

Goal: logging every trial to MLflow costs <= 5% of the search's wall time.

The search is, by default, the Hyperband model of the shipped out-of-core example
(``experiments/scale/sgd-5m.yaml``: 5,000,000 x 20 samples in blocks of 100,000, max_iter
27, its SGD space). What logging costs is per trial (tens of milliseconds against an
SQLite store), so its share depends on how long trials take: ``--n-samples 1000000
--chunks 50000`` shows a search with five times shorter trials.

Compared, on one already-running LocalCluster (its start-up is excluded from both):

* mlreport: ``mlreport.run.run_experiments(specs, tracking_uri=..., scheduler=address,
  force=True)`` on a temporary experiment file (synthetic chunked data, one
  ``SGDClassifier`` model, strategy hyperband), loaded with
  ``mlreport.config.load_experiments``. It logs a search run, one run per trial (with
  its score history), and a best-model run (test metrics, predictions, the model).
* Baseline, the bare dask-ml search with the same settings: the same
  ``dask_ml.datasets.make_classification`` data, the same blockwise train/test split and
  ``dask_ml.preprocessing.StandardScaler``, then ``HyperbandSearchCV.fit`` with the
  parameters mlreport passes (scoring, seeds, max_iter, aggressiveness, patience off),
  then what mlreport does with the best model apart from logging it: compute the test
  split, score the best model on it with every scorer, predict (labels and scores).

The store is a fresh SQLite file in a temporary directory; one untimed mlreport run first
creates its schema (seconds, once per store) and warms the workers. The benchmark works
in that temporary directory (MLflow writes artifacts under the working directory).

Printed: overhead = (mlreport time - bare time) / bare time, which also counts what
mlreport does besides logging (connecting a client, hashing the configuration, building
the predictions table); and, timed separately by wrapping every method of
``mlreport.run.tracking.Tracker`` (the only writer of MLflow), the time spent logging alone,
as a share of the bare search time and per trial. mlreport's own ``search_wall_time_s``
metric shows how much of the difference is run-to-run noise of the search itself.

Run: ``/work/venv/bin/python bench/logging_overhead.py [--quick]``
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from _common import (
    gb,
    header,
    local_client,
    median,
    parse_with_defaults,
    parser,
    ratio,
    result_line,
    seconds,
    timed,
)

GOAL = 0.05  # logging <= 5% of search wall time
MODEL = "sgd-hyperband"
EXPERIMENT = "bench-logging-overhead"
SEED = 0
TEST_SIZE = 0.1
SCORING = ["accuracy", "roc_auc"]
ESTIMATOR_PARAMS = {"tol": 0.001, "penalty": "elasticnet", "random_state": 0}
TRACKER_METHODS = (
    "__init__",
    "experiment_id",
    "current_fingerprints",
    "start_run",
    "log",
    "log_finished_runs",
    "finish",
    "log_text",
    "log_frame",
    "log_sklearn_model",
)


def experiment_file(directory: Path, args: argparse.Namespace) -> Path:
    """The experiment mlreport runs: a chunked synthetic task and one Hyperband search."""
    spec = {
        "name": EXPERIMENT,
        "description": "logging overhead benchmark",
        "seed": SEED,
        "data": {
            "kind": "synthetic",
            "n_samples": args.n_samples,
            "n_features": 20,
            "n_informative": 5,
            "chunks": args.chunks,
        },
        "split": {"test_size": TEST_SIZE},
        "scoring": SCORING,
        "primary_metric": SCORING[0],
        "models": [
            {
                "name": MODEL,
                "estimator": "sklearn.linear_model.SGDClassifier",
                "params": ESTIMATOR_PARAMS,
                "search": {
                    "strategy": "hyperband",
                    "max_iter": args.max_iter,
                    "aggressiveness": 3,
                    "space": {
                        "alpha": {"spacing": "logspace", "start": -2, "stop": 1, "num": 1000},
                        "l1_ratio": {"spacing": "linspace", "start": 0, "stop": 1, "num": 1000},
                        "average": [True, False],
                    },
                },
            }
        ],
    }
    path = directory / "experiments" / f"{EXPERIMENT}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def bare_search(client: Any, args: argparse.Namespace) -> tuple[float, int]:
    """The search mlreport runs, without mlreport: wall time and number of trials."""
    import dask
    from dask_ml.datasets import make_classification
    from dask_ml.model_selection import HyperbandSearchCV, train_test_split
    from dask_ml.preprocessing import StandardScaler
    from sklearn.linear_model import SGDClassifier
    from sklearn.metrics import get_scorer

    space = {
        "alpha": [float(v) for v in np.logspace(-2, 1, 1000)],
        "l1_ratio": [float(v) for v in np.linspace(0, 1, 1000)],
        "average": [True, False],
    }
    with client.as_current(), timed() as watch:
        X, y = make_classification(
            n_samples=args.n_samples,
            n_features=20,
            n_informative=5,
            random_state=SEED,
            chunks=args.chunks,
        )
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=TEST_SIZE, random_state=SEED, shuffle=True
        )
        scaler = StandardScaler().fit(X_train)
        X_train = scaler.transform(X_train)
        search = HyperbandSearchCV(
            SGDClassifier(**ESTIMATOR_PARAMS),
            space,
            max_iter=args.max_iter,
            aggressiveness=3,
            scoring=SCORING[0],
            random_state=SEED,
            test_size=None,
            patience=False,
            tol=0.001,
        )
        search.fit(X_train, y_train, classes=[0, 1])
        # what mlreport does with the best model, minus logging: score it on the test split
        best = search.best_estimator_
        X_test, y_test = dask.compute(X_test, y_test)
        X_test = scaler.transform(X_test)
        for scorer in SCORING:
            get_scorer(scorer)(best, X_test, y_test)
        best.predict(X_test), best.decision_function(X_test)
    return watch.seconds, len(search.cv_results_["model_id"])


class TrackerClock:
    """Wraps every method of mlreport's Tracker to add up the time spent in each."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._depth = 0

    def install(self) -> None:
        from mlreport.run.tracking import Tracker

        for name in TRACKER_METHODS:
            setattr(Tracker, name, self._wrap(name, getattr(Tracker, name)))

    def reset(self) -> None:
        self.seconds.clear()
        self.calls.clear()

    @property
    def total(self) -> float:
        return sum(self.seconds.values())

    def _wrap(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def timed_method(*args: Any, **kwargs: argparse.Namespace) -> Any:
            outermost = self._depth == 0  # count a method calling another method once
            self._depth += 1
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self._depth -= 1
                if outermost:
                    self.seconds[name] += time.perf_counter() - started
                    self.calls[name] += 1

        return timed_method


def mlreport_search(
    client: Any, specs: list[Any], tracking_uri: str, clock: TrackerClock
) -> tuple[float, int, float]:
    """Wall time of run_experiments, trials it logged, and its own search_wall_time_s."""
    from mlreport.run import run_experiments

    clock.reset()
    with timed() as watch:
        summary = run_experiments(
            specs, tracking_uri=tracking_uri, scheduler=client.scheduler.address, force=True
        )
    failed = summary.with_status("failed")
    if failed:
        raise RuntimeError(f"mlreport's search failed: {failed[0].error}")
    (outcome,) = summary.with_status("ran")
    return watch.seconds, outcome.trials, latest_search_time(tracking_uri)


def latest_search_time(tracking_uri: str) -> float:
    """search_wall_time_s of the newest search run: mlreport's own timing of fit()."""
    from mlflow.tracking import MlflowClient

    from mlreport import schema

    store = MlflowClient(tracking_uri=tracking_uri)
    experiment = store.get_experiment_by_name(EXPERIMENT)
    if experiment is None:
        return math.nan
    runs = store.search_runs(
        [experiment.experiment_id],
        filter_string=f"tags.`{schema.TAG_ROLE}` = '{schema.ROLE_SEARCH}'",
        order_by=["attributes.start_time DESC"],
        max_results=1,
    )
    return float(runs[0].data.metrics.get(schema.METRIC_SEARCH_TIME, math.nan))


def main() -> None:
    args = _arguments()
    from mlreport.config import load_experiments

    header(
        "MLflow logging overhead of an mlreport Hyperband search",
        goal=f"logging <= {GOAL:.0%} of the search wall time; overhead = "
        "(mlreport time - bare dask-ml time) / bare time",
        settings={
            "quick": args.quick,
            "n_samples": args.n_samples,
            "n_features": 20,
            "chunks": args.chunks,
            "max_iter": args.max_iter,
            "scoring": ",".join(SCORING),
            "repeats": args.repeats,
            "in-memory data size": gb(args.n_samples * 20 * 8),
        },
    )
    clock = TrackerClock()
    clock.install()
    home = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="mlreport-bench-") as tmp, local_client() as client:
        os.chdir(tmp)  # MLflow's artifacts go under the working directory
        try:
            tracking_uri = f"sqlite:///{Path(tmp) / 'mlflow.db'}"
            specs = load_experiments([experiment_file(Path(tmp), args)])
            print(f"store: {tracking_uri}")
            with timed() as warm:
                mlreport_search(client, specs, tracking_uri, clock)
            print(f"warm-up mlreport run (creates the MLflow schema): {seconds(warm.seconds)}\n")
            rows = []
            for repeat in range(args.repeats):
                first_bare = repeat % 2 == 0
                if first_bare:
                    bare_s, bare_trials = bare_search(client, args)
                ml_s, trials, search_s = mlreport_search(client, specs, tracking_uri, clock)
                logging_s, by_method = clock.total, dict(clock.seconds)
                calls = dict(clock.calls)
                if not first_bare:
                    bare_s, bare_trials = bare_search(client, args)
                rows.append((bare_s, ml_s, logging_s, search_s))
                print(
                    f"repeat {repeat + 1}/{args.repeats} ({'bare' if first_bare else 'mlreport'}"
                    f" first): bare {seconds(bare_s)} ({bare_trials} trials), mlreport "
                    f"{seconds(ml_s)} ({trials} trials; its fit() {seconds(search_s)}), "
                    f"Tracker calls {seconds(logging_s)}; overhead "
                    f"{ratio(ml_s - bare_s, bare_s):+.1%}, logging alone "
                    f"{ratio(logging_s, bare_s):.1%}"
                )
                print(
                    "    Tracker: "
                    + ", ".join(
                        f"{name} {calls[name]}x {by_method[name]:.2f} s"
                        for name in sorted(by_method, key=by_method.__getitem__, reverse=True)
                    ),
                    flush=True,
                )
        finally:
            os.chdir(home)
    bare_s, ml_s, logging_s, search_s = (median([r[i] for r in rows]) for i in range(4))
    overhead = ratio(ml_s - bare_s, bare_s)
    alone = ratio(logging_s, bare_s)
    print(
        f"\nmedians: bare search {seconds(bare_s)}, mlreport {seconds(ml_s)} (its fit() "
        f"{seconds(search_s)}), MLflow logging (Tracker) {seconds(logging_s)} = "
        f"{1000 * logging_s / max(trials, 1):.0f} ms per trial"
    )
    goal = f"<= {GOAL:.0%}"
    print(
        "RESULT "
        + result_line(
            "overhead = (mlreport - bare) / bare",
            overhead,
            f"{overhead:+.1%}",
            goal,
            overhead <= GOAL,
        )
    )
    print(
        "       "
        + result_line(
            "logging alone (Tracker calls) / bare", alone, f"{alone:.1%}", goal, alone <= GOAL
        )
    )


def _arguments() -> argparse.Namespace:
    cli = parser(__doc__.splitlines()[0] if __doc__ else "")
    cli.add_argument("--n-samples", type=int, default=None, help="default 5000000, quick 200000")
    cli.add_argument("--chunks", type=int, default=None, help="default 100000, quick 20000")
    cli.add_argument("--max-iter", type=int, default=None, help="default 27, quick 9")
    cli.add_argument("--repeats", type=int, default=None, help="default 3, quick 1")
    return parse_with_defaults(
        cli,
        {
            "n_samples": (5_000_000, 200_000),
            "chunks": (100_000, 20_000),
            "max_iter": (27, 9),
            "repeats": (3, 1),
        },
    )


if __name__ == "__main__":
    main()
