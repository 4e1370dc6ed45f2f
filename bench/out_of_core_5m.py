"""Out-of-core search of 5,000,000 x 20 samples on 2 cores: wall time and peak RSS (issue 3).

Goal: ``mlreport run experiments/scale/sgd-5m.yaml`` completes on 2 cores with a peak
RSS <= 4 GB (4 * 10**9 bytes) for the whole process tree: the mlreport process plus
every dask process it starts (nannies, workers, multiprocessing helpers).

What runs: the CLI as a subprocess, in a temporary copy of ``experiments/`` with
``MLFLOW_TRACKING_URI`` unset, so that the store is ``sqlite:///mlflow.db`` in the
temporary directory (creating its schema is part of the wall time). The experiment has
two models, an incremental search and a Hyperband search, on data generated block by
block (100,000 rows a block). ``--quick`` runs a copy of the experiment with 500,000
samples instead.

Memory: psutil samples the RSS of every process of the tree every 0.2 s. The sum counts
pages shared between processes (libraries, copy-on-write) once per process, so it is an
upper bound of the memory the tree uses; samples miss peaks shorter than 0.2 s.

Baseline: the size of the data if it were loaded in memory at once,
``n_samples * n_features * 8`` bytes (0.8 GB for 5e6 x 20 float64); printed as the ratio
peak RSS / in-memory size. An in-memory search keeps at least one copy of the data (and
scikit-learn or dask-ml splits usually make more).

Run: ``/work/venv/bin/python bench/out_of_core_5m.py [--quick]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import yaml
from _common import gb, header, parser, ratio, seconds, timed, verdict

GOAL_BYTES = 4e9
REPOSITORY = Path(__file__).resolve().parent.parent
EXPERIMENT = Path("experiments") / "scale" / "sgd-5m.yaml"
FLOAT_BYTES = 8


@dataclass
class MemoryPeaks:
    """Peaks of the RSS samples of a process and its descendants."""

    main: int = 0
    tree: int = 0
    tree_at: float = 0.0  # seconds after start
    processes: int = 0
    samples: int = 0
    seen: set[int] = field(default_factory=set)

    def sample(self, root: psutil.Process, elapsed: float) -> None:
        try:
            members = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return
        total = 0
        for process in members:
            try:
                rss = int(process.memory_info().rss)
            except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
                continue
            total += rss
            self.seen.add(process.pid)
            if process.pid == root.pid:
                self.main = max(self.main, rss)
        self.samples += 1
        self.processes = max(self.processes, len(members))
        if total > self.tree:
            self.tree, self.tree_at = total, elapsed


def prepare(directory: Path, n_samples: int | None) -> tuple[Path, dict[str, Any]]:
    """Copy experiments/ into ``directory``; with ``n_samples``, write a smaller copy."""
    shutil.copytree(REPOSITORY / "experiments", directory / "experiments")
    path = directory / EXPERIMENT
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    if n_samples is not None and n_samples != spec["data"]["n_samples"]:
        spec["data"]["n_samples"] = n_samples
        spec["name"] = f"{spec['name']}-{n_samples}"
        path = path.with_name(f"sgd-{n_samples}.yaml")
        path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path.relative_to(directory), spec


def mlreport_command() -> list[str]:
    script = Path(sys.executable).parent / "mlreport"
    return [str(script)] if script.exists() else [sys.executable, "-m", "mlreport"]


def run_and_sample(
    command: list[str], *, cwd: Path, interval: float, timeout: float
) -> tuple[int | None, float, MemoryPeaks, str]:
    """Run ``command``, sampling memory; its exit code (None on timeout), time and output."""
    env = dict(os.environ)
    env.pop("MLFLOW_TRACKING_URI", None)
    peaks = MemoryPeaks()
    log = cwd / "mlreport-output.txt"
    timed_out = False
    with log.open("w") as output, timed() as watch:
        process = psutil.Popen(command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT)
        while process.poll() is None:
            elapsed = time.perf_counter() - watch.started
            if elapsed > timeout:
                timed_out = True
                _stop_tree(process)
                break
            peaks.sample(process, elapsed)
            time.sleep(interval)
    code = None if timed_out else process.returncode
    return code, watch.seconds, peaks, log.read_text(errors="replace")


def _stop_tree(process: psutil.Process) -> None:
    """Stop the process we started and its descendants, by pid."""
    members = [*process.children(recursive=True), process]
    for member in members:
        try:
            member.kill()
        except psutil.NoSuchProcess:
            continue
    psutil.wait_procs(members, timeout=10)


def search_times(directory: Path) -> list[str]:
    """mlreport's own search_wall_time_s per model, read back from the store it wrote."""
    try:
        from mlflow.tracking import MlflowClient

        from mlreport import schema
    except ImportError:
        return []
    store = MlflowClient(tracking_uri=f"sqlite:///{directory / 'mlflow.db'}")
    lines = []
    for experiment in store.search_experiments():
        runs = store.search_runs(
            [experiment.experiment_id],
            filter_string=f"tags.`{schema.TAG_ROLE}` = '{schema.ROLE_SEARCH}'",
        )
        for run in runs:
            model = run.data.tags.get(schema.TAG_MODEL, "?")
            value = run.data.metrics.get(schema.METRIC_SEARCH_TIME)
            trials = store.search_runs(
                [experiment.experiment_id],
                filter_string=(
                    f"tags.`{schema.TAG_MODEL}` = '{model}' and "
                    f"tags.`{schema.TAG_ROLE}` = '{schema.ROLE_TRIAL}'"
                ),
                max_results=10000,
            )
            lines.append(
                f"{model}: search (fit) {seconds(value if value is not None else float('nan'))}"
                f", {len(trials)} trials, status {run.info.status}"
            )
    return sorted(lines)


def main() -> None:
    args = _arguments()
    n_samples = args.n_samples or (500_000 if args.quick else None)
    with tempfile.TemporaryDirectory(prefix="mlreport-bench-5m-") as tmp:
        directory = Path(tmp)
        experiment, spec = prepare(directory, n_samples)
        data = spec["data"]
        in_memory = data["n_samples"] * data["n_features"] * FLOAT_BYTES
        command = [*mlreport_command(), "run", str(experiment)]
        header(
            "Out-of-core mlreport run: wall time and peak RSS of the process tree",
            goal=f"completes on 2 cores with peak RSS <= {gb(GOAL_BYTES)} (process tree)",
            settings={
                "quick": args.quick,
                "experiment": experiment,
                "n_samples": data["n_samples"],
                "n_features": data["n_features"],
                "chunks": data["chunks"],
                "models": ", ".join(
                    f"{m['name']} ({m['search']['strategy']})" for m in spec["models"]
                ),
                "sample_interval_s": args.interval,
                "timeout_s": args.timeout,
            },
        )
        print(f"command: {' '.join(command)}  (cwd {directory}, MLFLOW_TRACKING_URI unset)")
        code, wall, peaks, output = run_and_sample(
            command, cwd=directory, interval=args.interval, timeout=args.timeout
        )
        print("mlreport output (last lines):")
        for line in output.strip().splitlines()[-8:]:
            print(f"  | {line}")
        for line in search_times(directory) if code == 0 else []:
            print(f"  {line}")
    completed = code == 0
    status = "completed" if completed else ("timed out" if code is None else f"exit code {code}")
    print(
        f"\nwall time {seconds(wall)} ({status}); {peaks.samples} samples, "
        f"{len(peaks.seen)} processes seen (at most {peaks.processes} at once)"
    )
    print(f"peak RSS of the mlreport process: {gb(peaks.main)}")
    print(
        f"peak total RSS of the process tree: {gb(peaks.tree)} "
        f"(at {peaks.tree_at:.0f} s of {wall:.0f} s)"
    )
    print(
        f"baseline, data in memory at once: {data['n_samples']:,} x {data['n_features']} x "
        f"{FLOAT_BYTES} bytes = {gb(in_memory)}"
    )
    print(
        f"RESULT peak tree RSS / in-memory data size = {ratio(peaks.tree, in_memory):.2f}x; "
        f"peak tree RSS {gb(peaks.tree)} <= {gb(GOAL_BYTES)} and completed: "
        f"{verdict(completed and peaks.tree <= GOAL_BYTES)}"
    )
    if args.quick:
        print("       (quick run: a 500,000-sample copy; the goal is about the 5,000,000 run)")


def _arguments() -> argparse.Namespace:
    cli = parser(__doc__.splitlines()[0] if __doc__ else "")
    cli.add_argument(
        "--n-samples",
        type=int,
        default=None,
        help="run a copy of the experiment with this many samples (quick: 500000)",
    )
    cli.add_argument("--interval", type=float, default=0.2, help="seconds between samples")
    cli.add_argument(
        "--timeout", type=float, default=1800.0, help="stop the run after this many seconds"
    )
    return cli.parse_args()


if __name__ == "__main__":
    main()
