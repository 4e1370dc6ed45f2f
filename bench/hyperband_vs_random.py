"""Hyperband vs random search with the same partial_fit budget (issue 3).

Goal: Hyperband reaches a validation score within 1% of the best score either search finds
at least 3x sooner (wall time) than random search given the same number of partial_fit
calls. The 3x comes from the Hyperband paper (Li et al., JMLR 2018) and from dask-ml's
SciPy 2019 paper (Sievert, Augspurger & Rocklin, "Better and faster hyperparameter
optimization with Dask").

Searches (same estimator, space, data, scorer and validation fraction; the estimator,
space and data are those of ``--problem``, below):

* Hyperband: ``dask_ml.model_selection.HyperbandSearchCV(max_iter=R)``; its budget B is
  ``metadata["partial_fit_calls"]`` (1581 calls for R=81, 357 for R=27, 101 for R=15, 26
  for R=8). dask-ml splits every block of ``--chunks`` rows into training and validation
  rows, so each call trains on c = round(chunks * (1 - validation fraction)) rows.
* Baseline (the RESULT line), the issue's: dask-ml's ``RandomizedSearchCV`` with the same
  number of rows trained on: each candidate ``fit()`` for E = round(R * c / n_train)
  whole epochs (``max_iter=E``) of the n_train training rows, ``round(B * c / (E *
  n_train))`` candidates, one train/validation split (``ShuffleSplit``, the same
  validation fraction), on the data in memory (computed once, untimed: this favours the
  baseline). A candidate's score exists when its fit ends; a scorer stamps it on the
  worker (``time.perf_counter`` is the machine's monotonic clock, shared by all processes
  of a LocalCluster). (Before the dask-example problem was added, c was taken as
  ``--chunks``, which gave this baseline 1 / (1 - validation fraction) times Hyperband's
  rows: 22 candidates instead of 20 for sgd.)
* Second baseline, printed under it: ``IncrementalSearchCV`` as random search with the
  same budget: ``n_initial_parameters=round(B / R)`` random candidates, ``max_iter=R``,
  ``patience=False`` and ``decay_rate=None``, so every candidate gets exactly R calls.
  It is dask-ml's own loop (same scheduling costs as Hyperband) and scores every
  candidate after every call, so it sees good candidates sooner than RandomizedSearchCV.

Problems (``--problem``), each chosen, and written down here, before the comparison was
run on it:

``sgd`` (the default): ``SGDClassifier(tol=1e-3, penalty="elasticnet", random_state=0)``
over the space of ``experiments/scale/sgd-5m.yaml`` (``alpha`` logspace(-2, 1, 1000),
``l1_ratio`` linspace(0, 1, 1000), ``average`` [True, False]), R=81 (27 with
``--quick``), chosen on two grounds:

* hard enough that "within 1%" separates candidates: dask-ml's ``make_classification``
  with 400,000 rows, 200 features, 50 informative and ``scale=1`` (a noisy logistic
  model); the best validation accuracy is about 0.90, and the median candidate stays near
  0.5 for the first 9 calls. The 5M example's 20 features do not separate (one random
  candidate in six is within 1% of the best after one call), nor did ``scale=10`` (best
  about 0.98);
* blocks large enough that training, not scheduling, takes the time: 20,000 rows per
  block (one partial_fit call takes 25-50 ms), as in the 5M example's 100,000-row blocks,
  rather than dask-ml's per-task overhead of a few milliseconds.

Measured with scikit-learn alone on this data (60 random candidates, 81 calls each): 5%
of candidates are within 1% of the best after 1 call, 8% after 9, 13% after 27, 23%
after 81; the rank correlation with the final score is 0.51 after 1 call, 0.69 after 3
and 0.90 after 9.

``dask-example``: the problem of Dask's own documented Hyperband example, the notebook
``machine-learning/hyperparam-opt.ipynb`` of github.com/dask/dask-examples (its code read
at commits 000bcec9 and 8a76ec21, identical). A neural network, as in the experiments
behind the 3x, and a problem chosen by dask-ml's authors rather than by us. Taken from
the notebook as it is:

* data: ``make_circles(n_samples=30_000, random_state=0, noise=0.09)`` plus 4 noise
  features ``check_random_state(42).uniform(-1, 1)``; ``train_test_split(test_size=5_000,
  random_state=42)``; a ``StandardScaler`` fitted on the 25,000 training rows, which are
  what every search gets (the notebook's 5,000 test rows stay held out, unused: the bench
  compares validation scores, the notebook's ``best_score_``);
* estimator and space: ``MLPClassifier()`` with all its defaults (so each model starts
  from its own random weights; ``learning_rate_init`` stays 0.001: the notebook does not
  search it), ``hidden_layer_sizes`` in (24,), (12, 12), (6, 6, 6, 6), (4, 4, 4, 4, 4, 4)
  and (12, 6, 3, 3), ``activation`` in relu, logistic and tanh, ``alpha``
  logspace(-6, -3, 1000), ``batch_size`` in 16, 32, 64, 128, 256 and 512;
* Hyperband: ``HyperbandSearchCV(model, params, max_iter=n_params, patience=True)`` on
  blocks of ``chunks = n_examples // n_params`` rows, validated on dask-ml's default
  fraction for these arrays, ``min(0.2, 1 / n_blocks)`` = 0.2 (given here explicitly);
* sizes: the notebook runs ``n_examples = 4 * len(X_train)`` and ``n_params = 8`` "for
  quick response" (R=8, two blocks of 12,500 rows, a budget of 26 calls over 5 models)
  and says "In practice, HyperbandSearchCV is most useful for longer searches":
  ``n_examples = 15 * len(X_train)``, ``n_params = 15`` (R=15, one block of 25,000 rows,
  so each call is one epoch over the 20,000 training rows; a budget of 101 calls over 17
  models, against 7 random candidates). The full run takes the latter, the setting the
  notebook gives for real use (a 26-call search, against 3 random candidates, is too
  small to resolve a 3x); ``--quick`` the former. Neither is scaled: a full run takes
  under 2 minutes on 2 cores.

Deviations from the notebook, and why:

* ``classes=[0, 1]`` in ``fit`` instead of the notebook's ``classes=[0, 1, 2, 3]``:
  ``make_circles`` has two classes and ``RandomizedSearchCV``'s ``fit`` infers two, so
  four output units for the incremental searches alone would compare different models.
  (The notebook's own output shows a best validation accuracy of 0.4984: chance.)
* every search gets a ``random_state`` (the repeat's seed; the notebook passes none) and
  the validation fraction explicitly, as for sgd. ``patience=True`` is Hyperband's only:
  the random baselines train every candidate for the whole budget, as for sgd.
  RandomizedSearchCV's whole-epoch ``fit`` is MLPClassifier's own, which may stop before
  E epochs by its ``tol`` and ``n_iter_no_change`` defaults, as the notebook's model would.
* each ``hidden_layer_sizes`` value is the notebook's tuple in a ``HiddenLayerSizes``, which
  MLPClassifier iterates over as it does a tuple (the same model, the same weights for
  the same seed) and numpy takes for one object: dask-ml 2025.1 builds ``cv_results_``
  with ``np.array`` over each parameter's values, which numpy >= 1.24 refuses for tuples
  of different lengths (the notebook ran on an older numpy).

Measured with scikit-learn alone on this data before the comparison (40 random
candidates, 15 epochs of ``partial_fit`` on 20,000 of the training rows, validated on the
other 5,000): best 0.870; no candidate within 1% of it after 1 to 5 epochs, 5% after 8,
25% after 15; 48% stay below 0.6 after 15 epochs (most logistic ones never leave
chance, some others leave it only after 5 to 12 epochs); the rank correlation with a
candidate's best score is 0.68 after 1 epoch, 0.84 after 3 and 0.90 after 8; one epoch
takes 0.03 to 0.76 s (median 0.09 s), set by ``batch_size`` and depth.

The default stays ``sgd``: the bench measures the goal for the project's own search (the
space mlreport runs in ``experiments/scale/sgd-5m.yaml``, on data in blocks, as issue 3
is about), and its RESULT line keeps meaning what it meant. ``dask-example`` answers
another question, whether dask-ml's Hyperband gives the 3x on dask-ml's own documented
neural-network example: better founded as a test of the sources' claim, but 1.2 MB of
data in memory, not the project's problem.

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

Run: ``/work/venv/bin/python bench/hyperband_vs_random.py [--problem dask-example]
[--quick]``
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
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
from dask_ml.model_selection import (
    HyperbandSearchCV,
    IncrementalSearchCV,
    SuccessiveHalvingSearchCV,
)

GOAL = 3.0  # speedup = random_time / hyperband_time
WITHIN = 0.01  # "within 1% of the best score"
STAMP = "bench_received_at"  # key added to each history record: perf_counter() on receipt

Info = dict[Any, list[dict[str, Any]]]


@dataclass(frozen=True)
class Problem:
    """What is searched: the estimator, its space and the data, in blocks of --chunks rows."""

    estimator: Any
    space: dict[str, Any]
    X: Any  # dask arrays: what every search gets (RandomizedSearchCV: computed, in memory)
    y: Any
    settings: dict[str, Any]  # printed with the results
    hyperband_options: dict[str, Any]  # HyperbandSearchCV options besides max_iter and the split


def sgd_problem(args: argparse.Namespace) -> Problem:
    """The space of experiments/scale/sgd-5m.yaml on a noisy make_classification."""
    from dask_ml.datasets import make_classification
    from sklearn.linear_model import SGDClassifier

    X, y = make_classification(
        n_samples=args.n_samples,
        n_features=args.n_features,
        n_informative=args.n_informative,
        scale=args.scale,
        chunks=args.chunks,
        random_state=0,
    )
    return Problem(
        estimator=SGDClassifier(tol=1e-3, penalty="elasticnet", random_state=0),
        space={
            "alpha": np.logspace(-2, 1, 1000),
            "l1_ratio": np.linspace(0, 1, 1000),
            "average": [True, False],
        },
        X=X,
        y=y,
        settings={
            "n_samples": args.n_samples,
            "n_features": args.n_features,
            "n_informative": args.n_informative,
            "scale": args.scale,
        },
        hyperband_options={},
    )


@dataclass(frozen=True)
class HiddenLayerSizes:
    """An MLP ``hidden_layer_sizes`` that numpy takes for one object, not a sequence.

    dask-ml builds ``cv_results_`` with ``np.array`` over each parameter's values, which
    numpy refuses for tuples of different lengths; MLPClassifier only iterates over it.
    """

    sizes: tuple[int, ...]

    def __iter__(self) -> Iterator[int]:
        return iter(self.sizes)

    def __len__(self) -> int:
        return len(self.sizes)

    def __repr__(self) -> str:
        return repr(self.sizes)


DASK_EXAMPLE_TEST_ROWS = 5_000  # the notebook's held-out test set, not used here
DASK_EXAMPLE_NOISE_FEATURES = 4


def dask_example_problem(args: argparse.Namespace) -> Problem:
    """dask-examples' machine-learning/hyperparam-opt.ipynb: MLPClassifier on make_circles."""
    import dask.array as da
    from sklearn.datasets import make_circles
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler
    from sklearn.utils import check_random_state

    X, y = make_circles(n_samples=args.n_samples, random_state=0, noise=0.09)
    noise = check_random_state(42).uniform(-1, 1, size=(X.shape[0], DASK_EXAMPLE_NOISE_FEATURES))
    X = np.hstack((X, noise))
    X_train, _, y_train, _ = train_test_split(
        X, y, test_size=DASK_EXAMPLE_TEST_ROWS, random_state=42
    )
    X_train = StandardScaler().fit(X_train).transform(X_train)
    return Problem(
        estimator=MLPClassifier(),
        space={
            "hidden_layer_sizes": [
                HiddenLayerSizes(sizes)
                for sizes in [(24,), (12, 12), (6, 6, 6, 6), (4, 4, 4, 4, 4, 4), (12, 6, 3, 3)]
            ],
            "activation": ["relu", "logistic", "tanh"],
            "alpha": np.logspace(-6, -3, num=1000),
            "batch_size": [16, 32, 64, 128, 256, 512],
        },
        X=da.from_array(X_train, chunks=args.chunks),
        y=da.from_array(y_train, chunks=args.chunks),
        settings={
            "make_circles_samples": args.n_samples,
            "noise": 0.09,
            "noise_features": DASK_EXAMPLE_NOISE_FEATURES,
            "held_out_test_rows": DASK_EXAMPLE_TEST_ROWS,
            "search_rows": len(X_train),
        },
        hyperband_options={"patience": True},
    )


PROBLEMS: dict[str, Callable[[argparse.Namespace], Problem]] = {
    "sgd": sgd_problem,
    "dask-example": dask_example_problem,
}
# Each problem's (full, quick) defaults; see the module docstring for where they come from.
PROBLEM_DEFAULTS: dict[str, dict[str, tuple[Any, Any]]] = {
    "sgd": {
        "max_iter": (81, 27),
        "n_samples": (400_000, 60_000),
        "chunks": (20_000, 5_000),
        "validation_size": (0.1, 0.1),
    },
    # The notebook's "in practice" search (15 * len(X_train) examples, n_params=15) and
    # its "quick response" one (4 * len(X_train) examples, n_params=8), len(X_train)=25,000.
    "dask-example": {
        "max_iter": (15, 8),
        "n_samples": (30_000, 30_000),
        "chunks": (25_000, 12_500),
        "validation_size": (0.2, 0.2),
    },
}


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
    problem = PROBLEMS[args.problem](args)
    estimator, space, X, y = problem.estimator, problem.space, problem.X, problem.y
    budget = int(
        HyperbandSearchCV(estimator, space, max_iter=args.max_iter).metadata["partial_fit_calls"]
    )
    n_random = max(1, round(budget / args.max_iter))
    header(
        f"Hyperband vs random search, same partial_fit budget: problem {args.problem}",
        goal=f"speedup = random_time / hyperband_time >= {GOAL:g}x, where *_time is the wall "
        f"time to reach a validation accuracy within {WITHIN:.0%} of the best either search finds",
        settings={
            "problem": args.problem,
            "estimator": repr(estimator),
            "quick": args.quick,
            "max_iter": args.max_iter,
            "hyperband_budget_calls": budget,
            "random_candidates": n_random,
            "random_budget_calls": n_random * args.max_iter,
            **problem.settings,
            **{f"hyperband_{key}": value for key, value in problem.hyperband_options.items()},
            "chunks": args.chunks,
            "validation_size": args.validation_size,
            "repeats": args.repeats,
        },
    )
    # dask-ml splits every block into training and validation rows: a call trains on the
    # training part of one block.
    n_train = round(X.shape[0] * (1 - args.validation_size))
    rows_per_call = round(args.chunks * (1 - args.validation_size))
    args.epochs = max(1, round(args.max_iter * rows_per_call / n_train))
    args.randomized_candidates = max(1, round(budget * rows_per_call / (args.epochs * n_train)))
    print(
        f"RandomizedSearchCV: {args.randomized_candidates} candidates x {args.epochs} epochs "
        f"of {n_train} rows = {args.randomized_candidates * args.epochs * n_train:,} rows "
        f"trained on; Hyperband: {budget} calls x {rows_per_call} rows = "
        f"{budget * rows_per_call:,} rows"
    )
    results: dict[str, list[tuple[float, str]]] = {"randomized": [], "random": []}
    with local_client() as client:
        print(f"cluster: {len(client.scheduler_info()['workers'])} workers x 1 thread\n")
        X_in_memory, y_in_memory = dask.compute(X, y)
        for repeat in range(args.repeats):
            seed = args.seed + repeat
            common = {"random_state": seed, "test_size": args.validation_size}
            searches: dict[str, Callable[[], SearchRun]] = {
                "hyperband": partial(
                    run_search,
                    "hyperband",
                    StampedHyperband(
                        estimator,
                        space,
                        max_iter=args.max_iter,
                        **problem.hyperband_options,
                        **common,
                    ),
                    X,
                    y,
                ),
                "randomized": partial(
                    run_randomized_search,
                    client,
                    estimator,
                    space,
                    X_in_memory,
                    y_in_memory,
                    args,
                    seed,
                ),
                "random": partial(
                    run_search,
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
        "--problem",
        choices=sorted(PROBLEMS),
        default="sgd",
        help="sgd: SGDClassifier, the space of experiments/scale/sgd-5m.yaml; dask-example: "
        "MLPClassifier, the problem of dask-examples' machine-learning/hyperparam-opt.ipynb",
    )
    cli.add_argument(
        "--max-iter",
        type=int,
        default=None,
        help="Hyperband's R (default sgd 81, quick 27; dask-example 15, quick 8)",
    )
    cli.add_argument("--repeats", type=int, default=None, help="default 3, quick 2")
    cli.add_argument(
        "--n-samples",
        type=int,
        default=None,
        help="sgd: make_classification's rows (default 400000, quick 60000); dask-example: "
        f"make_circles' rows, {DASK_EXAMPLE_TEST_ROWS} of them held out (default 30000)",
    )
    cli.add_argument("--n-features", type=int, default=200, help="sgd only")
    cli.add_argument("--n-informative", type=int, default=50, help="sgd only")
    cli.add_argument(
        "--scale", type=float, default=1.0, help="sgd only: make_classification's scale"
    )
    cli.add_argument(
        "--chunks",
        type=int,
        default=None,
        help="rows per block (default sgd 20000, quick 5000; dask-example 25000, quick 12500)",
    )
    cli.add_argument(
        "--validation-size", type=float, default=None, help="default sgd 0.1, dask-example 0.2"
    )
    cli.add_argument("--seed", type=int, default=0)
    problem = cli.parse_known_args()[0].problem
    return parse_with_defaults(cli, {"repeats": (3, 2), **PROBLEM_DEFAULTS[problem]})


if __name__ == "__main__":
    main()
