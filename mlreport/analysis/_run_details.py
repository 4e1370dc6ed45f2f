"""Every run of the store in full, for the run view, the runs tables and comparisons:
its params, metrics, tags, artifacts and the history of each metric logged more than once.

Runs are grouped as the site shows them: an mlreport experiment's runs (those tagged with
its name, in the MLflow experiments that hold them, and untagged runs of its own MLflow
experiment), then each other MLflow experiment's runs."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import pandas as pd

from mlreport.analysis._runs import ExperimentResult, records, run_table, text
from mlreport.dataset import Dataset

_DIGITS = re.compile(r"\d+")
T = TypeVar("T")

#: A metric history longer than this is thinned to this many evenly spaced steps (the
#: first and the last kept).
HISTORY_POINTS = 5_000


@dataclass(frozen=True)
class MetricHistory:
    key: str
    steps: tuple[int, ...]
    values: tuple[float, ...]
    logged: int  # how many values were logged (more than ``steps`` when thinned)


@dataclass(frozen=True)
class RunDetail:
    """One run as its view shows it."""

    run_id: str
    run_name: str
    experiment_id: str
    experiment_name: str
    status: str
    deleted: bool
    role: str  # mlreport's role of the run, "" for runs mlreport did not log
    model: str
    parent_run_id: str
    start_ms: int | None
    duration_s: float
    params: tuple[tuple[str, str], ...]
    metrics: tuple[tuple[str, float], ...]
    tags: tuple[tuple[str, str], ...]  # every tag, mlflow's and mlreport's included
    artifacts: tuple[str, ...]
    histories: tuple[MetricHistory, ...]  # metrics logged at more than one step


@dataclass(frozen=True)
class RunGroup:
    """The runs one runs table lists: an mlreport experiment's, or another MLflow
    experiment's."""

    name: str
    mlreport: bool  # an mlreport experiment (else an MLflow experiment mlreport did not make)
    experiment_id: str  # the MLflow experiment's id (an mlreport experiment's own)
    run_ids: tuple[str, ...]  # by start time


class RunIndex:
    """The dataset's run rows keyed by run id, built once and shared by every group."""

    def __init__(self, dataset: Dataset) -> None:
        table = run_table(dataset)
        # runs started in the same second (a search's trials) by name, "trial 2" before
        # "trial 10", so a runs table reads in the order the search made them
        table["_name_order"] = table["run_name"].fillna("").astype(str).map(natural_key)
        self.table = table.sort_values(
            ["experiment_name", "start_time", "_name_order", "run_id"], kind="stable"
        ).drop(columns="_name_order")
        self.params = _by_run(dataset["params"], "key", "value", str)
        self.tags = _by_run(dataset["tags"], "key", "value", str)
        self.metrics = _by_run(dataset["metrics"], "key", "value", float)
        artifacts = _by_run(dataset["artifacts"], "path", "path", str)
        self.artifacts = {run: tuple(path for path, _ in rows) for run, rows in artifacts.items()}
        self.histories = _histories(dataset["metric_history"])
        self.rows = {str(row["run_id"]): row for row in records(self.table)}

    def groups(self, results: Iterable[ExperimentResult]) -> list[RunGroup]:
        """The mlreport experiments' groups (in ``results``' order), then the other MLflow
        experiments' (by name), each run in exactly one."""
        table = self.table
        claimed: set[str] = set()
        groups = []
        for result in results:
            own = table["experiment_id"].isin(result.experiment_ids) & (
                (table["mlreport_experiment"] == result.name)
                | (
                    table["mlreport_experiment"].isna()
                    & (table["experiment_id"] == result.experiment_id)
                )
            )
            run_ids = tuple(str(r) for r in table.loc[own, "run_id"] if r not in claimed)
            claimed.update(run_ids)
            groups.append(RunGroup(result.name, True, result.experiment_id, run_ids))
        rest = table[~table["run_id"].isin(claimed)]
        for (name, experiment_id), runs in rest.groupby(
            [rest["experiment_name"].fillna(""), "experiment_id"], sort=True
        ):
            groups.append(
                RunGroup(str(name), False, str(experiment_id), tuple(map(str, runs["run_id"])))
            )
        return groups

    def details(self, run_ids: Iterable[str]) -> list[RunDetail]:
        return [self.detail(run_id) for run_id in run_ids]

    def detail(self, run_id: str) -> RunDetail:
        row = self.rows[run_id]
        start, duration = row["start_time"], row["duration_s"]
        tags = self.tags.get(run_id, ())
        return RunDetail(
            run_id=run_id,
            run_name=text(row["run_name"]),
            experiment_id=str(row["experiment_id"]),
            experiment_name=text(row["experiment_name"]),
            status=text(row["status"]),
            deleted=row["lifecycle_stage"] == "deleted",
            role=text(row["role"]),
            model=text(row["model"]),
            parent_run_id=text(row["parent_run_id"]),
            start_ms=None if pd.isna(start) else int(pd.Timestamp(start).value // 1_000_000),
            duration_s=math.nan if pd.isna(duration) else float(duration),
            params=self.params.get(run_id, ()),
            metrics=self.metrics.get(run_id, ()),
            tags=tags,
            artifacts=self.artifacts.get(run_id, ()),
            histories=self.histories.get(run_id, ()),
        )


def _by_run(
    frame: pd.DataFrame, key: str, value: str, kind: type[T]
) -> dict[str, tuple[tuple[str, T], ...]]:
    """Run id -> its (``key``, ``value``) pairs, sorted. One pass over plain lists: a
    pandas group per run costs about 0.1 ms, 20 s for the tags of 20,000 runs."""
    keys = frame[key].astype(str).tolist()
    values = frame[value].astype(kind).tolist()
    by_run: dict[str, list[tuple[str, T]]] = {}
    runs = frame["run_id"].astype(str).tolist()
    for run, pair in zip(runs, zip(keys, values, strict=True), strict=True):
        by_run.setdefault(run, []).append(pair)
    return {run: tuple(sorted(pairs)) for run, pairs in by_run.items()}


def _histories(history: pd.DataFrame) -> dict[str, tuple[MetricHistory, ...]]:
    """Run -> the histories of its metrics logged at more than one step, by key."""
    if history.empty:
        return {}
    counts = history.groupby(["run_id", "key"], sort=False)["step"].transform("size")
    stepped = history[counts > 1].sort_values(["run_id", "key", "step", "timestamp"])
    result: dict[str, list[MetricHistory]] = {}
    for (run, key), group in stepped.groupby(["run_id", "key"], sort=True):
        logged = len(group)
        if logged > HISTORY_POINTS:
            group = group.iloc[
                np.unique(np.linspace(0, logged - 1, HISTORY_POINTS).round().astype(int))
            ]
        result.setdefault(str(run), []).append(
            MetricHistory(
                key=str(key),
                steps=tuple(int(s) for s in group["step"]),
                values=tuple(float(v) for v in group["value"]),
                logged=logged,
            )
        )
    return {run: tuple(items) for run, items in result.items()}


def natural_key(name: str) -> str:
    """``name`` with its numbers zero-padded, so that it sorts as a reader counts."""
    return _DIGITS.sub(lambda number: number.group().zfill(20), name)
