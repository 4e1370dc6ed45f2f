"""The tracking store's address and SQLite settings, shared by its writer
(``mlreport.run.tracking``) and its reader (``mlreport.export``), which do not import
each other."""

from __future__ import annotations

import errno
import os
import re
import shutil
import sqlite3
from pathlib import Path

DEFAULT_TRACKING_URI = "sqlite:///mlflow.db"
_POOL_CLASS = "MLFLOW_SQLALCHEMYSTORE_POOLCLASS"


def resolve_tracking_uri(uri: str | None) -> str:
    """``--tracking-uri``, else ``MLFLOW_TRACKING_URI``, else the embedded SQLite store."""
    return uri or os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_TRACKING_URI


def sqlite_path(uri: str) -> Path | None:
    """The database file of a ``sqlite:///`` tracking URI; None for any other store."""
    prefix = "sqlite:///"
    if not uri.startswith(prefix):
        return None
    path = uri[len(prefix) :].split("?", 1)[0]
    return Path(path) if path and path != ":memory:" else None


def open_sqlite_without_pool(uri: str) -> None:
    """Have MLflow close its SQLite connections after each call (unless the user chose).

    The export's reader, connectorx, brings its own SQLite library. When its connection
    to a WAL database closes, that library believes it is the last one (POSIX locks do
    not tell two libraries of one process apart), checkpoints and deletes the ``-wal``
    and ``-shm`` files, and any connection this process's ``sqlite3`` keeps open fails
    from then on with "disk I/O error". Without a pool there is none to keep.
    """
    if sqlite_path(uri) is not None:
        os.environ.setdefault(_POOL_CLASS, "NullPool")


def use_write_ahead_log(uri: str) -> None:
    """Switch an SQLite store to write-ahead logging, once: the setting stays in the file.

    Each MLflow write is its own transaction; in SQLite's default rollback-journal mode
    every commit syncs the disk several times, in WAL mode once. That makes logging a
    trial about a third cheaper, and lets readers (``mlflow ui``, ``mlreport export``)
    read while a build writes. A store that is busy or read-only is left as it is.
    """
    path = sqlite_path(uri)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(path, timeout=1.0) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
        connection.close()
    except (OSError, sqlite3.Error):
        return  # MLflow reports a store it cannot open with its own message


_PASSWORD_IN_URI = re.compile(r"(?P<head>\b[a-zA-Z][\w+.-]*://[^\s/@:]*:)[^\s/@]+@")


def mask_password(text: str) -> str:
    """``text`` with the password of every URI in it (``scheme://user:password@host``)
    replaced by ``***``: for every message that names a tracking store."""
    return _PASSWORD_IN_URI.sub(r"\g<head>***@", text)


def describe_store(uri: str, *, creates: bool = True) -> str:
    """The line a command that uses the tracking store starts with: which store, and
    whether its SQLite file is missing (a command run from the wrong folder), in which
    case a command that ``creates`` the store says it will."""
    line = f"tracking store: {mask_password(uri)}"
    path = sqlite_path(uri)
    if path is not None and not path.exists():
        missing = f"{path.resolve()} does not exist"
        line += f" ({missing} yet: it will be created)" if creates else f" ({missing})"
    return line


STORE_LOCKED = (
    "the MLflow store {uri} is locked by another process (an mlreport or MLflow writing "
    "to it): let it finish or stop it, then run again"
)
STORE_FULL = "the disk under the MLflow store {uri} is full: free some space, then run again"
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
#: Less free space than this next to an SQLite store that failed with "disk I/O error"
#: (what a full disk gives when SQLite sizes its shared-memory file) means a full disk.
_NEARLY_FULL_BYTES = 1 << 20


def store_problem(uri: str, error: BaseException) -> str | None:
    """The one-line message for a store that is locked or whose disk is full, seen
    anywhere in ``error``'s chain (MLflow wraps SQLAlchemy, which wraps sqlite3); None
    for any other error."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        text = str(current).lower()
        if "database is locked" in text or "database table is locked" in text:
            return STORE_LOCKED.format(uri=mask_password(uri))
        if (
            "database or disk is full" in text
            or (isinstance(current, OSError) and current.errno in _FULL_ERRNOS)
            or ("disk i/o error" in text and _nearly_full(sqlite_path(uri)))
        ):
            return STORE_FULL.format(uri=mask_password(uri))
        current = current.__cause__ or current.__context__
    return None


def _nearly_full(database: Path | None) -> bool:
    if database is None:
        return False
    try:
        if os.statvfs(database.parent).f_flag & os.ST_RDONLY:  # read-only media: never free
            return False
        return shutil.disk_usage(database.parent).free < _NEARLY_FULL_BYTES
    except OSError:
        return False
