"""The shared journal of a SQLite world (mock_server/journal_store.py), in a sibling file.

Only processes sharing the world use it (`serve --workers`). The journal is written on every request, so it
lives in its own file, `<db>.journal.sqlite3`, with its own connection: a write there must not move the objects
file's data_version, which every worker's read cache and shared.py check before each request. The same file
holds a shared world's counters (store/sqlite_counters.py). `SQLiteRepository` inherits these methods.

Entries are numbered in one table, `graphmock_journal` (one global `seq`, the newest row numbering the next).
With a file store (`--workers`) a request does not write that table: its entry goes to this process's pending
file (sqlite_journal_pending.py: one `write`, no lock shared with the other workers), and `_move` numbers every
process's pending entries, in stamp order, before any journal read and every FLUSH_ENTRIES appends. A private
`:memory:` store numbers each entry at once, with one autocommit INSERT.

The limits are kept lazily: a move (or every TRIM_EVERY numbered appends) deletes the rows beyond them, never the
newest, and every read applies the reader's limits exactly (`_VISIBLE`), so a read never shows more than the
in-memory ring would keep. Moves and numbered appends of several processes queue on an flock of
`<db>.journal.sqlite3.lock`: a waiting process wakes as soon as the holder is done, where SQLite's own busy
handler would sleep a millisecond or more.
"""

from __future__ import annotations

import glob
import os
import sqlite3
import threading
from contextlib import AbstractContextManager, nullcontext
from time import monotonic_ns as time_ns
from typing import Any

from mock_server.store.checkpoint import Checkpointer
from mock_server.store.sqlite_journal_pending import PENDING, PendingFile, read_records, remove
from mock_server.store.sqlite_journal_pending import supported as pending_files_supported

try:
    import fcntl
except ImportError:  # not POSIX: SQLite's busy handler alone serialises the appends
    fcntl = None  # type: ignore[assignment]

JOURNAL_SUFFIX = ".journal.sqlite3"  # the shared journal's file beside the store's (journal_store.py)
TRIM_EVERY = 64  # appends between two deletions of the rows beyond the limits (reads apply them exactly)
_JOURNAL_OPENING = threading.Lock()
# seq is the rowid (no AUTOINCREMENT: its sqlite_sequence row was one more page per commit); the last seq handed
# out before a clear is kept in graphmock_journal_cleared, so seqs are never reused. No index on bytes_before:
# it grows with seq, so a seq-ordered scan from the oldest row finds the trim point.
_JOURNAL_SCHEMA = """
CREATE TABLE IF NOT EXISTS graphmock_journal (
    seq INTEGER PRIMARY KEY,
    time REAL NOT NULL,
    size INTEGER NOT NULL,
    bytes_before INTEGER NOT NULL,
    entry BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS graphmock_journal_cleared (id INTEGER PRIMARY KEY CHECK (id = 0), seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS graphmock_journal_moved (file TEXT PRIMARY KEY, moved INTEGER NOT NULL);
"""
# how far each process's pending file (sqlite_journal_pending.py) has been moved into graphmock_journal
_MOVED_TABLE = "CREATE TABLE IF NOT EXISTS graphmock_journal_moved (file TEXT PRIMARY KEY, moved INTEGER NOT NULL)"
# the schema of the first shared journal (AUTOINCREMENT, an index), moved over once: same rows, same seqs
_OLD_SCHEMA_MOVE = """
ALTER TABLE graphmock_journal RENAME TO graphmock_journal_old;
{schema}
INSERT INTO graphmock_journal SELECT seq, time, size, bytes_before, entry FROM graphmock_journal_old;
INSERT OR REPLACE INTO graphmock_journal_cleared (id, seq)
    SELECT 0, seq FROM sqlite_sequence WHERE name = 'graphmock_journal_old';
DROP TABLE graphmock_journal_old;
"""
_LAST = "(SELECT seq, bytes_before + size AS total FROM graphmock_journal ORDER BY seq DESC LIMIT 1)"
_CLEARED = "coalesce((SELECT seq FROM graphmock_journal_cleared), 0)"
_APPEND = ("INSERT INTO graphmock_journal (seq, time, size, bytes_before, entry) "
           f"SELECT max(coalesce(last.seq, 0), {_CLEARED}) + 1, ?1, ?2, coalesce(last.total, 0), ?3 "
           f"FROM (SELECT 1) LEFT JOIN {_LAST} AS last")  # its seq is the rowid: lastrowid, no RETURNING (3 us)
# (the last seq handed out, the running byte total) a batch of entries is numbered after
_NEXT = (f"SELECT max(coalesce(last.seq, 0), {_CLEARED}), coalesce(last.total, 0) FROM (SELECT 1) LEFT JOIN {_LAST} "
         "AS last")
# The rows beyond the limits, oldest first; never the newest row, which numbers the next append.
_TRIM = ("DELETE FROM graphmock_journal WHERE seq < min(?1, max(?1 - ?2 + 1, coalesce((SELECT seq FROM "
         "graphmock_journal WHERE bytes_before >= (SELECT bytes_before + size FROM graphmock_journal WHERE seq = ?1) "
         "- ?3 ORDER BY seq LIMIT 1), ?1)))")
# The rows a reader with limits (keep, max_bytes) sees: the newest `keep`, within `max_bytes` of the newest row's
# running total. Seqs are consecutive in the table (a clear empties it), so the count is a seq range.
_VISIBLE = (f"FROM graphmock_journal AS j, {_LAST} AS last "
            "WHERE j.seq > max(?1, last.seq - ?2) AND j.bytes_before >= last.total - ?3")
_READ = f"SELECT j.seq, j.time, j.entry {_VISIBLE} ORDER BY j.seq"
_STATE = (f"SELECT max(coalesce((SELECT max(seq) FROM graphmock_journal), 0), {_CLEARED}), "
          f"(SELECT coalesce(sum(j.size), 0) {_VISIBLE})")
_UNLIMITED = 1 << 62
_NO_LOCK = nullcontext()


class SiblingJournal:
    """The `journal_*` methods of SQLiteRepository (which provides `path`, `conn` and `_private`)."""

    path: str
    conn: sqlite3.Connection
    _private: bool
    _journal_lock: threading.Lock
    _journal_checkpointer: Any
    _journal_flock: Any
    _journal_pending: PendingFile | None

    def _journal(self) -> sqlite3.Connection:
        conn = getattr(self, "_journal_conn", None)
        if conn is not None:
            return conn
        with _JOURNAL_OPENING:  # the event loop and a test thread may ask first together
            conn = getattr(self, "_journal_conn", None)
            if conn is None:
                self._journal_lock = threading.Lock()
                self._journal_flock = self._journal_pending = None
                if self._private:
                    conn = self.conn
                else:  # workers open it together on their first requests: wait for each other, never fail
                    conn = sqlite3.connect(self.path + JOURNAL_SUFFIX, isolation_level=None, check_same_thread=False,
                                           timeout=5.0)
                    conn.execute("PRAGMA busy_timeout=5000")
                    conn.execute("PRAGMA page_size=1024")  # a new file: an entry is a few hundred bytes, and each
                    conn.execute("PRAGMA journal_mode=WAL")  # append writes its page (a quarter of the WAL frames)
                    conn.execute("PRAGMA synchronous=NORMAL")
                    self._journal_checkpointer = Checkpointer(self.path + JOURNAL_SUFFIX)  # off the request path too
                    if fcntl is not None:
                        self._journal_flock = open(self.path + JOURNAL_SUFFIX + ".lock", "ab")  # noqa: SIM115
                _create_schema(conn)
                self._journal_conn = conn
        return conn

    def _locked(self) -> AbstractContextManager[Any]:
        """The journal's lock across processes (appends numbered at once, and moves of pending entries)."""
        return _Flock(self._journal_flock) if self._journal_flock is not None else _NO_LOCK

    def journal_append(self, entry: bytes, time: float, keep: int, max_bytes: int) -> int:
        """Add one journal entry (JSON), readable by every process before this returns. A file store writes it to
        this process's pending file and returns 0: it is numbered when moved (sqlite_journal_pending.py);
        `:memory:` numbers it at once and returns its seq. Limits are kept as the module docstring says."""
        conn = self._journal()
        with self._journal_lock:
            if pending_files_supported(self.path):
                mine = self._journal_pending
                if mine is None or mine.pid != os.getpid():  # a forked worker writes its own file
                    mine = self._journal_pending = PendingFile(self.path + JOURNAL_SUFFIX)
                if mine.append(time_ns(), time, entry):
                    self._move(keep, max_bytes)
                return 0
            with self._locked():
                seq = conn.execute(_APPEND, (time, len(entry), entry)).lastrowid
                if seq % TRIM_EVERY == 0:
                    conn.execute(_TRIM, (seq, keep, max_bytes))
        return int(seq)

    def journal_read(self, since: int, keep: int | None = None, max_bytes: int | None = None
                     ) -> list[tuple[int, float, bytes]]:
        """(seq, time, entry) of every journal entry after `since` within the limits, oldest first."""
        conn = self._journal()
        with self._journal_lock:
            self._move(keep, max_bytes)
            return conn.execute(_READ, (since, *_limits(keep, max_bytes))).fetchall()

    def journal_state(self, keep: int | None = None, max_bytes: int | None = None) -> tuple[int, int]:
        """(the last seq handed out, even if cleared since; the bytes the entries within the limits hold)."""
        conn = self._journal()
        with self._journal_lock:
            self._move(keep, max_bytes)
            row = conn.execute(_STATE, (0, *_limits(keep, max_bytes))).fetchone()
        return int(row[0]), int(row[1])

    def journal_clear(self) -> None:
        """Empty the journal for every process; the next seq goes on from the last one handed out."""
        conn = self._journal()
        with self._journal_lock:
            self._move(None, None)
            with self._locked():
                conn.execute("BEGIN IMMEDIATE")
                try:
                    conn.execute("INSERT OR REPLACE INTO graphmock_journal_cleared (id, seq) "
                                 f"SELECT 0, max(coalesce(max(seq), 0), {_CLEARED}) FROM graphmock_journal")
                    conn.execute("DELETE FROM graphmock_journal")
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise

    def _move(self, keep: int | None, max_bytes: int | None) -> None:
        """Number every process's pending entries into the table, in stamp order, and trim to the limits (the
        caller holds `_journal_lock`). This process's own file is emptied; a gone process's file deleted."""
        if not pending_files_supported(self.path):
            return
        conn = self._journal_conn
        prefix = self.path + JOURNAL_SUFFIX
        mine = self._journal_pending if self._journal_pending and self._journal_pending.pid == os.getpid() else None
        with self._locked():
            conn.execute("BEGIN IMMEDIATE")
            try:
                horizon = time_ns()  # after the lock: every own record is stamped before it (module docstring)
                offsets = dict(conn.execute("SELECT file, moved FROM graphmock_journal_moved").fetchall())
                records: list[tuple[int, str, float, bytes]] = []
                gone: list[str] = []
                own = mine.path if mine is not None else None
                for path in glob.glob(glob.escape(prefix) + PENDING + "*"):
                    name = os.path.basename(path)
                    found, end, owner_gone = read_records(path, offsets.get(name, 0), None if path == own else horizon)
                    records += [(stamp, name, time, entry) for stamp, time, entry in found]
                    if owner_gone:
                        gone.append(path)
                        conn.execute("DELETE FROM graphmock_journal_moved WHERE file = ?", (name,))
                    elif mine is not None and path == mine.path:
                        conn.execute("DELETE FROM graphmock_journal_moved WHERE file = ?", (name,))  # emptied below
                    elif end != offsets.get(name, 0):
                        conn.execute("INSERT OR REPLACE INTO graphmock_journal_moved (file, moved) VALUES (?, ?)",
                                     (name, end))
                seq = _insert_in_order(conn, records)
                if seq and (keep is not None or max_bytes is not None):
                    conn.execute(_TRIM, (seq, *_limits(keep, max_bytes)))
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            if mine is not None:
                mine.truncate()
            for path in gone:
                remove(path)


class _Flock:
    """An exclusive flock of an open file, held for a `with` block (blocks in the kernel while another has it)."""

    __slots__ = ("fd",)

    def __init__(self, file: Any) -> None:
        self.fd = file.fileno()

    def __enter__(self) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_EX)

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)


def _insert_in_order(conn: sqlite3.Connection, records: list[tuple[int, str, float, bytes]]) -> int:
    """Number `records` (stamp, file, time, entry) after the newest row, in stamp order; the last seq (0: none)."""
    if not records:
        return 0
    records.sort(key=_stamp_order)
    seq, total = conn.execute(_NEXT).fetchone()
    rows = []
    for _stamp, _name, time, entry in records:
        seq += 1
        rows.append((seq, time, len(entry), total, entry))
        total += len(entry)
    conn.executemany("INSERT INTO graphmock_journal (seq, time, size, bytes_before, entry) VALUES (?, ?, ?, ?, ?)",
                     rows)
    return int(seq)


def _stamp_order(record: tuple[int, str, float, bytes]) -> tuple[int, str]:
    return record[0], record[1]


def _limits(keep: int | None, max_bytes: int | None) -> tuple[int, int]:
    """A reader's limits as SQL arguments (None: no limit)."""
    return (_UNLIMITED if keep is None else keep), (_UNLIMITED if max_bytes is None else max_bytes)


def _create_schema(conn: sqlite3.Connection) -> None:
    """The tables, created once; a file written by the first shared journal is moved to this schema."""
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'graphmock_journal'").fetchone()
    if sql is not None and "AUTOINCREMENT" not in sql[0].upper():
        conn.execute(_MOVED_TABLE)
        return
    if conn.in_transaction:  # a private :memory: store inside its own transaction: part of it
        _script(conn, _JOURNAL_SCHEMA if sql is None else _OLD_SCHEMA_MOVE.format(schema=_JOURNAL_SCHEMA))
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'graphmock_journal'").fetchone()
        if sql is None:
            _script(conn, _JOURNAL_SCHEMA)
        elif "AUTOINCREMENT" in sql[0].upper():  # another process may have moved it meanwhile
            _script(conn, _OLD_SCHEMA_MOVE.format(schema=_JOURNAL_SCHEMA))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _script(conn: sqlite3.Connection, script: str) -> None:
    """Each statement of `script` inside the open transaction (executescript would COMMIT first)."""
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)
