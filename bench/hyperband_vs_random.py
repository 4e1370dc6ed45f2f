"""Hyperband vs random search with the same partial_fit budget (issue 3).

Goal: Hyperband reaches a validation score within 1% of the best score either search finds
at least 3x sooner (wall time) than random search given the same number of partial_fit
calls. The 3x comes from the Hyperband paper (Li et al., JMLR 2018) and from dask-ml's
SciPy 2019 paper (Sievert, Augspurger & Rocklin, "Better and faster hyperparameter
optimization with Dask").

Searches (same estimator, space, data, scorer and validation fraction):

* Hyperband: ``dask_ml.model_selection.HyperbandSearchCV(max_iter=R)`` over
  ``SGDClassifier(tol=1e-3, penalty="elasticnet", random_state=0)``; its budget B is
  ``metadata["partial_fit_calls"]`` (1581 calls for R=81, 357 for R=27), each call one
  block of ``--chunks`` rows.
* Baseline (the RESULT line), the issue's: dask-ml's ``RandomizedSearchCV`` with the same
  number of rows trained on: each candidate ``fit()`` for E = round(R * chunks / n_train)
  whole epochs (``max_iter=E``), ``round(B * chunks / (E * n_train))`` candidates, one
  train/validation split (``ShuffleSplit``, the same validation fraction), on the data
  in memory (computed once, untimed: this favours the baseline). A candidate's score
  exists when its fit ends; a scorer stamps it on the worker (``time.perf_counter`` is
  the machine's monotonic clock, shared by all processes of a LocalCluster).
* Second baseline, printed under it: ``IncrementalSearchCV`` as random search with the
  same budget: ``n_initial_parameters=round(B / R)`` random candidates, ``max_iter=R``,
  ``patience=False`` and ``decay_rate=None``, so every candidate gets exactly R calls.
  It is dask-ml's own loop (same scheduling costs as Hyperband) and scores every
  candidate after every call, so it sees good candidates sooner than RandomizedSearchCV.

Space: the one of ``experiments/scale/sgd-5m.yaml`` (``alpha`` logspace(-2, 1, 1000),
``l1_ratio`` linspace(0, 1, 1000), ``average`` [True, False]). The problem, chosen (and
written down here) before the comparison was run on it, on two grounds:

* hard enough that "within 1%" separates candidates: dask-ml's ``make_classification``
  with 200 features, 50 informative and ``scale=1`` (a noisy logistic model); the best
  validation accuracy is about 0.90, and the median candidate stays near 0.5 for the
  first 9 calls. The 5M example's 20 features do not separate (one random candidate in
  six is within 1% of the best after one call), nor did ``scale=10`` (best about 0.98);
* blocks large enough that training, not scheduling, takes the time: 20,000 rows per
  block (one partial_fit call takes 25-50 ms), as in the 5M example's 100,000-row blocks,
  rather than dask-ml's per-task overhead of a few milliseconds.

Measured with scikit-learn alone on this data (60 random candidates, 81 calls each): 5%
of candidates are within 1% of the best after 1 call, 8% after 9, 13% after 27, 23%
after 81; the rank correlation with the final score is 0.51 after 1 call, 0.69 after 3
and 0.90 after 9.

Timing: every score is stamped on one clock when the search receives it, measured from
the call to ``fit`` (the hook is ``_additional_calls``, which dask-ml calls right after
it records ``elapsed_wall_time``). dask-ml's own ``history_[i]["elapsed_wall_time"]``
is not one clock for Hyperband: each of its successive-halving brackets counts from the
moment its own train/validation split is ready, and the searches' set-up (splitting and
persisting the data) is left out.
Time to reach = first time the best-so-far score >= 0.99 * best score of both searches.
Hyperband's brackets are scored on different validation splits (dask-ml seeds each
bracket differently), so scores are comparable to about +-0.003.

Each repeat uses another seed for every search and reverses the order they run in; the
speedup reported is the median over repeats. A search that never reaches the threshold
gets its whole fit time as its time, and the speedup is marked as a bound (">=").

Run: ``/work/venv/bin/python bench/hyperband_vs_random.py [--quick]``
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import dask
import numpy as np
from _common import (
    header,
    local_client,
    median,
    parse_with_defaults,
    parser,
    ratio,
    result_line,
    seconds,
    timed,
)
from dask_ml.datasets import make_classification
from dask_ml.model_selection import (
    HyperbandSearchCV,
    IncrementalSearchCV,
    SuccessiveHalvingSearchCV,
)
from sklearn.linear_model import SGDClassifier

GOAL = 3.0  # speedup = random_time / hyperband_time
WITHIN = 0.01  # "within 1% of the best score"
STAMP = "bench_received_at"  # key added to each history record: perf_counter() on receipt

Info = dict[Any, list[dict[str, Any]]]


def _stamp(info: Info) -> None:
    """Stamp the records dask-ml just appended (the ones without a stamp) with the time."""
    now = time.perf_counter()
    for records in info.values():
        for record in reversed(records):
            if STAMP in record:
                break
            record[STAMP] = now


class StampedRandomSearch(IncrementalSearchCV):
    def _additional_calls(self, info: Info) -> dict[Any, int]:
        _stamp(info)
        return dict(super()._additional_calls(info))


class StampedSuccessiveHalving(SuccessiveHalvingSearchCV):
    def _additional_calls(self, info: Info) -> dict[Any, int]:
        _stamp(info)
        return dict(super()._additional_calls(info))


class StampedHyperband(HyperbandSearchCV):
    def _get_SHAs(self, brackets: Any) -> dict[int, Any]:
        return {
            bracket: StampedSuccessiveHalving(**search.get_params(deep=False))
            for bracket, search in super()._get_SHAs(brackets).items()
        }


@dataclass(frozen=True)
class SearchRun:
    name: str
    fit_s: float  # wall time of fit()
    history: list[dict[str, Any]]  # dask-ml's history_, each record stamped
    started: float  # perf_counter() when fit() was called
    calls: int  # partial_fit calls made
    candidates: int

    @property
    def best(self) -> float:
        return max(float(r["score"]) for r in self.history)

    def time_to(self, threshold: float) -> float:
        """Seconds until a score >= threshold was received; NaN if never."""
        reached = [
            float(record[STAMP]) - self.started
            for record in self.history
            if record["score"] >= threshold
        ]
        return min(reached) if reached else math.nan

    def curve(self, points: int = 6) -> str:
        """Best-so-far score at a few times, to show the shape of the search."""
        records = sorted(self.history, key=lambda r: r[STAMP])
        best, steps = -math.inf, []
        for record in records:
            if record["score"] > best:
                best = float(record["score"])
                steps.append((float(record[STAMP]) - self.started, best))
        chosen = (
            steps
            if len(steps) <= points
            else [steps[round(i * (len(steps) - 1) / (points - 1))] for i in range(points)]
        )
        return " ".join(f"{t:.1f}s:{s:.4f}" for t, s in chosen)


class StampingScorer:
    """Accuracy that also reports, as a dask worker event, when it was computed.

    ``time.perf_counter`` is the machine's monotonic clock, shared by the worker processes
    and the benchmark on one machine (LocalCluster).
    """

    def __init__(self, topic: str) -> None:
        self.topic = topic

    def __call__(self, estimator: Any, X: Any, y: Any) -> float:
        from distributed import get_worker

        score = float(estimator.score(X, y))
        get_worker().log_event(self.topic, {"score": score, "at": time.perf_counter()})
        return score


def run_randomized_search(
    client: Any, estimator: Any, space: dict[str, Any], X: Any, y: Any, args: Any, seed: int
) -> SearchRun:
    """dask-ml's RandomizedSearchCV: each candidate fit() for whole epochs, scored once."""
    from dask_ml.model_selection import RandomizedSearchCV
    from sklearn.base import clone
    from sklearn.model_selection import ShuffleSplit

    topic = f"bench-randomized-{seed}-{time.perf_counter_ns()}"
    search = RandomizedSearchCV(
        clone(estimator).set_params(max_iter=args.epochs),
        space,
        n_iter=args.randomized_candidates,
        cv=ShuffleSplit(n_splits=1, test_size=args.validation_size, random_state=seed),
        scoring=StampingScorer(topic),
        refit=False,
        random_state=seed,
        scheduler=client,
    )
    with timed() as watch:
        search.fit(X, y)
    history = [
        {"score": event["score"], STAMP: event["at"]} for _, event in client.get_events(topic)
    ]
    return SearchRun(
        name="randomized",
        fit_s=watch.seconds,
        history=history,
        started=watch.started,
        calls=args.randomized_candidates * args.epochs,  # epochs here, not blocks
        candidates=args.randomized_candidates,
    )


def speedup_of(hb: SearchRun, rs: SearchRun, threshold: float) -> tuple[float, str]:
    """random_time / hyperband_time, and whether it is exact ("=") or a bound.

    The threshold comes from the better of the two searches, so at least one reaches it.
    A search that never reaches it would need more than its whole fit: its fit time is
    then a lower bound on its time, and the speedup a bound ("<=" or ">=").
    """
    hb_t, rs_t = hb.time_to(threshold), rs.time_to(threshold)
    if math.isnan(rs_t):
        return ratio(rs.fit_s, hb_t), ">="
    if math.isnan(hb_t):
        return ratio(rs_t, hb.fit_s), "<="
    return ratio(rs_t, hb_t), "="


def bound_text(bound: str) -> str:
    return "" if bound == "=" else f"{bound} "


def run_search(name: str, search: Any, X: Any, y: Any) -> SearchRun:
    with timed() as watch:
        search.fit(X, y, classes=[0, 1])
    calls = [int(c) for c in search.cv_results_["partial_fit_calls"]]
    missing = sum(STAMP not in record for record in search.history_)
    if missing:
        raise RuntimeError(f"{missing} history records were not stamped: dask-ml changed")
    return SearchRun(
        name=name,
        fit_s=watch.seconds,
        history=list(search.history_),
        started=watch.started,
        calls=sum(calls),
        candidates=len(calls),
    )


def main() -> None:
    args = _arguments()
    space = {
        "alpha": np.logspace(-2, 1, 1000),
        "l1_ratio": np.linspace(0, 1, 1000),
        "average": [True, False],
    }
    estimator = SGDClassifier(tol=1e-3, penalty="elasticnet", random_state=0)
    budget = int(
        HyperbandSearchCV(estimator, space, max_iter=args.max_iter).metadata["partial_fit_calls"]
    )
    n_random = max(1, round(budget / args.max_iter))
    header(
        "Hyperband vs random search, same partial_fit budget",
        goal=f"speedup = random_time / hyperband_time >= {GOAL:g}x, where *_time is the wall "
        f"time to reach a validation accuracy within {WITHIN:.0%} of the best either search finds",
        settings={
            "quick": args.quick,
            "max_iter": args.max_iter,
            "hyperband_budget_calls": budget,
            "random_candidates": n_random,
            "random_budget_calls": n_random * args.max_iter,
            "n_samples": args.n_samples,
            "n_features": args.n_features,
            "n_informative": args.n_informative,
            "scale": args.scale,
            "chunks": args.chunks,
            "validation_size": args.validation_size,
            "repeats": args.repeats,
        },
    )
    n_train = round(args.n_samples * (1 - args.validation_size))
    args.epochs = max(1, round(args.max_iter * args.chunks / n_train))
    args.randomized_candidates = max(1, round(budget * args.chunks / (args.epochs * n_train)))
    print(
        f"RandomizedSearchCV: {args.randomized_candidates} candidates x {args.epochs} epochs "
        f"of {n_train} rows = {args.randomized_candidates * args.epochs * n_train:,} rows "
        f"trained on; Hyperband: {budget} calls x {args.chunks} rows = "
        f"{budget * args.chunks:,} rows"
    )
    results: dict[str, list[tuple[float, str]]] = {"randomized": [], "random": []}
    with local_client() as client:
        print(f"cluster: {len(client.scheduler_info()['workers'])} workers x 1 thread\n")
        X, y = make_classification(
            n_samples=args.n_samples,
            n_features=args.n_features,
            n_informative=args.n_informative,
            scale=args.scale,
            chunks=args.chunks,
            random_state=0,
        )
        X_in_memory, y_in_memory = dask.compute(X, y)
        for repeat in range(args.repeats):
            seed = args.seed + repeat
            common = {"random_state": seed, "test_size": args.validation_size}
            searches: dict[str, Callable[[], SearchRun]] = {
                "hyperband": lambda common=common: run_search(
                    "hyperband",
                    StampedHyperband(estimator, space, max_iter=args.max_iter, **common),
                    X,
                    y,
                ),
                "randomized": lambda seed=seed: run_randomized_search(
                    client, estimator, space, X_in_memory, y_in_memory, args, seed
                ),
                "random": lambda common=common: run_search(
                    "random",
                    StampedRandomSearch(
                        estimator,
                        space,
                        n_initial_parameters=n_random,
                        max_iter=args.max_iter,
                        patience=False,
                        decay_rate=None,
                        **common,
                    ),
                    X,
                    y,
                ),
            }
            order = list(searches) if repeat % 2 == 0 else list(reversed(searches))
            runs = {name: searches[name]() for name in order}
            print(f"repeat {repeat + 1}/{args.repeats} (seed {seed}, order {', '.join(order)})")
            for run in runs.values():
                print(
                    f"  {run.name:10s} fit {run.fit_s:6.1f} s, {run.candidates:3d} candidates, "
                    f"best {run.best:.4f}; best so far: {run.curve()}"
                )
            hb = runs["hyperband"]
            for name in results:
                baseline = runs[name]
                best = max(hb.best, baseline.best)
                threshold = best - WITHIN * abs(best)
                speedup, bound = speedup_of(hb, baseline, threshold)
                results[name].append((speedup, bound))
                never = " (never reached it: its whole fit time is a lower bound)"
                print(
                    f"  vs {name}: threshold {threshold:.4f}; hyperband reached it after "
                    f"{seconds(hb.time_to(threshold))}, {name} after "
                    f"{seconds(baseline.time_to(threshold))}"
                    f"{never if bound == '>=' else ''}: speedup {bound_text(bound)}{speedup:.2f}x"
                )
            print(flush=True)
    for name, label in (
        ("randomized", "speedup = RandomizedSearchCV time / Hyperband time"),
        ("random", "(IncrementalSearchCV as random search: same calls, scored every call)"),
    ):
        values = results[name]
        print(f"{name} per repeat: " + ", ".join(f"{bound_text(b)}{v:.2f}x" for v, b in values))
        result = median([v for v, _ in values])
        middle = sorted(values)[len(values) // 2]
        shown = f"{bound_text(middle[1] if len(values) % 2 else '=')}{result:.2f}x"
        line = result_line(
            label, result, f"{shown} (median of {len(values)})", f">= {GOAL:g}x", result >= GOAL
        )
        print(("RESULT " if name == "randomized" else "       ") + line)


def _arguments() -> argparse.Namespace:
    cli = parser(__doc__.splitlines()[0] if __doc__ else "")
    cli.add_argument(
        "--max-iter", type=int, default=None, help="Hyperband's R (default 81, quick 27)"
    )
    cli.add_argument("--repeats", type=int, default=None, help="default 3, quick 2")
    cli.add_argument("--n-samples", type=int, default=None, help="default 400000, quick 60000")
    cli.add_argument("--n-features", type=int, default=200)
    cli.add_argument("--n-informative", type=int, default=50)
    cli.add_argument("--scale", type=float, default=1.0, help="make_classification's scale")
    cli.add_argument(
        "--chunks", type=int, default=None, help="rows per block (default 20000, quick 5000)"
    )
    cli.add_argument("--validation-size", type=float, default=0.1)
    cli.add_argument("--seed", type=int, default=0)
    return parse_with_defaults(
        cli,
        {
            "max_iter": (81, 27),
            "repeats": (3, 2),
            "n_samples": (400_000, 60_000),
            "chunks": (20_000, 5_000),
        },
    )


if __name__ == "__main__":
    main()
