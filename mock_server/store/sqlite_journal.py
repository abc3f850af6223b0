"""The shared journal of a SQLite world (mock_server/journal_store.py), in a sibling file.

Only processes sharing the world use it (`serve --workers`). The journal is written on every request, so it
lives in its own file, `<db>.journal.sqlite3`, with its own connection: a write there must not move the objects
file's data_version, which every worker's read cache and shared.py check before each request. The same file
holds a shared world's counters (store/sqlite_counters.py). `SQLiteRepository` inherits these methods.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

from mock_server.store.checkpoint import Checkpointer

JOURNAL_SUFFIX = ".journal.sqlite3"  # the shared journal's file beside the store's (journal_store.py)
_JOURNAL_OPENING = threading.Lock()
_JOURNAL_SCHEMA = """
CREATE TABLE IF NOT EXISTS graphmock_journal (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    time REAL NOT NULL,
    size INTEGER NOT NULL,
    bytes_before INTEGER NOT NULL,
    entry BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS graphmock_journal_by_bytes ON graphmock_journal(bytes_before);
"""

_JOURNAL_APPEND = ("INSERT INTO graphmock_journal (time, size, bytes_before, entry) SELECT ?1, ?2, coalesce((SELECT "
                   "bytes_before + size FROM graphmock_journal ORDER BY seq DESC LIMIT 1), 0), ?3 "
                   "RETURNING seq, bytes_before + size")


class SiblingJournal:
    """The `journal_*` methods of SQLiteRepository (which provides `path`, `conn` and `_private`)."""

    path: str
    conn: sqlite3.Connection
    _private: bool
    _journal_lock: threading.Lock
    _journal_checkpointer: Any

    # Only processes sharing the world use these (`--workers`). The journal is written on every request, so it
    # lives in its own file, `<db>.journal.sqlite3`, with its own connection: a write there must not move this
    # file's data_version, which every worker's read cache and shared.py check before each request.
    def _journal(self) -> sqlite3.Connection:
        conn = getattr(self, "_journal_conn", None)
        if conn is not None:
            return conn
        with _JOURNAL_OPENING:  # the event loop and a test thread may ask first together
            conn = getattr(self, "_journal_conn", None)
            if conn is None:
                self._journal_lock = threading.Lock()
                if self._private:
                    conn = self.conn
                else:  # workers open it together on their first requests: wait for each other, never fail
                    conn = sqlite3.connect(self.path + JOURNAL_SUFFIX, isolation_level=None, check_same_thread=False,
                                           timeout=5.0)
                    conn.execute("PRAGMA busy_timeout=5000")
                    conn.execute("PRAGMA journal_mode=WAL")
                    conn.execute("PRAGMA synchronous=NORMAL")
                    self._journal_checkpointer = Checkpointer(self.path + JOURNAL_SUFFIX)  # off the request path too
                conn.executescript(_JOURNAL_SCHEMA)
                self._journal_conn = conn
        return conn

    def journal_append(self, entry: bytes, time: float, keep: int, max_bytes: int) -> int:
        """Add one journal entry (JSON) and drop the oldest beyond `keep` entries or `max_bytes`; its seq.
        BEGIN IMMEDIATE serialises the processes, so seqs are committed in order."""
        conn = self._journal()
        with self._journal_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                seq, total = conn.execute(_JOURNAL_APPEND, (time, len(entry), entry)).fetchone()
                conn.execute("DELETE FROM graphmock_journal WHERE seq <= ? OR bytes_before < ?",
                             (seq - keep, total - max_bytes))
                conn.execute("COMMIT")  # inside: a failed COMMIT must not leave the connection in a transaction
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        return int(seq)

    def journal_read(self, since: int) -> list[tuple[int, float, bytes]]:
        """(seq, time, entry) of every journal entry after `since`, oldest first."""
        conn = self._journal()
        with self._journal_lock:
            return conn.execute("SELECT seq, time, entry FROM graphmock_journal WHERE seq > ? ORDER BY seq",
                                (since,)).fetchall()

    def journal_state(self) -> tuple[int, int]:
        """(the last seq handed out, even if cleared since; the bytes the kept entries hold)."""
        conn = self._journal()
        with self._journal_lock:
            row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'graphmock_journal'").fetchone()
            total = conn.execute("SELECT coalesce(sum(size), 0) FROM graphmock_journal").fetchone()[0]
        return (int(row[0]) if row else 0), int(total)

    def journal_clear(self) -> None:
        conn = self._journal()
        with self._journal_lock:
            conn.execute("DELETE FROM graphmock_journal")
