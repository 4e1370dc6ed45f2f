"""Where a project's inputs and mlreport's work files are."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mlreport.config._load import EXPERIMENTS_DIR, SITE_SETTINGS_FILE

WORK_DIR = Path(".mlreport")
ANALYSIS_CACHE = "analysis"


@dataclass(frozen=True)
class Project:
    """Where a project's inputs are, relative to the directory mlreport runs in."""

    root: Path = Path(".")

    @property
    def experiments_dir(self) -> Path:
        return self.root / EXPERIMENTS_DIR

    @property
    def settings_file(self) -> Path:
        return self.root / SITE_SETTINGS_FILE

    @property
    def work_dir(self) -> Path:
        return self.root / WORK_DIR

    @property
    def analysis_cache(self) -> Path:
        """Where analysis results are kept by content hash (``mlreport.analysis``)."""
        return self.work_dir / ANALYSIS_CACHE
