"""Trends across builds: each experiment's best score over time, its regressions, and
which builds failed and why."""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import pandas as pd

from mlreport import schema


@dataclass(frozen=True)
class TrendPoint:
    """One build of one experiment."""

    build_time: pd.Timestamp
    git_commit: str
    best_model: str
    best_score: float
    metric: str  # the primary metric the score is of
    failed_gates: int  # of every model of the experiment in that build


@dataclass(frozen=True)
class Regression:
    """A build whose best score is below the previous build's."""

    build_time: pd.Timestamp
    git_commit: str
    before: float
    after: float
    model_before: str
    model_after: str


@dataclass(frozen=True)
class ExperimentTrend:
    experiment: str
    metric: str
    points: tuple[TrendPoint, ...]  # oldest first
    #: model -> its test score per build it was in, oldest first
    models: tuple[tuple[str, tuple[tuple[pd.Timestamp, float], ...]], ...]
    regressions: tuple[Regression, ...]


@dataclass(frozen=True)
class BuildFailure:
    """A model that failed in a build, and why (one line)."""

    experiment: str
    model: str
    error: str


@dataclass(frozen=True)
class BuildRecord:
    """One build of the history: when, at which commit, and what failed in it."""

    build_time: pd.Timestamp
    git_commit: str
    failures: tuple[BuildFailure, ...]  # by experiment and model; empty: the build was ok

    @property
    def failed(self) -> bool:
        return bool(self.failures)

    def failures_of(self, experiment: str) -> tuple[BuildFailure, ...]:
        return tuple(f for f in self.failures if f.experiment == experiment)


def build_records(builds: pd.DataFrame) -> tuple[BuildRecord, ...]:
    """Every build of the history, oldest first."""
    records = []
    for (when, commit), rows in builds.groupby(["build_time", "git_commit"], sort=True):
        failed = rows[rows["status"] == schema.BUILD_FAILED]
        records.append(
            BuildRecord(
                build_time=_timestamp(when),
                git_commit=str(commit),
                failures=tuple(
                    BuildFailure(str(e), str(m), str(error))
                    for e, m, error in sorted(
                        zip(failed["experiment"], failed["model"], failed["error"], strict=True)
                    )
                ),
            )
        )
    return tuple(sorted(records, key=lambda r: r.build_time))


def latest_build(builds: pd.DataFrame) -> BuildRecord | None:
    """The latest build of the history, None before the first."""
    if builds.empty:
        return None
    latest = builds[builds["build_time"] == builds["build_time"].max()]
    return build_records(latest)[-1]


def build_trends(builds: pd.DataFrame) -> tuple[ExperimentTrend, ...]:
    """Per experiment (sorted by name), its best score per build and every drop of it.

    A build in which a model of the experiment failed is no point of its trend: its
    best score is not known.
    """
    failed = builds["status"] == schema.BUILD_FAILED
    failing = set(
        zip(builds.loc[failed, "experiment"], builds.loc[failed, "build_time"], strict=True)
    )
    trends = []
    for experiment, rows in builds[~failed].groupby("experiment", sort=True):
        rows = rows.sort_values(["build_time", "model"], kind="stable")
        points = []
        for (when, commit), build in rows.groupby(["build_time", "git_commit"], sort=True):
            if (experiment, when) in failing:
                continue
            best = build[build["best"]]
            ranked = build.sort_values("test_score", ascending=False, kind="stable")
            chosen = best.iloc[0] if len(best) else ranked.iloc[0]
            points.append(
                TrendPoint(
                    build_time=_timestamp(when),
                    git_commit=str(commit),
                    best_model=str(chosen["model"]),
                    best_score=float(chosen["test_score"]),
                    metric=str(chosen["primary_metric"]),
                    failed_gates=int(build["failed_gates"].sum()),
                )
            )
        points.sort(key=lambda p: p.build_time)
        regressions = tuple(
            Regression(
                build_time=after.build_time,
                git_commit=after.git_commit,
                before=before.best_score,
                after=after.best_score,
                model_before=before.best_model,
                model_after=after.best_model,
            )
            for before, after in pairwise(points)
            if before.metric == after.metric
            and math.isfinite(before.best_score)
            and math.isfinite(after.best_score)
            and after.best_score < before.best_score - 1e-12
        )
        models = tuple(
            (
                str(model),
                tuple(
                    (pd.Timestamp(t), float(v))
                    for t, v in zip(series["build_time"], series["test_score"], strict=True)
                ),
            )
            for model, series in rows.groupby("model", sort=True)
        )
        trends.append(
            ExperimentTrend(
                experiment=str(experiment),
                metric=str(rows["primary_metric"].iloc[-1]),
                points=tuple(points),
                models=models,
                regressions=regressions,
            )
        )
    return tuple(trends)


def _timestamp(value: Any) -> pd.Timestamp:
    return pd.Timestamp(value)
