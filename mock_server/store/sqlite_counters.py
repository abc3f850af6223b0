"""Rate-limit scores and fault fire counts of a shared SQLite world, kept beside the objects file.

With `--workers`, every call rewrites a counter (shared_counts.COUNTER_PREFIXES). In the objects file each such
write would move every other worker's `PRAGMA data_version`, which their read caches and shared.py check before
each request: no cached answer would ever be reused. No answer reads these counters (rate limits and faults run
on every call, outside the cache), so they live in the journal's sibling file (`<db>.journal.sqlite3`, its
connection and lock) and leave `version()` alone, like PostgreSQL's change counter (docs/postgres-freshness.md).

Atomicity: the callers read, modify and write counters inside `store.transaction()`, whose BEGIN IMMEDIATE on
the objects file serialises the processes. The writes wait in `pending` and are committed to the sibling just
before that transaction's COMMIT, while its write lock is still held (a ROLLBACK drops them), so no other process
reads between. A transaction that wrote nothing else commits no page of the objects file: other connections'
data_version stays put (tests/test_sqlite_counters.py checks that).
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import orjson

_TABLE = "CREATE TABLE IF NOT EXISTS graphmock_counters (key TEXT PRIMARY KEY, value BLOB NOT NULL)"
_UPSERT = ("INSERT INTO graphmock_counters (key, value) VALUES (?, ?) "
           "ON CONFLICT(key) DO UPDATE SET value = excluded.value")
_NO_LOCK = nullcontext()


class SiblingCounters:
    """The counter meta keys of one SQLiteRepository (its get_meta/set_meta/meta_items route them here)."""

    def __init__(self, store: Any, sibling_path: str) -> None:
        self.store = store
        self.sibling_path = sibling_path
        self.pending: dict[str, Any] = {}  # written inside the open transaction, not yet committed
        self.cleared = False  # the open transaction emptied the counters (a whole reset, a snapshot load)
        self._conn: sqlite3.Connection | None = None
        self._lock: AbstractContextManager[Any] = _NO_LOCK
        if store._private:  # a private :memory: store: its own connection, inside its transactions
            store.conn.execute(_TABLE)
            self._conn = store.conn

    @property
    def dirty(self) -> bool:
        return self.cleared or bool(self.pending)

    def connection(self, create: bool) -> sqlite3.Connection | None:
        """The counters' connection; None when there are none to read and `create` is false (a lone server never
        writes counters in the store: it must not create the sibling file)."""
        if self._conn is not None:
            return self._conn
        store = self.store
        if not create and getattr(store, "_journal_conn", None) is None and not os.path.exists(self.sibling_path):
            return None
        conn = store._journal()
        self._lock = store._journal_lock
        with self._lock:
            conn.execute(_TABLE)
        self._conn = conn
        return conn

    def _buffered(self) -> bool:
        """Writes wait for the objects transaction's COMMIT when one is open and they go to another file."""
        return self.store._depth > 0 and self._conn is not self.store.conn

    # -- meta reads and writes ------------------------------------------------------------------
    def get(self, key: str) -> Any:
        if key in self.pending:
            return self.pending[key]
        conn = None if self.cleared else self.connection(create=False)
        if conn is None:
            return None
        with self._lock:
            row = conn.execute("SELECT value FROM graphmock_counters WHERE key = ?", (key,)).fetchone()
        return orjson.loads(row[0]) if row else None

    def set(self, key: str, value: Any) -> None:
        conn = self.connection(create=True)
        if self._buffered():
            self.pending[key] = value
            return
        with self._lock:
            _write(conn, key, value)

    def items(self, prefix: str, upper: str) -> dict[str, Any]:
        """Every counter whose key starts with `prefix` (`upper`: the first key above them), None ones left out."""
        conn = None if self.cleared else self.connection(create=False)
        found: dict[str, Any] = {}
        if conn is not None:
            with self._lock:
                rows = conn.execute("SELECT key, value FROM graphmock_counters WHERE key >= ? AND key < ? ORDER BY key",
                                    (prefix, upper)).fetchall()
            found = {key: orjson.loads(value) for key, value in rows}
        found.update((key, value) for key, value in self.pending.items() if key.startswith(prefix))
        return {key: found[key] for key in sorted(found) if found[key] is not None}

    def clear(self) -> None:
        """Forget every counter (a whole reset): at the open transaction's COMMIT, or now."""
        self.pending.clear()
        if self._buffered():
            self.cleared = True
            return
        conn = self.connection(create=False)
        if conn is not None:
            with self._lock:
                conn.execute("DELETE FROM graphmock_counters")

    # -- the objects transaction's end ----------------------------------------------------------
    def flush(self) -> None:
        """Commit the pending writes to the sibling file (called before the objects file's COMMIT, its write lock
        still held); on failure the caller rolls the objects transaction back."""
        pending, cleared = self.pending, self.cleared
        self.pending, self.cleared = {}, False
        conn = self.connection(create=bool(pending))
        if conn is None:
            return
        with self._lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                if cleared:
                    conn.execute("DELETE FROM graphmock_counters")
                for key, value in pending.items():
                    _write(conn, key, value)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def discard(self) -> None:
        """The objects transaction rolled back: so do its counter writes."""
        self.pending, self.cleared = {}, False


def _write(conn: sqlite3.Connection, key: str, value: Any) -> None:
    if value is None:  # a removed counter (a per-account reset): no row, as bounded as before
        conn.execute("DELETE FROM graphmock_counters WHERE key = ?", (key,))
    else:
        conn.execute(_UPSERT, (key, orjson.dumps(value)))
