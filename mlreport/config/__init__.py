"""Experiment files and site settings: pydantic models and their loading, the search
strategies' registry and the fairness vocabulary."""

from __future__ import annotations

from mlreport.config._fairness import (
    BAD_SETTINGS,
    BAD_THRESHOLD_KIND,
    CLASSIFICATION_METRICS,
    DEFAULT_THRESHOLDS,
    FEATURE_TWICE,
    REGRESSION_METRICS,
    SCORE_METRICS,
    THRESHOLD_METRICS,
    UNKNOWN_THRESHOLD,
    FairnessSettings,
    Threshold,
    group_metrics,
)
from mlreport.config._load import (
    EXPERIMENTS_DIR,
    SITE_SETTINGS_FILE,
    discover_experiment_files,
    load_experiments,
    load_site_settings,
)
from mlreport.config._models import (
    DEFAULT_SCORING,
    Distribution,
    ExperimentSpec,
    FileData,
    GateSettings,
    ModelSpec,
    SearchSpec,
    SiteSettings,
    SklearnData,
    Spaced,
    SyntheticData,
    file_format,
    import_estimator,
    strip_compression,
)
from mlreport.config._project import ANALYSIS_CACHE, WORK_DIR, Project
from mlreport.config._strategies import (
    STRATEGIES,
    Strategy,
    hyperband_candidates,
)

__all__ = [
    "ANALYSIS_CACHE",
    "BAD_SETTINGS",
    "BAD_THRESHOLD_KIND",
    "CLASSIFICATION_METRICS",
    "DEFAULT_SCORING",
    "DEFAULT_THRESHOLDS",
    "EXPERIMENTS_DIR",
    "FEATURE_TWICE",
    "REGRESSION_METRICS",
    "SCORE_METRICS",
    "SITE_SETTINGS_FILE",
    "STRATEGIES",
    "THRESHOLD_METRICS",
    "UNKNOWN_THRESHOLD",
    "WORK_DIR",
    "Distribution",
    "ExperimentSpec",
    "FairnessSettings",
    "FileData",
    "GateSettings",
    "ModelSpec",
    "Project",
    "SearchSpec",
    "SiteSettings",
    "SklearnData",
    "Spaced",
    "Strategy",
    "SyntheticData",
    "Threshold",
    "discover_experiment_files",
    "file_format",
    "group_metrics",
    "hyperband_candidates",
    "import_estimator",
    "load_experiments",
    "load_site_settings",
    "strip_compression",
]
