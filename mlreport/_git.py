"""Running git: one helper for every git command mlreport runs."""

from __future__ import annotations

import subprocess
from pathlib import Path

from mlreport.errors import MlreportError

GIT_FAILED = "git {command} failed: {reason}"


def git(
    arguments: list[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    check: bool = True,
    timeout: float = 120,
) -> str:
    """Run git; its stripped output. A failure raises MlreportError naming the subcommand
    and git's last line, or gives '' when not ``check``. OSError if git is not installed."""
    try:
        done = subprocess.run(
            ["git", *arguments],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        if not check:
            return ""
        reason = f"no answer in {timeout:g} s"
        raise MlreportError(
            GIT_FAILED.format(command=_subcommand(arguments), reason=reason)
        ) from exc
    if done.returncode != 0:
        if not check:
            return ""
        reason = _reason(done.stderr) or f"exit {done.returncode}"
        raise MlreportError(GIT_FAILED.format(command=_subcommand(arguments), reason=reason))
    return done.stdout.strip()


def git_commit(directory: Path) -> str:
    """The current commit of the git repository holding ``directory``, or ''."""
    try:
        return git(["rev-parse", "HEAD"], cwd=directory, check=False, timeout=10)
    except OSError:
        return ""


def _subcommand(arguments: list[str]) -> str:
    """The git subcommand of an argument list (after ``--git-dir``/``--work-tree`` pairs)."""
    words = iter(arguments)
    for word in words:
        if word in ("--git-dir", "--work-tree"):
            next(words, None)
            continue
        return word
    return ""


def _reason(stderr: str) -> str:
    """git's explanation: its last fatal or error line, else its last line that is no hint."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith(("fatal:", "error:", "!"))]
    plain = [line for line in lines if not line.startswith("hint:")]
    return (errors or plain or [""])[-1]
