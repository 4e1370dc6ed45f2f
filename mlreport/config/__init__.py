"""Experiment files and site settings: pydantic models and their loading."""

from __future__ import annotations

from mlreport.config._load import (
    EXPERIMENTS_DIR,
    SITE_SETTINGS_FILE,
    discover_experiment_files,
    load_experiments,
    load_site_settings,
)
from mlreport.config._models import (
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

__all__ = [
    "EXPERIMENTS_DIR",
    "SITE_SETTINGS_FILE",
    "Distribution",
    "ExperimentSpec",
    "FileData",
    "GateSettings",
    "ModelSpec",
    "SearchSpec",
    "SiteSettings",
    "SklearnData",
    "Spaced",
    "SyntheticData",
    "discover_experiment_files",
    "file_format",
    "import_estimator",
    "load_experiments",
    "load_site_settings",
    "strip_compression",
]
