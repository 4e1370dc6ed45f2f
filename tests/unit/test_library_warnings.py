"""Library warnings collected instead of printed (issue 17 item 8)."""

from __future__ import annotations

import logging
import warnings

import pytest

from mlreport._warnings import WorkerWarning, collected_warnings


def test_warnings_and_library_log_records_are_collected_not_printed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue 17 item 8: a warning, a worker's warning shown again, and a record logged by
    a library with no logging set up are collected; the same warning twice counts once."""
    with collected_warnings() as collected:
        for _ in range(2):
            warnings.warn("scale your data", UserWarning, stacklevel=1)
        warnings.warn_explicit("ConvergenceWarning: lbfgs failed", WorkerWarning, "lr.py", 7)
        logging.getLogger("some.library").warning("retrying %s", "score-1")
        logging.getLogger("some.library").info("not a warning")
    assert len(collected) == 3
    assert collected[0].endswith(": UserWarning: scale your data")
    assert collected[1] == "lr.py:7 (on a dask worker): ConvergenceWarning: lbfgs failed"
    assert collected[2] == "warning logged by some.library: retrying score-1"
    assert capsys.readouterr() == ("", "")
