"""How tables and pages name a model and where its predictions come from."""

from __future__ import annotations

from mlreport.analysis import ModelResult
from mlreport.text._rows import rows_used

#: The badge of predictions made elsewhere (``mlreport fairness --experiment``).
EXTERNAL_BADGE = "external"


def model_label(model: ModelResult) -> str:
    """The model's name, with the badge ``(external)`` for predictions made elsewhere."""
    return f"{model.name} ({EXTERNAL_BADGE})" if model.external else model.name


def model_origin(model: ModelResult) -> str:
    """Where the model's predictions come from and whether it is ranked against mlreport's
    models; "" for mlreport's own."""
    if not model.external:
        return ""
    if model.same_test_split:
        return (
            "External: predictions made elsewhere on this experiment's test split, "
            "ranked against mlreport's models."
        )
    return (
        "External: predictions made elsewhere, scored on a test split of their own, so "
        "never ranked against mlreport's models (not their best model, nor their metric "
        "floors); mlreport fairness --same-test-split ranks them."
    )


def model_rows(model: ModelResult) -> str:
    """The rows of the file that predictions made elsewhere came from, and those dropped;
    "" for mlreport's own models (the experiment's data says) or when not counted."""
    if not model.rows_read:
        return ""
    return rows_used(model.rows_read, model.rows_dropped, model.drop_reason)
