"""Run experiments: skip unchanged models, search on dask, log everything to MLflow."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from rich.progress import Progress
from sklearn.metrics import get_scorer

from mlreport import schema
from mlreport.config import ExperimentSpec, ModelSpec
from mlreport.errors import describe
from mlreport.run._cluster import dask_client
from mlreport.run._data import ExperimentData, load_data
from mlreport.run._fingerprint import data_digest, model_fingerprint
from mlreport.run._search import build_search, fit_candidate
from mlreport.run._trials import TrialResult, best_trial, failure_reason, trial_results
from mlreport.tracking import RunRecord, Tracker, git_commit, now_ms

Status = Literal["ran", "skipped", "failed"]


@dataclass(frozen=True)
class ModelOutcome:
    """What happened to one model of one experiment."""

    experiment: str
    model: str
    status: Status
    trials: int = 0
    failed_trials: int = 0
    best_cv_score: float | None = None
    error: str = ""


@dataclass(frozen=True)
class RunSummary:
    outcomes: tuple[ModelOutcome, ...]

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
    """Search every model whose configuration or data changed since its last finished run."""
    tracker = Tracker(tracking_uri)
    plan: list[tuple[ExperimentSpec, str, list[tuple[ModelSpec, str]]]] = []
    outcomes: list[ModelOutcome] = []
    for spec in specs:
        digest = data_digest(spec)
        experiment_id = tracker.experiment_id(spec.name, description=spec.description.strip())
        current = {} if force else tracker.current_fingerprints(experiment_id)
        pending = []
        for model in spec.models:
            fingerprint = model_fingerprint(spec, model, data_digest=digest)
            if current.get(model.name) == fingerprint:
                outcomes.append(ModelOutcome(spec.name, model.name, "skipped"))
            else:
                pending.append((model, fingerprint))
        if pending:
            plan.append((spec, experiment_id, pending))
    if not plan:
        return RunSummary(tuple(outcomes))
    commit = git_commit(Path.cwd())
    with dask_client(scheduler) as client:
        for spec, experiment_id, pending in plan:
            try:
                data = load_data(spec)
            except Exception as exc:  # one experiment's bad data must not stop the others
                outcomes.extend(
                    ModelOutcome(spec.name, m.name, "failed", error=describe(exc))
                    for m, _ in pending
                )
                continue
            for model, fingerprint in pending:
                runner = _ModelRun(tracker, spec, model, data, experiment_id, client)
                outcomes.append(
                    runner.execute(
                        tags=_base_tags(spec, model, fingerprint, commit), progress=progress
                    )
                )
    order = {
        (s.name, m.name): i for i, (s, m) in enumerate((s, m) for s in specs for m in s.models)
    }
    return RunSummary(tuple(sorted(outcomes, key=lambda o: order[(o.experiment, o.model)])))


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


@dataclass
class _ModelRun:
    tracker: Tracker
    spec: ExperimentSpec
    model: ModelSpec
    data: ExperimentData
    experiment_id: str
    client: Any

    def execute(self, *, tags: dict[str, str], progress: Progress | None) -> ModelOutcome:
        label = f"{self.spec.name} / {self.model.name}"
        search_spec = self.model.search
        fits = search_spec.candidate_count * search_spec.cv
        task = None
        if progress is not None:
            task = progress.add_task(
                f"{label}: {search_spec.candidate_count} candidates x {search_spec.cv} folds",
                total=fits,
            )
        start = now_ms()
        parent = self.tracker.start_run(
            self.experiment_id,
            name=f"{self.model.name} search",
            tags={**tags, schema.TAG_ROLE: schema.ROLE_SEARCH},
            start_time=start,
        )
        try:
            self._log_search_settings(parent)
            search = self._fit_search(
                on_fit_done=(lambda done: progress.update(task, completed=done))
                if progress is not None and task is not None
                else None
            )
            end = now_ms()
            trials = trial_results(
                search.cv_results_, scoring=list(self.spec.scoring), primary=self.spec.primary
            )
            if progress is not None and task is not None:
                progress.update(task, description=f"{label}: logging trials", completed=fits)
            for trial in trials:
                self._log_trial(trial, search.estimator, parent=parent, tags=tags, start=start)
            best = best_trial(trials, primary=self.spec.primary)
            if progress is not None and task is not None:
                progress.update(task, description=f"{label}: refitting the best candidate")
            estimator = self.client.submit(
                fit_candidate,
                search.estimator,
                best.params,
                self.data.X_train,
                self.data.y_train,
                pure=False,
            ).result()
            self._log_best(estimator, best, parent=parent, tags=tags)
            self.tracker.log(
                parent, RunRecord(metrics={schema.METRIC_SEARCH_TIME: (end - start) / 1000})
            )
            self.tracker.finish(parent)
        except KeyboardInterrupt:
            self.tracker.finish(parent, status="KILLED")
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
        primary = schema.CV_MEAN.format(scorer=self.spec.primary)
        return ModelOutcome(
            self.spec.name,
            self.model.name,
            "ran",
            trials=len(trials),
            failed_trials=sum(t.failed for t in trials),
            best_cv_score=max(
                (t.metrics[primary] for t in trials if primary in t.metrics), default=None
            ),
        )

    def _fit_search(self, *, on_fit_done: Callable[[int], None] | None) -> Any:
        """Fit the search on the cluster, reporting how many CV fits have been scored."""
        categorical = list(self.data.categorical)
        numeric = [c for c in self.data.X_train.columns if c not in categorical]
        search = build_search(
            self.spec, self.model, numeric=numeric, categorical=categorical, scheduler=self.client
        )
        failure: list[BaseException] = []

        def fit() -> None:
            try:
                search.fit(self.data.X_train, self.data.y_train)
            except BaseException as exc:
                failure.append(exc)

        worker = threading.Thread(target=fit, name="mlreport-search", daemon=True)
        worker.start()
        while worker.is_alive():
            worker.join(timeout=0.5)
            if on_fit_done is not None:
                on_fit_done(_scored_fits(self.client))
        if failure:
            raise failure[0]
        return search

    def _log_search_settings(self, parent: str) -> None:
        search = self.model.search
        space = {k: v if isinstance(v, list) else v.model_dump() for k, v in search.space.items()}
        params = {
            "estimator": self.model.estimator,
            "strategy": search.strategy,
            "cv": str(search.cv),
            "n_candidates": str(search.candidate_count),
            "scoring": ",".join(self.spec.scoring),
            "primary_metric": self.spec.primary,
            "search_space": json.dumps(space, sort_keys=True),
            "test_size": str(self.spec.split.test_size),
            "seed": str(self.spec.seed),
        }
        self.tracker.log(parent, RunRecord(params=params))
        if self.spec.source_file is not None:
            self.tracker.log_text(
                parent, self.spec.source_file.read_text(encoding="utf-8"), schema.SPEC_ARTIFACT
            )

    def _log_trial(
        self, trial: TrialResult, pipeline: Any, *, parent: str, tags: dict[str, str], start: int
    ) -> None:
        """A child run per candidate; it lasts the candidate's fit and score time over all folds."""
        trial_tags = {
            **tags,
            schema.TAG_ROLE: schema.ROLE_TRIAL,
            schema.TAG_TRIAL_INDEX: str(trial.index),
        }
        if trial.failed:
            trial_tags[schema.TAG_ERROR] = failure_reason(
                pipeline, trial.params, self.data.X_train, self.data.y_train
            )
        compute_s = (
            trial.metrics[schema.METRIC_FIT_TIME] + trial.metrics[schema.METRIC_SCORE_TIME]
        ) * self.model.search.cv
        end = start + int(compute_s * 1000)
        run_id = self.tracker.start_run(
            self.experiment_id,
            name=f"{self.model.name} trial {trial.index}",
            tags=trial_tags,
            parent_run_id=parent,
            start_time=start,
        )
        params = {**self.model.params, **trial.params}
        self.tracker.log(run_id, RunRecord(params=params, metrics=trial.metrics), timestamp=end)
        self.tracker.finish(run_id, status="FAILED" if trial.failed else "FINISHED", end_time=end)

    def _log_best(
        self, estimator: Any, best: TrialResult, *, parent: str, tags: dict[str, str]
    ) -> None:
        data = self.data
        run_id = self.tracker.start_run(
            self.experiment_id,
            name=f"{self.model.name} best",
            tags={**tags, schema.TAG_ROLE: schema.ROLE_BEST},
            parent_run_id=parent,
        )
        metrics = {
            schema.TEST_METRIC.format(scorer=scorer): float(
                get_scorer(scorer)(estimator, data.X_test, data.y_test)
            )
            for scorer in self.spec.scoring
        }
        primary = schema.CV_MEAN.format(scorer=self.spec.primary)
        metrics[primary] = best.metrics[primary]
        params = {**self.model.params, **best.params}
        self.tracker.log(run_id, RunRecord(params=params, metrics=metrics))
        self.tracker.log_frame(
            run_id, predictions_frame(estimator, data), schema.PREDICTIONS_ARTIFACT
        )
        self.tracker.log_sklearn_model(run_id, estimator)
        self.tracker.finish(run_id)


def predictions_frame(estimator: Any, data: ExperimentData) -> pd.DataFrame:
    """Test-set predictions with labels, class scores and sensitive features."""
    classes = np.asarray(data.classes, dtype=object)
    frame = pd.DataFrame(
        {
            "y_true": classes[data.y_test],
            "y_pred": classes[np.asarray(estimator.predict(data.X_test), dtype=np.int64)],
        }
    )
    if hasattr(estimator, "predict_proba"):
        proba = estimator.predict_proba(data.X_test)
        for column, label in enumerate(data.classes):
            frame[f"proba_{label}"] = proba[:, column]
    elif hasattr(estimator, "decision_function"):
        scores = np.asarray(estimator.decision_function(data.X_test))
        if scores.ndim == 1:
            frame["decision_score"] = scores
        else:
            for column, label in enumerate(data.classes):
                frame[f"decision_score_{label}"] = scores[:, column]
    for name in data.sensitive_test.columns:
        frame[f"sensitive_{name}"] = data.sensitive_test[name].to_numpy()
    return frame


def _scored_fits(client: Any) -> int:
    """CV fits scored so far: dask-ml asks the client for one ``...-score-...`` key per fit."""
    return sum(
        1
        for key, future in list(client.futures.items())
        if "score" in str(key[0] if isinstance(key, tuple) else key) and future.status == "finished"
    )
