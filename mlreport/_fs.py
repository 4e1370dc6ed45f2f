"""Filesystem helpers: outputs are replaced whole, never left half-written."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def staging_dir(final: Path) -> Path:
    """An empty sibling folder to write ``final``'s new content into."""
    final = final.resolve()
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = final.with_name(f".{final.name}.tmp-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    return staging


def replace_directory(staging: Path, final: Path) -> None:
    """Swap a fully written ``staging`` folder in place of ``final``."""
    final = final.resolve()
    if not final.exists():
        staging.rename(final)
        return
    retired = final.with_name(f".{final.name}.old-{os.getpid()}")
    shutil.rmtree(retired, ignore_errors=True)
    final.rename(retired)
    staging.rename(final)
    shutil.rmtree(retired)
