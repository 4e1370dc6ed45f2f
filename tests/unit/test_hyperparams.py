"""How searches are seen through their params: axes, trial points, importances, history."""

from __future__ import annotations

import html
import json
import math

from optuna.distributions import CategoricalDistribution, IntDistribution

from mlreport.analysis import (
    MAX_ONE_HOT_CATEGORIES,
    experiment_results,
    model_hyperparameters,
    optuna_study,
    spread,
)
from mlreport.analysis._hyperparams import ONE_PARAM, SAME_SCORE, TOO_FEW_TRIALS
from mlreport.site import _charts as charts
from mlreport.site._charts import (
    optimisation_history_charts,
    parallel_coordinates_chart,
    score_by_param_charts,
)
from tests.builders import DatasetBuilder
from tests.htmltools import plotly_values


def _search(trials: list[dict[str, str]], scores: list[float], space: dict | None = None):
    builder = DatasetBuilder()
    builder.experiment("1", "demo")
    builder.search(
        "1",
        "demo",
        "lr",
        primary="accuracy",
        trials=[
            (params, {"cv_accuracy_mean": score} if math.isfinite(score) else {})
            for params, score in zip(trials, scores, strict=True)
        ],
        test_scores={"accuracy": 0.5},
    )
    if space is not None:
        builder.rows["params"].append(
            {"run_id": "lr-search", "key": "search_space", "value": json.dumps(space)}
        )
    (result,) = experiment_results(builder.build())
    view = model_hyperparameters(result.models[0], "accuracy")
    assert view is not None
    return view


def test_axes_follow_the_logged_space() -> None:
    view = _search(
        [
            {"C": "0.01", "penalty": "l2", "depth": "6", "n": "3"},
            {"C": "0.5", "penalty": "l1", "depth": "None", "n": "9"},
        ],
        [0.7, 0.8],
        {
            "C": {"distribution": "loguniform", "low": 0.001, "high": 10},
            "penalty": ["l1", "l2", "elasticnet"],
            "depth": [6, 12, None],
            "n": {"distribution": "randint", "low": 1, "high": 20},
        },
    )
    axes = {axis.name: axis for axis in view.axes}
    assert axes["C"].scale == "log" and (axes["C"].low, axes["C"].high) == (0.001, 10)
    assert axes["penalty"].categories == ("l1", "l2", "elasticnet")  # the space's order
    assert axes["depth"].scale == "categorical" and axes["depth"].categories[-1] == "None"
    assert axes["n"].integer and (axes["n"].low, axes["n"].high) == (1, 19)


def test_axes_without_a_space_come_from_the_values() -> None:
    view = _search(
        [
            {"lr": "0.0001", "width": "0.5", "act": "relu"},
            {"lr": "0.1", "width": "2", "act": "tanh"},
        ],
        [0.6, 0.7],
    )
    axes = {axis.name: axis for axis in view.axes}
    assert axes["lr"].scale == "log"  # positive, three decades apart
    assert axes["width"].scale == "linear" and not axes["width"].integer
    assert axes["act"].categories == ("relu", "tanh")


def test_one_varying_param_and_too_few_trials_say_why_there_is_no_importance() -> None:
    one = _search([{"C": "1"}, {"C": "2"}], [0.5, 0.6])
    assert one.importances == () and one.importance_note == ONE_PARAM.format(param="C")
    few = _search(
        [{"C": "1", "k": "a"}, {"C": "2", "k": "b"}, {"C": "3", "k": "a"}], [0.5, 0.6, 0.7]
    )
    assert few.importances == ()
    assert few.importance_note == TOO_FEW_TRIALS.format(count=4, scored=3)


def test_history_keeps_the_best_so_far_and_leaves_failed_trials_out() -> None:
    view = _search([{"C": str(c)} for c in range(5)], [0.5, math.nan, 0.7, 0.6, 0.8])
    assert [p.order for p in view.points] == [1, 2, 3, 4, 5]
    assert view.history("order") == [
        (1.0, 0.5, 0.5),
        (3.0, 0.7, 0.7),
        (4.0, 0.6, 0.7),
        (5.0, 0.8, 0.8),
    ]


def test_a_param_of_many_categories_is_fed_by_position_and_still_ranked() -> None:
    """Optuna's one-hot fANOVA walks 2^categories combinations (minutes at 13 and more):
    such a param is fed as its category's position, and the param that decides the score
    still ranks first."""
    categories = [f"kind-{i:02d}" for i in range(MAX_ONE_HOT_CATEGORIES * 3)]
    trials = [
        {"kind": categories[i % len(categories)], "C": str(10 ** (i % 7 - 3)), "w": str(i % 5)}
        for i in range(120)
    ]
    scores = [0.5 + 0.02 * (i % len(categories)) + 0.001 * (i % 3) for i in range(120)]
    view = _search(trials, scores, {"kind": categories})
    position = [axis.name for axis in view.axes].index("kind")
    kind = view.axes[position]
    study = optuna_study(view.axes, [(p.values, p.score) for p in view.scored])
    assert study.trials[0].distributions["kind"] == IntDistribution(0, len(categories) - 1)
    assert study.trials[5].params["kind"] == kind.categories.index(view.points[5].values[position])
    assert view.importances[0][0] == "kind"
    assert math.isclose(sum(value for _, value in view.importances), 1.0)


def test_a_param_of_few_categories_stays_categorical() -> None:
    view = _search(
        [{"p": ["l1", "l2"][i % 2], "C": str(i)} for i in range(6)],
        [0.5 + 0.1 * (i % 2) for i in range(6)],
    )
    study = optuna_study(view.axes, [(p.values, p.score) for p in view.scored])
    assert isinstance(study.trials[0].distributions["p"], CategoricalDistribution)


def test_trials_of_one_score_say_so_instead_of_failing_the_build() -> None:
    """fANOVA raises on a score without variance (every trial at accuracy 1.0, say)."""
    view = _search([{"C": str(c), "k": "ab"[c % 2]} for c in range(6)], [1.0] * 6)
    assert view.importances == () and view.importance_note == SAME_SCORE.format(score="1")


def test_a_log_spaced_param_that_logged_zero_is_drawn_linear() -> None:
    view = _search(
        [{"lr": v, "k": "ab"[i % 2]} for i, v in enumerate(["0", "0.01", "0.1", "1"])],
        [0.5, 0.6, 0.7, 0.65],
        {"lr": {"distribution": "loguniform", "low": 0.001, "high": 1.0}},
    )
    (lr,) = (axis for axis in view.axes if axis.name == "lr")
    assert lr.scale == "linear" and view.importances  # Optuna took its bounds too
    assert parallel_coordinates_chart(view, chart_id="c") is not None


def test_spread_keeps_the_best_and_worst_and_is_evenly_spaced_by_rank() -> None:
    view = _search(
        [{"C": str(c)} for c in range(101)], [((c * 37) % 101) / 100 for c in range(101)]
    )
    kept = spread(view.scored, 11)
    assert len(kept) == 11
    assert sorted(p.score for p in kept) == [i / 10 for i in range(11)]  # ranks 0, 10, ..., 100
    assert [p.order for p in kept] == sorted(p.order for p in kept)  # in trial order
    assert spread(view.scored, 500) == view.scored


def test_the_views_of_a_huge_search_draw_a_bounded_number_of_trials(monkeypatch) -> None:
    monkeypatch.setattr(charts, "MAX_DRAWN_TRIALS", 20)
    view = _search(
        [{"C": str(c), "k": "ab"[c % 2]} for c in range(100)],
        [(c * 37 % 100) / 100 for c in range(100)],  # a few new bests, the last at 0.99
    )
    figure = json.loads(parallel_coordinates_chart(view, chart_id="c").figure_json)  # type: ignore[union-attr]
    assert sum(y is None for trace in figure["data"] for y in trace["y"]) == 20
    for chart in score_by_param_charts(view, chart_id="s"):
        assert len(plotly_values(json.loads(chart.figure_json)["data"][0]["y"])) == 20
        assert "20 of the 100 scored trials are drawn" in chart.caption
    order, _ = optimisation_history_charts(view, chart_id="h")
    marks, steps = json.loads(order.figure_json)["data"]
    assert len(plotly_values(marks["y"])) < 40  # every 5th trial, and each new best
    assert plotly_values(steps["y"])[-1] == 0.99  # the best so far reaches the best


def test_category_names_are_text_in_the_score_per_param_plots() -> None:
    payload = '<a href="https://example.org">x</a>'
    view = _search([{"k": payload, "C": "1"}, {"k": "b<br>c", "C": "2"}], [0.5, 0.6])
    _, chart = score_by_param_charts(view, chart_id="s")  # C, then k
    figure = json.loads(chart.figure_json)
    assert html.unescape(figure["data"][0]["x"][0]) == payload
    assert "<a " not in chart.figure_json and "<br>c" not in chart.figure_json
