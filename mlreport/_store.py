"""The tracking store's address and SQLite settings, shared by its writer
(``mlreport.run.tracking``) and its reader (``mlreport.export``), which do not import
each other."""

from __future__ import annotations

import os
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
