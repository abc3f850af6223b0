"""Recovery of a group-commit SQLite store from its redo file (docs/group-commit.md, points 4, 6, 7 and 8).

Split from store/sqlite_group.py, which keeps the group's normal path (a request's enter and exit, the COMMIT,
the timer). Here: replaying `<db>-redo` at every open (`recover`) and the epoch tying it to this database
(`position`, `renew_epoch`); and a group's ways back to exactly the acknowledged writes after a failure
(`GroupRecovery`, a base class of `Group`): a failed request's undo, a failed deferred insert, a failed COMMIT's
catch-up. None of it runs on a request's path unless something failed.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from typing import TYPE_CHECKING, Any

from mock_server.store.sqlite_redo import RedoFile, replay

if TYPE_CHECKING:
    from mock_server.store.sqlite_redo import RecordingConnection

_TABLE = ("CREATE TABLE IF NOT EXISTS graphmock_redo "
          "(id INTEGER PRIMARY KEY CHECK (id = 0), epoch INTEGER NOT NULL, seq INTEGER NOT NULL)")

log = logging.getLogger("graphmock")


class RedoReplayError(sqlite3.DatabaseError):
    """The redo file's records fail to apply at open (a file edited or restored by hand beside it)."""


class RedoReplayBlocked(sqlite3.OperationalError):
    """Replaying the redo file failed for a cause outside its records (the disk failing or full, a lock held by
    another process, a file that cannot be opened): the file was left untouched, and the same replay succeeds once
    the cause is fixed. Never a reason to move the file aside, which would drop acknowledged writes."""


class RedoBehind(RuntimeError):
    """The database lacks acknowledged writes that are in the redo file (a failed COMMIT not yet caught up)."""


# SQLite's primary result codes (www.sqlite.org/rescode.html) that blame the disk, the file system, memory, another
# process's lock or the database file itself, never the statement being run: a record then applies later, as it is
_NOT_THE_RECORD = frozenset({
    sqlite3.SQLITE_PERM, sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_NOMEM, sqlite3.SQLITE_READONLY,
    sqlite3.SQLITE_INTERRUPT, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_FULL,
    sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PROTOCOL, sqlite3.SQLITE_NOLFS, sqlite3.SQLITE_NOTADB,
})
# what the sqlite3 module says, without a code, of a statement or its values (a record's own fault)
_RECORD_TEXTS = ("incorrect number of bindings", "error binding parameter", "you can only execute one statement")


def blames_the_record(exc: BaseException) -> bool:
    """Whether a replay's error says its record cannot apply (a constraint, a missing table, a malformed record)
    rather than that the disk, the file system or a lock failed (`_NOT_THE_RECORD`). An error without a code blames
    the record only when it names the statement's values: anything else (a closed connection, an error built by
    hand) keeps the file, since moving it aside is the advice that drops acknowledged writes."""
    if not isinstance(exc, sqlite3.Error):
        # a record whose statements are not (sql, params, many), that does not decode, or binds an int beyond 64 bits
        return isinstance(exc, (TypeError, ValueError, OverflowError))
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF not in _NOT_THE_RECORD  # an extended code's low byte is its primary code
    return isinstance(exc, (sqlite3.ProgrammingError, sqlite3.InterfaceError)) and \
        str(exc).lower().startswith(_RECORD_TEXTS)


def _replay_failed(redo: RedoFile, exc: BaseException) -> BaseException:
    """The error a failed replay raises: what to do depends on whom the failure blames."""
    if blames_the_record(exc):
        return RedoReplayError(f"replaying {redo.path} failed ({exc}): it does not match this database; move it "
                               "aside to open the database as last committed (without the writes it holds)")
    if not isinstance(exc, sqlite3.Error):
        return exc  # an OSError reading the redo file, an interrupt: says what it is already
    name = getattr(exc, "sqlite_errorname", None) or type(exc).__name__
    blocked = RedoReplayBlocked(
        f"replaying {redo.path} failed ({name}: {exc}): the disk, the file system or a lock failed, not the records. "
        "The redo file was left untouched and still holds every acknowledged write; fix the cause (free space, a "
        "failing disk, permissions, another process holding the database) and start again: nothing to move aside")
    blocked.sqlite_errorcode = getattr(exc, "sqlite_errorcode", None)  # type: ignore[attr-defined]
    blocked.sqlite_errorname = getattr(exc, "sqlite_errorname", None)  # type: ignore[attr-defined]
    return blocked


def _roll_back(conn: sqlite3.Connection) -> None:
    """ROLLBACK if a transaction is still open (SQLite rolls back by itself on a full disk or an I/O error); a
    failure of the ROLLBACK itself never hides the error being raised."""
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass


def recover(conn: sqlite3.Connection, redo: RedoFile) -> int:
    """Apply the redo records a killed process left above the committed sequence (in one transaction), then
    empty the redo file unless another process appended to it meanwhile. Runs at every open of a file store
    (any mode: a `--workers` start after a lone server's kill recovers too); the records replayed.

    A failure leaves the redo file as it was and raises `RedoReplayError` when a record does not apply to this
    database (move the file aside to open without its writes), `RedoReplayBlocked` when the disk, the file system
    or a lock failed (fix that and open again: moving the file aside would drop acknowledged writes)."""
    if not os.fstat(redo.fd).st_size:
        redo.emptied()  # (by another process, perhaps: a mapping of it is dropped)
        return 0
    try:
        conn.execute("BEGIN IMMEDIATE")
        epoch, committed, _created = position(conn)
        last = replay(conn, redo.read(), epoch, committed)
        if last != committed:
            conn.execute("UPDATE graphmock_redo SET seq = ? WHERE id = 0", (last,))
        conn.execute("COMMIT")  # a full disk fails here as often as in the replay
    except BaseException as exc:
        _roll_back(conn)
        failure = _replay_failed(redo, exc)
        if failure is exc:
            raise
        raise failure from exc
    conn.execute("BEGIN IMMEDIATE")  # under the write lock: no other process appends while it is emptied
    try:
        if not redo.changed_elsewhere():
            redo.truncate()
    finally:
        conn.execute("COMMIT")
    return last - committed


def renew_epoch(conn: sqlite3.Connection, redo: RedoFile) -> None:
    """A new epoch for this open of the file, when no record waits in `-redo`: a copy of the database taken before
    (a template restored with `cp`, which leaves `-redo` alone) then never replays what a killed run left there."""
    if redo.changed_elsewhere() or os.fstat(redo.fd).st_size:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        position(conn)
        if not os.fstat(redo.fd).st_size:  # still none, under the write lock
            conn.execute("UPDATE graphmock_redo SET epoch = ? WHERE id = 0", (int.from_bytes(os.urandom(7), "big"),))
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def position(conn: sqlite3.Connection) -> tuple[int, int, bool]:
    """(this file's epoch, the last redo sequence committed, whether the row was created now); creates the row
    for a new file (inside the caller's transaction). The epoch ties redo records to this database: a file deleted and created again
    does not replay a stale `-redo` left beside it."""
    conn.execute(_TABLE)
    row = conn.execute("SELECT epoch, seq FROM graphmock_redo WHERE id = 0").fetchone()
    if row is None:
        epoch = int.from_bytes(os.urandom(7), "big")
        conn.execute("INSERT INTO graphmock_redo (id, epoch, seq) VALUES (0, ?, 0)", (epoch,))
        return epoch, 0, True
    return int(row[0]), int(row[1]), False


class GroupRecovery:
    """A group's failure paths (a base class of store/sqlite_group.py `Group`, whose state they read and reset):
    each leaves the database with exactly the acknowledged writes, or the group closed and `behind` until it can."""

    if TYPE_CHECKING:  # set by Group
        store: Any
        conn: RecordingConnection
        redo: RedoFile
        open: bool
        behind: bool
        epoch: int
        seq: int
        start_offset: int
        flush_failed: bool

        def begin(self, *, truncate: bool = True, undoing: bool = False) -> bool: ...

        def _cancel_timer(self) -> None: ...

        def _close(self) -> None: ...

    def catch_up(self) -> None:
        """After a failed COMMIT or undo: apply the redo file's records the database lacks (raises while it
        cannot: the request fails, and nothing is acknowledged on a state missing earlier acknowledged writes)."""
        if not self.behind:
            return
        self.conn.loose = None  # what the replay runs is no write of this process's to record
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
        self.store._counts.changed()
        self.store._max_ids.clear()
        # the replay is the group's own: a request refused further writes (`taken_back`) stays refused after it
        taken_back, self.conn.taken_back = self.conn.taken_back, False
        try:
            recover(self.conn, self.redo)
        except BaseException:  # a failed COMMIT may leave the transaction open: never hold the write lock idle
            if self.conn.in_transaction:
                try:
                    self.conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            raise
        finally:
            self.conn.taken_back = taken_back
        self.behind = False

    def _undo(self) -> None:
        """Take back a failed request's writes: ROLLBACK the group, begin it again and replay from the redo
        file the records the group had acknowledged (they are durable there); every cache is void."""
        conn, store = self.conn, self.store
        start = self.start_offset
        self._close_behind()
        try:
            data = self.redo.read()[start:]
            if not self.begin(truncate=False, undoing=True):  # it still holds the presence lock exclusively
                raise RedoBehind("the group could not begin again to replay its records")
            self.start_offset = start  # still the group's first record (none of it committed)
            self.seq = replay(conn, data, self.epoch, self.seq)
        except BaseException:  # left closed and behind: the next request catches up from the redo file
            self.open = store._holding = False
            conn.loose = None
            try:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            finally:
                self.redo.share()
            raise
        self.behind = False

    def _close_behind(self) -> None:
        """The group's transaction no longer holds exactly what was acknowledged: close it and roll it back, every
        cache void, `behind` until the records are applied again (the presence lock is kept)."""
        conn, store = self.conn, self.store
        self._close()
        store._counts.changed()
        store._writes += 1
        self.behind = True
        conn.discard()  # the deferred inserts of acknowledged requests come back from the redo file
        if conn.in_transaction:  # an I/O error may have rolled it back already
            conn.execute("ROLLBACK")

    def _flush_failed(self) -> None:
        """A deferred insert failed (store/sqlite_deferred.py: an I/O error): the group no longer holds what was
        acknowledged. It is rolled back and the acknowledged writes committed from the redo file at once (still
        holding the presence lock, and the flush's lock: no reader in this process or another sees the state
        between), as after a failed COMMIT. A request running now may not write any more (`taken_back`) and fails
        at its end, even if it caught the error. Inside the COMMIT, its own failure path does the same."""
        conn = self.conn
        if not self.open:  # inside the COMMIT: its failure path catches up
            return
        running, conn.log = conn.log, None  # what catching up runs belongs to no request
        try:
            self._close_behind()
            self.catch_up()  # the acknowledged writes committed from the redo file (else the next request tries)
        except (OSError, sqlite3.Error) as exc:
            log.warning("graphmock: catching up after a failed insert failed (%s); the next request tries again "
                        "from %s", exc, self.redo.path)
        finally:
            self.redo.share()
            conn.log = running
            if running is not None:  # a request is running: it may not write any more, and fails at its end
                self.flush_failed = conn.taken_back = True
