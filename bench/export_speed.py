"""Export speed of an SQLite store of many runs against MLflow's own API (issue 4).

Goal: ``mlreport.export.export_store`` (the bulk SQL reader, the default for SQL stores)
is at least 20x faster than reading the same store with ``mlflow.search_runs()`` plus
``MlflowClient.get_metric_history`` for every metric that has a history.

The store is generated first (untimed) in a temporary directory: ``--runs`` runs (default
10,000; ``--quick`` 1,000) in 10 experiments, each run with 10 params, 10 metrics of
which 3 have a 100-step history, and 5 tags, written in one transaction per 1,000 runs
through ``mlreport.run.tracking.Tracker.log_finished_runs``.

Timed, alternating which goes first, ``--repeats`` times:

* mlreport: ``export_store(uri, out, full=True)``: every table of the dataset, every
  metric history, artifact listing and the atomic Parquet write included;
* then 100 runs are added to the store (untimed) and ``export_store(uri, out)`` brings
  the same dataset up to date (an incremental export), against the full export's time;
* baseline: ``mlflow.search_runs(search_all_experiments=True)`` (a pandas frame of every
  run with its params, latest metrics and tags), then ``get_metric_history`` for the 3
  history metrics of every run: what reading the same content through MLflow costs.
  At 10,000 runs it had not finished after 40 minutes, so it stops after
  ``--baseline-limit`` seconds; the speedup is then a lower bound (">="), printed with
  the time all runs would take at the rate MLflow read them.

Also printed: the peak RSS of the benchmark process (psutil) during the full export, for
the 2 GB goal at 100,000 runs (``--runs 100000 --no-baseline``, where the goal is also an
export under 60 s).

Run: ``/work/venv/bin/python bench/export_speed.py [--quick] [--runs N]``
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from dataclasses import dataclass
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
INCREMENTAL_GOAL = 0.10
NEW_RUNS = 100
PARAMS, METRICS, HISTORY_METRICS, STEPS, TAGS = 10, 10, 3, 100, 5
RUNS_PER_TRANSACTION = 1000
EXPERIMENTS = 10


def generate(uri: str, runs: int, first_number: int = 0) -> None:
    """Write ``runs`` finished runs (numbered from ``first_number``) over the experiments."""
    from mlreport.run.tracking import FinishedRun, RunRecord, Tracker

    tracker = Tracker(uri)
    experiments = [
        tracker.experiment_id(f"bench-{index}", description="") for index in range(EXPERIMENTS)
    ]
    last = first_number + runs
    for first in range(first_number, last, RUNS_PER_TRANSACTION):
        batch = range(first, min(last, first + RUNS_PER_TRANSACTION))
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


@dataclass
class BaselineRead:
    """How far MLflow's API got: runs whose histories were read, in how long."""

    runs_read: int
    runs: int
    seconds: float

    @property
    def complete(self) -> bool:
        return self.runs_read == self.runs


def mlflow_read(uri: str, limit_s: float) -> BaselineRead:
    """The baseline: every run through search_runs, then every history through the client,
    stopped once ``limit_s`` has passed (it takes hours at 10,000 runs)."""
    import mlflow
    from mlflow.tracking import MlflowClient

    started = time.perf_counter()
    mlflow.set_tracking_uri(uri)
    frame = mlflow.search_runs(search_all_experiments=True)
    client = MlflowClient(tracking_uri=uri)
    read = 0
    for run_id in frame["run_id"]:
        if time.perf_counter() - started > limit_s:
            break
        for m in range(HISTORY_METRICS):
            client.get_metric_history(run_id, f"metric{m}")
        read += 1
    return BaselineRead(read, len(frame), time.perf_counter() - started)


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
        goal=f"speedup = MLflow time / export time >= {GOAL:g}x; at 100,000 runs an export "
        f"under 60 s and 2 GB peak memory; after adding {NEW_RUNS} runs, an incremental "
        f"export <= {INCREMENTAL_GOAL:.0%} of the full export's time",
        settings={
            "quick": args.quick,
            "runs": args.runs,
            "params": PARAMS,
            "metrics": METRICS,
            "history metrics x steps": f"{HISTORY_METRICS} x {STEPS}",
            "repeats": args.repeats,
            "baseline": "skipped"
            if args.no_baseline
            else f"mlflow.search_runs + get_metric_history, stopped after {args.baseline_limit} s",
        },
    )
    home = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="mlreport-bench-export-") as tmp:
        os.chdir(tmp)
        try:
            database = args.store.resolve() if args.store else Path(tmp) / "mlflow.db"
            uri = f"sqlite:///{database}"
            if database.exists():
                print(f"store: {database} reused (--store)")
            else:
                with timed() as made:
                    generate(uri, args.runs)
                print(f"store: {args.runs} runs generated in {seconds(made.seconds)}")
            print(f"store size: {gb(database.stat().st_size)}")
            fulls, increments, baselines, peaks = [], [], [], []
            out = Path(tmp) / "export"
            added = 0
            for repeat in range(args.repeats):
                order = ["export", "mlflow"] if repeat % 2 == 0 else ["mlflow", "export"]
                for what in order:
                    if what == "export":
                        with PeakMemory() as memory, timed() as watch:
                            summary = export_store(uri, out, full=True)
                        fulls.append(watch.seconds)
                        peaks.append(memory.peak)
                        print(
                            f"repeat {repeat + 1}: full export {seconds(watch.seconds)} "
                            f"({summary.row_counts['runs']} runs, "
                            f"{summary.row_counts['metric_history']} history points), "
                            f"peak RSS {gb(memory.peak)}",
                            flush=True,
                        )
                        generate(uri, NEW_RUNS, first_number=args.runs + added)
                        added += NEW_RUNS
                        with timed() as watch:
                            summary = export_store(uri, out)
                        increments.append(watch.seconds)
                        print(
                            f"repeat {repeat + 1}: {NEW_RUNS} runs added, incremental export "
                            f"{seconds(watch.seconds)} (histories of "
                            f"{summary.histories_read} runs read)",
                            flush=True,
                        )
                    elif not args.no_baseline:
                        baseline = mlflow_read(uri, args.baseline_limit)
                        baselines.append(baseline)
                        print(
                            f"repeat {repeat + 1}: mlflow {seconds(baseline.seconds)}, "
                            f"histories of {baseline.runs_read} of {baseline.runs} runs read",
                            flush=True,
                        )
        finally:
            os.chdir(home)
    full_s, peak = median(fulls), max(peaks)
    if baselines:
        _print_speedup(baselines, full_s)
    share = ratio(median(increments), full_s)
    print(
        "       "
        + result_line(
            "incremental / full export time",
            share,
            f"{share:.1%} (medians {seconds(median(increments))} / {seconds(full_s)})",
            f"<= {INCREMENTAL_GOAL:.0%}",
            share <= INCREMENTAL_GOAL,
        )
    )
    label, shown = f"full export of {args.runs} runs", f"{seconds(full_s)}, peak RSS {gb(peak)}"
    if args.runs >= 100_000:
        met = full_s < 60 and peak < 2e9
        print("       " + result_line(label, full_s, shown, "< 60 s and < 2 GB", met))
    else:
        print(f"       {label}: {shown} (the 60 s / 2 GB goal is for --runs 100000)")


def _print_speedup(baselines: list[BaselineRead], full_s: float) -> None:
    """The speedup; a lower bound when MLflow was stopped before it read every run."""
    complete = all(b.complete for b in baselines)
    mlflow_s = median([b.seconds for b in baselines])
    speedup = ratio(mlflow_s, full_s)
    bound = "" if complete else ">= "
    shown = f"{bound}{speedup:.1f}x (medians {seconds(mlflow_s)} / {seconds(full_s)})"
    if not complete:
        runs_read = median([b.runs_read for b in baselines])
        projected = mlflow_s * baselines[0].runs / max(runs_read, 1)
        shown += (
            f"; MLflow read {runs_read:.0f} of {baselines[0].runs} runs in that time, so all "
            f"would take about {projected:.0f} s: {ratio(projected, full_s):.0f}x"
        )
    print(
        "RESULT "
        + result_line(
            "speedup = MLflow time / export time", speedup, shown, f">= {GOAL:g}x", speedup >= GOAL
        )
    )


def _arguments() -> argparse.Namespace:
    cli = parser(__doc__.splitlines()[0] if __doc__ else "")
    cli.add_argument("--runs", type=int, default=None, help="default 10000, quick 1000")
    cli.add_argument(
        "--repeats", type=int, default=None, help="default 1, quick 1 (MLflow takes minutes)"
    )
    cli.add_argument(
        "--no-baseline", action="store_true", help="time the export only (for --runs 100000)"
    )
    cli.add_argument(
        "--store",
        type=Path,
        default=None,
        help="an SQLite file to use: generated there if missing, else reused (and runs are "
        "added to it); default: a new store in a temporary folder",
    )
    cli.add_argument(
        "--baseline-limit",
        type=float,
        default=None,
        help="seconds after which MLflow's read stops (the speedup is then a lower bound); "
        "default 900, quick 300",
    )
    return parse_with_defaults(
        cli, {"runs": (10_000, 1_000), "repeats": (1, 1), "baseline_limit": (900.0, 300.0)}
    )


if __name__ == "__main__":
    main()
