"""Config imports no stage: loading experiment files needs neither the analysis, the run
stage, dask nor MLflow."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.unit.test_config import INCREMENTAL

REPO = Path(__file__).resolve().parents[2]

#: Module prefixes config must not load: later stages and their heavy libraries.
FORBIDDEN = ("mlreport.analysis", "mlreport.run", "dask", "distributed", "dask_ml", "mlflow")

SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    FORBIDDEN = {forbidden!r}

    def loaded():
        return sorted(
            name for name in sys.modules
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
        )

    import mlreport.config
    assert not loaded(), ("import", loaded())
    assert Path(mlreport.config.__file__).is_relative_to(Path.cwd()), mlreport.config.__file__

    (spec,) = mlreport.config.load_experiments([Path(sys.argv[1])])
    search = spec.models[0].search
    assert search.strategy == "hyperband", search
    assert search.candidate_count == 4 + 6 + 12 + 27, search.candidate_count
    assert spec.fairness_settings() is None
    assert not loaded(), ("candidate_count", loaded())
    print("ok")
    """
).format(forbidden=FORBIDDEN)


def test_config_loads_no_stage_and_no_dask(tmp_path: Path) -> None:
    path = tmp_path / "hyperband.yaml"
    path.write_text(INCREMENTAL)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
