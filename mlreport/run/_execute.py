"""Run experiments: skip unchanged models, search on dask, log everything to MLflow."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from rich.progress import Progress
from sklearn.metrics import get_scorer

from mlreport import schema
from mlreport._git import git_commit
from mlreport.config import ExperimentSpec, ModelSpec
from mlreport.errors import MlreportError, StoreUnavailableError, describe
from mlreport.run._cluster import dask_client
from mlreport.run._data import (
    ChunkedData,
    ExperimentData,
    RowCount,
    TestSet,
    is_chunked,
    load_chunked_data,
    load_data,
)
from mlreport.run._fingerprint import data_digest, model_fingerprint
from mlreport.run._guard import reported_errors
from mlreport.run._incremental import (
    best_pipeline,
    build_incremental_search,
    incremental_trials,
    prepare_arrays,
)
from mlreport.run._scaling import (
    Measurement,
    measure_fit_scaling,
    measure_partial_fit_scaling,
    measure_search_scaling,
    measurements_frame,
    this_machine,
)
from mlreport.run._search import build_search, fit_candidate
from mlreport.run._stale import gone_reason, interrupt_reason, process_tags
from mlreport.run._trials import (
    ALL_TRIALS_FAILED,
    TRIAL_FAILED,
    TrialResult,
    best_trial,
    failure_reason,
    trial_results,
)
from mlreport.run.tracking import FinishedRun, RunRecord, Tracker, now_ms

Status = Literal["ran", "skipped", "failed"]


@dataclass(frozen=True)
class ModelOutcome:
    """What happened to one model of one experiment."""

    experiment: str
    model: str
    status: Status
    trials: int = 0
    failed_trials: int = 0
    primary_metric: str = ""
    best_score: float | None = None  # of the primary metric: mean CV or validation
    error: str = ""
    rows: RowCount = field(default_factory=RowCount)  # of the data file: read, dropped


@dataclass(frozen=True)
class RunSummary:
    outcomes: tuple[ModelOutcome, ...]
    #: runs left RUNNING by mlreport processes that are gone, closed as KILLED by this run
    closed_stale: int = 0

    def with_status(self, status: Status) -> list[ModelOutcome]:
        return [o for o in self.outcomes if o.status == status]


def run_experiments(
    specs: Sequence[ExperimentSpec],
    *,
    tracking_uri: str,
    scheduler: str | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> RunSummary:
    """Search every model whose configuration or data changed since its last finished run.

    An experiment's settings (description, fairness) reach MLflow only once its data is
    loaded and passed its checks: an experiment whose data fails writes nothing.
    """
    tracker = Tracker(tracking_uri)
    closed_stale = close_stale_runs(tracker)
    plan: list[tuple[ExperimentSpec, list[tuple[ModelSpec, str]]]] = []
    outcomes: list[ModelOutcome] = []
    for spec in specs:
        digest = data_digest(spec)
        existing = tracker.existing_experiment(spec.name)
        current = {} if force or existing is None else tracker.current_fingerprints(existing[0])
        pending = []
        for model in spec.models:
            fingerprint = model_fingerprint(spec, model, data_digest=digest)
            if current.get(model.name) == fingerprint:
                outcomes.append(ModelOutcome(spec.name, model.name, "skipped"))
            else:
                pending.append((model, fingerprint))
        if pending:
            plan.append((spec, pending))
        else:  # every model ran on this data and data spec, which passed the checks then
            _experiment_settings(tracker, spec)
    if not plan:
        return RunSummary(tuple(outcomes), closed_stale)
    where = process_tags()
    commit = git_commit(Path.cwd())
    with dask_client(scheduler) as client:
        for spec, pending in plan:
            try:
                data = load_chunked_data(spec) if is_chunked(spec) else load_data(spec)
            except Exception as exc:  # one experiment's bad data must not stop the others
                outcomes.extend(
                    ModelOutcome(spec.name, m.name, "failed", error=describe(exc))
                    for m, _ in pending
                )
                continue
            experiment_id = _experiment_settings(tracker, spec)
            for model, fingerprint in pending:
                runner = _ModelRun(tracker, spec, model, data, experiment_id, client)
                outcomes.append(
                    runner.execute(
                        tags={**_base_tags(spec, model, fingerprint, commit), **where},
                        progress=progress,
                    )
                )
    order = {
        (s.name, m.name): i for i, (s, m) in enumerate((s, m) for s in specs for m in s.models)
    }
    return RunSummary(
        tuple(sorted(outcomes, key=lambda o: order[(o.experiment, o.model)])), closed_stale
    )


def close_stale_runs(tracker: Tracker) -> int:
    """Close as KILLED, with the reason, every mlreport run of this host left RUNNING by
    a process that is gone; how many."""
    closed = 0
    for run_id, tags in tracker.running_runs():
        reason = gone_reason(tags)
        if reason is not None:
            tracker.kill(run_id, reason=reason)
            closed += 1
    return closed


def _experiment_settings(tracker: Tracker, spec: ExperimentSpec) -> str:
    """The id of the spec's MLflow experiment, created as needed, with the spec's
    description and fairness settings as its tags."""
    fairness = spec.fairness_settings()
    return tracker.experiment_id(
        spec.name,
        description=spec.description.strip(),
        tags={schema.TAG_FAIRNESS: "" if fairness is None else fairness.to_json()},
    )


def _base_tags(
    spec: ExperimentSpec, model: ModelSpec, fingerprint: str, commit: str
) -> dict[str, str]:
    tags = {
        schema.TAG_EXPERIMENT: spec.name,
        schema.TAG_MODEL: model.name,
        schema.TAG_CONFIG_HASH: fingerprint,
        schema.TAG_PRIMARY_METRIC: spec.primary,
        schema.TAG_ESTIMATOR: model.estimator,
        schema.TAG_STRATEGY: model.search.strategy,
    }
    if commit:
        tags[schema.TAG_GIT_COMMIT] = commit
    return tags


@dataclass(frozen=True)
class _SearchOutcome:
    """What every strategy hands back: its trials, the best one and its fitted model."""

    trials: list[TrialResult]
    best: TrialResult | None  # None when every trial failed
    estimator: Any
    wall_time_s: float
    prepared: Any = None  # an incremental search's preprocessed training arrays


@dataclass
class _ModelRun:
    tracker: Tracker
    spec: ExperimentSpec
    model: ModelSpec
    data: ExperimentData | ChunkedData
    experiment_id: str
    client: Any

    def execute(self, *, tags: dict[str, str], progress: Progress | None) -> ModelOutcome:
        label = f"{self.spec.name} / {self.model.name}"
        search_spec = self.model.search
        task = None
        if progress is not None:
            what = "partial_fit" if search_spec.incremental else f"{search_spec.folds} folds"
            task = progress.add_task(
                f"{label}: {search_spec.candidate_count} candidates, {what}",
                total=None if search_spec.incremental else self._fits,
            )

        def report(done: int) -> None:
            if progress is not None and task is not None:
                progress.update(task, completed=done)

        start = now_ms()
        parent = self.tracker.start_run(
            self.experiment_id,
            name=f"{self.model.name} search",
            tags={**tags, **self.data.rows.tags(), schema.TAG_ROLE: schema.ROLE_SEARCH},
            start_time=start,
        )
        try:
            self._log_search_settings(parent)
            if search_spec.incremental:
                outcome = self._incremental_search(start=start)
            else:
                outcome = self._cv_search(on_fit_done=report)
            if progress is not None and task is not None:
                progress.update(task, description=f"{label}: logging trials")
            background = ThreadPoolExecutor(1, thread_name_prefix="mlreport-test-split")
            try:
                # the cluster computes the test split while this process logs the trials
                test = background.submit(self.data.test) if outcome.best is not None else None
                self.tracker.log_finished_runs(
                    self.experiment_id,
                    [
                        self._trial_run(trial, parent=parent, tags=tags, start=start)
                        for trial in outcome.trials
                    ],
                )
                if outcome.best is None or test is None:
                    raise MlreportError(ALL_TRIALS_FAILED)
                if progress is not None and task is not None:
                    progress.update(task, description=f"{label}: scoring and explaining")
                best_tags = {**tags, **self.data.rows.tags()}
                self._log_best(outcome, outcome.best, test.result(), parent=parent, tags=best_tags)
            finally:
                background.shutdown(wait=False, cancel_futures=True)
            if self.model in self.spec.scaled_models():

                def step(what: str) -> None:
                    if progress is not None and task is not None:
                        progress.update(task, description=f"{label}: scaling, {what}")

                self._measure_scaling(outcome, outcome.best, parent=parent, tags=tags, step=step)
            self.tracker.log(
                parent, RunRecord(metrics={schema.METRIC_SEARCH_TIME: outcome.wall_time_s})
            )
            self.tracker.finish(parent)
        except KeyboardInterrupt as exc:
            self.tracker.kill(parent, reason=interrupt_reason(exc))
            raise
        except StoreUnavailableError:  # no later write would do: the next run closes it
            raise
        except Exception as exc:
            message = describe(exc)
            self.tracker.log(parent, RunRecord(tags={schema.TAG_ERROR: message}))
            self.tracker.finish(parent, status="FAILED")
            if progress is not None and task is not None:
                progress.update(task, description=f"{label}: [red]failed[/red]")
            return ModelOutcome(self.spec.name, self.model.name, "failed", error=message)
        if progress is not None and task is not None:
            progress.update(task, description=f"{label}: done")
        return ModelOutcome(
            self.spec.name,
            self.model.name,
            "ran",
            trials=len(outcome.trials),
            failed_trials=sum(t.failed for t in outcome.trials),
            primary_metric=self.spec.primary,
            best_score=outcome.best.metrics[self._score_key],
            rows=self.data.rows,
        )

    @property
    def _fits(self) -> int:
        return self.model.search.candidate_count * self.model.search.folds

    @property
    def _score_key(self) -> str:
        """The metric that ranks this model's trials."""
        template = schema.VAL_SCORE if self.model.search.incremental else schema.CV_MEAN
        return template.format(scorer=self.spec.primary)

    def _cv_search(self, *, on_fit_done: Callable[[int], None]) -> _SearchOutcome:
        """Grid or random search: cross-validate every candidate, refit the best."""
        data = self.data
        assert isinstance(data, ExperimentData)
        categorical = list(data.categorical)
        numeric = [c for c in data.X_train.columns if c not in categorical]
        search = build_search(
            self.spec, self.model, numeric=numeric, categorical=categorical, scheduler=self.client
        )
        started = time.monotonic()
        _in_background(
            lambda: search.fit(data.X_train, data.y_train),
            while_waiting=lambda: on_fit_done(_scored_fits(self.client)),
        )
        wall_time_s = time.monotonic() - started
        on_fit_done(self._fits)
        trials = [
            replace(
                trial,
                error=failure_reason(search.estimator, trial.params, data.X_train, data.y_train),
            )
            if trial.failed
            else trial
            for trial in trial_results(
                search.cv_results_,
                scoring=list(self.spec.scoring),
                primary=self.spec.primary,
                folds=self.model.search.folds,
            )
        ]
        if all(trial.failed for trial in trials):
            return _SearchOutcome(trials, None, None, wall_time_s)
        best = best_trial(trials, key=self._score_key)
        estimator = self.client.submit(
            fit_candidate, search.estimator, best.params, data.X_train, data.y_train, pure=False
        ).result()
        return _SearchOutcome(trials, best, estimator, wall_time_s)

    def _incremental_search(self, *, start: int) -> _SearchOutcome:
        """Incremental, Hyperband or successive halving: partial_fit on blocks, stop early."""
        prepared = prepare_arrays(self.model, self.data)
        topic = f"mlreport-trial-errors-{uuid.uuid4().hex}"
        search = build_incremental_search(self.spec, self.model, topic=topic)
        started = time.monotonic()
        search.fit(prepared.X_train, prepared.y_train, classes=list(range(len(prepared.classes))))
        wall_time_s = time.monotonic() - started
        errors = reported_errors(self.client, topic)
        trials = incremental_trials(search, primary=self.spec.primary, errors=errors)
        chosen = trials[int(search.best_index_)]
        if chosen.failed:  # dask-ml picks by score; a failed candidate only wins if all failed
            return _SearchOutcome(trials, None, None, wall_time_s)
        estimator = best_pipeline(search, prepared.preprocess)
        return _SearchOutcome(trials, chosen, estimator, wall_time_s, prepared)

    def _log_search_settings(self, parent: str) -> None:
        search = self.model.search
        space = {k: v if isinstance(v, list) else v.model_dump() for k, v in search.space.items()}
        options = search.model_dump(exclude={"strategy", "space"}, exclude_none=True)
        params = {
            "estimator": self.model.estimator,
            "strategy": search.strategy,
            "n_candidates": str(search.candidate_count),
            "scoring": ",".join(self.spec.scoring),
            "primary_metric": self.spec.primary,
            schema.PARAM_SEARCH_SPACE: json.dumps(space, sort_keys=True),
            "test_size": str(self.spec.split.test_size),
            "seed": str(self.spec.seed),
            **{name: str(value) for name, value in options.items()},
        }
        if not search.incremental:
            params["cv"] = str(search.folds)
        self.tracker.log(parent, RunRecord(params=params))
        if self.spec.source_file is not None:
            self.tracker.log_text(
                parent, self.spec.source_file.read_text(encoding="utf-8"), schema.SPEC_ARTIFACT
            )

    def _trial_run(
        self, trial: TrialResult, *, parent: str, tags: dict[str, str], start: int
    ) -> FinishedRun:
        """A child run per candidate; it lasts the fit and score time the candidate used."""
        trial_tags = {
            **tags,
            **trial.tags,
            schema.TAG_ROLE: schema.ROLE_TRIAL,
            schema.TAG_TRIAL_INDEX: str(trial.index),
        }
        if trial.failed:
            trial_tags[schema.TAG_ERROR] = trial.error or TRIAL_FAILED
            trial_tags.setdefault(schema.TAG_STOP_REASON, schema.STOP_FAILED)
        history = {
            key: [(step, value, start + int(elapsed * 1000)) for step, value, elapsed in points]
            for key, points in trial.history.items()
        }
        return FinishedRun(
            name=f"{self.model.name} trial {trial.index}",
            tags=trial_tags,
            record=RunRecord(
                params={**self.model.params, **trial.params},
                metrics=trial.metrics,
                history=history,
            ),
            start_time=start,
            end_time=start + int(trial.compute_s * 1000),
            status="FAILED" if trial.failed else "FINISHED",
            parent_run_id=parent,
        )

    def _log_best(
        self,
        outcome: _SearchOutcome,
        best: TrialResult,
        test: TestSet,
        *,
        parent: str,
        tags: dict[str, str],
    ) -> None:
        run_id = self.tracker.start_run(
            self.experiment_id,
            name=f"{self.model.name} best",
            tags={**tags, schema.TAG_ROLE: schema.ROLE_BEST},
            parent_run_id=parent,
        )
        try:
            metrics = {
                schema.TEST_METRIC.format(scorer=scorer): float(
                    get_scorer(scorer)(outcome.estimator, test.X, test.y)
                )
                for scorer in self.spec.scoring
            }
            metrics[self._score_key] = best.metrics[self._score_key]
            params = {**self.model.params, **best.params}
            self.tracker.log(run_id, RunRecord(params=params, metrics=metrics))
            self.tracker.log_frame(
                run_id, predictions_frame(outcome.estimator, test), schema.PREDICTIONS_ARTIFACT
            )
            if self.spec.explain.enabled:
                self._log_explanation(run_id, outcome.estimator, test)
            self.tracker.log_sklearn_model(run_id, outcome.estimator)
        except KeyboardInterrupt as exc:
            self.tracker.kill(run_id, reason=interrupt_reason(exc))
            raise
        except StoreUnavailableError:
            raise
        except BaseException:  # the search run records the error; this run ends too
            self.tracker.finish(run_id, status="FAILED")
            raise
        self.tracker.finish(run_id)

    def _log_explanation(self, run_id: str, estimator: Any, test: TestSet) -> None:
        """SHAP values on a seeded sample of test rows and eli5's weights; a model that
        cannot be explained gets an error tag, and its run goes on."""
        from mlreport.analysis import explain_model

        settings = self.spec.explain
        started = time.monotonic()
        try:
            result = explain_model(
                estimator,
                test.X,
                outputs=list(test.classes) or ["prediction"],
                max_samples=settings.max_samples,
                background_size=settings.background_size,
                seed=self.spec.seed,
                y=test.y,
            )
        except Exception as exc:  # SHAP's own failures must not fail the search
            self.tracker.log(run_id, RunRecord(tags={schema.TAG_EXPLAIN_ERROR: describe(exc)}))
            return
        self.tracker.log_frame(run_id, result.explanation, schema.EXPLANATION_ARTIFACT)
        if result.weights is not None:
            self.tracker.log_frame(run_id, result.weights, schema.WEIGHTS_ARTIFACT)
        self.tracker.log(
            run_id,
            RunRecord(
                metrics={schema.METRIC_EXPLAIN_TIME: time.monotonic() - started},
                tags={
                    schema.TAG_EXPLAINER: result.explainer,
                    schema.TAG_EXPLAIN_SPACE: result.output_space,
                    schema.TAG_WEIGHTS_KIND: result.weights_kind,
                },
            ),
        )

    def _measure_scaling(
        self,
        outcome: _SearchOutcome,
        best: TrialResult,
        *,
        parent: str,
        tags: dict[str, str],
        step: Callable[[str], None],
    ) -> None:
        """A scaling run: fit time and memory against rows, search time against workers.

        A failure is recorded on the scaling run (FAILED, with its error); the model's
        search stands.
        """
        assert self.spec.scaling is not None
        settings = self.spec.scaling
        run_id = self.tracker.start_run(
            self.experiment_id,
            name=f"{self.model.name} scaling",
            tags={**tags, schema.TAG_ROLE: schema.ROLE_SCALING},
            parent_run_id=parent,
        )
        measurements: list[Measurement] = []
        try:
            rows = (
                int(sum(outcome.prepared.X_train.chunks[0]))
                if outcome.prepared is not None
                else len(self.data.X_train)
            )
            # where the fits run: a worker of the cluster (or this process, incremental)
            machine = (
                this_machine()
                if outcome.prepared is not None
                else self.client.submit(this_machine, pure=False).result()
            )
            params = {
                "train_rows": str(rows),
                "target_rows": str(settings.target_rows or rows * 100),
                "time_budget_s": str(settings.time_budget_s),
                "fits_in_search": f"{self._fits_in_search(outcome):.6g}",
                "has_partial_fit": str(hasattr(outcome.estimator[-1], "partial_fit")),
                "machine_cores": str(machine.cores),
                "machine_memory_bytes": str(machine.memory_bytes),
                "sample_fractions": ",".join(str(f) for f in settings.sample_fractions),
                "workers": ",".join(str(w) for w in settings.workers),
            }
            self.tracker.log(run_id, RunRecord(params=params))
            if outcome.prepared is not None:
                estimator = outcome.estimator.named_steps["model"]
                measurements = measure_partial_fit_scaling(
                    self.spec,
                    estimator,
                    outcome.prepared.X_train,
                    outcome.prepared.y_train,
                    classes=list(range(len(outcome.prepared.classes))),
                    on_step=step,
                )
            else:
                assert isinstance(self.data, ExperimentData)
                measurements = measure_fit_scaling(
                    self.spec, self.model, self.data, best.params, client=self.client, on_step=step
                )
                if settings.workers:
                    measurements += measure_search_scaling(
                        self.spec, self.model, self.data, on_step=step
                    )
            self.tracker.log_frame(
                run_id, measurements_frame(measurements), schema.SCALING_ARTIFACT
            )
            self.tracker.finish(run_id)
        except KeyboardInterrupt as exc:
            self.tracker.kill(run_id, reason=interrupt_reason(exc))
            raise
        except StoreUnavailableError:
            raise
        except Exception as exc:  # what was measured before the failure is kept
            if measurements:
                self.tracker.log_frame(
                    run_id, measurements_frame(measurements), schema.SCALING_ARTIFACT
                )
            self.tracker.log(run_id, RunRecord(tags={schema.TAG_ERROR: describe(exc)}))
            self.tracker.finish(run_id, status="FAILED")

    def _fits_in_search(self, outcome: _SearchOutcome) -> float:
        """The search's work in full fits: candidates x folds plus the refit, or its
        partial_fit calls in passes over the training blocks."""
        if outcome.prepared is None:
            return float(self._fits + 1)
        calls = sum(t.metrics.get(schema.METRIC_PARTIAL_FIT_CALLS, 0.0) for t in outcome.trials)
        return calls / max(1, len(outcome.prepared.X_train.chunks[0]))


def _in_background(work: Callable[[], Any], *, while_waiting: Callable[[], None]) -> None:
    """Run ``work`` in a thread, calling ``while_waiting`` twice a second until it ends."""
    failure: list[BaseException] = []

    def target() -> None:
        try:
            work()
        except BaseException as exc:
            failure.append(exc)

    worker = threading.Thread(target=target, name="mlreport-search", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(timeout=0.5)
        while_waiting()
    if failure:
        raise failure[0]


def predictions_frame(estimator: Any, test: TestSet) -> pd.DataFrame:
    """Test-set predictions with labels, class scores and sensitive features.

    Regression (no classes): ``y_true`` and ``y_pred`` as numbers. Classification: the
    labels, and ``proba_<label>`` per class, else ``decision_score_<label>`` (for a
    binary decision function, one column named after the positive class).
    """
    if not test.classes:
        frame = pd.DataFrame(
            {
                "y_true": np.asarray(test.y, dtype=np.float64),
                "y_pred": np.asarray(estimator.predict(test.X), dtype=np.float64),
            }
        )
        return _with_sensitive(frame, test)
    classes = np.asarray(test.classes, dtype=object)
    frame = pd.DataFrame(
        {
            "y_true": classes[test.y],
            "y_pred": classes[np.asarray(estimator.predict(test.X), dtype=np.int64)],
        }
    )
    if hasattr(estimator, "predict_proba"):
        proba = estimator.predict_proba(test.X)
        for column, label in enumerate(test.classes):
            frame[f"proba_{label}"] = proba[:, column]
    elif hasattr(estimator, "decision_function"):
        scores = np.asarray(estimator.decision_function(test.X))
        if scores.ndim == 1:  # the margin of the second (positive) class
            frame[f"decision_score_{test.classes[-1]}"] = scores
        else:
            for column, label in enumerate(test.classes):
                frame[f"decision_score_{label}"] = scores[:, column]
    return _with_sensitive(frame, test)


def _with_sensitive(frame: pd.DataFrame, test: TestSet) -> pd.DataFrame:
    for name in test.sensitive.columns:
        frame[schema.SENSITIVE_PREFIX + name] = test.sensitive[name].to_numpy()
    return frame


def _scored_fits(client: Any) -> int:
    """CV fits scored so far: dask-ml asks the client for one ``...-score-...`` key per fit."""
    return sum(
        1
        for key, future in list(client.futures.items())
        if "score" in str(key[0] if isinstance(key, tuple) else key) and future.status == "finished"
    )
