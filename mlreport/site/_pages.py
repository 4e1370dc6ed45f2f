"""Page models of the experiment, model, scaling, home, history and runs pages, and the
builders the page registry calls (pure: analysis results in, page models out)."""

from __future__ import annotations

import math
from dataclasses import replace

from mlreport import schema
from mlreport.analysis import (
    CLASS_STATISTICS,
    IMPORTANCE_METHOD,
    BuildRecord,
    ConfusionSummary,
    ExperimentResult,
    ExplanationSummary,
    ModelEvaluation,
    ModelHyperparameters,
    ModelResult,
    ModelScaling,
    OtherExperiment,
    PowerLawFit,
    Trial,
    WeightRow,
    ranked_trials,
)
from mlreport.config import SiteSettings
from mlreport.site._charts import (
    beeswarm_chart,
    confusion_heatmap,
    importance_chart,
    optimisation_history_charts,
    parallel_coordinates_chart,
    param_importance_chart,
    precision_recall_chart,
    predicted_vs_actual_chart,
    residuals_chart,
    roc_curve_chart,
    scaling_chart,
    score_by_calls,
    score_by_param_charts,
    score_vs_fit_time,
    speedup_chart,
)
from mlreport.site._history_pages import history_page
from mlreport.site._links import (
    COMPARE_PATH,
    HOME_PATH,
    RUNS_PATH,
    experiment_path,
    fairness_overview_path,
    fairness_path,
    mlreport_group,
    model_path,
    relative_url,
    run_ref,
    run_view_url,
    runs_table_path,
    scaling_path,
)
from mlreport.site._models import (
    Cell,
    Chart,
    Column,
    ExperimentPage,
    HistoryPage,
    HomePage,
    HyperparameterSection,
    ModelPage,
    ScalingPage,
    Table,
)
from mlreport.site._registry import ExperimentContext, SiteContext
from mlreport.text import (
    NO_ERROR,
    failed_build_banner,
    model_label,
    model_origin,
    model_rows,
    route_label,
    rows_used,
    scaling_sentences,
)
from mlreport.text import display as fmt

ALL_OUTPUTS = "(all outputs)"  # eli5 weights that belong to no one class: tree importances


def experiment_kind_pages(context: ExperimentContext) -> list[ExperimentPage]:
    """The experiment's own page."""
    return [
        experiment_page(
            context.result,
            set(context.evaluations),
            has_scaling=bool(context.scalings),
            with_fairness=context.fair_models,
            latest_build=context.analysis.latest_build,
            hyperparameters=context.analysis.hyperparameters(context.result),
        )
    ]


def model_kind_pages(context: ExperimentContext) -> list[ModelPage]:
    """A page per best model with test predictions, linked to its fairness report."""
    pages = []
    for model in context.result.models:
        evaluation = context.evaluations.get(model.name)
        if evaluation is None:
            continue
        page = model_page(context.result, model, evaluation)
        if model.name in context.fair_models:
            target = fairness_path(context.result.name, model.name)
            page = replace(page, links={**page.links, "fairness": relative_url(page.path, target)})
        pages.append(page)
    return pages


def scaling_kind_pages(context: ExperimentContext) -> list[ScalingPage]:
    scalings = list(context.scalings)
    return [scaling_page(context.result, scalings)] if scalings else []


def home_kind_pages(context: SiteContext) -> list[HomePage]:
    analysis = context.analysis
    return [
        home_page(
            list(analysis.results),
            analysis.others,
            context.settings,
            latest_build=analysis.latest_build,
        )
    ]


def history_kind_pages(context: SiteContext) -> list[HistoryPage]:
    """The history page, once a build was recorded."""
    if context.analysis.dataset.builds.empty:
        return []
    return [history_page(context.analysis.trends, context.analysis.builds)]


def model_page(
    result: ExperimentResult, model: ModelResult, evaluation: ModelEvaluation
) -> ModelPage:
    """A best model's page: its test scores; for a classifier, the confusion matrix, PyCM
    statistics and (binary) ROC and precision-recall curves; for a regressor, predicted
    against actual and residuals; SHAP explanations and eli5's weights when exported."""
    path = model_path(result.name, model.name)
    test_scores = tuple((f"Test {name}", fmt.score(value)) for name, value in model.test_scores)
    tables: dict[str, Table] = {}
    charts: dict[str, Chart | None] = {}
    evidence: tuple[tuple[str, str], ...] = ()
    confusion, curves, regression = evaluation.confusion, evaluation.curves, evaluation.regression
    explanation = evaluation.explanation
    if confusion is not None:
        tables["classes"] = _class_table(confusion)
        charts["confusion"] = confusion_heatmap(confusion, chart_id="chart-confusion")
        if curves is not None:
            charts["roc"] = roc_curve_chart(curves, chart_id="chart-roc")
            charts["precision_recall"] = precision_recall_chart(curves, chart_id="chart-pr")
        evidence = (
            ("Test samples", str(sum(stats.support for stats in confusion.per_class))),
            *((name, fmt.score(value)) for name, value in confusion.overall),
        )
    if regression is not None:
        charts["predicted_vs_actual"] = predicted_vs_actual_chart(
            regression, chart_id="chart-predicted"
        )
        charts["residuals"] = residuals_chart(regression, chart_id="chart-residuals")
        evidence = (
            ("Test samples", str(regression.samples)),
            *((name, fmt.score(value)) for name, value in regression.scores),
        )
    if explanation is not None:
        charts.update(_explanation_charts(explanation))
    if evaluation.weights:
        tables["weights"] = _weights_table(evaluation.weights)
    return ModelPage(
        path=path,
        title=f"{result.name} · {model_label(model)}",
        intro=_model_intro(model),
        tables=tables,
        charts=_present(charts),
        links={"experiment": relative_url(path, experiment_path(result.name))},
        facts=(
            *((("Origin", origin),) if (origin := model_origin(model)) else ()),
            *((("Rows", rows),) if (rows := model_rows(model)) else ()),
            ("Best params", fmt.params(model.best_params) or fmt.MISSING),
            *test_scores,
            *evidence,
        ),
        notes={
            **_explanation_notes(model, explanation),
            "weights": _WEIGHTS_NOTES.get(model.weights_kind, _WEIGHTS_NOTES[""]),
        },
    )


def _model_intro(model: ModelResult) -> str:
    if model.strategy == schema.EXTERNAL_STRATEGY:
        return "Predictions made outside mlreport, logged with mlreport fairness."
    return (
        f"The best {model.estimator} of the {model.strategy} search, "
        "refit and scored on the held-out test split."
    )


def _class_table(confusion: ConfusionSummary) -> Table:
    return Table(
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


def _explanation_charts(explanation: ExplanationSummary) -> dict[str, Chart | None]:
    """The global importance bars and the beeswarm of the most important features."""
    features = [feature for feature, _ in explanation.importance]
    points = {output: list(rows) for output, rows in explanation.points}
    return {
        "importance": importance_chart(list(explanation.importance), chart_id="chart-importance"),
        "beeswarm": beeswarm_chart(points, features, chart_id="chart-beeswarm"),
    }


def _weights_table(weights: tuple[WeightRow, ...]) -> Table:
    """eli5's largest weights per output, as ``largest_weights`` picked them."""
    return Table(
        table_id="weights",
        columns=(Column("Output"), Column("Feature"), Column("Weight", numeric=True)),
        rows=tuple(
            (
                Cell(row.output or ALL_OUTPUTS),
                Cell(row.feature),
                Cell(fmt.score(row.weight), sort=fmt.sort_value(row.weight)),
            )
            for row in weights
        ),
    )


_WEIGHTS_NOTES = {
    "coefficients": "eli5's view of the fitted model: the coefficients of the linear "
    "model on the preprocessed features (per class for several classes), the largest by "
    "absolute value for each output.",
    "feature importances": "eli5's view of the fitted model: the tree model's feature "
    "importances (how much each feature's splits reduce impurity), the largest first.",
    "permutation importance": "eli5's permutation importance on the explained test rows: "
    "how much the model's score drops when one feature's values are shuffled (mean of "
    "3 shuffles), the largest first.",
    "": "eli5's weights of the fitted model, the largest by absolute value for each output.",
}


def _explanation_notes(
    model: ModelResult, explanation: ExplanationSummary | None
) -> dict[str, str]:
    """Plain-text notes on how the explanation was made, or why there is none."""
    if model.explain_error:
        return {
            "explanation": f"No explanation: SHAP failed on this model ({model.explain_error})."
        }
    if explanation is None:
        return {"explanation": "No explanation was logged for this model."}
    samples = explanation.samples
    space = f", in {model.explain_space} units" if model.explain_space else ""
    took = (
        f" It took {fmt.seconds(model.explain_time_s)}."
        if math.isfinite(model.explain_time_s)
        else ""
    )
    return {
        "explanation": f"SHAP values of {samples} test rows (a seeded sample) from SHAP's "
        f"{model.explainer or 'unknown'} explainer{space}.{took}"
    }


def home_page(
    results: list[ExperimentResult],
    others: list[OtherExperiment],
    settings: SiteSettings,
    *,
    latest_build: BuildRecord | None = None,
) -> HomePage:
    """Each experiment's best model, the store's other experiments, and a banner when the
    latest build failed."""
    rows = []
    for result in results:
        best = result.best_model
        primary = result.primary_metric
        rows.append(
            (
                Cell(result.name, href=relative_url(HOME_PATH, experiment_path(result.name))),
                Cell(fmt.truncate(result.description), tooltip=result.description or None),
                Cell(model_label(best) if best else fmt.MISSING),
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
    return HomePage(
        path=HOME_PATH,
        title="Overview",
        intro=settings.description,
        tables={"experiments": experiments, "other": other},
        links={"runs": relative_url(HOME_PATH, RUNS_PATH)},
        notes=_build_notes(latest_build),
    )


def _build_notes(latest_build: BuildRecord | None, experiment: str | None = None) -> dict[str, str]:
    """The banner of a failed latest build (``experiment``: only its failures), if any."""
    if latest_build is None:
        return {}
    banner = failed_build_banner(latest_build, experiment=experiment)
    return {"build_failed": banner} if banner else {}


def experiment_page(
    result: ExperimentResult,
    with_pages: set[str] | None = None,
    *,
    has_scaling: bool = False,
    with_fairness: set[str] | None = None,
    latest_build: BuildRecord | None = None,
    hyperparameters: tuple[ModelHyperparameters, ...] = (),
) -> ExperimentPage:
    """An experiment's page; ``with_pages``: the models that have a page of their own;
    ``with_fairness``: those with a fairness report; ``latest_build``: the build whose
    failures of this experiment its banner names; ``hyperparameters``: each model's
    search through its params."""
    path = experiment_path(result.name)
    links = {
        "runs": relative_url(path, runs_table_path(mlreport_group(result.name))),
        "all_runs": relative_url(path, RUNS_PATH),
        "home": relative_url(path, HOME_PATH),
    }
    if has_scaling:
        links["scaling"] = relative_url(path, scaling_path(result.name))
    if with_fairness:
        links["fairness"] = relative_url(path, fairness_overview_path(result.name))
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
    return ExperimentPage(
        path=path,
        title=result.name,
        intro=result.description,
        tables={
            "models": models,
            "leaderboard": leaderboard_table(result),
            **({"failures": failures_table(result)} if result.failures else {}),
        },
        charts=_present(
            {
                "scores": score_vs_fit_time(result, chart_id="chart-scores"),
                "progress": score_by_calls(result, chart_id="chart-progress"),
            }
        ),
        hyperparameters=tuple(
            hyperparameter_section(view, chart_id=f"chart-params-{number}")
            for number, view in enumerate(hyperparameters)
        ),
        links=links,
        facts=(
            ("Primary metric", primary),
            ("Scoring", ", ".join(result.scorers)),
            *_data_rows_fact(result),
        ),
        notes=_build_notes(latest_build, result.name),
    )


def hyperparameter_section(view: ModelHyperparameters, *, chart_id: str) -> HyperparameterSection:
    """One model's hyperparameter views."""
    note = (
        f"Importance by {IMPORTANCE_METHOD} of the {len(view.scored):,} scored trials: the "
        f"share of the {view.primary} score's variance each param explains, alone."
        if view.importances
        else view.importance_note
    )
    return HyperparameterSection(
        model=view.model,
        importance=param_importance_chart(view, chart_id=f"{chart_id}-importance"),
        importance_note=note,
        parallel=parallel_coordinates_chart(view, chart_id=f"{chart_id}-parallel"),
        by_param=tuple(score_by_param_charts(view, chart_id=f"{chart_id}-by")),
        history=tuple(optimisation_history_charts(view, chart_id=f"{chart_id}-history")),
    )


def failures_table(result: ExperimentResult) -> Table:
    """The failed searches and trials of each model, trials sharing an error in one row."""
    rows = []
    for group in result.failures:
        params = " | ".join(fmt.params(p) or "(fixed params only)" for p in group.params)
        rows.append(
            (
                Cell(group.model),
                Cell(group.kind),
                _count_cell(group.count),
                _long_text_cell(params),
                _long_text_cell(group.error or NO_ERROR),
            )
        )
    return Table(
        table_id="failures",
        columns=(
            Column("Model"),
            Column("Failed"),
            Column("Count", numeric=True),
            Column("Params"),
            Column("Error"),
        ),
        rows=tuple(rows),
        empty_text="Nothing failed.",
    )


def _data_rows_fact(result: ExperimentResult) -> tuple[tuple[str, str], ...]:
    """The data file's rows, with those dropped before the split (none for generated data)."""
    if not result.rows_read:
        return ()
    return (("Data", rows_used(result.rows_read, result.rows_dropped, result.drop_reason)),)


def scaling_page(result: ExperimentResult, scalings: list[ModelScaling]) -> ScalingPage:
    """An experiment's training-time scaling: curves, fitted exponents, speedup, verdicts."""
    path = scaling_path(result.name)
    rows = []
    for scaling in scalings:
        verdict = scaling.verdict
        time_fit, memory_fit = scaling.time_fit, scaling.memory_fit
        rows.append(
            (
                Cell(scaling.model),
                Cell(_size_range(scaling)),
                Cell(
                    _exponent(time_fit),
                    sort=fmt.sort_value(time_fit.exponent if time_fit else math.nan),
                ),
                _score_cell(time_fit.r_squared if time_fit else math.nan),
                Cell(
                    _exponent(memory_fit),
                    sort=fmt.sort_value(memory_fit.exponent if memory_fit else math.nan),
                ),
                Cell(
                    fmt.seconds(verdict.estimated_fit_time_s) if verdict else fmt.MISSING,
                    sort=fmt.sort_value(verdict.estimated_fit_time_s if verdict else math.nan),
                ),
                Cell(
                    fmt.byte_size(verdict.estimated_peak_memory_bytes) if verdict else fmt.MISSING,
                    sort=fmt.sort_value(
                        verdict.estimated_peak_memory_bytes if verdict else math.nan
                    ),
                ),
                Cell(
                    fmt.seconds(verdict.estimated_search_time_s) if verdict else fmt.MISSING,
                    sort=fmt.sort_value(verdict.estimated_search_time_s if verdict else math.nan),
                ),
                Cell(route_label(verdict.route) if verdict else scaling.problem or fmt.MISSING),
            )
        )
    table = Table(
        table_id="scaling",
        columns=(
            Column("Model"),
            Column("Rows measured"),
            Column("Time exponent (95%)", numeric=True),
            Column("R² (log-log)", numeric=True),
            Column("Memory exponent (95%)", numeric=True),
            Column("Fit time at target", numeric=True),
            Column("Peak memory at target", numeric=True),
            Column("Search time at target", numeric=True),
            Column("Verdict"),
        ),
        rows=tuple(rows),
    )
    parallel = Table(
        table_id="parallel",
        columns=(
            Column("Model"),
            Column("Workers", numeric=True),
            Column("Search wall time", numeric=True),
            Column("Speedup", numeric=True),
            Column("Efficiency", numeric=True),
        ),
        rows=tuple(
            (
                Cell(scaling.model),
                _count_cell(point.workers),
                Cell(fmt.seconds(point.wall_time_s), sort=fmt.sort_value(point.wall_time_s)),
                Cell(f"{point.speedup:.2f}x", sort=fmt.sort_value(point.speedup)),
                Cell(fmt.percent(point.efficiency), sort=fmt.sort_value(point.efficiency)),
            )
            for scaling in scalings
            for point in scaling.parallel
        ),
        empty_text="Search time against workers was not measured: list worker counts "
        "under scaling.workers in the experiment file (incremental searches are not timed "
        "against workers).",
    )
    first = scalings[0]
    machine = (
        f"{first.cores} cores, {fmt.byte_size(first.memory_bytes)} of memory"
        if first.memory_bytes
        else fmt.MISSING
    )
    return ScalingPage(
        path=path,
        title=f"{result.name} · scaling",
        intro="Will training need to scale, and how? Each model's best params were fitted "
        "on growing seeded samples of the training rows; power laws fitted to the fit "
        "time and peak memory extrapolate to the target size and are compared with the "
        "machine that measured them.",
        tables={"scaling": table, "parallel": parallel},
        charts=_present(
            {
                "time": scaling_chart(scalings, measure="time", chart_id="chart-scaling-time"),
                "memory": scaling_chart(
                    scalings, measure="memory", chart_id="chart-scaling-memory"
                ),
                "speedup": speedup_chart(scalings, chart_id="chart-speedup"),
            }
        ),
        links={"experiment": relative_url(path, experiment_path(result.name))},
        facts=(
            ("Target size", f"{first.target_rows:,} rows" if first.target_rows else fmt.MISSING),
            ("Training rows", f"{first.train_rows:,}"),
            ("Measured on", machine),
        ),
        verdicts=tuple((scaling.model, scaling_sentences(scaling)) for scaling in scalings),
    )


def _exponent(fit: PowerLawFit | None) -> str:
    if fit is None:
        return fmt.MISSING
    low, high = fit.exponent_interval
    interval = f" ({low:.2f} to {high:.2f})" if math.isfinite(low) else ""
    return f"{fit.exponent:.2f}{interval}"


def _size_range(scaling: ModelScaling) -> str:
    sizes = sorted({rows for rows, _, _ in scaling.fits})
    if not sizes:
        return fmt.MISSING
    return f"{sizes[0]:,} to {sizes[-1]:,} ({len(sizes)} sizes)"


def leaderboard_table(result: ExperimentResult) -> Table:
    """Every trial of the latest search of every model, best score first.

    Grid and random searches give mean CV scores (± their std over folds); incremental
    searches give the validation score after the trial's last partial_fit call.
    """
    primary = result.primary_metric
    others = [s for s in result.scorers if s != primary]
    page = experiment_path(result.name)
    group = mlreport_group(result.name)
    rows = []
    refs = []
    for position, trial in enumerate(ranked_trials(result), start=1):
        ref = run_ref(group, trial.run_id)
        refs.append(ref)
        score = trial.score(primary)
        spread = "" if math.isnan(trial.score_std) else f" ± {fmt.score(trial.score_std)}"
        rows.append(
            (
                _count_cell(position),
                Cell(trial.model),
                Cell(
                    trial.run_name.removeprefix(f"{trial.model} ") or trial.run_id,
                    href=run_view_url(page, ref),
                    tooltip=trial.run_name or None,
                ),
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
            Column("Run"),
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
        row_runs=tuple(refs),
        compare_url=relative_url(page, COMPARE_PATH),
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


def _long_text_cell(value: str, limit: int = 200) -> Cell:
    """Text cut to ``limit`` characters, whole in the tooltip when cut."""
    return Cell(fmt.truncate(value, limit), tooltip=value if len(value) > limit else None)


def _model_row(model: ModelResult, primary: str, *, href: str | None) -> tuple[Cell, ...]:
    params = fmt.params(model.best_params)
    status = model.search_status + (f": {model.search_error}" if model.search_error else "")
    return (
        Cell(model_label(model), href=href, tooltip=model_origin(model) or None),
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
