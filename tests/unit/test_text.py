"""The text layer: its vocabulary covers the analysis's, it imports only earlier stages, and
it writes the lines ``check`` and the fairness pages show."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import get_args

import mlreport
from mlreport.analysis import (
    ModelFairness,
    Route,
    ScalingRun,
    fairness_report,
    model_scaling,
    threshold_outcomes,
)
from mlreport.config import (
    CLASSIFICATION_METRICS,
    REGRESSION_METRICS,
    SCORE_METRICS,
    THRESHOLD_METRICS,
)
from mlreport.text import (
    METRIC_LABELS,
    ROUTE_LABELS,
    THRESHOLD_LABELS,
    describe_outcome,
    scaling_sentences,
    threshold_verdict,
)
from tests.unit.test_fairness import ALL_THRESHOLDS, _constructed

PACKAGE = Path(mlreport.__file__).parent


def test_every_metric_threshold_and_route_has_a_label() -> None:
    assert set(THRESHOLD_LABELS) == set(THRESHOLD_METRICS)
    assert set(METRIC_LABELS) == {*CLASSIFICATION_METRICS, *SCORE_METRICS, *REGRESSION_METRICS}
    assert set(ROUTE_LABELS) == set(get_args(Route))


def _imports(folder: Path) -> set[str]:
    found = set()
    for file in folder.glob("*.py"):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("mlreport")}


def test_text_imports_analysis_and_analysis_does_not_import_text() -> None:
    allowed = ("mlreport.analysis", "mlreport.config", "mlreport.schema", "mlreport.text")
    assert {m for m in _imports(PACKAGE / "text") if not m.startswith(allowed)} == set()
    assert {m for m in _imports(PACKAGE / "analysis") if m.startswith("mlreport.text")} == set()


def test_outcomes_name_the_measure_the_bound_and_the_end_groups() -> None:
    report = fairness_report(_constructed(20), ["group"], thresholds=ALL_THRESHOLDS, bootstrap=100)
    outcomes = threshold_outcomes(ModelFairness("m", 0.9, (report,)))
    lines = {o.result.threshold.metric: describe_outcome(o) for o in outcomes}
    assert lines["demographic_parity_ratio"] == (
        "demographic parity ratio by group is 0.40 (minimum 0.8): "
        "selection rate 0.20 for group = b, 0.50 for group = a"
    )
    assert lines["equalized_odds_difference"] == (
        "equalized odds difference by group is 0.60 (maximum 0.1): "
        "true positive rate 0.20 for group = b, 0.80 for group = a"
    )
    assert {threshold_verdict(o.result) for o in outcomes} == {"fail"}


def test_a_model_without_a_verdict_says_why() -> None:
    scaling = model_scaling("forest", ScalingRun("run", "FINISHED", "", ()), None)
    assert scaling_sentences(scaling) == ("No verdict: no measurement was exported.",)
