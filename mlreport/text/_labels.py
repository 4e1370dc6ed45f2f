"""How sentences and tables name metrics, thresholds and groups."""

from __future__ import annotations

from collections.abc import Sequence

#: Group metrics of the fairness reports, as sentences name them.
METRIC_LABELS = {
    "selection_rate": "selection rate",
    "true_positive_rate": "true positive rate",
    "false_positive_rate": "false positive rate",
    "precision": "precision",
    "accuracy": "accuracy",
    "roc_auc": "ROC AUC",
    "mean_error": "mean error (predicted minus actual)",
    "mean_absolute_error": "mean absolute error",
}
#: Why a group metric can be undefined in a group.
UNDEFINED_BECAUSE = {
    "true_positive_rate": "no positive cases",
    "false_positive_rate": "no negative cases",
    "precision": "no positive predictions",
    "roc_auc": "a single class",
}
#: Threshold metrics, as sentences name them.
THRESHOLD_LABELS = {
    "demographic_parity_ratio": "demographic parity ratio",
    "demographic_parity_difference": "demographic parity difference",
    "equalized_odds_difference": "equalized odds difference",
    "equalized_odds_ratio": "equalized odds ratio",
}


def grouping_label(features: Sequence[str]) -> str:
    """``sex`` or ``sex \u00d7 race``: the feature, or the features crossed."""
    return " \u00d7 ".join(features)


def group_label(features: tuple[str, ...], group: tuple[str, ...]) -> str:
    """``sex = Female, race = Black``: a group named by its value of each feature."""
    return ", ".join(f"{name} = {value}" for name, value in zip(features, group, strict=True))


def join_and(names: Sequence[str]) -> str:
    """``a, b and c``; one name alone; nothing for none."""
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)


def capital(text: str) -> str:
    """The text with its first letter in upper case."""
    return text[:1].upper() + text[1:]
