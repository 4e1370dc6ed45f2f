"""Export speed of an SQLite store of many runs against MLflow's own API (issue 4).

Goal: ``mlreport.export.export_store`` (the bulk SQL reader, the default for SQL stores)
is at least 20x faster than reading the same store with ``mlflow.search_runs()`` plus
``MlflowClient.get_metric_history`` for every metric that has a history.

The store is generated first (untimed) in a temporary directory: ``--runs`` runs (default
10,000; ``--quick`` 1,000) in 10 experiments, each run with 10 params, 10 metrics of
which 3 have a 100-step history, and 5 tags, written in one transaction per 1,000 runs
through ``mlreport.tracking.Tracker.log_finished_runs``.

Timed, alternating which goes first, ``--repeats`` times:

* mlreport: ``export_store(uri, out)``: every table of the dataset, artifact listing and
  the atomic Parquet write included;
* baseline: ``mlflow.search_runs(search_all_experiments=True)`` (a pandas frame of every
  run with its params, latest metrics and tags), then ``get_metric_history`` for the 3
  history metrics of every run: what reading the same content through MLflow costs.

Also printed: the peak RSS of the benchmark process (psutil), for the 2 GB goal at 100,000
runs (``--runs 100000``, where the goal is also an export under 60 s).

Run: ``/work/venv/bin/python bench/export_speed.py [--quick] [--runs N]``
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
from pathlib import Path

from _common import (
    gb,
    header,
    median,
    parse_with_defaults,
    parser,
    ratio,
    result_line,
    seconds,
    timed,
)

GOAL = 20.0
PARAMS, METRICS, HISTORY_METRICS, STEPS, TAGS = 10, 10, 3, 100, 5
RUNS_PER_TRANSACTION = 1000
EXPERIMENTS = 10


def generate(uri: str, runs: int) -> None:
    """Write the store: ``runs`` finished runs spread over the experiments."""
    from mlreport.tracking import FinishedRun, RunRecord, Tracker

    tracker = Tracker(uri)
    experiments = [
        tracker.experiment_id(f"bench-{index}", description="") for index in range(EXPERIMENTS)
    ]
    for first in range(0, runs, RUNS_PER_TRANSACTION):
        batch = range(first, min(runs, first + RUNS_PER_TRANSACTION))
        for experiment_id in experiments:
            owned = [n for n in batch if n % EXPERIMENTS == experiments.index(experiment_id)]
            tracker.log_finished_runs(
                experiment_id,
                [
                    FinishedRun(
                        name=f"run {n}",
                        tags={f"tag{t}": f"value {n} {t}" for t in range(TAGS)},
                        record=RunRecord(
                            params={f"param{p}": n * p for p in range(PARAMS)},
                            metrics={
                                f"metric{m}": n / (m + 1) for m in range(HISTORY_METRICS, METRICS)
                            },
                            history={
                                f"metric{m}": [
                                    (step, n / (step + 1), 1_000 + step) for step in range(STEPS)
                                ]
                                for m in range(HISTORY_METRICS)
                            },
                        ),
                        start_time=1_000,
                        end_time=2_000,
                    )
                    for n in owned
                ],
            )


def mlflow_read(uri: str) -> int:
    """The baseline: every run through search_runs, every history through the client."""
    import mlflow
    from mlflow.tracking import MlflowClient

    mlflow.set_tracking_uri(uri)
    frame = mlflow.search_runs(search_all_experiments=True)
    client = MlflowClient(tracking_uri=uri)
    points = 0
    for run_id in frame["run_id"]:
        for m in range(HISTORY_METRICS):
            points += len(client.get_metric_history(run_id, f"metric{m}"))
    return points


class PeakMemory:
    """The peak RSS of this process, sampled every 50 ms in a thread."""

    def __init__(self) -> None:
        import psutil

        self._process = psutil.Process()
        self.peak = self._process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self._process.memory_info().rss)


def main() -> None:
    args = _arguments()
    from mlreport.export import export_store

    header(
        "Export of an SQLite MLflow store against MLflow's search_runs + get_metric_history",
        goal=f"speedup = MLflow time / export time >= {GOAL:g}x (and, at 100,000 runs, an "
        "export under 60 s and under 2 GB peak memory)",
        settings={
            "quick": args.quick,
            "runs": args.runs,
            "params": PARAMS,
            "metrics": METRICS,
            "history metrics x steps": f"{HISTORY_METRICS} x {STEPS}",
            "repeats": args.repeats,
            "baseline": "skipped"
            if args.no_baseline
            else "mlflow.search_runs + get_metric_history",
        },
    )
    home = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="mlreport-bench-export-") as tmp:
        os.chdir(tmp)
        try:
            uri = f"sqlite:///{Path(tmp) / 'mlflow.db'}"
            with timed() as made:
                generate(uri, args.runs)
            size = (Path(tmp) / "mlflow.db").stat().st_size
            print(f"store: {args.runs} runs generated in {seconds(made.seconds)} ({gb(size)})")
            exports, baselines, peaks = [], [], []
            for repeat in range(args.repeats):
                order = ["export", "mlflow"] if repeat % 2 == 0 else ["mlflow", "export"]
                for what in order:
                    if what == "export":
                        with PeakMemory() as memory, timed() as watch:
                            summary = export_store(uri, Path(tmp) / "export")
                        exports.append(watch.seconds)
                        peaks.append(memory.peak)
                        print(
                            f"repeat {repeat + 1}: export {seconds(watch.seconds)} "
                            f"({summary.row_counts['runs']} runs, "
                            f"{summary.row_counts['metric_history']} history points), "
                            f"peak RSS {gb(memory.peak)}",
                            flush=True,
                        )
                    elif not args.no_baseline:
                        with timed() as watch:
                            points = mlflow_read(uri)
                        baselines.append(watch.seconds)
                        print(
                            f"repeat {repeat + 1}: mlflow {seconds(watch.seconds)} "
                            f"({points} history points)",
                            flush=True,
                        )
        finally:
            os.chdir(home)
    export_s, peak = median(exports), max(peaks)
    if baselines:
        speedup = ratio(median(baselines), export_s)
        print(
            "RESULT "
            + result_line(
                "speedup = MLflow time / export time",
                speedup,
                f"{speedup:.1f}x (medians {seconds(median(baselines))} / {seconds(export_s)})",
                f">= {GOAL:g}x",
                speedup >= GOAL,
            )
        )
    at_scale = f"export of {args.runs} runs: {seconds(export_s)}, peak RSS {gb(peak)}"
    if args.runs >= 100_000:
        met = export_s < 60 and peak < 2e9
        label = f"export of {args.runs} runs"
        shown = f"{seconds(export_s)}, peak RSS {gb(peak)}"
        print("       " + result_line(label, export_s, shown, "< 60 s and < 2 GB", met))
    else:
        print(f"       {at_scale} (the 60 s / 2 GB goal is for --runs 100000)")


def _arguments() -> argparse.Namespace:
    cli = parser(__doc__.splitlines()[0] if __doc__ else "")
    cli.add_argument("--runs", type=int, default=None, help="default 10000, quick 1000")
    cli.add_argument(
        "--repeats", type=int, default=None, help="default 1, quick 1 (MLflow takes minutes)"
    )
    cli.add_argument(
        "--no-baseline", action="store_true", help="time the export only (for --runs 100000)"
    )
    return parse_with_defaults(cli, {"runs": (10_000, 1_000), "repeats": (1, 1)})


if __name__ == "__main__":
    main()
