"""Site build time, rebuild time and page weight at the scale of issue 8.

The issue: "a bench script generates a store with 200 experiments, 20,000 runs and 1,000
best-model runs with predictions. The site builds from its export with page cost that
grows linearly". Goals: a full build at most 0.05 s per page, build time growing at most
linearly in the page count (log-log slope <= 1.1), a rebuild with nothing changed within
5 s, and a median page of at most 150 KB.

The stores (untimed, cached in ``--store-dir``): real SQLite MLflow stores written through
``mlreport.run.tracking.Tracker`` as ``mlreport run`` writes them (experiments tagged
``mlreport.experiment`` with a description; per model a ``search`` run with its search
settings as params, its trials as ``trial`` child runs with ``cv_<scorer>_mean``/``_std``,
``fit_time_s``, ``score_time_s`` and ``rank``, a few failed, and one ``best`` run with
``test_<scorer>`` scores and a ``predictions.parquet`` artifact of ``--test-rows`` rows of
a binary task: ``y_true``, ``y_pred``, ``proba_no``, ``proba_yes``). Runs are written as
finished runs, a transaction per experiment and role as ``export_speed.py`` does; no model
or spec artifacts (the site does not read them). Experiment ``i`` is drawn from
``numpy.random.default_rng([seed, i])``, so the small store is the first experiments of
the big one; run ids are MLflow's random ones. Defaults: 200 experiments x 5 models x
(1 search + 18 trials + 1 best) = 20,000 runs, 1,000 best runs with predictions.

Timed, each command a subprocess in a temporary working folder (only public entry points,
so the script keeps working while the site builder changes), for a small store
(``--small-experiments``, default 20) and the big one (``--experiments``, default 200):

* ``mlreport export --tracking-uri URI --out export``;
* ``mlreport site --data export --out site`` into a fresh folder: seconds per page, where
  pages are the site's HTML files outside ``assets/`` and ``search/``; the log-log slope
  of build time against pages between the two sizes, ``log(t2/t1) / log(n2/n1)``;
* baseline, same run: ``python -m mkdocs build`` of a plain MkDocs-Material site (theme
  ``material``, ``font: false``, the ``search`` plugin, ``use_directory_urls: false`` as
  mlreport's) with as many trivial Markdown pages listed in ``nav`` (a heading and three
  paragraphs each; its 404 page makes the HTML count equal). The issue reports
  MkDocs-Material at about 0.04 s per page without heavy plugins;
* big store only: ``mlreport site`` again with the same ``--data`` and ``--out`` (nothing
  changed), against the full build.

Page weight of the big site (1 KB = 1,000 bytes): each page's HTML file plus any per-page
data file (a file outside ``assets/``, ``search/`` and the sitemap, counted with the page
whose path it extends, e.g. ``model.json`` or ``model/...`` beside ``model.html``):
median, 90th percentile, largest page; the whole site's size, the shared assets
(``assets/`` + ``search/``) and the search index; the navigation's share of a page.

Also printed: each command's peak RSS (sampled every 0.1 s with psutil).

Run: ``/work/venv/bin/python bench/site_scale.py [--quick] [--store-dir DIR] [--keep]``
(``PYTHONPATH=<a checkout's root>`` measures that checkout's mlreport: the commands run
``python -m mlreport`` with this environment.)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from _common import header, parse_with_defaults, parser, ratio, result_line, seconds, timed

SECONDS_PER_PAGE_GOAL = 0.05
SLOPE_GOAL = 1.1
REBUILD_GOAL_S = 5.0
MEDIAN_PAGE_GOAL_KB = 150.0
BASELINE_REPORTED = 0.04  # s per page, MkDocs-Material without heavy plugins (the issue)

GENERATOR_VERSION = 1  # change when the generated store changes: cached stores are remade
COMPLETE_FILE = "complete.json"
SCORERS = ("roc_auc", "accuracy", "f1", "balanced_accuracy")
PRIMARY = "roc_auc"
CLASSES = ("no", "yes")  # the positive class is the last
FOLDS = 3
FAILED_SHARE = 0.02  # trials that fail, as a few do in real searches
T0 = 1_790_000_000_000  # ms: a fixed start, so the stores are the same every time
COMMIT = "5f1c9e0d2b7a4c3e8d6f0a1b2c3d4e5f60718293"
SHARED_FOLDERS = ("assets", "search")
NOT_PAGE_FILES = ("sitemap.xml", "sitemap.xml.gz", ".mlreport-site")


# --- the store -------------------------------------------------------------------------


@dataclass(frozen=True)
class Family:
    """A model family of the generated experiments, with its search space."""

    name: str
    estimator: str
    strategy: str
    params: dict[str, Any]
    #: param -> a list to choose from, or {"distribution": loguniform | randint, low, high}
    space: dict[str, Any]
    quality: float  # typical CV ROC AUC
    fit_time_s: float  # typical mean fit time of one fold


FAMILIES = (
    Family(
        "logistic-regression",
        "sklearn.linear_model.LogisticRegression",
        "grid",
        {"max_iter": 2000},
        {"C": {"distribution": "loguniform", "low": 0.001, "high": 1000.0}},
        0.90,
        0.8,
    ),
    Family(
        "gradient-boosting",
        "sklearn.ensemble.HistGradientBoostingClassifier",
        "random",
        {"max_iter": 150},
        {
            "learning_rate": {"distribution": "loguniform", "low": 0.03, "high": 0.3},
            "max_leaf_nodes": {"distribution": "randint", "low": 15, "high": 64},
            "l2_regularization": [0.0, 1.0],
        },
        0.92,
        2.4,
    ),
    Family(
        "random-forest",
        "sklearn.ensemble.RandomForestClassifier",
        "random",
        {"n_estimators": 200, "n_jobs": 1},
        {
            "max_depth": {"distribution": "randint", "low": 2, "high": 20},
            "min_samples_leaf": {"distribution": "randint", "low": 1, "high": 20},
            "max_features": ["sqrt", "log2"],
        },
        0.91,
        4.0,
    ),
    Family(
        "sgd",
        "sklearn.linear_model.SGDClassifier",
        "random",
        {"random_state": 0, "max_iter": 50, "tol": 0.001},
        {
            "alpha": {"distribution": "loguniform", "low": 0.00001, "high": 0.01},
            "penalty": ["l2", "l1", "elasticnet"],
            "loss": ["log_loss", "modified_huber"],
        },
        0.88,
        0.3,
    ),
    Family(
        "decision-tree",
        "sklearn.tree.DecisionTreeClassifier",
        "random",
        {"random_state": 0},
        {
            "max_depth": {"distribution": "randint", "low": 2, "high": 20},
            "min_samples_leaf": {"distribution": "randint", "low": 1, "high": 50},
            "criterion": ["gini", "entropy"],
        },
        0.85,
        0.2,
    ),
)


@dataclass(frozen=True)
class StoreSize:
    """What a generated store holds; its folder name and marker file depend on all of it."""

    experiments: int
    models: int
    trials: int
    test_rows: int
    seed: int

    @property
    def runs_per_model(self) -> int:
        return 1 + self.trials + 1  # search, trials, best

    @property
    def runs(self) -> int:
        return self.experiments * self.models * self.runs_per_model

    @property
    def best_runs(self) -> int:
        return self.experiments * self.models

    @property
    def key(self) -> str:
        return (
            f"site-scale-e{self.experiments}-m{self.models}-t{self.trials}-r{self.test_rows}"
            f"-s{self.seed}-v{GENERATOR_VERSION}"
        )

    def describe(self) -> str:
        return (
            f"{self.experiments} experiments x {self.models} models x (1 search + "
            f"{self.trials} trials + 1 best) = {self.runs:,} runs, {self.best_runs:,} best "
            f"runs with {self.test_rows:,}-row predictions"
        )


@dataclass(frozen=True)
class ModelPlan:
    """One model's runs of one experiment, before the search run has an id."""

    search: Any  # FinishedRun
    children: list[Any]  # FinishedRun: the trials, then the best run (last)
    predictions: Any  # pandas DataFrame


def _sample(rng: np.random.Generator, rule: Any) -> Any:
    if isinstance(rule, list):
        return rule[int(rng.integers(len(rule)))]
    if rule["distribution"] == "randint":
        return int(rng.integers(rule["low"], rule["high"]))
    value = math.exp(rng.uniform(math.log(rule["low"]), math.log(rule["high"])))
    return float(f"{value:.4g}")


def _candidates(family: Family, rng: np.random.Generator, count: int) -> list[dict[str, Any]]:
    """The search's candidates: a grid spread over the space, or random draws from it."""
    if family.strategy == "grid":
        (name, rule), *_ = family.space.items()
        values = np.geomspace(rule["low"], rule["high"], count)
        return [{name: float(f"{value:.4g}")} for value in values]
    return [{name: _sample(rng, rule) for name, rule in family.space.items()} for _ in range(count)]


def _search_space(family: Family, trials: int) -> dict[str, Any]:
    """The space as the search run's ``search_space`` param shows it (a grid: its values)."""
    if family.strategy == "grid":
        candidates = _candidates(family, np.random.default_rng(0), trials)  # no draws
        return {name: [c[name] for c in candidates] for name in family.space}
    return family.space


def _predictions(rng: np.random.Generator, rows: int, auc: float) -> Any:
    """A binary task's test predictions whose ROC AUC is about ``auc``: the two classes'
    scores are normal with unit variance and means ``2 d`` apart, AUC = Phi(d sqrt(2))."""
    import pandas as pd
    from scipy.stats import norm

    positive = rng.random(rows) < 0.3
    d = float(norm.ppf(min(max(auc, 0.51), 0.995))) / math.sqrt(2)
    logit = np.where(positive, d, -d) + rng.normal(size=rows) - 0.8
    proba = 1 / (1 + np.exp(-logit))
    labels = np.asarray(CLASSES, dtype=object)
    return pd.DataFrame(
        {
            "y_true": labels[positive.astype(np.int64)],
            "y_pred": labels[(proba >= 0.5).astype(np.int64)],
            f"proba_{CLASSES[0]}": 1 - proba,
            f"proba_{CLASSES[1]}": proba,
        }
    )


def _test_scores(predictions: Any) -> dict[str, float]:
    from sklearn import metrics

    y_true, y_pred = predictions["y_true"], predictions["y_pred"]
    return {
        "roc_auc": float(metrics.roc_auc_score(y_true == CLASSES[1], predictions["proba_yes"])),
        "accuracy": float(metrics.accuracy_score(y_true, y_pred)),
        "f1": float(metrics.f1_score(y_true, y_pred, pos_label=CLASSES[1])),
        "balanced_accuracy": float(metrics.balanced_accuracy_score(y_true, y_pred)),
    }


def _model_plan(
    rng: np.random.Generator,
    experiment: str,
    family: Family,
    model: str,
    size: StoreSize,
    start: int,
) -> ModelPlan:
    """The search, trial and best runs of one model, with the tags mlreport gives them."""
    from mlreport import schema
    from mlreport.run.tracking import FinishedRun, RunRecord

    base = {
        schema.TAG_EXPERIMENT: experiment,
        schema.TAG_MODEL: model,
        schema.TAG_CONFIG_HASH: rng.bytes(8).hex(),
        schema.TAG_PRIMARY_METRIC: PRIMARY,
        schema.TAG_ESTIMATOR: family.estimator,
        schema.TAG_STRATEGY: family.strategy,
        schema.TAG_GIT_COMMIT: COMMIT,
    }
    candidates = _candidates(family, rng, size.trials)
    failed = rng.random(size.trials) < FAILED_SHARE
    quality = family.quality + rng.normal(0, 0.02)
    poor = 0.08 * (rng.random(size.trials) < 0.15)  # a few candidates far off the best
    means = np.clip(quality + rng.normal(0, 0.015, size.trials) - poor, 0.5, 0.995)
    failed[int(np.argmax(means))] = False  # the search has a best model
    finished_means = np.where(failed, -np.inf, means)
    ranks = 1 + (finished_means[None, :] > finished_means[:, None]).sum(axis=1)
    fit_times = family.fit_time_s * rng.lognormal(0, 0.5, size.trials)
    trials = []
    for index, params in enumerate(candidates):
        metrics = {
            schema.METRIC_FIT_TIME: float(fit_times[index]),
            schema.METRIC_SCORE_TIME: float(fit_times[index] * rng.uniform(0.02, 0.1)),
        }
        tags = {**base, schema.TAG_ROLE: schema.ROLE_TRIAL, schema.TAG_TRIAL_INDEX: str(index)}
        if failed[index]:
            tags[schema.TAG_ERROR] = "ValueError: Input contains NaN (generated failure)"
            tags[schema.TAG_STOP_REASON] = schema.STOP_FAILED
        else:
            mean = float(means[index])
            offsets = {"roc_auc": 0.0, "accuracy": -0.06, "f1": -0.2, "balanced_accuracy": -0.1}
            for scorer in SCORERS:
                metrics[schema.CV_MEAN.format(scorer=scorer)] = (
                    mean + offsets[scorer] + float(rng.normal(0, 0.005))
                )
                metrics[schema.CV_STD.format(scorer=scorer)] = abs(float(rng.normal(0.006, 0.003)))
            metrics[schema.METRIC_RANK] = float(ranks[index])
        compute_s = (metrics[schema.METRIC_FIT_TIME] + metrics[schema.METRIC_SCORE_TIME]) * FOLDS
        trials.append(
            FinishedRun(
                name=f"{model} trial {index}",
                tags=tags,
                record=RunRecord(params={**family.params, **params}, metrics=metrics),
                start_time=start,
                end_time=start + int(compute_s * 1000),
                status="FAILED" if failed[index] else "FINISHED",
            )
        )
    wall_time_s = float(sum((t.end_time - t.start_time) for t in trials)) / 1000 / 2 + 1.5
    best_index = int(np.argmax(finished_means))
    best_start = start + int(wall_time_s * 1000)
    predictions = _predictions(rng, size.test_rows, float(means[best_index]) + rng.normal(0, 0.01))
    score_key = schema.CV_MEAN.format(scorer=PRIMARY)
    best = FinishedRun(
        name=f"{model} best",
        tags={**base, schema.TAG_ROLE: schema.ROLE_BEST},
        record=RunRecord(
            params={**family.params, **candidates[best_index]},
            metrics={
                **{
                    schema.TEST_METRIC.format(scorer=name): value
                    for name, value in _test_scores(predictions).items()
                },
                score_key: trials[best_index].record.metrics[score_key],
            },
        ),
        start_time=best_start,
        end_time=best_start + int(family.fit_time_s * 1500),
    )
    settings = {
        "estimator": family.estimator,
        "strategy": family.strategy,
        "n_candidates": str(size.trials),
        "scoring": ",".join(SCORERS),
        "primary_metric": PRIMARY,
        "search_space": json.dumps(_search_space(family, size.trials), sort_keys=True),
        "test_size": "0.25",
        "seed": "0",
        "cv": str(FOLDS),
        **({"n_iter": str(size.trials)} if family.strategy == "random" else {}),
    }
    search = FinishedRun(
        name=f"{model} search",
        tags={**base, schema.TAG_ROLE: schema.ROLE_SEARCH},
        record=RunRecord(params=settings, metrics={schema.METRIC_SEARCH_TIME: wall_time_s}),
        start_time=start,
        end_time=best.end_time + 500,
    )
    return ModelPlan(search, [*trials, best], predictions)


def _write_experiment(tracker: Any, index: int, size: StoreSize) -> None:
    """One experiment: its searches in one transaction, their children in another, then
    each best run's predictions artifact."""
    from mlreport import schema

    rng = np.random.default_rng([size.seed, index])
    name = f"scale-{index:03d}"
    experiment_id = tracker.experiment_id(
        name,
        description=f"Generated by bench/site_scale.py: experiment {index}, a binary "
        f"classification searched with {size.models} model families.",
    )
    plans = []
    for number in range(size.models):
        family = FAMILIES[number % len(FAMILIES)]
        model = family.name if number < len(FAMILIES) else f"{family.name}-{number}"
        start = T0 + (index * size.models + number) * 3_600_000
        plans.append(_model_plan(rng, name, family, model, size, start))
    search_ids = tracker.log_finished_runs(experiment_id, [plan.search for plan in plans])
    children = [
        replace(run, parent_run_id=search_id)
        for plan, search_id in zip(plans, search_ids, strict=True)
        for run in plan.children
    ]
    child_ids = tracker.log_finished_runs(experiment_id, children)
    per_model = len(plans[0].children)
    for number, plan in enumerate(plans):
        best_id = child_ids[(number + 1) * per_model - 1]
        tracker.log_frame(best_id, plan.predictions, schema.PREDICTIONS_ARTIFACT)


def stored_counts(database: Path) -> tuple[int, int, int]:
    """Experiments with runs, runs, and best runs with a predictions artifact, as stored."""
    from mlreport import schema

    with sqlite3.connect(database) as connection:
        experiments, runs = connection.execute(
            "SELECT COUNT(DISTINCT experiment_id), COUNT(*) FROM runs"
        ).fetchone()
        uris = connection.execute(
            "SELECT r.artifact_uri FROM runs r JOIN tags t ON t.run_uuid = r.run_uuid "
            "WHERE t.key = ? AND t.value = ?",
            (schema.TAG_ROLE, schema.ROLE_BEST),
        ).fetchall()
    connection.close()
    with_predictions = sum(
        Path(str(uri).removeprefix("file://"), schema.PREDICTIONS_ARTIFACT).is_file()
        for (uri,) in uris
    )
    return int(experiments), int(runs), with_predictions


def ensure_store(size: StoreSize, store_dir: Path) -> Path:
    """The SQLite file of a store of ``size`` in ``store_dir``: reused when a complete one
    is there, else generated (artifacts beside it, in ``mlruns/``)."""
    folder = store_dir / size.key
    database = folder / "mlflow.db"
    marker = folder / COMPLETE_FILE
    if marker.is_file() and json.loads(marker.read_text()) == _marker(size):
        print(f"store {size.key}: reused from {folder}", flush=True)
        return database
    shutil.rmtree(folder, ignore_errors=True)  # an unfinished generation of this size
    folder.mkdir(parents=True)
    home = os.getcwd()
    os.chdir(folder)  # MLflow puts an SQLite store's artifacts in ./mlruns
    try:
        from mlreport.run.tracking import Tracker

        tracker = Tracker(f"sqlite:///{database}")
        with timed() as made:
            for index in range(size.experiments):
                _write_experiment(tracker, index, size)
                if (index + 1) % 20 == 0:
                    print(f"  {index + 1} experiments written", flush=True)
    finally:
        os.chdir(home)
    marker.write_text(json.dumps(_marker(size)))
    print(f"store {size.key}: generated in {seconds(made.seconds)}", flush=True)
    return database


def _marker(size: StoreSize) -> dict[str, Any]:
    return {"version": GENERATOR_VERSION, **size.__dict__}


# --- timed commands and the built sites -------------------------------------------------


@dataclass(frozen=True)
class Step:
    """A timed subprocess: its wall time (NaN if it failed), peak RSS and last line."""

    seconds: float
    peak_rss: int
    said: str


def run_step(label: str, command: Sequence[str], cwd: Path, timeout: float) -> Step:
    """Run ``command`` in ``cwd``, sampling its RSS every 0.1 s (psutil); print and return
    its wall time. A command still running after ``timeout`` seconds is stopped."""
    import psutil

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(list(command), cwd=cwd, stdout=out, stderr=err)
        watched = psutil.Process(process.pid)
        peak = 0
        while process.poll() is None:
            with contextlib.suppress(psutil.Error):
                peak = max(peak, watched.memory_info().rss)
            if time.perf_counter() - started > timeout:
                process.kill()
                process.wait()
                print(f"{label}: stopped after {timeout:.0f} s", flush=True)
                return Step(math.nan, peak, "timed out")
            time.sleep(0.1)
        elapsed = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = (f.read().decode(errors="replace") for f in (out, err))
    lines = [line for line in stdout.splitlines() if line.strip()]
    said = lines[-1].strip() if lines else ""
    if process.returncode != 0:
        print(f"{label}: FAILED (exit {process.returncode}) after {seconds(elapsed)}")
        print("  " + "\n  ".join(stderr.strip().splitlines()[-15:]), flush=True)
        return Step(math.nan, peak, said)
    memory = f"peak RSS {peak / 1e9:.2f} GB"
    print(f"{label}: {seconds(elapsed)}, {memory}" + (f" ({said})" if said else ""), flush=True)
    return Step(elapsed, peak, said)


def mlreport_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "mlreport", *args]


def page_files(site: Path) -> list[Path]:
    """The site's pages: HTML files outside the shared folders."""
    return sorted(
        path
        for path in site.rglob("*.html")
        if path.relative_to(site).parts[0] not in SHARED_FOLDERS
    )


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


@dataclass(frozen=True)
class Weights:
    """Sizes of a built site's pages and shared files, in bytes."""

    pages: dict[str, int]  # page (relative path) -> its HTML plus its own data files
    data_files: int  # per-page data files found
    unattributed: int  # bytes of files that are neither pages, shared nor page data
    total: int
    shared: int
    search_index: int

    def percentile(self, q: float) -> float:
        return float(np.percentile(list(self.pages.values()), q)) if self.pages else math.nan


def page_weights(site: Path) -> Weights:
    """Each page's own bytes: its HTML file and the data files whose path extends its
    own (``x.json`` or ``x/...`` beside ``x.html``)."""
    pages = {str(p.relative_to(site)): p.stat().st_size for p in page_files(site)}
    stems = {name.removesuffix(".html"): name for name in pages}
    data_files = unattributed = 0
    for path in site.rglob("*"):
        relative = path.relative_to(site)
        if not path.is_file() or relative.parts[0] in SHARED_FOLDERS:
            continue
        name = str(relative)
        if name in pages or name in NOT_PAGE_FILES:
            continue
        owner = _owner(name, stems)
        if owner is None:
            unattributed += path.stat().st_size
        else:
            pages[owner] += path.stat().st_size
            data_files += 1
    index = site / "search" / "search_index.json"
    return Weights(
        pages=pages,
        data_files=data_files,
        unattributed=unattributed,
        total=folder_size(site),
        shared=sum(folder_size(site / name) for name in SHARED_FOLDERS if (site / name).is_dir()),
        search_index=index.stat().st_size if index.is_file() else 0,
    )


#: Issue 18: no page or data file over this (shared library assets such as plotly.js aside).
FILE_LIMIT = 2_000_000
#: The big site's size before issue 18 (one runs page of 14.3 MB held every run).
SITE_BEFORE_MB = 124


def largest_files(site: Path, count: int = 3) -> list[tuple[str, int]]:
    """The largest files of the site outside ``assets/`` (the shared libraries)."""
    sizes = [
        (str(path.relative_to(site)), path.stat().st_size)
        for path in site.rglob("*")
        if path.is_file() and path.relative_to(site).parts[0] != "assets"
    ]
    return sorted(sizes, key=lambda item: -item[1])[:count]


def _owner(name: str, stems: dict[str, str]) -> str | None:
    """The page whose path the data file's path extends, the longest such."""
    cuts = [i for i in range(len(name) - 1, 0, -1) if name[i] in "./"]
    return next((stems[name[:i]] for i in cuts if name[:i] in stems), None)


def navigation_share(page: Path) -> tuple[int, int]:
    """Bytes of the page's primary navigation sidebar, and its navigation links."""
    text = page.read_text(encoding="utf-8", errors="replace")
    start = text.find('class="md-sidebar md-sidebar--primary"')
    end = text.find('class="md-sidebar md-sidebar--secondary"', start)
    sidebar = text[start:end] if start >= 0 and end > start else ""
    return len(sidebar.encode()), sidebar.count('class="md-nav__link')


# --- the baseline ----------------------------------------------------------------------

PARAGRAPH = (
    "This page stands in for a report page of the same site size. It has a heading and a "
    "few paragraphs of plain text, so that MkDocs and the Material theme do their usual "
    "work per page: Markdown, the navigation, the table of contents and the search index."
)


def write_baseline(folder: Path, pages: int) -> None:
    """A plain MkDocs-Material project of ``pages`` Markdown pages, all in ``nav``."""
    import yaml

    docs = folder / "docs"
    docs.mkdir(parents=True)
    names = ["index.md", *(f"pages/page-{n:05d}.md" for n in range(1, pages))]
    for number, name in enumerate(names):
        target = docs / name
        target.parent.mkdir(exist_ok=True)
        body = "\n\n".join(f"{PARAGRAPH} Paragraph {k} of page {number}." for k in range(3))
        target.write_text(f"# Page {number}\n\n{body}\n", encoding="utf-8")
    config = {
        "site_name": "MkDocs-Material baseline",
        "theme": {"name": "material", "font": False},
        "plugins": ["search"],
        "use_directory_urls": False,
        "nav": names,
    }
    (folder / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False))


# --- the measurement -------------------------------------------------------------------


@dataclass
class SizeResult:
    """What was measured on one store."""

    label: str
    size: StoreSize
    export: Step
    site: Step
    pages: int
    baseline: Step
    baseline_pages: int

    @property
    def per_page(self) -> float:
        return ratio(self.site.seconds, self.pages)

    @property
    def baseline_per_page(self) -> float:
        return ratio(self.baseline.seconds, self.baseline_pages)


def measure_size(
    label: str, size: StoreSize, database: Path, work: Path, timeout: float
) -> SizeResult:
    """Export the store, build its site and the baseline of as many pages."""
    work.mkdir(parents=True)
    uri = f"sqlite:///{database}"
    export = run_step(
        f"{label}: mlreport export",
        mlreport_command("export", "--tracking-uri", uri, "--out", "export"),
        work,
        timeout,
    )
    if (work / "export").is_dir():
        print(f"{label}: export folder {folder_size(work / 'export') / 1e6:.1f} MB")
    site = run_step(
        f"{label}: mlreport site (full build)",
        mlreport_command("site", "--data", "export", "--out", "site"),
        work,
        timeout,
    )
    pages = len(page_files(work / "site")) if (work / "site").is_dir() else 0
    print(f"{label}: {pages} pages, {ratio(site.seconds, pages):.3f} s per page", flush=True)
    baseline_dir = work / "baseline"
    write_baseline(baseline_dir, max(pages - 1, 1))  # its 404.html is the last page
    baseline = run_step(
        f"{label}: baseline mkdocs build",
        [sys.executable, "-m", "mkdocs", "build", "--quiet", "-f", "mkdocs.yml", "-d", "site"],
        baseline_dir,
        timeout,
    )
    baseline_pages = len(page_files(baseline_dir / "site"))
    print(
        f"{label}: baseline {baseline_pages} pages, "
        f"{ratio(baseline.seconds, baseline_pages):.3f} s per page",
        flush=True,
    )
    return SizeResult(label, size, export, site, pages, baseline, baseline_pages)


def slope(t1: float, t2: float, n1: float, n2: float) -> float:
    """The log-log slope of time against pages between two points (NaN if undefined)."""
    if any(math.isnan(v) or v <= 0 for v in (t1, t2, n1, n2)) or n1 == n2:
        return math.nan
    return math.log(t2 / t1) / math.log(n2 / n1)


def kb(n_bytes: float) -> str:
    return "n/a" if math.isnan(n_bytes) else f"{n_bytes / 1e3:.1f} KB"


def print_weights(site: Path, baseline_site: Path) -> float:
    """The big site's page weights; returns the median page in bytes."""
    weights = page_weights(site)
    median = weights.percentile(50)
    largest = max(weights.pages, key=weights.pages.__getitem__) if weights.pages else "-"
    print(
        f"page weight (big site, {len(weights.pages)} pages, {weights.data_files} per-page "
        f"data files): median {kb(median)}, 90th percentile {kb(weights.percentile(90))}, "
        f"max {kb(weights.pages.get(largest, math.nan))} ({largest})"
    )
    by_kind: dict[str, list[int]] = {}
    for name, n_bytes in weights.pages.items():
        kind = "experiment" if name.count("/") == 1 else "model" if "/" in name else name
        by_kind.setdefault(kind, []).append(n_bytes)
    print(
        "  median by kind: "
        + ", ".join(
            f"{kind} {kb(float(np.median(sizes)))} (x{len(sizes)})"
            for kind, sizes in sorted(by_kind.items(), key=lambda item: -len(item[1]))
        )
    )
    print(
        f"site size {weights.total / 1e6:.1f} MB; shared assets (assets/ + search/) "
        f"{weights.shared / 1e6:.1f} MB, of which search index {weights.search_index / 1e6:.1f} MB"
        + (f"; other files {kb(weights.unattributed)}" if weights.unattributed else "")
    )
    largest_three = largest_files(site)
    over = [name for name, size in largest_files(site, 10**9) if size > FILE_LIMIT]
    print(
        "largest files outside assets/: "
        + ", ".join(f"{name} {size / 1e6:.2f} MB" for name, size in largest_three)
        + f"; files over {FILE_LIMIT / 1e6:.0f} MB: {len(over)} (goal: none)"
        + (f": {', '.join(over[:5])}" if over else "")
    )
    run_data = site / "data"
    if run_data.is_dir():
        files = [p for p in run_data.rglob("*.js")]
        print(
            f"run data (data/): {len(files)} files, {folder_size(run_data) / 1e6:.1f} MB; "
            f"site {weights.total / 1e6:.1f} MB against {SITE_BEFORE_MB} MB before issue 18 "
            f"({weights.total / 1e6 / SITE_BEFORE_MB:.2f}x)"
        )
    median_page = min(weights.pages, key=lambda name: abs(weights.pages[name] - median))
    nav_bytes, nav_links = navigation_share(site / median_page)
    print(
        f"navigation sidebar of a median page ({median_page}): {kb(nav_bytes)} of "
        f"{kb(weights.pages[median_page])}, {nav_links} links"
    )
    if baseline_site.is_dir():
        baseline = page_weights(baseline_site)
        base_nav, base_links = navigation_share(baseline_site / "index.html")
        print(
            f"baseline site: median page {kb(baseline.percentile(50))}, navigation "
            f"{kb(base_nav)} ({base_links} links), site {baseline.total / 1e6:.1f} MB, "
            f"search index {baseline.search_index / 1e6:.1f} MB"
        )
    return median


def main() -> None:
    args = _arguments()
    sizes = {
        "small": StoreSize(
            args.small_experiments, args.models, args.trials, args.test_rows, args.seed
        ),
        "big": StoreSize(args.experiments, args.models, args.trials, args.test_rows, args.seed),
    }
    header(
        "mlreport site build at scale (issue 8) against a plain MkDocs-Material site",
        goal=f"full build <= {SECONDS_PER_PAGE_GOAL} s per page, log-log slope of build time "
        f"against pages <= {SLOPE_GOAL}, rebuild with no change <= {REBUILD_GOAL_S:g} s, "
        f"median page <= {MEDIAN_PAGE_GOAL_KB:g} KB",
        settings={
            "quick": args.quick,
            **{label: size.describe() for label, size in sizes.items()},
            "seed": args.seed,
            "store dir": args.store_dir or "temporary",
            "timeout per command": f"{args.timeout:g} s",
        },
    )
    root = Path(tempfile.mkdtemp(prefix="mlreport-bench-site-scale-"))
    store_dir = args.store_dir.resolve() if args.store_dir else root / "stores"
    try:
        results: dict[str, SizeResult] = {}
        for label, size in sizes.items():
            database = ensure_store(size, store_dir)
            experiments, runs, with_predictions = stored_counts(database)
            print(
                f"{label} store: {experiments} experiments, {runs:,} runs, {with_predictions:,} "
                f"best runs with predictions; {folder_size(database.parent) / 1e9:.2f} GB",
                flush=True,
            )
            results[label] = measure_size(label, size, database, root / label, args.timeout)
        big_dir = root / "big"
        rebuild = run_step(
            "big: mlreport site again (no change)",
            mlreport_command("site", "--data", "export", "--out", "site"),
            big_dir,
            args.timeout,
        )
        print()
        median_page = (
            print_weights(big_dir / "site", big_dir / "baseline" / "site")
            if (big_dir / "site").is_dir()
            else math.nan
        )
        _print_results(results["small"], results["big"], rebuild, median_page)
    finally:
        if args.keep:
            print(f"\nkept: {root} (stores in {store_dir})")
        else:
            shutil.rmtree(root, ignore_errors=True)


def _print_results(small: SizeResult, big: SizeResult, rebuild: Step, median_page: float) -> None:
    print()
    for result in (small, big):
        print(
            f"{result.label}: {result.pages} pages; export {seconds(result.export.seconds)}, "
            f"site {seconds(result.site.seconds)} = {result.per_page:.3f} s/page; baseline "
            f"{seconds(result.baseline.seconds)} for {result.baseline_pages} pages = "
            f"{result.baseline_per_page:.3f} s/page"
        )
    site_slope = slope(small.site.seconds, big.site.seconds, small.pages, big.pages)
    base_slope = slope(
        small.baseline.seconds, big.baseline.seconds, small.baseline_pages, big.baseline_pages
    )
    print(f"baseline slope {base_slope:.2f} (the same sizes)")
    lines: list[tuple[str, float, str, str, Callable[[float], bool]]] = []
    for result in (small, big):
        lines.append(
            (
                f"{result.label} site s/page ({result.pages} pages)",
                result.per_page,
                f"{result.per_page:.3f} s",
                f"<= {SECONDS_PER_PAGE_GOAL} s",
                lambda v: v <= SECONDS_PER_PAGE_GOAL,
            )
        )
    lines.append(
        (
            "log-log slope of build time against pages",
            site_slope,
            f"{site_slope:.2f} ({small.pages} -> {big.pages} pages)",
            f"<= {SLOPE_GOAL}",
            lambda v: v <= SLOPE_GOAL,
        )
    )
    share = ratio(rebuild.seconds, big.site.seconds)
    lines.append(
        (
            "rebuild with no change",
            rebuild.seconds,
            f"{seconds(rebuild.seconds)} ({share:.0%} of the full build)",
            f"<= {REBUILD_GOAL_S:g} s",
            lambda v: v <= REBUILD_GOAL_S,
        )
    )
    lines.append(
        (
            "median page weight",
            median_page,
            kb(median_page),
            f"<= {MEDIAN_PAGE_GOAL_KB:g} KB",
            lambda v: v <= MEDIAN_PAGE_GOAL_KB * 1e3,
        )
    )
    for label, value, shown, goal, met in lines:
        print("RESULT " + result_line(label, value, shown, goal, met(value)))
    for result in (small, big):
        times = ratio(result.per_page, result.baseline_per_page)
        print(
            f"RESULT {result.label} site s/page / MkDocs-Material baseline s/page = "
            f"{times:.1f}x ({result.per_page:.3f} / {result.baseline_per_page:.3f} s; the "
            f"issue reports {BASELINE_REPORTED} s/page, the goal {SECONDS_PER_PAGE_GOAL} s/page "
            f"is {SECONDS_PER_PAGE_GOAL / BASELINE_REPORTED:.2f}x that)"
        )


def _arguments() -> argparse.Namespace:
    cli = parser(__doc__.splitlines()[0] if __doc__ else "")
    cli.add_argument(
        "--experiments", type=int, default=None, help="big store; default 200, quick 20"
    )
    cli.add_argument(
        "--small-experiments", type=int, default=None, help="small store; default 20, quick 4"
    )
    cli.add_argument("--models", type=int, default=5, help="model families per experiment")
    cli.add_argument(
        "--trials",
        type=int,
        default=18,
        help="trials per search: runs per model = 1 search + trials + 1 best (20 by default, "
        "so 200 x 5 x 20 = 20,000 runs)",
    )
    cli.add_argument("--test-rows", type=int, default=2000, help="rows of each predictions file")
    cli.add_argument("--seed", type=int, default=0)
    cli.add_argument(
        "--store-dir",
        type=Path,
        default=None,
        help="cache the generated stores here (one folder per size, reused when complete); "
        "default: a temporary folder",
    )
    cli.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="seconds after which one command is stopped; default 3600, quick 600",
    )
    cli.add_argument("--keep", action="store_true", help="keep the exports and sites built")
    args = parse_with_defaults(
        cli,
        {"experiments": (200, 20), "small_experiments": (20, 4), "timeout": (3600.0, 600.0)},
    )
    if min(args.experiments, args.small_experiments, args.models, args.trials, args.test_rows) < 1:
        cli.error("sizes must be at least 1")
    if args.small_experiments >= args.experiments:
        cli.error("--small-experiments must be below --experiments")
    return args


if __name__ == "__main__":
    main()
