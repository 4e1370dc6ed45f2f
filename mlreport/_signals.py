"""Ctrl-C and SIGTERM as a command's one way out, never lost.

SIGTERM (what CI sends a cancelled job) raises ``Terminated``, a ``KeyboardInterrupt``,
so that both close the runs a command started on their way out. Python raises a
signal's exception in whatever the main thread runs when the signal arrives; if that
is a finalizer or a garbage-collector callback (dask's ``distributed`` installs one),
Python prints "Exception ignored in ..." and the command goes on as if nothing had
happened. ``stop_signals`` delivers such a swallowed interrupt again, to the code that
runs next, without the printed traceback.
"""

from __future__ import annotations

import _thread
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from mlreport.errors import Terminated


@contextmanager
def stop_signals() -> Iterator[None]:
    """Within: SIGTERM raises ``Terminated`` (once: a second SIGTERM does not interrupt
    the way out), and an interrupt that a finalizer swallowed is raised again. Outside
    the main thread (where no signal arrives) nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous_handler = signal.signal(signal.SIGTERM, _terminate)
    previous_hook = sys.unraisablehook
    sys.unraisablehook = _redeliver_interrupts(previous_hook)
    try:
        yield
    finally:
        sys.unraisablehook = previous_hook
        signal.signal(signal.SIGTERM, previous_handler)


def _terminate(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once: the way out closes what is open
    raise Terminated


class _Hook:
    running = False  # whether the main thread is in the unraisable hook


def _redeliver_interrupts(fallback: Any) -> Any:
    def hook(unraisable: Any) -> None:
        signalled = threading.current_thread() is threading.main_thread()  # none elsewhere
        if not (signalled and isinstance(unraisable.exc_value, KeyboardInterrupt)):
            fallback(unraisable)
            return
        _Hook.running = True
        if isinstance(unraisable.exc_value, Terminated):
            signal.signal(signal.SIGTERM, _terminate)
            signum = signal.SIGTERM
        else:
            signum = signal.SIGINT
        threading.Thread(target=_deliver, args=(signum,), daemon=True).start()
        _Hook.running = False  # a plain store: no signal handler runs before the return

    return hook


def _deliver(signum: signal.Signals) -> None:
    """Simulate ``signum`` once the main thread has left the hook: its handler then runs
    in the code that runs next (or in another finalizer, which the hook sees again). Were
    it delivered in the hook, an exception raised there would be lost too."""
    while _Hook.running:
        time.sleep(0.001)
    _thread.interrupt_main(signum)
