"""Runs left RUNNING by a process that is gone (SIGKILL, a crash, a machine reboot).

Each run mlreport starts carries the host, process id and process start time of the
process that started it (``schema.TAG_HOST`` ...). A run of this host whose process no
longer exists, or whose id now belongs to a process started at another time, can never
finish: the next ``run`` or ``build`` closes it as KILLED with the reason. Runs of other
hosts are left alone: whether their process is alive cannot be told from here.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping

import psutil

from mlreport import schema
from mlreport.errors import Terminated

KILLED_GONE = "process {pid} on host {host} is gone"
KILLED_REUSED = "process {pid} on host {host} is gone (its id now belongs to another process)"
#: The same process seen twice gives the same start time to within clock ticks.
_SAME_START_S = 1.0


def process_tags() -> dict[str, str]:
    """The tags saying which process on which host started a run: this one."""
    return {
        schema.TAG_HOST: socket.gethostname(),
        schema.TAG_PID: str(os.getpid()),
        schema.TAG_PROCESS_START: f"{psutil.Process().create_time():.2f}",
    }


def gone_reason(tags: Mapping[str, str]) -> str | None:
    """Why the process that started a run with ``tags`` is gone; None while it runs, and
    for runs of another host or without these tags (it cannot be told)."""
    host = socket.gethostname()
    try:
        pid = int(tags[schema.TAG_PID])
        started = float(tags[schema.TAG_PROCESS_START])
    except (KeyError, ValueError):
        return None
    if tags.get(schema.TAG_HOST) != host:
        return None
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return KILLED_GONE.format(pid=pid, host=host)
        if abs(process.create_time() - started) > _SAME_START_S:
            return KILLED_REUSED.format(pid=pid, host=host)
    except psutil.NoSuchProcess:
        return KILLED_GONE.format(pid=pid, host=host)
    except psutil.Error:  # not ours to inspect: it exists, so it may be the one
        return None
    return None


def interrupt_reason(interrupt: KeyboardInterrupt) -> str:
    """Why this process stopped a run it started: Ctrl-C or SIGTERM."""
    return "stopped by SIGTERM" if isinstance(interrupt, Terminated) else "interrupted by Ctrl-C"
