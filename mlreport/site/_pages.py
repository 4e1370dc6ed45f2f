"""Build every page model from the dataset (pure: no I/O)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from mlreport.analysis import (
    ExperimentResult,
    ModelResult,
    OtherExperiment,
    experiment_results,
    other_experiments,
    records,
    run_table,
)
from mlreport.config import SiteSettings
from mlreport.dataset import Dataset
from mlreport.site import _format as fmt
from mlreport.site._charts import score_vs_fit_time
from mlreport.site._links import experiment_path, relative_url
from mlreport.site._models import Cell, Chart, Column, Page, Table

HOME_PATH = "index.md"
RUNS_PATH = "runs.md"


def build_pages(dataset: Dataset, settings: SiteSettings) -> list[Page]:
    """The home page, one page per mlreport experiment, and the runs page."""
    results = experiment_results(dataset)
    others = other_experiments(dataset)
    pages = [home_page(results, others, settings)]
    pages.extend(experiment_page(result) for result in results)
    pages.append(runs_page(dataset, {r.name for r in results}))
    return pages


def home_page(
    results: list[ExperimentResult], others: list[OtherExperiment], settings: SiteSettings
) -> Page:
    rows = []
    for result in results:
        best = result.best_model
        primary = result.primary_metric
        rows.append(
            (
                Cell(result.name, href=relative_url(HOME_PATH, experiment_path(result.name))),
                Cell(fmt.truncate(result.description), tooltip=result.description or None),
                Cell(best.name if best else fmt.MISSING),
                Cell(primary),
                _score_cell(best.test_score(primary) if best else math.nan),
                _score_cell(best.best_cv_score if best else math.nan),
                Cell(str(len(result.models)), sort=str(len(result.models))),
                Cell(str(result.trial_count), sort=str(result.trial_count)),
            )
        )
    experiments = Table(
        table_id="experiments",
        columns=(
            Column("Experiment"),
            Column("Description"),
            Column("Best model"),
            Column("Primary metric"),
            Column("Test score", numeric=True),
            Column("CV score", numeric=True),
            Column("Models", numeric=True),
            Column("Trials", numeric=True),
        ),
        rows=tuple(rows),
        empty_text="No mlreport experiment in this export yet: run `mlreport build`.",
    )
    other = Table(
        table_id="other-experiments",
        columns=(Column("Experiment"), Column("State"), Column("Runs", numeric=True)),
        rows=tuple(
            (Cell(o.name), Cell(o.lifecycle_stage), Cell(str(o.run_count), sort=str(o.run_count)))
            for o in others
        ),
        empty_text="None.",
    )
    return Page(
        path=HOME_PATH,
        title="Overview",
        template="home.md.j2",
        intro=settings.description,
        tables={"experiments": experiments, "other": other},
        links={"runs": relative_url(HOME_PATH, RUNS_PATH)},
    )


def experiment_page(result: ExperimentResult) -> Page:
    path = experiment_path(result.name)
    primary = result.primary_metric
    models = Table(
        table_id="models",
        columns=(
            Column("Model"),
            Column("Estimator"),
            Column("Search"),
            Column(f"Test {primary}", numeric=True),
            Column(f"CV {primary}", numeric=True),
            Column("Best params"),
            Column("Trials", numeric=True),
            Column("Failed", numeric=True),
            Column("Search time", numeric=True),
            Column("Status"),
        ),
        rows=tuple(_model_row(model, primary) for model in result.models),
    )
    return Page(
        path=path,
        title=result.name,
        template="experiment.md.j2",
        intro=result.description,
        tables={"models": models, "leaderboard": leaderboard_table(result)},
        charts=_present({"scores": score_vs_fit_time(result, chart_id="chart-scores")}),
        links={"runs": relative_url(path, RUNS_PATH), "home": relative_url(path, HOME_PATH)},
        facts=(("Primary metric", primary), ("Scoring", ", ".join(result.scorers))),
    )


def leaderboard_table(result: ExperimentResult) -> Table:
    """Every trial of the latest search of every model, best mean CV score first."""
    primary = result.primary_metric
    others = [s for s in result.scorers if s != primary]
    trials = [t for m in result.models for t in m.trials]
    trials.sort(
        key=lambda t: (
            -dict(t.cv_means).get(primary, -math.inf)
            if not math.isnan(dict(t.cv_means).get(primary, math.nan))
            else math.inf,
            t.model,
            t.run_name,
        )
    )
    rows = []
    for position, trial in enumerate(trials, start=1):
        means = dict(trial.cv_means)
        params = fmt.params(trial.params)
        mean = means.get(primary, math.nan)
        rows.append(
            (
                Cell(str(position), sort=str(position)),
                Cell(trial.model),
                Cell(fmt.truncate(params, 200), tooltip=params if len(params) > 200 else None),
                Cell(
                    f"{fmt.score(mean)} ± {fmt.score(trial.cv_primary_std)}"
                    if math.isfinite(mean)
                    else fmt.MISSING,
                    sort=fmt.sort_value(mean),
                ),
                *(_score_cell(means.get(s, math.nan)) for s in others),
                Cell(fmt.seconds(trial.fit_time_s), sort=fmt.sort_value(trial.fit_time_s)),
                Cell(_rank_text(trial.rank_in_model), sort=fmt.sort_value(trial.rank_in_model)),
                Cell(trial.status),
            )
        )
    return Table(
        table_id="leaderboard",
        columns=(
            Column("#", numeric=True),
            Column("Model"),
            Column("Params"),
            Column(f"CV {primary} (mean ± std)", numeric=True),
            *(Column(f"CV {s}", numeric=True) for s in others),
            Column("Fit time", numeric=True),
            Column("Rank in model", numeric=True),
            Column("Status"),
        ),
        rows=tuple(rows),
        empty_text="No trial was logged for this experiment.",
    )


def runs_page(dataset: Dataset, mlreport_experiments: set[str]) -> Page:
    """Every exported run, mlreport's or not."""
    runs = run_table(dataset)
    params = _joined(dataset["params"], str)
    metrics = _joined(dataset["metrics"], lambda v: fmt.score(float(v)))
    rows = []
    for run in records(runs):
        name = str(run["experiment_name"])
        experiment_href = (
            relative_url(RUNS_PATH, experiment_path(run["mlreport_experiment"]))
            if run["mlreport_experiment"] in mlreport_experiments
            and run["mlreport_experiment"] == name
            else None
        )
        start = run["start_time"]
        state = str(run["status"]) + (" (deleted)" if run["lifecycle_stage"] == "deleted" else "")
        run_params = params.get(run["run_id"], "")
        run_metrics = metrics.get(run["run_id"], "")
        rows.append(
            (
                Cell(name, href=experiment_href),
                Cell(str(run["run_name"] or "")),
                Cell(_text(run["role"])),
                Cell(state),
                Cell(_timestamp(start), sort=_timestamp(start)),
                Cell(fmt.seconds(run["duration_s"]), sort=fmt.sort_value(run["duration_s"])),
                Cell(fmt.truncate(run_params, 200), tooltip=run_params or None),
                Cell(fmt.truncate(run_metrics, 200), tooltip=run_metrics or None),
                Cell(str(run["run_id"])),
            )
        )
    table = Table(
        table_id="runs",
        columns=(
            Column("Experiment"),
            Column("Run"),
            Column("Role"),
            Column("Status"),
            Column("Start (UTC)"),
            Column("Duration", numeric=True),
            Column("Params"),
            Column("Metrics"),
            Column("Run id"),
        ),
        rows=tuple(rows),
        empty_text="The tracking store holds no run.",
    )
    return Page(
        path=RUNS_PATH,
        title="All runs",
        template="runs.md.j2",
        tables={"runs": table},
        links={"home": relative_url(RUNS_PATH, HOME_PATH)},
        facts=(("Runs", str(len(rows))),),
    )


def _model_row(model: ModelResult, primary: str) -> tuple[Cell, ...]:
    params = fmt.params(model.best_params)
    status = model.search_status + (f": {model.search_error}" if model.search_error else "")
    return (
        Cell(model.name),
        Cell(model.estimator),
        Cell(model.strategy),
        _score_cell(model.test_score(primary)),
        _score_cell(model.best_cv_score),
        Cell(fmt.truncate(params, 200), tooltip=params if len(params) > 200 else None),
        Cell(str(len(model.trials)), sort=str(len(model.trials))),
        Cell(str(model.failed_trials), sort=str(model.failed_trials)),
        Cell(fmt.seconds(model.search_wall_time_s), sort=fmt.sort_value(model.search_wall_time_s)),
        Cell(fmt.truncate(status, 200), tooltip=status if len(status) > 200 else None),
    )


def _score_cell(value: float) -> Cell:
    return Cell(fmt.score(value), sort=fmt.sort_value(value))


def _rank_text(rank: float) -> str:
    return str(int(rank)) if math.isfinite(rank) else fmt.MISSING


def _timestamp(value: object) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M:%S")  # type: ignore[arg-type]


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _joined(frame: pd.DataFrame, show: Callable[[Any], str]) -> dict[str, str]:
    """``key=value; ...`` per run, keys sorted (the tables are sorted already)."""
    joined: dict[str, list[str]] = {}
    for run_id, key, value in zip(frame["run_id"], frame["key"], frame["value"], strict=True):
        joined.setdefault(run_id, []).append(f"{key}={show(value)}")
    return {run_id: "; ".join(parts) for run_id, parts in joined.items()}


def _present(charts: dict[str, Chart | None]) -> dict[str, Chart]:
    return {k: v for k, v in charts.items() if v is not None}
