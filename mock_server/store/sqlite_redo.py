"""The redo log of a SQLite file store in group-commit mode (docs/group-commit.md).

While writes wait in the open group transaction (store/sqlite_group.py), each acknowledged request is made
durable by ONE record appended to `<db>-redo` before its response: the mutating statements it ran, with their
parameters, captured at the connection (`RecordingConnection`), so every write path is covered without each
one reporting itself. A record is framed as length + CRC32 + body (marshal of `(epoch, seq, statements)`), so a tail
torn by a kill is recognised and ignored. Replaying the records above the sequence the database last committed
rebuilds exactly the acknowledged world: the statements are concrete (ids, times and JSON already computed in
Python; no random() or datetime('now') in the store's SQL).
"""

from __future__ import annotations

import marshal
import re
import sqlite3
import threading
import zlib
from collections.abc import Iterator, Mapping
from typing import Any

from mock_server.store.sqlite_redo_file import _HEADER, REDO_SUFFIX, RedoFile, whole_records

__all__ = ["DEFERRED_LOCK", "REDO_SUFFIX", "RecordingConnection", "RedoFile", "TakenBack", "decode", "encode", "replay", "writes"]

_MARSHAL_VERSION = 4
_WRITE_WORDS = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER"})
_DML = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
_KINDS: dict[str, bool] = {}  # sql -> whether it writes (bounded: dynamic IN lists make new strings)
Statement = tuple[str, Any, bool]  # sql, parameters, executemany?
_execute = sqlite3.Connection.execute
# `serve` runs its store on one thread; a test may read it from another. Reentrant: a failed flush's recovery runs
# statements, which come back to `flush` on the same thread
DEFERRED_LOCK = threading.RLock()


class TakenBack(sqlite3.OperationalError):
    """A write of a request whose group was rolled back under it (a deferred insert failed): the request fails."""

    def __init__(self) -> None:
        super().__init__("a deferred insert failed to run; this request was taken back")


def writes(sql: str) -> bool:
    """Whether `sql` changes the database: what the redo log must hold. SELECT, PRAGMA reads and transaction
    control are left out; a WITH counts when it holds a DML keyword (the store's CTEs are all reads)."""
    kind = _KINDS.get(sql)
    if kind is None:
        word = sql.lstrip()[:8].split(None, 1)[0].upper() if sql.strip() else ""
        kind = word in _WRITE_WORDS or (word == "WITH" and _DML.search(sql) is not None)
        if len(_KINDS) > 4096:
            _KINDS.clear()
        _KINDS[sql] = kind
    return kind


class RecordingConnection(sqlite3.Connection):
    """A connection that appends each successful writing statement to `log` while it is a list (the open
    request inside a group); `loose` takes a write run outside any request (made durable at once)."""

    log: list[Statement] | None = None
    loose: Any = None  # callable(statement) or None
    _writer: sqlite3.Cursor | None = None  # the cursor `write` reuses
    # inserts recorded in the redo log but not run yet (store/sqlite_deferred.py): run, in order, before any other
    # statement on this connection; `on_flush_error` (the group's) gives up the transaction if one fails
    deferred: list[tuple[str, Any]] | None = None
    flushing = False  # they are being run (perhaps by another thread): a statement waits for them (`flush`)
    on_flush_error: Any = None
    # the request running now lost the group it wrote in (a deferred insert failed): it may not write any more
    taken_back = False
    _flusher: sqlite3.Cursor | None = None

    def defer(self, sql: str, parameters: Any, /) -> None:
        """Keep an insert to run later (it is in the request's log already, so in its redo record)."""
        with DEFERRED_LOCK:  # `taken_back` read under it: another thread's recovery may be setting it
            if self.taken_back:
                raise TakenBack()
            if self.deferred is None:
                self.deferred = [(sql, parameters)]
            else:
                self.deferred.append((sql, parameters))

    def flush(self) -> None:
        """Run the deferred inserts now (on a plain cursor: they are recorded already). Under the lock, with
        `flushing` set while they run and, if one fails, while the group recovers (`on_flush_error`, whose own
        statements come back here on this thread): a statement on another thread waits rather than running
        first or on a rolled-back state."""
        with DEFERRED_LOCK:
            rows = self.deferred
            if not rows:
                return
            self.flushing = True
            self.deferred = None
            cursor = self._flusher
            if cursor is None:
                cursor = self._flusher = sqlite3.Cursor(self)
            try:
                for sql, parameters in rows:
                    cursor.execute(sql, parameters)
            except BaseException:  # an I/O error (sqlite_deferred.py checks what else could fail)
                if self.on_flush_error is not None:
                    self.on_flush_error()
                raise
            finally:
                self.flushing = False

    def discard(self) -> None:
        """Forget the deferred inserts (the group rolls back; its redo records bring back the acknowledged ones)."""
        with DEFERRED_LOCK:
            self.deferred = None

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:  # type: ignore[override]
        if self.deferred is not None or self.flushing:
            self.flush()
        if self.taken_back and writes(sql):
            raise TakenBack()
        cursor = _execute(self, sql, parameters)
        if self.log is not None or self.loose is not None:  # a read costs this test and one dict lookup
            kind = _KINDS.get(sql)
            if kind or (kind is None and writes(sql)):
                self._record((sql, parameters, False))
        return cursor

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:  # type: ignore[override]
        if self.deferred is not None or self.flushing:
            self.flush()
        if self.taken_back and writes(sql):
            raise TakenBack()
        if self.log is None and self.loose is None:
            return sqlite3.Connection.executemany(self, sql, parameters)
        rows = list(parameters)
        cursor = sqlite3.Connection.executemany(self, sql, rows)
        if writes(sql):
            self._record((sql, rows, True))
        return cursor

    def write(self, sql: str, parameters: Any, /) -> None:
        """A statement the caller knows writes (the store's insert and update): run on one reused cursor (no new
        cursor per call) and recorded without the per-statement checks of `execute`."""
        if self.deferred is not None or self.flushing:
            self.flush()
        if self.taken_back:
            raise TakenBack()
        cursor = self._writer
        if cursor is None:
            cursor = self._writer = self.cursor()
        cursor.execute(sql, parameters)
        self.record_write(sql, parameters)

    def executescript(self, script: str, /) -> sqlite3.Cursor:  # type: ignore[override]
        if self.deferred is not None or self.flushing:
            self.flush()
        return sqlite3.Connection.executescript(self, script)

    def record_write(self, sql: str, parameters: Any, /) -> None:
        """Keep a write the caller ran itself (`write`, or `SQLiteRepository.insert` on a cursor of this
        connection, which calls this directly: one Python frame less per insert)."""
        if self.log is not None:
            self.log.append((sql, parameters, False))
        elif self.loose is not None:
            self.loose((sql, parameters, False))

    def _record(self, statement: Statement) -> None:
        if self.log is not None:
            self.log.append(statement)
        else:
            self.loose(statement)


def encode(epoch: int, seq: int, statements: list[Statement]) -> bytes:
    """One framed record (raises ValueError for a parameter marshal cannot hold: the request then fails whole).
    `epoch` names the database file the record belongs to (a file deleted and created again gets a new one)."""
    try:  # in one pass: the statements as captured (parameters are tuples, lists or dicts of plain values)
        body = marshal.dumps((epoch, seq, statements), _MARSHAL_VERSION)
    except ValueError:  # another sequence or mapping type: as plain tuples and dicts (else ValueError again)
        body = marshal.dumps((epoch, seq, [(sql, _plain(params), many) for sql, params, many in statements]),
                             _MARSHAL_VERSION)
    return _HEADER.pack(len(body), zlib.crc32(body)) + body


def _plain(params: Any) -> Any:
    if isinstance(params, Mapping):
        return dict(params)
    return [_plain(row) if not isinstance(row, (str, bytes, bytearray, int, float, type(None))) else row
            for row in params]


def decode(data: bytes) -> Iterator[tuple[int, int, list[Statement]]]:
    """The whole records of `data`, in order; stops at the first torn or corrupt one (a kill mid-append: its
    checksum fails), or at a zero length (the end of the records of a mapped file: sqlite_redo_file.py). A whole
    record that does not decode raises ValueError: a kill cannot leave one, and stopping there would drop every
    record after it without a word."""
    for end, body in whole_records(data):
        try:
            epoch, seq, statements = marshal.loads(body)
            record = int(epoch), int(seq), statements
        except (ValueError, EOFError, TypeError) as exc:
            raise ValueError(f"the record ending at byte {end} is whole but does not decode ({exc})") from None
        yield record


def replay(conn: sqlite3.Connection, data: bytes, epoch: int, committed: int) -> int:
    """Run, in order, the statements of every record of this file (`epoch`) above `committed` (inside the
    caller's transaction, with recording off); the last sequence applied (or `committed`)."""
    last = committed
    for record_epoch, seq, statements in decode(data):
        if record_epoch != epoch or seq <= last:
            continue
        for sql, params, many in statements:
            if many:
                sqlite3.Connection.executemany(conn, sql, params)
            else:
                sqlite3.Connection.execute(conn, sql, params)
        last = seq
    return last
