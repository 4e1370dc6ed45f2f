"""Sentences from analysis results: fairness findings and verdicts, threshold outcomes,
scaling verdicts, and the labels they use. The one place mlreport writes prose about its
numbers; the site, ``check``, ``diff``, ``fairness`` and the CLI share it.

Imports analysis (and config and the Parquet contract), never site, run or export.
"""

from __future__ import annotations

from mlreport.text._builds import NO_ERROR, failed_build_banner, failures_text
from mlreport.text._fairness import (
    describe_outcome,
    fairness_findings,
    threshold_verdict,
    undefined_reason,
)
from mlreport.text._labels import (
    METRIC_LABELS,
    THRESHOLD_LABELS,
    UNDEFINED_BECAUSE,
    group_label,
    grouping_label,
)
from mlreport.text._models import EXTERNAL_BADGE, model_label, model_origin, model_rows
from mlreport.text._numbers import format_number
from mlreport.text._rows import rows_used
from mlreport.text._scaling import (
    ROUTE_LABELS,
    route_label,
    scaling_sentences,
    verdict_sentences,
)

__all__ = [
    "EXTERNAL_BADGE",
    "METRIC_LABELS",
    "NO_ERROR",
    "ROUTE_LABELS",
    "THRESHOLD_LABELS",
    "UNDEFINED_BECAUSE",
    "describe_outcome",
    "failed_build_banner",
    "failures_text",
    "fairness_findings",
    "format_number",
    "group_label",
    "grouping_label",
    "model_label",
    "model_origin",
    "model_rows",
    "route_label",
    "rows_used",
    "scaling_sentences",
    "threshold_verdict",
    "undefined_reason",
    "verdict_sentences",
]
