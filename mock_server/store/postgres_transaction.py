"""PostgreSQL transactions of the repository (store/postgres.py): BEGIN sent with the first statement, COMMIT
or ROLLBACK at the outermost exit, and the change counter (`graphmock_changes`, postgres_schema.py) bumped in
the same round trip as the COMMIT of a transaction that wrote what answers read (docs/postgres-freshness.md)."""

from __future__ import annotations

from typing import Any

import psycopg

from mock_server.store.postgres_schema import MARK_CHANGED

_MARK_AND_COMMIT = MARK_CHANGED + "; COMMIT"


class Transaction:
    """`with store.transaction():` BEGIN ... COMMIT on this thread's connection, ROLLBACK on any exception.
    `changes`: this part writes what answers read; the outermost transaction then bumps the change counter
    just before its COMMIT, in the same round trip (the row lock is held only while committing, and a
    transaction waiting for it holds no lock its holder needs: no deadlock)."""

    __slots__ = ("store", "outer", "changes")

    def __init__(self, store: Any, changes: bool = False) -> None:
        self.store = store
        self.outer = False
        self.changes = changes

    def __enter__(self) -> None:
        store = self.store
        store._conn()
        local = store._local
        if local.depth == 0:
            local.begin = True  # sent with the first statement (PostgresRepository._execute)
            self.outer = True
        local.depth += 1
        if self.changes:
            store._writes += 1  # this server's reads see its own writes before COMMIT: version() moves now
            local.changed = True

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any) -> bool:
        local = self.store._local
        local.depth -= 1
        if self.outer:
            local.depth = 0
            conn = local.conn
            changed, local.changed = local.changed, False
            if local.begin:  # no statement ran: nothing was begun, nothing to end
                local.begin = False
            elif exc_type is None and changed:
                _commit_changed(conn)
            elif exc_type is None:
                conn.execute("COMMIT")
            elif not conn.broken:
                conn.execute("ROLLBACK")
        return False


def _commit_changed(conn: psycopg.Connection[Any]) -> None:
    """Bump the change counter and COMMIT in one round trip (two statements in one simple query: a third less
    CPU than a pipeline); ROLLBACK (and raise) if either fails."""
    try:
        conn.execute(_MARK_AND_COMMIT)
    except BaseException:
        if not conn.broken and conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.execute("ROLLBACK")
        raise
