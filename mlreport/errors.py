"""Exceptions the CLI maps to one-line messages and exit codes."""

from __future__ import annotations

EXIT_FAILURE = 1
EXIT_CONFIG = 2


class MlreportError(Exception):
    """An expected failure: its message is shown to the user as one line."""

    exit_code = EXIT_FAILURE


class ConfigError(MlreportError):
    """One or more problems in experiment or site configuration files."""

    exit_code = EXIT_CONFIG

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        count = len(problems)
        header = f"{count} problem{'s' if count != 1 else ''} in the configuration"
        super().__init__(header + ":\n" + "\n".join(f"  {p}" for p in problems))


class DataError(MlreportError):
    """An experiment's data cannot be loaded or does not fit its spec."""


class TrackingError(MlreportError):
    """The MLflow tracking store cannot be reached or written."""


class DatasetError(MlreportError):
    """The exported Parquet dataset is missing or unreadable."""


class SiteError(MlreportError):
    """The static site cannot be built."""


def first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [""])[0]


def describe(exc: BaseException) -> str:
    """One line for a failure: mlreport's own message, else the exception's type and text."""
    if isinstance(exc, MlreportError):
        return first_line(exc)[:500]
    return f"{type(exc).__name__}: {first_line(exc)}"[:500]


class Terminated(KeyboardInterrupt):
    """SIGTERM (a cancelled CI job, ``kill``): handled like Ctrl-C, so that every run
    this process started is closed as KILLED on the way out."""

    signal_number = 15  # signal.SIGTERM; the exit code is 128 + it, as for a shell


class StoreUnavailableError(TrackingError):
    """The tracking store is locked by another writer, or its disk is full: every later
    write would fail the same way, so the command stops at the first."""
