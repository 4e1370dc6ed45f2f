"""The build history: a snapshot of every ``mlreport build``, kept in the export folder.

Each build appends one row per experiment and model (build time, git commit, test score of
the primary metric, whether it is the experiment's best, its failed quality gates); a model
that failed in the build gets a row of status "failed" with its error instead. Every
export carries the file over, so a nightly job that keeps its export folder (for instance by
publishing it with ``mlreport publish --data``) accumulates the history the site's trends
page draws.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from mlreport import schema
from mlreport.analysis import Analysis, BuildFailure
from mlreport.check import check_analysis
from mlreport.config import GateSettings
from mlreport.dataset import read_builds


def record_build(
    data_dir: Path,
    analysis: Analysis,
    *,
    gates: GateSettings,
    commit: str,
    failures: Sequence[BuildFailure] = (),
    build_time: datetime | None = None,
) -> Analysis:
    """Append this build's snapshot to the history of the export in ``data_dir`` (analysed
    as ``analysis``), atomically; the analysis with the new history.

    ``failures``: the models that failed in this build. Each gets a failed row with its
    error in place of a score (what the export holds of it is from an earlier build).
    """
    dataset = analysis.dataset
    failed_models = {(f.experiment, f.model) for f in failures}
    failed: dict[tuple[str, str], int] = {}
    for result in check_analysis(analysis, gates=gates).failed:
        key = (result.experiment, result.model)
        failed[key] = failed.get(key, 0) + 1
    when = build_time or datetime.now(UTC)
    rows = []
    for experiment in analysis.results:
        best = experiment.best_model
        for model in experiment.models:
            score = model.test_score(experiment.primary_metric)
            if math.isnan(score) or (experiment.name, model.name) in failed_models:
                continue
            rows.append(
                {
                    "build_time": when,
                    "git_commit": commit,
                    "experiment": experiment.name,
                    "model": model.name,
                    "primary_metric": experiment.primary_metric,
                    "test_score": score,
                    "best": best is not None and model.name == best.name,
                    "failed_gates": failed.get((experiment.name, model.name), 0),
                    "status": schema.BUILD_OK,
                    "error": "",
                }
            )
    primary = {e.name: e.primary_metric for e in analysis.results}
    rows.extend(
        {
            "build_time": when,
            "git_commit": commit,
            "experiment": failure.experiment,
            "model": failure.model,
            "primary_metric": primary.get(failure.experiment, ""),
            "test_score": math.nan,
            "best": False,
            "failed_gates": 0,
            "status": schema.BUILD_FAILED,
            "error": failure.error,
        }
        for failure in failures
    )
    snapshot = pa.Table.from_pylist(rows, schema=schema.BUILDS)
    history = pa.concat_tables(
        [pa.Table.from_pandas(dataset.builds, schema=schema.BUILDS, preserve_index=False), snapshot]
    )
    target = data_dir / schema.BUILDS_FILE
    # beside the folder, not in it: a file left by a crash must not travel with the export
    partial = data_dir.parent / f".{data_dir.name}.{schema.BUILDS_FILE}.tmp-{os.getpid()}"
    pq.write_table(history, partial)
    os.replace(partial, target)
    return analysis.with_builds(read_builds(data_dir))
