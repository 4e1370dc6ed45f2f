"""Filesystem helpers: outputs are replaced whole, never half-written, never someone else's."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from mlreport.errors import MlreportError

NOT_AN_OUTPUT = (
    "refusing to replace {path}: it is not empty and holds no {marker}, so it is not an "
    "mlreport output; choose a new or empty folder"
)
ENCLOSING_DIR = "refusing to write output to {path}: it is the current folder or one holding it"


def staging_dir(final: Path, *, marker: str) -> Path:
    """An empty sibling folder to write ``final``'s new content into.

    ``final`` must be new, empty, or a previous output (holding ``marker``): an export or
    site written to a mistyped ``--out`` must never delete a user's files.
    """
    final = final.resolve()
    ensure_replaceable(final, marker=marker)
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = final.with_name(f".{final.name}.tmp-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    return staging


def ensure_replaceable(folder: Path, *, marker: str) -> None:
    """Raise unless ``folder`` is new, empty, or a previous output holding ``marker``."""
    folder = folder.resolve()
    here = Path.cwd().resolve()
    if folder == here or folder in here.parents:
        raise MlreportError(ENCLOSING_DIR.format(path=folder))
    if folder.is_file() or (
        folder.exists() and not (folder / marker).exists() and any(folder.iterdir())
    ):
        raise MlreportError(NOT_AN_OUTPUT.format(path=folder, marker=marker))


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
