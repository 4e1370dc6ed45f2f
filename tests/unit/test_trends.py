"""Trends across builds: the best model of each build, and every drop of its score."""

from __future__ import annotations

import pandas as pd

from mlreport import schema
from mlreport.analysis import build_trends


def test_trends_take_each_builds_best_and_mark_every_drop() -> None:
    rows = []
    for day, (a, b) in enumerate([(0.80, 0.70), (0.75, 0.78), (0.90, 0.60)]):
        when = pd.Timestamp("2026-11-01", tz="UTC") + pd.Timedelta(days=day)
        for model, score in (("a", a), ("b", b)):
            best = score == max(a, b)
            gates = int(model == "b")
            rows.append((when, f"c{day}", "e", model, "roc_auc", score, best, gates, "ok", ""))
    columns = [f.name for f in schema.BUILDS]
    (trend,) = build_trends(pd.DataFrame(rows, columns=columns))
    assert [(p.best_model, p.best_score, p.failed_gates) for p in trend.points] == [
        ("a", 0.80, 1),
        ("b", 0.78, 1),
        ("a", 0.90, 1),
    ]
    (regression,) = trend.regressions
    assert (regression.before, regression.after, regression.git_commit) == (0.80, 0.78, "c1")
    assert dict(trend.models)["b"][2][1] == 0.60
