"""Pure functions from the exported tables to small result objects."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal, TypeVar

import pandas as pd

from mlreport import schema
from mlreport.config import FairnessSettings
from mlreport.dataset import Dataset

T = TypeVar("T")

_TAG_COLUMNS = {
    schema.TAG_EXPERIMENT: "mlreport_experiment",
    schema.TAG_MODEL: "model",
    schema.TAG_ROLE: "role",
    schema.TAG_PRIMARY_METRIC: "primary_metric",
    schema.TAG_ESTIMATOR: "estimator",
    schema.TAG_STRATEGY: "strategy",
    schema.TAG_ERROR: "error",
}


def run_table(dataset: Dataset) -> pd.DataFrame:
    """Runs with their experiment's name and mlreport's tags as columns."""
    runs = dataset["runs"]
    experiments = dataset["experiments"][["experiment_id", "name"]].rename(
        columns={"name": "experiment_name"}
    )
    tags = dataset["tags"]
    wanted = tags[tags["key"].isin(list(_TAG_COLUMNS))]
    table = runs.merge(experiments, on="experiment_id", how="left")
    for key, column in _TAG_COLUMNS.items():
        values = wanted[wanted["key"] == key].set_index("run_id")["value"]
        table[column] = table["run_id"].map(values)
    return table.sort_values(["experiment_name", "start_time", "run_id"], kind="stable")


@dataclass(frozen=True)
class Trial:
    """One candidate of a search, as shown on a leaderboard."""

    run_id: str
    run_name: str
    model: str
    status: str
    params: tuple[tuple[str, str], ...]
    #: scorer -> mean CV score (grid/random) or last validation score (incremental searches)
    scores: tuple[tuple[str, float], ...]
    score_std: float  # std of the primary CV score over folds; NaN for validation scores
    fit_time_s: float  # mean per fold (CV), or all partial_fit calls together (incremental)
    rank_in_model: float
    partial_fit_calls: float = math.nan
    stop_reason: str = ""
    bracket: str = ""
    #: incremental searches: (partial_fit calls, validation score of the primary metric,
    #: seconds since the search started) each time the trial was scored
    history: tuple[tuple[int, float, float], ...] = ()
    error: str = ""  # why a failed trial failed, as logged
    #: the trial's place in its search (its logged index, else its start order), from 0
    order: int = 0
    #: seconds from the search's start to the trial's last score (NaN: not known)
    elapsed_s: float = math.nan

    @property
    def failed(self) -> bool:
        return self.status == "FAILED"

    def score(self, scorer: str) -> float:
        """The trial's score of ``scorer``, NaN when it has none."""
        return dict(self.scores).get(scorer, math.nan)


@dataclass(frozen=True)
class ScalingRun:
    """A model's scaling run: its measurements are ``Dataset.scaling[run_id]``."""

    run_id: str
    status: str
    error: str
    params: tuple[tuple[str, str], ...]

    def param(self, name: str, default: str = "") -> str:
        return dict(self.params).get(name, default)


#: Run statuses of a search that did not finish: it failed, or it was stopped.
FAILED_STATUSES = ("FAILED", "KILLED")


@dataclass(frozen=True)
class FailedSearch:
    """A model's latest search, which failed after the search its pages show."""

    run_id: str
    status: str  # FAILED or KILLED
    error: str
    trials: tuple[Trial, ...]


@dataclass(frozen=True)
class FailureGroup:
    """Failures of one model that share one error: its search, or some of its trials."""

    model: str
    kind: Literal["search", "trial"]
    error: str  # "" when none was logged
    #: the failed trials' params (as the leaderboard shows them); () for a search
    params: tuple[tuple[tuple[str, str], ...], ...] = ()

    @property
    def count(self) -> int:
        return len(self.params) if self.kind == "trial" else 1


@dataclass(frozen=True)
class ModelResult:
    """The latest search of one model family in one experiment that finished (else its
    latest search), and a failed search after it."""

    name: str
    estimator: str
    strategy: str
    search_run_id: str
    search_status: str
    search_error: str
    search_wall_time_s: float
    best_run_id: str | None
    best_params: tuple[tuple[str, str], ...]
    best_score: float  # the best trial's score of the primary metric (CV or validation)
    test_scores: tuple[tuple[str, float], ...]
    trials: tuple[Trial, ...]
    #: the search space as logged with the search (JSON of the experiment file's
    #: ``search.space``); "" for searches logged without one
    search_space: str = ""
    explainer: str = ""  # the SHAP explainer of the best model, "" if not explained
    explain_error: str = ""
    explain_space: str = ""  # what the SHAP values add up to: probability, log-odds, ...
    weights_kind: str = ""  # what eli5's weights are: coefficients, feature importances, ...
    explain_time_s: float = math.nan
    scaling: ScalingRun | None = None
    #: predictions made elsewhere that the user says share the experiment's test split
    same_test_split: bool = False
    #: predictions made elsewhere: their file's rows, and those dropped (why); 0 unknown
    rows_read: int = 0
    rows_dropped: int = 0
    drop_reason: str = ""

    @property
    def external(self) -> bool:
        """Whether these are predictions made elsewhere (``mlreport fairness --experiment``)."""
        return self.strategy == schema.EXTERNAL_STRATEGY

    @property
    def ranked_with_own(self) -> bool:
        """Whether the model may be ranked against mlreport's own: one of them, or
        predictions made elsewhere on the same test split."""
        return not self.external or self.same_test_split

    failed_search: FailedSearch | None = None

    @property
    def failures(self) -> tuple[FailureGroup, ...]:
        """What failed in the shown search and in a failed search after it: each search
        that failed, then its failed trials grouped by error (most first)."""
        groups: list[FailureGroup] = []
        searches = [(self.search_status, self.search_error, self.trials)]
        if self.failed_search is not None:
            failed = self.failed_search
            searches.append((failed.status, failed.error, failed.trials))
        for status, error, trials in searches:
            if status in FAILED_STATUSES:
                groups.append(FailureGroup(self.name, "search", error or status))
            by_error: dict[str, list[tuple[tuple[str, str], ...]]] = {}
            for trial in trials:
                if trial.failed:
                    by_error.setdefault(trial.error, []).append(trial.params)
            groups.extend(
                FailureGroup(self.name, "trial", error, tuple(params))
                for error, params in sorted(by_error.items(), key=lambda e: (-len(e[1]), e[0]))
            )
        return tuple(groups)

    @property
    def incremental(self) -> bool:
        """Whether trials were trained with partial_fit and scored on a validation split."""
        return self.strategy in schema.INCREMENTAL_STRATEGIES

    @property
    def failed_trials(self) -> int:
        return sum(t.status == "FAILED" for t in self.trials)

    def test_score(self, scorer: str) -> float:
        return dict(self.test_scores).get(scorer, math.nan)


@dataclass(frozen=True)
class ExperimentResult:
    """An mlreport experiment: its models' latest searches, best first (predictions made
    elsewhere on a test split of their own after the others)."""

    name: str
    experiment_id: str
    description: str
    primary_metric: str
    scorers: tuple[str, ...]
    models: tuple[ModelResult, ...]
    #: The fairness settings of the experiment file (None: defaults, per sensitive column)
    fairness: FairnessSettings | None = None
    fairness_error: str = ""  # why the settings logged with the experiment are unreadable
    #: Every MLflow experiment holding runs of this one (its pages read only these)
    experiment_ids: tuple[str, ...] = ()
    #: Rows of the data file of the latest search, those dropped before the split and why
    #: (0 rows read: generated data, or runs logged before mlreport counted them)
    rows_read: int = 0
    rows_dropped: int = 0
    drop_reason: str = ""

    @property
    def contenders(self) -> tuple[ModelResult, ...]:
        """The models that may be the best: mlreport's own and predictions made elsewhere
        on their test split; every model when the experiment holds only predictions made
        elsewhere (nothing else to compare them with)."""
        if all(m.external for m in self.models):
            return self.models
        return tuple(m for m in self.models if m.ranked_with_own)

    @property
    def best_model(self) -> ModelResult | None:
        """The contender with the highest test score of the primary metric."""
        scored = [m for m in self.contenders if not math.isnan(m.test_score(self.primary_metric))]
        return scored[0] if scored else None

    @property
    def trial_count(self) -> int:
        return sum(len(m.trials) for m in self.models)

    @property
    def failures(self) -> tuple[FailureGroup, ...]:
        """Every model's failed searches and failed trials, in the models' order."""
        return tuple(group for model in self.models for group in model.failures)


@dataclass(frozen=True)
class OtherExperiment:
    """An experiment of the store that mlreport did not create."""

    name: str
    experiment_id: str
    lifecycle_stage: str
    run_count: int


def experiment_results(dataset: Dataset) -> list[ExperimentResult]:
    """Every mlreport experiment of the export, sorted by name."""
    runs = run_table(dataset)
    metrics = _long_to_dict(dataset["metrics"], float)
    params = _long_to_dict(dataset["params"], str)
    tags = _long_to_dict(dataset["tags"], str)
    histories = _validation_histories(dataset)
    descriptions = _experiment_tag(dataset, schema.EXPERIMENT_DESCRIPTION_TAG)
    fairness_tags = _experiment_tag(dataset, schema.TAG_FAIRNESS)
    hosts = runs.groupby("mlreport_experiment")["experiment_id"].unique()
    runs = runs[runs["lifecycle_stage"] == "active"]
    searches = runs[runs["role"] == schema.ROLE_SEARCH]
    children: dict[str, list[dict[str, Any]]] = {}
    for row in records(runs):
        if isinstance(row["parent_run_id"], str):
            children.setdefault(row["parent_run_id"], []).append(row)
    results = []
    for experiment_name, group in searches.groupby("mlreport_experiment", sort=True):
        ordered = group.sort_values(["start_time", "run_id"])
        chosen = _shown_searches(ordered)
        latest = ordered[ordered["run_id"].isin([str(shown["run_id"]) for shown, _ in chosen])]
        models = []
        for shown, failed in chosen:
            model = _model_result(
                shown, children.get(str(shown["run_id"]), []), metrics, params, tags, histories
            )
            if failed is not None:
                failed_model = _model_result(
                    failed,
                    children.get(str(failed["run_id"]), []),
                    metrics,
                    params,
                    tags,
                    histories,
                )
                model = replace(
                    model,
                    failed_search=FailedSearch(
                        run_id=failed_model.search_run_id,
                        status=failed_model.search_status,
                        error=failed_model.search_error,
                        trials=failed_model.trials,
                    ),
                )
            models.append(model)
        primary = str(latest["primary_metric"].dropna().iloc[-1])
        scorers = _scorers(models, primary)
        own = any(not m.external for m in models)
        models.sort(  # predictions made elsewhere on a test split of their own come last
            key=lambda m: (
                own and not m.ranked_with_own,
                high_first(m.test_score(primary)),
                high_first(m.best_score),
                m.name,
            )
        )
        experiment_id = str(latest["experiment_id"].iloc[-1])
        fairness, fairness_error = _fairness_settings(fairness_tags.get(experiment_id))
        rows = _latest_row_counts(latest, tags)
        results.append(
            ExperimentResult(
                name=str(experiment_name),
                experiment_id=experiment_id,
                description=descriptions.get(experiment_id, ""),
                primary_metric=primary,
                scorers=scorers,
                models=tuple(models),
                fairness=fairness,
                fairness_error=fairness_error,
                experiment_ids=tuple(sorted({experiment_id, *hosts[experiment_name]})),
                rows_read=_count(rows.get(schema.TAG_ROWS_READ)),
                rows_dropped=_count(rows.get(schema.TAG_ROWS_DROPPED)),
                drop_reason=rows.get(schema.TAG_ROWS_DROPPED_REASON, ""),
            )
        )
    return results


def _latest_row_counts(searches: pd.DataFrame, tags: dict[str, dict[str, str]]) -> dict[str, str]:
    """The tags of the latest of ``searches`` that counted its data file's rows."""
    counted = [
        tags[run_id]
        for run_id in searches.sort_values(["start_time", "run_id"])["run_id"].astype(str)
        if schema.TAG_ROWS_READ in tags.get(run_id, {})
        and tags[run_id].get(schema.TAG_STRATEGY) != schema.EXTERNAL_STRATEGY  # their own file
    ]
    return counted[-1] if counted else {}


def _count(value: str | None) -> int:
    """A count logged as a tag; 0 if absent or not a number."""
    try:
        return max(int(value or 0), 0)
    except ValueError:
        return 0


def _shown_searches(
    ordered: pd.DataFrame,
) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    """Per model of an experiment's searches (oldest first): the search its pages show (its
    latest that finished, else its latest), and its latest if that failed after it. A
    failed search leaves the results of the last one that finished on the site."""
    chosen = []
    for _, rows in ordered.groupby("model", sort=True):
        searches = records(rows)
        latest = searches[-1]
        finished = [s for s in searches if s["status"] == "FINISHED"]
        shown = finished[-1] if finished else latest
        failed = latest if latest is not shown and latest["status"] in FAILED_STATUSES else None
        chosen.append((shown, failed))
    return chosen


def other_experiments(dataset: Dataset) -> list[OtherExperiment]:
    """Experiments holding no mlreport search, with their run counts."""
    runs = run_table(dataset)
    ours = set(runs.loc[runs["role"] == schema.ROLE_SEARCH, "experiment_id"])
    counts = runs.groupby("experiment_id").size()
    return [
        OtherExperiment(
            name=str(row["name"]),
            experiment_id=str(row["experiment_id"]),
            lifecycle_stage=str(row["lifecycle_stage"]),
            run_count=int(counts.get(row["experiment_id"], 0)),
        )
        for row in records(dataset["experiments"].sort_values("name"))
        if row["experiment_id"] not in ours and counts.get(row["experiment_id"], 0) > 0
    ]


def _model_result(
    search: dict[str, Any],
    children: list[dict[str, Any]],
    metrics: dict[str, dict[str, float]],
    params: dict[str, dict[str, str]],
    tags: dict[str, dict[str, str]],
    histories: dict[tuple[str, str], list[tuple[int, float, pd.Timestamp]]],
) -> ModelResult:
    search_id = str(search["run_id"])
    trial_rows = [row for row in children if row["role"] == schema.ROLE_TRIAL]
    best = [row for row in children if row["role"] == schema.ROLE_BEST]
    primary = str(search["primary_metric"])
    trial_params = {row["run_id"]: params.get(row["run_id"], {}) for row in trial_rows}
    shown = _varying_keys(list(trial_params.values()))
    trials = []
    search_start = pd.Timestamp(search["start_time"])
    for order, row in enumerate(_in_trial_order(trial_rows, tags)):
        run_id = str(row["run_id"])
        run_metrics = metrics.get(run_id, {})
        calls = run_metrics.get(schema.METRIC_PARTIAL_FIT_CALLS, math.nan)
        fit_time = run_metrics.get(schema.METRIC_FIT_TIME, math.nan)
        if not math.isnan(calls):
            fit_time = run_metrics.get(schema.METRIC_PARTIAL_FIT_TIME, math.nan) * calls
        run_tags = tags.get(run_id, {})
        history = tuple(
            (step, value, (timestamp - search_start).total_seconds())
            for step, value, timestamp in histories.get((run_id, f"val_{primary}"), [])
        )
        trials.append(
            Trial(
                run_id=run_id,
                run_name=text(row["run_name"]),
                model=text(row["model"]),
                status=str(row["status"]),
                params=tuple((k, v) for k, v in sorted(trial_params[run_id].items()) if k in shown),
                scores=_scores(run_metrics),
                score_std=run_metrics.get(schema.CV_STD.format(scorer=primary), math.nan),
                fit_time_s=fit_time,
                rank_in_model=run_metrics.get(schema.METRIC_RANK, math.nan),
                partial_fit_calls=calls,
                stop_reason=run_tags.get(schema.TAG_STOP_REASON, ""),
                bracket=run_tags.get(schema.TAG_BRACKET, ""),
                history=history,
                error=text(row["error"]),
                order=order,
                elapsed_s=history[-1][2] if history else _seconds_since(search_start, row),
            )
        )
    best_id = str(best[-1]["run_id"]) if best else None
    best_metrics = metrics.get(best_id, {}) if best_id else {}
    best_params = params.get(best_id, {}) if best_id else {}
    best_tags = tags.get(best_id, {}) if best_id else {}
    search_tags = tags.get(search_id, {})
    scaling_runs = [row for row in children if row["role"] == schema.ROLE_SCALING]
    scaling = None
    if scaling_runs:
        scaling_row = scaling_runs[-1]
        scaling_id = str(scaling_row["run_id"])
        scaling = ScalingRun(
            run_id=scaling_id,
            status=str(scaling_row["status"]),
            error=text(scaling_row["error"]),
            params=tuple(sorted(params.get(scaling_id, {}).items())),
        )
    return ModelResult(
        name=str(search["model"]),
        estimator=text(search["estimator"]),
        strategy=text(search["strategy"]),
        search_run_id=search_id,
        search_status=str(search["status"]),
        search_error=text(search["error"]),
        search_wall_time_s=metrics.get(search_id, {}).get(schema.METRIC_SEARCH_TIME, math.nan),
        best_run_id=best_id,
        best_params=tuple((k, v) for k, v in sorted(best_params.items()) if k in shown),
        best_score=dict(_scores(best_metrics)).get(primary, math.nan),
        test_scores=tuple(
            (key.removeprefix("test_"), value)
            for key, value in sorted(best_metrics.items())
            if key.startswith("test_")
        ),
        explainer=best_tags.get(schema.TAG_EXPLAINER, ""),
        explain_error=best_tags.get(schema.TAG_EXPLAIN_ERROR, ""),
        explain_space=best_tags.get(schema.TAG_EXPLAIN_SPACE, ""),
        weights_kind=best_tags.get(schema.TAG_WEIGHTS_KIND, ""),
        explain_time_s=best_metrics.get(schema.METRIC_EXPLAIN_TIME, math.nan),
        scaling=scaling,
        trials=tuple(trials),
        search_space=params.get(search_id, {}).get(schema.PARAM_SEARCH_SPACE, ""),
        same_test_split=search_tags.get(schema.TAG_SAME_TEST_SPLIT) == "true",
        **_external_rows(search_tags),
    )


def _in_trial_order(
    trial_rows: list[dict[str, Any]], tags: dict[str, dict[str, str]]
) -> list[dict[str, Any]]:
    """A search's trial runs in the order the search made them: by their logged index,
    else (runs logged without one) by start time."""

    def key(row: dict[str, Any]) -> tuple[float, Any, str]:
        index = tags.get(str(row["run_id"]), {}).get(schema.TAG_TRIAL_INDEX, "")
        start = row["start_time"]
        return (
            int(index) if index.isdigit() else math.inf,
            pd.Timestamp(0) if pd.isna(start) else pd.Timestamp(start),
            str(row["run_id"]),
        )

    return sorted(trial_rows, key=key)


def _seconds_since(start: pd.Timestamp, row: dict[str, Any]) -> float:
    """Seconds from ``start`` to the end of the run ``row`` (NaN when either is missing)."""
    end = row["end_time"]
    if pd.isna(start) or end is None or pd.isna(end):
        return math.nan
    return (pd.Timestamp(end) - start).total_seconds()


def _external_rows(search_tags: dict[str, str]) -> dict[str, Any]:
    """The row counts of predictions made elsewhere (their file's, not the experiment's)."""
    if search_tags.get(schema.TAG_STRATEGY) != schema.EXTERNAL_STRATEGY:
        return {}
    return {
        "rows_read": _count(search_tags.get(schema.TAG_ROWS_READ)),
        "rows_dropped": _count(search_tags.get(schema.TAG_ROWS_DROPPED)),
        "drop_reason": search_tags.get(schema.TAG_ROWS_DROPPED_REASON, ""),
    }


def _varying_keys(param_sets: list[dict[str, str]]) -> set[str]:
    """Params whose value differs between trials (all params if there is one trial)."""
    keys = {k for p in param_sets for k in p}
    if len(param_sets) <= 1:
        return keys
    return {k for k in keys if len({p.get(k) for p in param_sets}) > 1}


def _validation_histories(
    dataset: Dataset,
) -> dict[tuple[str, str], list[tuple[int, float, pd.Timestamp]]]:
    """(run, ``val_*`` key) -> (step, value, timestamp) sorted by step."""
    history = dataset["metric_history"]
    history = history[history["key"].str.startswith("val_")].sort_values(
        ["run_id", "key", "step", "timestamp"]
    )
    grouped: dict[tuple[str, str], list[tuple[int, float, pd.Timestamp]]] = {}
    for run_id, key, step, value, timestamp in zip(
        history["run_id"],
        history["key"],
        history["step"],
        history["value"],
        history["timestamp"],
        strict=True,
    ):
        grouped.setdefault((run_id, key), []).append((int(step), float(value), timestamp))
    return grouped


def _scores(run_metrics: dict[str, float]) -> tuple[tuple[str, float], ...]:
    """Scorer -> score from ``cv_<scorer>_mean`` or ``val_<scorer>`` metrics."""
    scores = []
    for key, value in sorted(run_metrics.items()):
        if key.startswith("cv_") and key.endswith("_mean"):
            scores.append((key.removeprefix("cv_").removesuffix("_mean"), value))
        elif key.startswith("val_"):
            scores.append((key.removeprefix("val_"), value))
    return tuple(scores)


def _scorers(models: list[ModelResult], primary: str) -> tuple[str, ...]:
    names = {name for m in models for t in m.trials for name, _ in t.scores}
    return (primary, *sorted(names - {primary}))


def _experiment_tag(dataset: Dataset, key: str) -> dict[str, str]:
    """Experiment id -> the value of one experiment tag."""
    tags = dataset["experiment_tags"]
    chosen = tags[tags["key"] == key]
    return dict(zip(chosen["experiment_id"], chosen["value"], strict=True))


def _fairness_settings(tag: str | None) -> tuple[FairnessSettings | None, str]:
    if not tag:
        return None, ""
    try:
        return FairnessSettings.from_json(tag), ""
    except ValueError as exc:
        return None, str(exc)


def _long_to_dict(frame: pd.DataFrame, cast: Callable[[Any], T]) -> dict[str, dict[str, T]]:
    result: dict[str, dict[str, T]] = {}
    columns = (frame["run_id"].tolist(), frame["key"].tolist(), frame["value"].tolist())
    for run_id, key, value in zip(*columns, strict=True):
        result.setdefault(run_id, {})[key] = cast(value)
    return result


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a frame as dicts keyed by column name."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def text(value: Any) -> str:
    """A string column's value, '' where it is missing (None or NaN)."""
    return value if isinstance(value, str) else ""


def _number(value: Any) -> float:
    return math.nan if value is None or pd.isna(value) else float(value)


def ranked_trials(result: ExperimentResult) -> list[Trial]:
    """Every trial of the experiment's latest searches, best primary score first (the
    leaderboard's order; unscored trials last)."""
    primary = result.primary_metric
    trials = [t for m in result.models for t in m.trials]
    return sorted(trials, key=lambda t: (high_first(t.score(primary)), t.model, t.run_name))


def high_first(value: float) -> float:
    """Sort key putting high scores first and NaN last."""
    return math.inf if math.isnan(value) else -value
