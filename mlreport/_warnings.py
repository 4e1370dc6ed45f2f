"""Library warnings collected instead of printed: the CLI shows their count on one line,
and each in full under ``--debug``."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


class WorkerWarning(UserWarning):
    """A warning a dask worker raised, shown again in the process that asked for the work
    (its message starts with the original category)."""


class _Collect(logging.Handler):
    def __init__(self, collected: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.collected = collected

    def emit(self, record: logging.LogRecord) -> None:
        text = f"{record.levelname.lower()} logged by {record.name}: {record.getMessage()}"
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.collected.append(text)


@contextmanager
def collected_warnings() -> Iterator[list[str]]:
    """Collect what would be printed as a warning: Python warnings (the filters apply as
    usual, so a repeated one counts once) and log records of WARNING and above that
    reach the root logger (libraries that leave their logging unconfigured)."""
    collected: list[str] = []

    def collect(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        where = f"{filename}:{lineno}"
        if issubclass(category, WorkerWarning):
            collected.append(f"{where} (on a dask worker): {message}")
        else:
            collected.append(f"{where}: {category.__name__}: {message}")

    root = logging.getLogger()
    handler = _Collect(collected)
    with warnings.catch_warnings():
        warnings.showwarning = collect
        root.addHandler(handler)
        try:
            yield collected
        finally:
            root.removeHandler(handler)
