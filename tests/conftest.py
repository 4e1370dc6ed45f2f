from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def examples_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The README's main job, once per test session: ``mlreport build`` on a copy of the
    bundled ``experiments/`` (the integration and browser tests read the result)."""
    root = tmp_path_factory.mktemp("examples")
    shutil.copytree(REPO / "experiments", root / "experiments")
    built = run_cli("build", cwd=root, timeout=1200)
    assert built.returncode == 0, built.stderr
    return root


def run_cli(
    *args: str, cwd: Path, timeout: float = 600, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real ``mlreport`` command in ``cwd`` with the embedded default store
    (``env``: variables to set on top of this process's)."""
    env = {k: v for k, v in {**os.environ, **(env or {})}.items() if k != "MLFLOW_TRACKING_URI"}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return subprocess.run(
        [sys.executable, "-m", "mlreport", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    """A TCP port on loopback that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
