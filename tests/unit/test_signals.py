"""Ctrl-C and SIGTERM are never lost in a finalizer (a KeyboardInterrupt that distributed's
garbage-collector callback swallowed let a whole build run on after Ctrl-C)."""

from __future__ import annotations

import signal
import sys
import time
from typing import Any

import pytest

from mlreport._signals import stop_signals
from mlreport.errors import Terminated


class SignalledWhileFinalized:
    """Delivers ``signum`` to this process from its finalizer: the signal's exception is
    raised inside ``__del__``, where Python ignores it."""

    def __init__(self, signum: int) -> None:
        self.signum = signum

    def __del__(self) -> None:
        signal.raise_signal(self.signum)


def _finalize_then_work(signum: int, *, seconds: float) -> float:
    """Seconds of work done after the finalizer ran (all of them: not interrupted)."""
    finalized = SignalledWhileFinalized(signum)
    del finalized
    start = time.monotonic()
    while time.monotonic() - start < seconds:  # the code that runs next
        pass
    return seconds


@pytest.mark.parametrize(
    ("signum", "raised"), [(signal.SIGINT, KeyboardInterrupt), (signal.SIGTERM, Terminated)]
)
def test_an_interrupt_swallowed_by_a_finalizer_is_raised_in_the_code_that_runs_next(
    signum: int, raised: type[KeyboardInterrupt]
) -> None:
    printed: list[Any] = []
    previous = sys.unraisablehook
    sys.unraisablehook = printed.append
    # as under a terminal: a test run in the background inherits SIGINT ignored
    previous_sigint = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with stop_signals(), pytest.raises(raised) as info:
            _finalize_then_work(signum, seconds=30)
        assert type(info.value) is raised
        assert printed == []  # no "Exception ignored in ..." traceback
        if signum == signal.SIGINT:  # without: the interrupt is lost
            assert _finalize_then_work(signum, seconds=0.5) == 0.5
            (lost,) = printed
            assert isinstance(lost.exc_value, KeyboardInterrupt)
    finally:
        sys.unraisablehook = previous
        signal.signal(signal.SIGINT, previous_sigint)
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # restored


def test_other_unraisable_exceptions_reach_the_previous_hook() -> None:
    printed: list[Any] = []
    previous = sys.unraisablehook
    sys.unraisablehook = printed.append

    class Failing:
        def __del__(self) -> None:
            raise ValueError("in a finalizer")

    try:
        with stop_signals():
            failing = Failing()
            del failing
    finally:
        sys.unraisablehook = previous
    (reported,) = printed
    assert isinstance(reported.exc_value, ValueError)
