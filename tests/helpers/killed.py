"""What a SIGKILL of a process holding a SQLite store would leave on disk, as a copy a test can reopen."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import mock_server.store.sqlite_group as sqlite_group
from mock_server.store.repository import Record
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


def campaign(store: SQLiteRepository, name: str, account_id: str = "act_1") -> Record:
    """A campaign record named `name` with the store's next id."""
    return Record(store.next_id(), "Campaign", account_id, "ACTIVE", {"name": name}, None, None, None, 1)


def killed_after_writing(path: str, names: list[str], where: Path) -> str:
    """A group-commit store at `path` acknowledges one campaign per name, each in its own transaction (rows left
    only in its redo file: the inserts are deferred); the files a kill would leave, copied to `where`.

    The group may not COMMIT by age meanwhile (a slow machine can take longer than 2 * GROUP_SECONDS over a
    large record, and the next request's start would then commit it): every record stays to be replayed."""
    store = SQLiteRepository(path, group_commit=True)

    async def run() -> str:
        for name in names:
            with store.transaction():
                store.insert(campaign(store, name))
        group = store._group
        assert group is not None and group.open and group.seq - group.first_seq == len(names)  # none committed
        return kill_copy(store, where)

    age, sqlite_group.GROUP_SECONDS = sqlite_group.GROUP_SECONDS, 3600.0
    try:
        killed = asyncio.run(run())
    finally:
        sqlite_group.GROUP_SECONDS = age
    store.close()
    return killed


def names_reopened(path: str, width: int | None = None) -> list[str]:
    """The campaign names a later open of the file finds (after its replay of the redo file), each cut to `width`."""
    reopened = SQLiteRepository(path)
    try:
        return sorted(o["data"]["name"][:width] for o in reopened.dump()["objects"])
    finally:
        reopened.close()
