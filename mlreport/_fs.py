"""Filesystem helpers: outputs are replaced whole, never half-written, never someone else's."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import json
import os
import re
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mlreport.errors import MlreportError

#: The file that marks a folder as an output mlreport wrote (and so may replace): JSON
#: naming the tool, the kind of output and the marker's format. Written last, into the
#: new output before it is swapped in.
OUTPUT_MARKER = ".mlreport-output.json"
OUTPUT_FORMAT = 1
#: The kinds of output a marker names.
EXPORT_OUTPUT, SITE_OUTPUT = "export", "site"
#: The command-line flag that replaces a folder that is not mlreport's.
OVERWRITE_FLAG = "--overwrite"
NOT_AN_OUTPUT = (
    "refusing to replace {path}: {reason}; choose a new or empty folder, or pass "
    + OVERWRITE_FLAG
    + " to replace it"
)
NO_MARKER = "it is not empty and holds no " + OUTPUT_MARKER + " (so mlreport did not write it)"
OTHER_OUTPUT = "it holds an mlreport {found}, not {output}"
A_FILE = "refusing to write output to {path}: it is a file"
ENCLOSING_DIR = "refusing to write output to {path}: it is the current folder or one holding it"


ANOTHER_WRITER = "another mlreport process is writing {path}; wait for it to finish"


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, read a block at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def replacing(
    final: Path, *, output: str, overwrite: bool = False, locked: bool = False
) -> Iterator[Path]:
    """A new, empty folder to write ``final``'s next content into, swapped in place of
    ``final`` (marked as mlreport's ``output``) when the block ends, removed if it fails.

    ``final`` must be new, empty, or a previous ``output`` (``ensure_replaceable``): an
    export or site written to a mistyped ``--out`` must never delete a user's files. One
    process writes an output at a time (``only_writer``; ``locked``: the caller already
    holds it for longer, e.g. because it reads the previous output first).
    """
    final = final.resolve()
    ensure_replaceable(final, output=output, overwrite=overwrite)
    with contextlib.nullcontext() if locked else only_writer(final):
        staging = final.with_name(f".{final.name}.tmp-{os.getpid()}")
        staging.mkdir()
        try:
            yield staging
            mark_as_output(staging, output)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        _swap_in(staging, final)


@contextmanager
def only_writer(final: Path) -> Iterator[None]:
    """Be the one process writing ``final``: hold an exclusive lock on ``.<name>.lock``
    beside it (where fcntl exists), after cleaning up what killed writers left."""
    final = final.resolve()
    final.parent.mkdir(parents=True, exist_ok=True)
    with _lock(final):
        _clean_up_after_killed_writers(final)
        yield


@contextmanager
def _lock(final: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows: no lock
        yield
        return
    with open(final.with_name(f".{final.name}.lock"), "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise MlreportError(ANOTHER_WRITER.format(path=final)) from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def ensure_replaceable(folder: Path, *, output: str, overwrite: bool = False) -> None:
    """Raise unless ``folder`` is new, empty, or marked as mlreport's ``output`` (any
    folder but the current one and those holding it, with ``overwrite``)."""
    folder = folder.resolve()
    here = Path.cwd().resolve()
    if folder == here or folder in here.parents:
        raise MlreportError(ENCLOSING_DIR.format(path=folder))
    if folder.is_file():
        raise MlreportError(A_FILE.format(path=folder))
    if overwrite or not folder.exists() or not any(folder.iterdir()):
        return
    found = output_kind(folder)
    if found != output:
        reason = NO_MARKER if found is None else OTHER_OUTPUT.format(found=found, output=output)
        raise MlreportError(NOT_AN_OUTPUT.format(path=folder, reason=reason))


def output_kind(folder: Path) -> str | None:
    """The kind of output (``export``, ``site``) whose marker ``folder`` holds, None if
    it holds no valid one."""
    try:
        marker = json.loads((folder / OUTPUT_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(marker, dict) or marker.get("tool") != "mlreport":
        return None
    kind, version = marker.get("output"), marker.get("format")
    if not isinstance(kind, str) or not isinstance(version, int) or isinstance(version, bool):
        return None
    return kind


def is_output(folder: Path, output: str) -> bool:
    """Whether ``folder`` is marked as an ``output`` mlreport wrote: only such a folder's
    content is reused by the next write (a folder replaced with ``overwrite`` is not)."""
    return output_kind(folder) == output


def mark_as_output(folder: Path, output: str) -> None:
    """Mark ``folder`` as mlreport's ``output`` (``replacing`` does, as its last write)."""
    marker = {"tool": "mlreport", "output": output, "format": OUTPUT_FORMAT}
    (folder / OUTPUT_MARKER).write_text(json.dumps(marker) + "\n", encoding="utf-8")


def _swap_in(staging: Path, final: Path) -> None:
    """Swap a fully written ``staging`` folder in place of ``final``.

    On Linux the two folders are exchanged in one atomic step (``renameat2`` with
    ``RENAME_EXCHANGE``): a reader sees the old or the new folder, never none. Elsewhere
    the old folder is renamed aside first; a writer killed in between leaves it aside,
    and the next writer puts it back (``_clean_up_after_killed_writers``).
    """
    final = final.resolve()
    if not final.exists():
        staging.rename(final)
        return
    if _exchange(staging, final):
        shutil.rmtree(staging)  # it now holds the old content
        return
    retired = final.with_name(f".{final.name}.old-{os.getpid()}")
    shutil.rmtree(retired, ignore_errors=True)
    final.rename(retired)
    staging.rename(final)
    shutil.rmtree(retired)


def _exchange(first: Path, second: Path) -> bool:
    """Exchange two paths atomically; False where the system cannot."""
    if sys.platform != "linux":
        return False
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:  # C libraries older than glibc 2.28
        return False
    at_current_directory, rename_exchange = -100, 2
    result = renameat2(
        at_current_directory,
        os.fsencode(first),
        at_current_directory,
        os.fsencode(second),
        rename_exchange,
    )
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # e.g. the file system
        return False
    raise OSError(code, os.strerror(code), str(second))


def _clean_up_after_killed_writers(final: Path) -> None:
    """Remove what writers that were killed left beside ``final`` (only one writer runs at
    a time, so none of it is in use): their staging folders, and a previous output one
    had renamed aside, which goes back in place if ``final`` is missing."""
    leftover = re.compile(rf"\.{re.escape(final.name)}\.(tmp|old)-\d+")
    for entry in os.listdir(final.parent):
        match = leftover.fullmatch(entry)
        if match is None:
            continue
        path = final.parent / entry
        if match.group(1) == "old" and not final.exists():
            path.rename(final)
        else:
            shutil.rmtree(path, ignore_errors=True)
