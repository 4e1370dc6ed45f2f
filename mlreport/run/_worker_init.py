"""Preloaded by every worker of mlreport's own LocalCluster (``dask_setup``).

Ctrl-C in a terminal reaches the whole process group, the workers too; it is the
parent's business to stop the search, close its runs and the cluster. A worker that
took it as its own would print the traceback of its interrupted event loop.
"""

from __future__ import annotations

import signal
import threading
from typing import Any


def dask_setup(worker: Any) -> None:
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
