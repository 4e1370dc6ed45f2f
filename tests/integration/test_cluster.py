"""The same experiment on a cluster started with `dask scheduler` and `dask worker` processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from distributed import Client

from mlreport import schema
from mlreport.dataset import read_dataset
from tests.conftest import REPO, free_port, run_cli

pytestmark = pytest.mark.integration

EXPERIMENT = """
name: on-a-cluster
seed: 1
data: {{kind: synthetic, n_samples: {n_samples}, n_features: 20, n_informative: 5, chunks: 10000}}
split: {{test_size: 0.1}}
models:
  - name: sgd-hyperband
    estimator: sklearn.linear_model.SGDClassifier
    params: {{tol: 0.001, penalty: elasticnet}}
    search:
      strategy: hyperband
      max_iter: {max_iter}
      space:
        alpha: {{spacing: logspace, start: -2, stop: 1, num: 1000}}
        l1_ratio: {{spacing: linspace, start: 0, stop: 1, num: 1000}}
        average: [true, false]
"""


@dataclass
class DaskCluster:
    address: str
    scheduler: subprocess.Popen[bytes]
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[DaskCluster]:
    """A scheduler and two single-process workers, started as the dask CLI starts them."""
    dask_cli = str(Path(sys.executable).parent / "dask")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {
        "stdout": subprocess.DEVNULL,
        "stderr": subprocess.DEVNULL,
        "env": env,
        "cwd": tmp_path,
    }
    scheduler = subprocess.Popen(
        [dask_cli, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        **quiet,  # type: ignore[call-overload]
    )
    running = DaskCluster(address, scheduler)
    try:
        for _ in range(2):
            running.workers.append(
                subprocess.Popen(
                    [
                        dask_cli,
                        "worker",
                        address,
                        "--nworkers",
                        "1",
                        "--nthreads",
                        "1",
                        "--no-dashboard",
                        "--no-nanny",
                    ],
                    **quiet,  # type: ignore[call-overload]
                )
            )
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=60)
        yield running
    finally:
        for process in [*running.workers, scheduler]:
            process.terminate()
        for process in [*running.workers, scheduler]:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def project(tmp_path: Path, *, n_samples: int, max_iter: int) -> Path:
    (tmp_path / "experiments").mkdir()
    (tmp_path / "experiments" / "cluster.yaml").write_text(
        EXPERIMENT.format(n_samples=n_samples, max_iter=max_iter)
    )
    return tmp_path


def logged_trials(root: Path) -> tuple[int, set[str]]:
    assert run_cli("export", cwd=root).returncode == 0
    dataset = read_dataset(root / "export")
    tags = dataset["tags"]
    trial_ids = set(tags[(tags["key"] == schema.TAG_ROLE) & (tags["value"] == "trial")]["run_id"])
    runs = dataset["runs"]
    statuses = set(runs[runs["run_id"].isin(trial_ids)]["status"])
    return len(trial_ids), statuses


def test_experiment_runs_unchanged_on_a_dask_cli_cluster(
    cluster: DaskCluster, tmp_path: Path
) -> None:
    root = project(tmp_path, n_samples=100_000, max_iter=9)
    result = run_cli("run", "--scheduler", cluster.address, cwd=root)
    assert result.returncode == 0, result.stderr
    assert "on-a-cluster / sgd-hyperband: 17 trials" in result.stdout
    assert logged_trials(root) == (17, {"FINISHED"})
    with Client(cluster.address, timeout="30s") as client:  # the training ran on this cluster
        prefixes = client.run_on_scheduler(
            lambda dask_scheduler: [str(p) for p in dask_scheduler.task_prefixes]
        )
    assert any("partial_fit" in prefix for prefix in prefixes)


def test_a_worker_killed_mid_search_loses_nothing(cluster: DaskCluster, tmp_path: Path) -> None:
    root = project(tmp_path, n_samples=400_000, max_iter=27)
    env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
    env["PYTHONPATH"] = str(REPO)
    search = subprocess.Popen(
        [sys.executable, "-m", "mlreport", "run", "--scheduler", cluster.address],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    with Client(cluster.address, timeout="30s") as client:
        deadline = time.monotonic() + 120
        task_keys = lambda dask_scheduler: [str(key) for key in dask_scheduler.tasks]  # noqa: E731
        while not any("partial_fit" in key for key in client.run_on_scheduler(task_keys)):
            assert time.monotonic() < deadline, "the search never started training"
            time.sleep(0.2)
    time.sleep(1.0)  # well into the search
    assert search.poll() is None, "the search ended before a worker could be killed"
    cluster.workers[0].send_signal(signal.SIGKILL)
    stdout, stderr = search.communicate(timeout=600)
    assert search.returncode == 0, stderr
    assert "on-a-cluster / sgd-hyperband: 49 trials" in stdout
    assert logged_trials(root) == (49, {"FINISHED"})
