"""The analysis stage: every result the site, ``check``, ``diff`` and the history show,
computed once per dataset and kept on disk by each experiment's content hash.

``Analysis`` reads the runs table once (``experiment_results``); the costly parts of an
experiment (fairness reports, model evaluations, scaling fits) are computed when first
asked for, then kept in memory and, with an ``AnalysisCache``, on disk under a key made of
the experiment's content digest, mlreport's code and the libraries that compute them. An
unchanged experiment is not analysed again by the next build, ``check`` or ``diff``.
"""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from mlreport._digest import code_digest, digest, library_versions
from mlreport.analysis._evaluation import ModelEvaluation, model_evaluation
from mlreport.analysis._hyperparams import ModelHyperparameters, experiment_hyperparameters
from mlreport.analysis._model_fairness import ModelFairness, experiment_fairness
from mlreport.analysis._model_scaling import ModelScaling, model_scaling
from mlreport.analysis._run_details import RunGroup, RunIndex
from mlreport.analysis._runs import (
    ExperimentResult,
    OtherExperiment,
    experiment_results,
    other_experiments,
)
from mlreport.analysis._trends import (
    BuildRecord,
    ExperimentTrend,
    build_records,
    build_trends,
    latest_build,
)
from mlreport.dataset import Dataset, experiment_digests

#: Libraries whose numbers are in the results.
ANALYSIS_LIBRARIES = (
    "fairlearn",
    "numpy",
    "optuna",
    "pandas",
    "pycm",
    "scikit-learn",
    "scipy",
)
#: Cached results not read for this long are removed by ``AnalysisCache.prune``.
CACHE_DAYS = 30
#: The layout of a cached entry; another value is an entry of another layout.
CACHE_FORMAT = "mlreport-analysis-1"

Part = TypeVar("Part")


@dataclass(frozen=True)
class ExperimentAnalysis:
    """Everything computed about one mlreport experiment."""

    result: ExperimentResult
    evaluations: dict[str, ModelEvaluation]  # model -> its best model's test evaluation
    scalings: tuple[ModelScaling, ...]
    fairness: tuple[ModelFairness, ...]


class AnalysisCache:
    """Results on disk, one file per experiment part, named by content hash. Each file
    holds ``(CACHE_FORMAT, key, result)``: anything else found under a key (a damaged,
    foreign or older file) is removed and computed again. The first result a process
    stores prunes the folder (``prune``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._pruned = False

    def _file(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pickle"

    def get(self, key: str, kind: type) -> Any | None:
        """The result of type ``kind`` stored under ``key``; None if there is none or it
        cannot be read."""
        file = self._file(key)
        try:
            with file.open("rb") as stream:
                entry = pickle.load(stream)
        except OSError:  # not cached, or a folder that cannot be read
            return None
        except Exception:  # a damaged or foreign file
            entry = None
        if not (
            isinstance(entry, tuple)
            and len(entry) == 3
            and entry[:2] == (CACHE_FORMAT, key)
            and isinstance(entry[2], kind)
        ):
            with contextlib.suppress(OSError):
                file.unlink()
            return None
        now = time.time()
        with contextlib.suppress(OSError):
            os.utime(file, (now, now))  # read recently: kept by prune
        return entry[2]

    def put(self, key: str, value: Any) -> None:
        """Store ``value`` atomically (a reader never sees half a file); a cache that
        cannot be written only costs the next run the computation."""
        if not self._pruned:
            self._pruned = True
            self.prune()
        file = self._file(key)
        partial = file.with_name(f".{file.name}.tmp-{os.getpid()}")
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            with partial.open("wb") as stream:
                pickle.dump((CACHE_FORMAT, key, value), stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(partial, file)
        except OSError:
            with contextlib.suppress(OSError):
                partial.unlink()

    def prune(self, *, days: float = CACHE_DAYS) -> None:
        """Remove results not read for ``days``, and partial files a killed process left
        more than a day ago."""
        now = time.time()
        for pattern, oldest in (("*/*.pickle", now - days * 86400), ("*/.*.tmp-*", now - 86400)):
            for file in self.folder.glob(pattern):
                try:
                    if file.stat().st_mtime < oldest:
                        file.unlink()
                except OSError:
                    continue


class Analysis:
    """The analysis of one dataset: its experiments' results, and each experiment's
    costly parts on demand (``fairness``, ``evaluations``, ``scalings``), which take one
    of ``results`` (a part is kept by the experiment's name and content hash)."""

    def __init__(self, dataset: Dataset, *, cache: AnalysisCache | None = None) -> None:
        self.dataset = dataset
        self.cache = cache
        self._parts: dict[tuple[str, str], Any] = {}

    @functools.cached_property
    def results(self) -> tuple[ExperimentResult, ...]:
        """The mlreport experiments, by name (read from the runs table once)."""
        return tuple(experiment_results(self.dataset))

    def with_builds(self, builds: pd.DataFrame) -> Analysis:
        """The same analysis of the dataset with another build history (the one
        ``record_build`` appended to): every result computed so far is kept."""
        other = Analysis(replace(self.dataset, builds=builds), cache=self.cache)
        other.__dict__.update({k: v for k, v in self.__dict__.items() if k != "dataset"})
        return other

    @functools.cached_property
    def run_index(self) -> RunIndex:
        """Every run's params, metrics, tags, artifacts and histories, by run id."""
        return RunIndex(self.dataset)

    @functools.cached_property
    def run_groups(self) -> tuple[RunGroup, ...]:
        """The runs as the runs tables list them: each mlreport experiment's, then each
        other MLflow experiment's."""
        return tuple(self.run_index.groups(self.results))

    def run_group(self, name: str) -> RunGroup | None:
        """The runs of the mlreport experiment ``name``."""
        return next((g for g in self.run_groups if g.mlreport and g.name == name), None)

    @functools.cached_property
    def digests(self) -> dict[str, str]:
        """Experiment id -> the hash of everything the export holds about it."""
        return experiment_digests(self.dataset)

    def experiment_digest(self, result: ExperimentResult) -> str:
        """The hash of everything the export holds about the experiment's MLflow
        experiments (one name may have several)."""
        return digest(*(self.digests.get(i, "") for i in result.experiment_ids))

    @property
    def others(self) -> list[OtherExperiment]:
        """The store's experiments that mlreport did not create."""
        return other_experiments(self.dataset)

    @property
    def latest_build(self) -> BuildRecord | None:
        """The latest build of the history and what failed in it (None before the first)."""
        return latest_build(self.dataset.builds)

    @property
    def builds(self) -> tuple[BuildRecord, ...]:
        """Every build of the history, oldest first."""
        return build_records(self.dataset.builds)

    @property
    def trends(self) -> tuple[ExperimentTrend, ...]:
        """Each experiment's best score across the builds of the history."""
        return build_trends(self.dataset.builds)

    def fairness(self, result: ExperimentResult) -> tuple[ModelFairness, ...]:
        """The fairness reports of the experiment's best models with sensitive features."""
        return self._part(
            result, "fairness", tuple, lambda: experiment_fairness(self.dataset, result)
        )

    def evaluations(self, result: ExperimentResult) -> dict[str, ModelEvaluation]:
        """Model name -> its best model's evaluation, for models with test predictions."""
        return self._part(result, "evaluations", dict, lambda: self._evaluate(result))

    def scalings(self, result: ExperimentResult) -> tuple[ModelScaling, ...]:
        """The training-time scaling of each model that was measured."""
        return self._part(result, "scalings", tuple, lambda: self._scale(result))

    def hyperparameters(self, result: ExperimentResult) -> tuple[ModelHyperparameters, ...]:
        """Each model's search through its params: axes, trials, importances."""
        return self._part(
            result, "hyperparameters", tuple, lambda: experiment_hyperparameters(result)
        )

    def experiment(self, result: ExperimentResult) -> ExperimentAnalysis:
        return ExperimentAnalysis(
            result=result,
            evaluations=self.evaluations(result),
            scalings=self.scalings(result),
            fairness=self.fairness(result),
        )

    def _part(
        self, result: ExperimentResult, part: str, kind: type, compute: Callable[[], Part]
    ) -> Part:
        memo_key = (result.name, part)
        if memo_key in self._parts:
            cached: Part = self._parts[memo_key]
            return cached
        key = digest(
            part,
            code_digest(),
            platform.python_version(),
            *library_versions(ANALYSIS_LIBRARIES),
            result.name,
            self.experiment_digest(result),
        )
        value = self.cache.get(key, kind) if self.cache is not None else None
        if value is None:
            value = compute()
            if self.cache is not None:
                self.cache.put(key, value)
        self._parts[memo_key] = value
        return value

    def _evaluate(self, result: ExperimentResult) -> dict[str, ModelEvaluation]:
        evaluations = {}
        for model in result.models:
            run_id = model.best_run_id or ""
            evaluation = model_evaluation(
                model.name,
                self.dataset.predictions.get(run_id),
                explanation=self.dataset.explanations.get(run_id),
                weights=self.dataset.weights.get(run_id),
            )
            if evaluation is not None:
                evaluations[model.name] = evaluation
        return evaluations

    def _scale(self, result: ExperimentResult) -> tuple[ModelScaling, ...]:
        return tuple(
            model_scaling(model.name, model.scaling, self.dataset.scaling.get(model.scaling.run_id))
            for model in result.models
            if model.scaling is not None
        )


def analyse(dataset: Dataset, *, cache_dir: Path | None = None) -> Analysis:
    """The analysis of ``dataset``; with ``cache_dir``, results are kept there across runs."""
    return Analysis(dataset, cache=AnalysisCache(cache_dir) if cache_dir is not None else None)
