"""Three `mlreport build`s: the export folder keeps their history, the site draws its trend."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlreport.dataset import read_dataset
from mlreport.site import page_url
from mlreport.site._links import HISTORY_PATH
from tests.conftest import run_cli
from tests.htmltools import script_data, table_rows

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

EXPERIMENT = """
name: people
seed: 0
data: {{kind: file, path: people.csv, target: y}}
scoring: [accuracy]
explain: {{enabled: false}}
models:
  - name: lr
    estimator: sklearn.linear_model.LogisticRegression
    search: {{strategy: grid, cv: 2, space: {{C: [{c}]}}}}
"""


def test_three_builds_accumulate_a_history_with_the_regression_marked(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=600)
    (tmp_path / "experiments").mkdir()
    people = {"x": x, "y": (x + rng.normal(0, 0.5, 600) > 0.8).astype(int)}
    pd.DataFrame(people).to_csv(tmp_path / "experiments" / "people.csv", index=False)
    experiment = tmp_path / "experiments" / "people.yaml"
    # a strong model, a starved one (predicts the majority class: a regression), strong again
    for c in ("1.0", "0.000001", "1.0"):
        experiment.write_text(EXPERIMENT.format(c=c))
        done = run_cli("build", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    builds = read_dataset(tmp_path / "export").builds
    assert builds["build_time"].nunique() == 3
    scores = builds.sort_values("build_time")["test_score"].tolist()
    assert scores[1] < scores[0] and scores[2] > scores[1]

    page = (tmp_path / "site" / page_url(HISTORY_PATH)).read_text()
    figure = json.loads(script_data(page, "chart-trend-1-data"))
    best = next(trace for trace in figure["data"] if trace["name"] == "best")
    assert best["y"] == pytest.approx(scores)
    marked = next(trace for trace in figure["data"] if trace["name"] == "regression")
    assert marked["y"] == pytest.approx([scores[1]])
    (regression,) = table_rows(page, "regressions")
    assert regression[2] == "people"
    assert regression[5] == f"{scores[1] - scores[0]:+.4f}"
