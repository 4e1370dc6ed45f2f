"""Progress as plain lines, for logs (issue 17 item 8)."""

from __future__ import annotations

import io
import time

from rich.console import Console

from mlreport._progress import STILL_RUNNING, PlainProgress


def lines(out: io.StringIO) -> list[str]:
    """The printed lines without their ``[mm:ss] `` stamps."""
    return [line.split("] ", 1)[1] for line in out.getvalue().splitlines()]


def test_tasks_are_lines_when_they_start_change_and_complete() -> None:
    """Issue 17 item 8: what a stage reports to its progress is a line in the log."""
    out = io.StringIO()
    with PlainProgress(Console(file=out, width=60)) as progress:
        search = progress.add_task("adult / forest: 3 candidates", total=6)
        progress.update(search, completed=2)
        progress.update(search, completed=6)
        progress.update(search, description="adult / forest: [red]failed[/red]")
        pages = progress.add_task("site: building pages", total=2)
        progress.advance(pages)
        progress.advance(pages)
    assert lines(out) == [
        "adult / forest: 3 candidates",
        "adult / forest: 3 candidates: 6 of 6 done in 00:00",
        "adult / forest: failed",  # without rich's markup, on one line however long
        "site: building pages",
        "site: building pages: 2 of 2 done in 00:00",
    ]
    assert all(line.startswith("[00:00] ") for line in out.getvalue().splitlines())


def test_long_work_gets_a_line_at_least_every_heartbeat() -> None:
    """Issue 17 item 8: while nothing changes, a line says what is still running."""
    out = io.StringIO()
    with PlainProgress(Console(file=out), heartbeat_s=0.05) as progress:
        task = progress.add_task("adult / forest: 40 candidates", total=120)
        progress.update(task, completed=40)
        deadline = time.monotonic() + 30
        while "still running" not in out.getvalue():
            assert time.monotonic() < deadline
            time.sleep(0.01)
    still = next(line for line in lines(out) if line.startswith("still running"))
    work = "adult / forest: 40 candidates (40 of 120, 00:00)"
    assert still == STILL_RUNNING.format(work=work)
