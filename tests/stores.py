"""Real MLflow stores with known contents, logged through MLflow for the tests."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from mlreport import schema
from mlreport.run.tracking import FinishedRun, RunRecord, Tracker

#: The generated search: the score depends on ``alpha`` only (and on a little noise).
SEARCH_EXPERIMENT = "one-param-matters"
SEARCH_MODEL = "sgd"
SEARCH_TRIALS = 40
SEARCH_SPACE = {
    "alpha": {"distribution": "loguniform", "low": 1e-4, "high": 1.0},
    "l1_ratio": {"distribution": "uniform", "low": 0.0, "high": 1.0},
    "penalty": ["l2", "l1", "elasticnet"],
}
#: The foreign experiment: runs logged by someone else's training loop.
FOREIGN_EXPERIMENT = "someone-elses-training"
LOSS_STEPS = 500
CLOSE_METRIC = 0.1234567


def score_of(alpha: float, noise: float) -> float:
    """Best at alpha = 0.01, falling off with the distance in decades."""
    return 0.9 - 0.1 * (math.log10(alpha) + 2.0) ** 2 + noise


def log_generated_store(uri: str, *, seed: int = 0) -> dict[str, str]:
    """A search of ``SEARCH_TRIALS`` trials whose accuracy depends on alpha alone, logged
    as mlreport logs searches, and a foreign experiment of three runs with a
    ``LOSS_STEPS``-step ``loss`` history each. Returns names -> run ids."""
    rng = np.random.default_rng(seed)
    tracker = Tracker(uri)
    ids: dict[str, str] = {}
    experiment_id = tracker.experiment_id(SEARCH_EXPERIMENT, description="generated")
    base = {
        schema.TAG_EXPERIMENT: SEARCH_EXPERIMENT,
        schema.TAG_MODEL: SEARCH_MODEL,
        schema.TAG_PRIMARY_METRIC: "accuracy",
        schema.TAG_ESTIMATOR: "sklearn.linear_model.SGDClassifier",
        schema.TAG_STRATEGY: "random",
    }
    search = tracker.start_run(
        experiment_id, name="sgd search", tags={**base, schema.TAG_ROLE: schema.ROLE_SEARCH}
    )
    tracker.log(
        search,
        RunRecord(
            params={schema.PARAM_SEARCH_SPACE: json.dumps(SEARCH_SPACE, sort_keys=True)},
            metrics={schema.METRIC_SEARCH_TIME: 12.0},
        ),
    )
    ids["search"] = search
    trials = []
    best = (-math.inf, {})
    for index in range(SEARCH_TRIALS):
        params = {
            "alpha": float(10 ** rng.uniform(-4, 0)),
            "l1_ratio": float(rng.uniform(0, 1)),
            "penalty": str(rng.choice(SEARCH_SPACE["penalty"])),
            "max_iter": 50,  # fixed: the same in every trial
        }
        score = score_of(params["alpha"], float(rng.normal(0, 0.002)))
        if score > best[0]:
            best = (score, params)
        trials.append(
            FinishedRun(
                name=f"sgd trial {index}",
                tags={
                    **base,
                    schema.TAG_ROLE: schema.ROLE_TRIAL,
                    schema.TAG_TRIAL_INDEX: str(index),
                },
                record=RunRecord(
                    params=params,
                    metrics={"cv_accuracy_mean": score, "cv_accuracy_std": 0.01, "rank": 0.0},
                ),
                start_time=1_790_000_000_000 + index * 1000,
                end_time=1_790_000_000_000 + index * 1000 + 800,
                status="FINISHED",
                parent_run_id=search,
            )
        )
    for index, run_id in enumerate(tracker.log_finished_runs(experiment_id, trials)):
        ids[f"sgd trial {index}"] = run_id
    best_run = tracker.start_run(
        experiment_id,
        name="sgd best",
        tags={**base, schema.TAG_ROLE: schema.ROLE_BEST},
        parent_run_id=search,
    )
    tracker.log(
        best_run,
        RunRecord(params=best[1], metrics={"test_accuracy": best[0], "cv_accuracy_mean": best[0]}),
    )
    tracker.finish(best_run)
    tracker.finish(search)
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param, RunTag

    client = MlflowClient(tracking_uri=uri)
    foreign = client.create_experiment(FOREIGN_EXPERIMENT)
    for number, learning_rate in enumerate((0.1, 0.01, 0.001)):
        run = client.create_run(foreign, run_name=f"net {number}").info.run_id
        losses = [
            Metric("loss", 1.0 / (1 + learning_rate * step), 1_790_000_000_000 + step, step)
            for step in range(LOSS_STEPS)
        ]
        # keys a JavaScript object would take for its own members, on the last run only
        odd_keys = [Param("constructor", "c"), Param("__proto__", "p")] if number == 2 else []
        client.log_batch(
            run,
            metrics=[
                *losses,
                Metric("final_accuracy", 0.8 + number / 100, 1_790_000_000_000, 0),
                # differences past the six digits a table shows: 0.1234567, ...68, ...69
                Metric("close", CLOSE_METRIC + number * 1e-7, 1_790_000_000_000, 0),
            ],
            params=[
                Param("lr", str(learning_rate)),
                Param("epochs", str(LOSS_STEPS)),
                Param("optimizer", "adam"),
                *odd_keys,
            ],
            tags=[RunTag("team", "vision")],
        )
        client.set_terminated(run)
        ids[f"net {number}"] = run
    return ids


def sqlite_uri(folder: Path) -> str:
    return f"sqlite:///{folder / 'mlflow.db'}"
