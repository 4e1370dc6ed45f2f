"""Progress as plain lines, for logs: what the stages report to rich's ``Progress``,
printed one line at a time when there is no terminal to draw bars on."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from rich.console import Console
from rich.progress import Progress, Task, TaskID
from rich.text import Text

HEARTBEAT_S = 30.0  # the longest a log goes without a line while work goes on
STILL_RUNNING = "still running: {work}"
STILL_WORKING = "still running"  # between named steps

#: Held while a line is written: a process forked meanwhile (the site's page workers)
#: would inherit the output stream's lock held by a thread it does not have.
_WRITING = threading.Lock()
os.register_at_fork(
    before=_WRITING.acquire,
    after_in_parent=_WRITING.release,
    after_in_child=_WRITING.release,
)


class PlainProgress(Progress):
    """A ``Progress`` that draws nothing and prints a line instead: when a task starts,
    when its description changes (a search's step, ``done``, ``failed``), when it
    completes, and, while work goes on, at least every ``heartbeat_s`` seconds a line
    of what is running and how far it got. Each line starts with the time since the
    progress started."""

    def __init__(self, console: Console, *, heartbeat_s: float = HEARTBEAT_S) -> None:
        super().__init__(console=console, disable=True)
        self._out = console
        self._heartbeat_s = heartbeat_s
        self._began = time.monotonic()
        self._last_line = self._began
        self._completed: set[TaskID] = set()
        self._stopping = threading.Event()
        self._heartbeat: threading.Thread | None = None

    def start(self) -> None:
        super().start()
        if self._heartbeat is None:
            self._heartbeat = threading.Thread(
                target=self._beat, name="mlreport-progress", daemon=True
            )
            self._heartbeat.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._heartbeat is not None:
            self._heartbeat.join()
        super().stop()

    def add_task(
        self,
        description: str,
        start: bool = True,
        total: float | None = 100.0,
        completed: int = 0,
        visible: bool = True,
        **fields: Any,
    ) -> TaskID:
        task_id = super().add_task(
            description, start=start, total=total, completed=completed, visible=visible, **fields
        )
        self._say(_plain(description))
        return task_id

    def update(
        self,
        task_id: TaskID,
        *,
        total: float | None = None,
        completed: float | None = None,
        advance: float | None = None,
        description: str | None = None,
        visible: bool | None = None,
        refresh: bool = False,
        **fields: Any,
    ) -> None:
        before = self._tasks[task_id].description
        super().update(
            task_id,
            total=total,
            completed=completed,
            advance=advance,
            description=description,
            visible=visible,
            refresh=refresh,
            **fields,
        )
        if description is not None and description != before:
            self._say(_plain(description))
        self._say_if_complete(task_id)

    def advance(self, task_id: TaskID, advance: float = 1) -> None:
        super().advance(task_id, advance)
        self._say_if_complete(task_id)

    def _say_if_complete(self, task_id: TaskID) -> None:
        task = self._tasks[task_id]
        if task.finished and task_id not in self._completed:
            self._completed.add(task_id)
            self._say(f"{_plain(task.description)}: {_count(task)} done in {_duration(task)}")

    def _beat(self) -> None:
        while not self._stopping.wait(min(1.0, self._heartbeat_s)):
            if time.monotonic() - self._last_line >= self._heartbeat_s:
                running = [t for t in self.tasks if not t.finished and t.id not in self._completed]
                work = "; ".join(_status(t) for t in running)
                self._say(STILL_RUNNING.format(work=work) if work else STILL_WORKING)

    def _say(self, text: str) -> None:
        now = time.monotonic()
        self._last_line = now
        stamp = _clock(now - self._began)
        with _WRITING:
            self._out.print(f"[{stamp}] {text}", markup=False, highlight=False)
            self._out.file.flush()


def _plain(description: str) -> str:
    """A description without rich's markup (``[red]failed[/red]``)."""
    return Text.from_markup(description).plain


def _count(task: Task) -> str:
    if task.total is None:
        return f"{task.completed:g}"
    return f"{task.completed:g} of {task.total:g}"


def _status(task: Task) -> str:
    return f"{_plain(task.description)} ({_count(task)}, {_duration(task)})"


def _duration(task: Task) -> str:
    return _clock(task.elapsed or 0.0)


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"
