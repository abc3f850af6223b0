"""What a SIGKILL of a process holding a SQLite store would leave on disk, as a copy a test can reopen."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from mock_server.store.sqlite import SQLiteRepository
from mock_server.store.sqlite_redo import REDO_SUFFIX


def kill_copy(store: SQLiteRepository, where: Path) -> str:
    """The database, its WAL and its redo log copied to `where` as they are (the checkpoint thread stopped first,
    so no checkpoint races the copy); the copy's path."""
    if store.checkpointer is not None:
        store.checkpointer.stop()
    where.mkdir(parents=True, exist_ok=True)
    target = str(where / "killed.sqlite3")
    for suffix in ("", "-wal", REDO_SUFFIX):
        if os.path.exists(store.path + suffix):
            shutil.copyfile(store.path + suffix, target + suffix)
    return target
