"""Filesystem helpers: outputs are replaced whole, never half-written, never someone else's."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import os
import re
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mlreport.errors import MlreportError

NOT_AN_OUTPUT = (
    "refusing to replace {path}: it is not empty and holds no {marker}, so it is not an "
    "mlreport output; choose a new or empty folder"
)
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
def replacing(final: Path, *, marker: str, locked: bool = False) -> Iterator[Path]:
    """A new, empty folder to write ``final``'s next content into, swapped in place of
    ``final`` when the block ends, removed if it fails.

    ``final`` must be new, empty, or a previous output (holding ``marker``): an export or
    site written to a mistyped ``--out`` must never delete a user's files. One process
    writes an output at a time (``only_writer``; ``locked``: the caller already holds it
    for longer, e.g. because it reads the previous output first).
    """
    final = final.resolve()
    ensure_replaceable(final, marker=marker)
    with contextlib.nullcontext() if locked else only_writer(final):
        staging = final.with_name(f".{final.name}.tmp-{os.getpid()}")
        staging.mkdir()
        try:
            yield staging
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


def ensure_replaceable(folder: Path, *, marker: str) -> None:
    """Raise unless ``folder`` is new, empty, or a previous output holding ``marker``."""
    folder = folder.resolve()
    here = Path.cwd().resolve()
    if folder == here or folder in here.parents:
        raise MlreportError(ENCLOSING_DIR.format(path=folder))
    if folder.is_file() or (
        folder.exists() and not (folder / marker).exists() and any(folder.iterdir())
    ):
        raise MlreportError(NOT_AN_OUTPUT.format(path=folder, marker=marker))


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
