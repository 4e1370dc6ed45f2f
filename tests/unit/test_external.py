"""Predictions made elsewhere (`mlreport fairness --experiment`): marked external, ranked
against mlreport's models only on the same test split (issue 17 item 3)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from mlreport import schema
from mlreport.analysis import ExperimentResult, analyse, binary_curves, model_evaluation
from mlreport.config import SiteSettings
from mlreport.site import home_page, model_page
from tests.builders import DatasetBuilder


def _external(
    builder: DatasetBuilder, model: str, score: float, *, same_test_split: bool = False
) -> None:
    """Predictions logged as ``log_to_tracking`` logs them: a search run and its best run."""
    tags = {
        schema.TAG_EXPERIMENT: "demo",
        schema.TAG_MODEL: model,
        schema.TAG_PRIMARY_METRIC: "roc_auc",
        schema.TAG_ESTIMATOR: schema.EXTERNAL_ESTIMATOR,
        schema.TAG_STRATEGY: schema.EXTERNAL_STRATEGY,
        schema.TAG_SOURCE: f"{model}.csv",
    }
    if same_test_split:
        tags[schema.TAG_SAME_TEST_SPLIT] = "true"
    builder.run(f"{model}-search", "1", tags={**tags, schema.TAG_ROLE: schema.ROLE_SEARCH})
    builder.run(
        f"{model}-best",
        "1",
        parent=f"{model}-search",
        metrics={"test_roc_auc": score},
        tags={**tags, schema.TAG_ROLE: schema.ROLE_BEST},
    )


def _experiment(*, own: bool, same_test_split: bool = False) -> ExperimentResult:
    builder = DatasetBuilder()
    builder.experiment("1", "demo")
    if own:
        builder.one_candidate_search(cv_score=0.78, test_scores={"roc_auc": 0.789})
    _external(builder, "vendor", 0.826, same_test_split=same_test_split)
    _external(builder, "other", 0.7)
    (result,) = analyse(builder.build()).results
    return result


def _name(result: ExperimentResult) -> str | None:
    return result.best_model.name if result.best_model else None


def test_external_predictions_come_after_the_models_mlreport_evaluated() -> None:
    """Issue 17 item 3: 0.826 from another test split does not beat mlreport's 0.789."""
    result = _experiment(own=True)
    assert _name(result) == "lr"
    assert [m.name for m in result.models] == ["lr", "vendor", "other"]
    assert [m.external for m in result.models] == [False, True, True]
    (row,) = home_page([result], [], SiteSettings()).tables["experiments"].rows
    assert row[2].text == "lr"


def test_on_the_same_test_split_they_compete() -> None:
    """Issue 17 item 3: --same-test-split (the tag) ranks them against mlreport's models."""
    result = _experiment(own=True, same_test_split=True)
    assert _name(result) == "vendor"
    assert [m.name for m in result.models] == ["vendor", "lr", "other"]
    (row,) = home_page([result], [], SiteSettings()).tables["experiments"].rows
    assert row[2].text == "vendor (external)"


def test_an_experiment_of_external_predictions_only_has_the_best_of_them() -> None:
    """Issue 17 item 3: with nothing else to compare, the best external predictions are the
    experiment's best model."""
    assert _name(_experiment(own=False)) == "vendor"


def _scored(labels: tuple[str, ...] = ("no", "yes")) -> pd.DataFrame:
    """Predictions as ``mlreport fairness --score`` writes them: one ``proba_`` column."""
    rng = np.random.default_rng(0)
    truth = rng.choice(list(labels), 300)
    score = np.clip((truth == "yes") * 0.4 + 0.3 + rng.normal(0, 0.2, 300), 0, 1)
    predicted = np.where(score > 0.5, "yes", "no")
    return pd.DataFrame({"y_true": truth, "y_pred": predicted, "proba_yes": score})


def test_the_score_given_for_the_positive_class_draws_the_curves() -> None:
    """Issue 17 item 3: the page of predictions logged with --score had no ROC/PR curves."""
    predictions = _scored()
    curves = binary_curves(predictions)
    assert curves is not None and (curves.positive, curves.score) == ("yes", "score")
    is_yes = predictions["y_true"] == "yes"
    assert curves.roc_auc == pytest.approx(roc_auc_score(is_yes, predictions["proba_yes"]))
    assert curves.average_precision == pytest.approx(
        average_precision_score(is_yes, predictions["proba_yes"])
    )
    assert binary_curves(_scored(("no", "yes", "maybe"))) is None  # not binary

    result = _experiment(own=True)
    vendor = next(m for m in result.models if m.name == "vendor")
    evaluation = model_evaluation("vendor", predictions)
    assert evaluation is not None
    page = model_page(result, vendor, evaluation)
    assert {"roc", "precision_recall"} <= set(page.charts)
    assert page.title == "demo · vendor (external)"
    assert dict(page.facts)["Origin"].startswith("External: predictions made elsewhere")
