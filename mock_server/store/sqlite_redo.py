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
import os
import re
import sqlite3
import struct
import threading
import time
import zlib
from collections.abc import Iterator, Mapping
from typing import Any

try:
    import fcntl
except ImportError:  # not POSIX: no presence lock, so never alone (group commit stays off)
    fcntl = None  # type: ignore[assignment]

REDO_SUFFIX = "-redo"
_HEADER = struct.Struct("<II")  # body length, CRC32 of the body
_MARSHAL_VERSION = 4
_WRITE_WORDS = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER"})
_DML = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
_KINDS: dict[str, bool] = {}  # sql -> whether it writes (bounded: dynamic IN lists make new strings)
_datasync = getattr(os, "fdatasync", os.fsync)  # macOS has no fdatasync
_OFD_SETLK = getattr(fcntl, "F_OFD_SETLK", None) if fcntl is not None else None  # Linux: else never alone
_FLOCK = struct.Struct("hhqqi4x")  # struct flock: type, whence, start, len (0: the whole file), pid (0 for OFD)


def _ofd_lock(fd: int, kind: int) -> bool:
    """Take or convert this open file's lock on the whole file without waiting; False when another holds one
    that conflicts (the lock held before is then unchanged)."""
    try:
        fcntl.fcntl(fd, _OFD_SETLK, _FLOCK.pack(kind, os.SEEK_SET, 0, 0, 0))
        return True
    except (BlockingIOError, PermissionError):  # EAGAIN / EACCES: held elsewhere
        return False

Statement = tuple[str, Any, bool]  # sql, parameters, executemany?
_execute = sqlite3.Connection.execute
_DEFERRED_LOCK = threading.Lock()  # `serve` runs its store on one thread; a test may read it from another


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
    on_flush_error: Any = None
    _flusher: sqlite3.Cursor | None = None

    def defer(self, sql: str, parameters: Any, /) -> None:
        """Keep an insert to run later (it is in the request's log already, so in its redo record)."""
        with _DEFERRED_LOCK:
            if self.deferred is None:
                self.deferred = [(sql, parameters)]
            else:
                self.deferred.append((sql, parameters))

    def flush(self) -> None:
        """Run the deferred inserts now (on a plain cursor: they are recorded already)."""
        with _DEFERRED_LOCK:
            rows, self.deferred = self.deferred, None
            if not rows:
                return
            cursor = self._flusher
            if cursor is None:
                cursor = self._flusher = sqlite3.Cursor(self)
            try:
                for sql, parameters in rows:
                    cursor.execute(sql, parameters)
                return
            except BaseException as exc:  # an I/O error (sqlite_deferred.py checks what else could fail)
                error = exc
        if self.on_flush_error is not None:
            self.on_flush_error()
        raise error

    def discard(self) -> None:
        """Forget the deferred inserts (the group rolls back; its redo records bring back the acknowledged ones)."""
        with _DEFERRED_LOCK:
            self.deferred = None

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:  # type: ignore[override]
        if self.deferred is not None:
            self.flush()
        cursor = _execute(self, sql, parameters)
        if self.log is not None or self.loose is not None:  # a read costs this test and one dict lookup
            kind = _KINDS.get(sql)
            if kind or (kind is None and writes(sql)):
                self._record((sql, parameters, False))
        return cursor

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:  # type: ignore[override]
        if self.deferred is not None:
            self.flush()
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
        if self.deferred is not None:
            self.flush()
        cursor = self._writer
        if cursor is None:
            cursor = self._writer = self.cursor()
        cursor.execute(sql, parameters)
        self.record_write(sql, parameters)

    def executescript(self, script: str, /) -> sqlite3.Cursor:  # type: ignore[override]
        if self.deferred is not None:
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
    """The whole records of `data`, in order; stops at the first torn or corrupt one (a kill mid-append)."""
    offset = 0
    while offset + _HEADER.size <= len(data):
        length, crc = _HEADER.unpack_from(data, offset)
        body = data[offset + _HEADER.size:offset + _HEADER.size + length]
        if len(body) < length or zlib.crc32(body) != crc:
            return
        try:
            epoch, seq, statements = marshal.loads(body)
        except (ValueError, EOFError, TypeError):
            return
        yield int(epoch), int(seq), statements
        offset += _HEADER.size + length


class RedoFile:
    """`<db>-redo`, opened for appends. Written and truncated only while this process holds the database's write
    lock (the group transaction), so records never interleave with another process's."""

    def __init__(self, path: str, *, durable: bool) -> None:
        self.path = path
        self.durable = durable
        existed = os.path.exists(path)
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        self.size = os.fstat(self.fd).st_size  # what this process last left: another size means another writer
        if durable and not existed:  # the new name itself must survive a power loss
            directory = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)

    # -- presence: who else has this store open (an open-file-description lock on this file, released by the OS
    # when the file is closed or its process dies; unlike flock, converting it is atomic: a failed upgrade keeps
    # the shared lock, so no other store can slip in between) ----------------------------------------------
    def share(self, timeout: float = 10.0) -> bool:
        """Hold a shared lock while this store is open: a group-commit server then knows it is not alone and
        commits every request. At open only, this waits (briefly: a group commits within ~20 ms) while a group
        holds the file; downgrading from a group's exclusive lock never waits."""
        if _OFD_SETLK is None:
            return False
        deadline = time.monotonic() + timeout
        while True:
            if _ofd_lock(self.fd, fcntl.F_RDLCK):
                return True
            if time.monotonic() > deadline:
                return False  # a group that never commits (a stopped loop): go on without the lock
            time.sleep(0.002)

    def exclusive(self) -> bool:
        """Whether no other process (or store) has this file open: then this one may hold a group. On failure
        the shared lock stays as it was (the conversion is atomic)."""
        return _OFD_SETLK is not None and _ofd_lock(self.fd, fcntl.F_WRLCK)

    def append(self, record: bytes) -> None:
        """One write (and an fdatasync when durable): a killed process leaves the record whole or torn, never
        interleaved; the OS keeps it across a process kill once written."""
        try:
            written = os.write(self.fd, record)
            while written < len(record):  # a short write (a full disk, a signal): finish it, or raise
                written += os.write(self.fd, record[written:])
            if self.durable:
                _datasync(self.fd)
        except BaseException:
            os.ftruncate(self.fd, self.size)  # no torn record in the middle: later ones must stay readable
            raise
        self.size += len(record)

    def read(self) -> bytes:
        """The whole file; what this process expects it to hold from now on."""
        size = os.fstat(self.fd).st_size
        data = os.pread(self.fd, size, 0) if size else b""
        self.size = len(data)
        return data

    def changed_elsewhere(self) -> bool:
        """Another process appended to or emptied the file since this one last wrote it."""
        return os.fstat(self.fd).st_size != self.size

    def truncate(self) -> None:
        os.ftruncate(self.fd, 0)
        if self.durable:
            os.fsync(self.fd)
        self.size = 0

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


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
