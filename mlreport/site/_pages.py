"""Build every page model from the dataset (pure: no I/O)."""

from __future__ import annotations

import math

import pandas as pd

from mlreport.analysis import (
    CLASS_STATISTICS,
    BinaryCurves,
    ConfusionSummary,
    ExperimentResult,
    ModelResult,
    OtherExperiment,
    Trial,
    binary_curves,
    confusion_summary,
    experiment_results,
    high_first,
    other_experiments,
    run_listing,
)
from mlreport.config import SiteSettings
from mlreport.dataset import Dataset
from mlreport.site import _format as fmt
from mlreport.site._charts import (
    best_so_far,
    confusion_heatmap,
    precision_recall_chart,
    roc_curve_chart,
    score_by_calls,
    score_vs_fit_time,
)
from mlreport.site._links import experiment_path, model_path, relative_url
from mlreport.site._models import Cell, Chart, Column, Page, Table

HOME_PATH = "index.md"
RUNS_PATH = "runs.md"


def build_pages(dataset: Dataset, settings: SiteSettings) -> list[Page]:
    """The home page, one page per mlreport experiment and per best model, the runs page."""
    results = experiment_results(dataset)
    others = other_experiments(dataset)
    pages = [home_page(results, others, settings)]
    for result in results:
        model_pages = {}
        for model in result.models:
            predictions = _classifier_predictions(dataset, model)
            if predictions is not None:
                confusion = confusion_summary(
                    predictions["y_true"].tolist(), predictions["y_pred"].tolist()
                )
                curves = binary_curves(predictions)
                model_pages[model.name] = model_page(result, model, confusion, curves)
        pages.append(experiment_page(result, set(model_pages)))
        pages.extend(model_pages.values())
    pages.append(runs_page(dataset, {r.name for r in results}))
    return pages


def _classifier_predictions(dataset: Dataset, model: ModelResult) -> pd.DataFrame | None:
    """The best run's exported test predictions, if it has labels to compare."""
    predictions = dataset.predictions.get(model.best_run_id or "")
    if predictions is None or predictions.empty:
        return None
    return predictions if {"y_true", "y_pred"} <= set(predictions.columns) else None


def model_page(
    result: ExperimentResult,
    model: ModelResult,
    confusion: ConfusionSummary,
    curves: BinaryCurves | None = None,
) -> Page:
    """A best model's page: its test scores, confusion matrix and PyCM statistics, and
    ROC and precision-recall curves for a binary task."""
    path = model_path(result.name, model.name)
    classes = Table(
        table_id="classes",
        columns=(
            Column("Class"),
            *(Column(name, numeric=True) for name in CLASS_STATISTICS.values()),
            Column("Support", numeric=True),
        ),
        rows=tuple(
            (
                Cell(stats.label),
                *(_score_cell(value) for _, value in stats.values),
                _count_cell(stats.support),
            )
            for stats in confusion.per_class
        ),
    )
    test_scores = tuple((f"Test {name}", fmt.score(value)) for name, value in model.test_scores)
    overall = tuple((name, fmt.score(value)) for name, value in confusion.overall)
    return Page(
        path=path,
        title=f"{result.name} · {model.name}",
        template="model.md.j2",
        intro=f"The best {model.estimator} of the {model.strategy} search, "
        f"refit and scored on the held-out test split.",
        tables={"classes": classes},
        charts=_present(
            {
                "confusion": confusion_heatmap(confusion, chart_id="chart-confusion"),
                "roc": roc_curve_chart(curves, chart_id="chart-roc") if curves else None,
                "precision_recall": precision_recall_chart(curves, chart_id="chart-pr")
                if curves
                else None,
            }
        ),
        links={"experiment": relative_url(path, experiment_path(result.name))},
        facts=(
            ("Best params", fmt.params(model.best_params) or fmt.MISSING),
            *test_scores,
            ("Test samples", str(sum(stats.support for stats in confusion.per_class))),
            *overall,
        ),
    )


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
                _score_cell(best.best_score if best else math.nan),
                _count_cell(len(result.models)),
                _count_cell(result.trial_count),
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
            Column("Search score", numeric=True),
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
            (Cell(o.name), Cell(o.lifecycle_stage), _count_cell(o.run_count)) for o in others
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


def experiment_page(result: ExperimentResult, with_pages: set[str] | None = None) -> Page:
    """An experiment's page; ``with_pages``: the models that have a page of their own."""
    path = experiment_path(result.name)
    linked = with_pages or set()
    primary = result.primary_metric
    models = Table(
        table_id="models",
        columns=(
            Column("Model"),
            Column("Estimator"),
            Column("Search"),
            Column(f"Test {primary}", numeric=True),
            Column(f"Best {primary} score", numeric=True),
            Column("Best params"),
            Column("Trials", numeric=True),
            Column("Failed", numeric=True),
            Column("Search time", numeric=True),
            Column("Status"),
        ),
        rows=tuple(
            _model_row(
                model,
                primary,
                href=relative_url(path, model_path(result.name, model.name))
                if model.name in linked
                else None,
            )
            for model in result.models
        ),
    )
    return Page(
        path=path,
        title=result.name,
        template="experiment.md.j2",
        intro=result.description,
        tables={"models": models, "leaderboard": leaderboard_table(result)},
        charts=_present(
            {
                "scores": score_vs_fit_time(result, chart_id="chart-scores"),
                "progress": score_by_calls(result, chart_id="chart-progress"),
                "best_so_far": best_so_far(result, chart_id="chart-best-so-far"),
            }
        ),
        links={"runs": relative_url(path, RUNS_PATH), "home": relative_url(path, HOME_PATH)},
        facts=(("Primary metric", primary), ("Scoring", ", ".join(result.scorers))),
    )


def leaderboard_table(result: ExperimentResult) -> Table:
    """Every trial of the latest search of every model, best score first.

    Grid and random searches give mean CV scores (± their std over folds); incremental
    searches give the validation score after the trial's last partial_fit call.
    """
    primary = result.primary_metric
    others = [s for s in result.scorers if s != primary]
    trials = [t for m in result.models for t in m.trials]
    trials.sort(key=lambda t: (high_first(t.score(primary)), t.model, t.run_name))
    rows = []
    for position, trial in enumerate(trials, start=1):
        score = trial.score(primary)
        spread = "" if math.isnan(trial.score_std) else f" ± {fmt.score(trial.score_std)}"
        rows.append(
            (
                _count_cell(position),
                Cell(trial.model),
                _long_text_cell(fmt.params(trial.params)),
                Cell(
                    fmt.score(score) + spread if math.isfinite(score) else fmt.MISSING,
                    sort=fmt.sort_value(score),
                ),
                *(_score_cell(trial.score(s)) for s in others),
                Cell(_evaluation(trial)),
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
            Column(f"{primary} score", numeric=True),
            *(Column(f"{s} score", numeric=True) for s in others),
            Column("Evaluation"),
            Column("Fit time", numeric=True),
            Column("Rank in model", numeric=True),
            Column("Status"),
        ),
        rows=tuple(rows),
        empty_text="No trial was logged for this experiment.",
    )


def _evaluation(trial: Trial) -> str:
    """How a trial was scored: cross-validation, or validation after n partial_fit calls."""
    if math.isnan(trial.partial_fit_calls):
        return "CV (mean ± std)"
    parts = [f"validation after {int(trial.partial_fit_calls)} partial_fit calls"]
    if trial.stop_reason:
        parts.append(trial.stop_reason)
    if trial.bracket:
        parts.append(f"bracket {trial.bracket}")
    return ", ".join(parts)


def runs_page(dataset: Dataset, mlreport_experiments: set[str]) -> Page:
    """Every exported run, mlreport's or not."""
    rows = []
    for run in run_listing(dataset):
        experiment_href = (
            relative_url(RUNS_PATH, experiment_path(run.mlreport_experiment))
            if run.mlreport_experiment in mlreport_experiments
            and run.mlreport_experiment == run.experiment_name
            else None
        )
        started = run.start_time.strftime("%Y-%m-%d %H:%M:%S") if run.start_time else ""
        params = "; ".join(f"{k}={v}" for k, v in run.params)
        metrics = "; ".join(f"{k}={fmt.score(v)}" for k, v in run.metrics)
        tags = "; ".join(f"{k}={v}" for k, v in run.tags)
        rows.append(
            (
                Cell(run.experiment_name, href=experiment_href),
                Cell(run.run_name),
                Cell(run.role),
                Cell(run.status + (" (deleted)" if run.deleted else "")),
                Cell(started, sort=started),
                Cell(fmt.seconds(run.duration_s), sort=fmt.sort_value(run.duration_s)),
                _long_text_cell(params),
                _long_text_cell(metrics),
                _long_text_cell(tags),
                Cell(run.run_id),
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
            Column("Tags"),
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


def _long_text_cell(value: str, limit: int = 200) -> Cell:
    """Text cut to ``limit`` characters, whole in the tooltip when cut."""
    return Cell(fmt.truncate(value, limit), tooltip=value if len(value) > limit else None)


def _model_row(model: ModelResult, primary: str, *, href: str | None) -> tuple[Cell, ...]:
    params = fmt.params(model.best_params)
    status = model.search_status + (f": {model.search_error}" if model.search_error else "")
    return (
        Cell(model.name, href=href),
        Cell(model.estimator),
        Cell(model.strategy),
        _score_cell(model.test_score(primary)),
        _score_cell(model.best_score),
        _long_text_cell(params),
        _count_cell(len(model.trials)),
        _count_cell(model.failed_trials),
        Cell(fmt.seconds(model.search_wall_time_s), sort=fmt.sort_value(model.search_wall_time_s)),
        _long_text_cell(status),
    )


def _count_cell(count: int) -> Cell:
    return Cell(str(count), sort=str(count))


def _score_cell(value: float) -> Cell:
    return Cell(fmt.score(value), sort=fmt.sort_value(value))


def _rank_text(rank: float) -> str:
    return str(int(rank)) if math.isfinite(rank) else fmt.MISSING


def _present(charts: dict[str, Chart | None]) -> dict[str, Chart]:
    return {k: v for k, v in charts.items() if v is not None}
