"""SQLite transactions of the repository (store/sqlite.py): BEGIN IMMEDIATE at the outermost entry, COMMIT or
ROLLBACK at its exit; a shared world's counters (store/sqlite_counters.py) committed to their sibling file while
the objects file's write lock is still held; tables a reset retired dropped after the COMMIT. In group-commit mode
(store/sqlite_group.py) the outermost entry is a savepoint of the open group instead."""

from __future__ import annotations

from typing import Any


class Transaction:
    """`with store.transaction():` BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception. A class rather
    than a generator-based context manager: every write goes through it."""

    __slots__ = ("store", "outer", "solo", "grouped")

    def __init__(self, store: Any, solo: bool = False) -> None:
        self.store = store
        self.outer = False
        self.solo = solo  # a reset, a snapshot load, a bulk insert: committed on its own, never grouped
        self.grouped = False

    def __enter__(self) -> None:
        store = self.store
        if store._depth == 0:
            group = store._group
            if group is not None:
                if not self.solo and group.enter():  # False without a running loop, or when not alone
                    self.outer = self.grouped = True
                    store._depth = 1
                    return
                group.commit()  # no loop to commit a group later, a solo transaction, or not alone: commit first
                group.catch_up()  # and never write on a state missing acknowledged writes (raises while it cannot)
            store.conn.execute("BEGIN IMMEDIATE")
            store._txn_version = None  # read again inside this transaction (store._data_version)
            self.outer = True
        store._depth += 1

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any) -> bool:
        store = self.store
        store._depth -= 1
        if self.grouped:
            store._depth = 0
            store._group.exit(exc_type is None)
        elif self.outer:
            store._depth = 0
            if exc_type is not None:
                store._counts.changed()  # counts adjusted by this transaction's inserts are void
                store._writes += 1  # so is what was read inside it: version() moves (domain/adsets.py Parents)
            try:
                if store._counters.dirty:  # committed while this transaction still holds the write lock
                    _end_counters(store, exc_type is None)
                store.conn.execute("ROLLBACK" if exc_type is not None else "COMMIT")
            except BaseException:
                store._counts.changed()
                raise
            if store._retired:
                store._drop_retired()
        return False


def _end_counters(store: Any, commit: bool) -> None:
    """Commit (or drop) the counter writes of the transaction ending; a failed commit rolls it all back."""
    if not commit:
        store._counters.discard()
        return
    try:
        store._counters.flush()
    except BaseException:
        store.conn.execute("ROLLBACK")
        raise
