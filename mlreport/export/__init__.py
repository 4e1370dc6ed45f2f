"""Export every experiment and run of an MLflow tracking store to the Parquet dataset.

The dataset writer (``_writer``) reads the store through one of two readers: bulk SQL
queries into Arrow for SQL stores (``_store_sql``), ``MlflowClient`` for any store
(``_store_client``). The dataset itself is defined by ``mlreport.schema`` and read by
``mlreport.dataset``; the export does not import the run stage, nor it the export.
"""

from __future__ import annotations

from mlreport.export._writer import (
    ARTIFACT_UNREAD,
    ARTIFACTS_UNLISTED,
    EXPORT_FAILED,
    ExportSummary,
    export_store,
)

__all__ = [
    "ARTIFACTS_UNLISTED",
    "ARTIFACT_UNREAD",
    "EXPORT_FAILED",
    "ExportSummary",
    "export_store",
]
