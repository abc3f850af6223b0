"""Group commit of a lone server's SQLite file store (docs/group-commit.md).

A COMMIT was the largest statement of every create (~41 of 166 us in-process), with BEGIN IMMEDIATE, the
`PRAGMA data_version` read and two `SELECT max(id)` around it. Here the store keeps ONE write transaction open
across requests (a group): each request's `store.transaction()` joins it, and its writes are made durable before
the answer by one appended redo record (store/sqlite_redo.py). A request failing after it wrote rolls the group
back and replays the group's earlier records (`_undo`; it and every other failure path, and the replay at open,
are in store/sqlite_group_recovery.py). The group COMMITs (with the last record's sequence, in `graphmock_redo`)
about GROUP_SECONDS after it began, before a reset or snapshot load, and at close. While it is open no other
connection can write, so ids, the activity numbering and data_version are kept in memory instead of read per request.

Only when asked (`SQLiteRepository(group_commit=True)`: a lone `graphmock serve`, never `--workers`, where each
request must commit for the other workers), only while an event loop runs the request (without one: plain unit
tests, start-up, every transaction commits as before), and only while no other store has the file open: every
file store holds a shared lock (an open-file-description lock) on `<db>-redo` while open, and a group needs it exclusively, so a second process
(another `serve`, the CLI, a test) makes this one commit per request until it closes.
GRAPHMOCK_GROUP_COMMIT=0 turns it off.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import sqlite3
import threading
import time
import weakref
from typing import Any

from mock_server.store.sqlite_group_recovery import GroupRecovery, RedoBehind, position, recover
from mock_server.store.sqlite_group_recovery import RedoReplayError, renew_epoch  # noqa: F401 - importable here too
from mock_server.store.sqlite_redo import DEFERRED_LOCK, RedoFile, Statement, TakenBack, encode

GROUP_SECONDS = 0.02  # how long acknowledged writes may wait in the open group before its COMMIT
TRUNCATE_ABOVE = 4 * 1024 * 1024  # the redo file is emptied at the next group's start once above this

log = logging.getLogger("graphmock")
running_loop = asyncio._get_running_loop  # a C function: None outside a running loop (no exception to catch)
thread_ident = threading.get_ident  # pthread_self(): no system call, unlike running_loop()'s getpid()
_FORKS = [0]  # bumped in a forked child: a timer armed before the fork was the parent's (its loop, its group)


def _forked() -> None:
    _FORKS[0] += 1


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forked)
_OPEN: weakref.WeakSet[Group] = weakref.WeakSet()  # committed at interpreter exit (a server stopped by SIGTERM)


def enabled_by_env() -> bool:
    """GRAPHMOCK_GROUP_COMMIT=0 turns group commit off even for a lone `serve` (=1 turns it on in-process)."""
    return os.environ.get("GRAPHMOCK_GROUP_COMMIT", "1") != "0"


class Group(GroupRecovery):
    """The open group transaction of one SQLiteRepository (whose `conn` is a RecordingConnection)."""

    def __init__(self, store: Any, durable: bool) -> None:
        self.store = store
        self.conn = store.conn
        self.durable = durable
        self.redo: RedoFile = store._redo  # opened (and share-locked) by the store
        self.open = False
        self.epoch = self.seq = self.first_seq = self.start_offset = 0
        self.appended = 0  # the highest sequence this process appended: the database must reach it before a group
        self.behind = False  # a COMMIT or an undo failed: the redo file holds writes the database lacks
        self.started = 0.0
        self.timer: asyncio.Task[None] | None = None
        self.timer_loop: Any = None
        self.timer_thread = 0  # the thread the timer's loop ran in when it was armed (`enter`'s fast path)
        self.timer_forks = 0  # _FORKS when it was armed: a fork since makes this process another one
        self.flush_failed = False  # a deferred insert failed inside the request running now (`_flush_failed`)
        self.conn.on_flush_error = self._flush_failed
        _OPEN.add(self)

    # -- the group ----------------------------------------------------------------------------
    def begin(self, *, truncate: bool = True, undoing: bool = False) -> bool:
        """Open a group, if this store is alone on its file (the presence lock); False: commit per request.
        `undoing`: `_undo` replays the group's acknowledged records right after."""
        if not self.redo.exclusive():
            return False
        conn = self.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            self.redo.share()
            raise
        if self.redo.changed_elsewhere():  # another process appended or emptied it: catch up first
            try:
                conn.execute("ROLLBACK")
                recover(conn, self.redo)
                conn.execute("BEGIN IMMEDIATE")
            except BaseException:  # its records may be acknowledged writes (a killed server's): never build a
                self.behind = True  # group without them (the next request replays first), nor keep others out
                self.redo.share()
                raise
        try:
            self.epoch, self.seq, created = position(conn)
            if self.seq < self.appended and not undoing:  # never build on a state without acknowledged writes,
                self.behind = True  # nor reuse a sequence: the next request catches up first
                raise RedoBehind(f"the database is at redo record {self.seq}, {self.appended} were acknowledged")
            if created:  # a record's epoch must be committed before the record can count on it
                conn.execute("COMMIT")
                conn.execute("BEGIN IMMEDIATE")
            if truncate and self.redo.size > TRUNCATE_ABOVE:  # every record in it is committed (none elsewhere)
                self.redo.restart()
        except BaseException:
            conn.execute("ROLLBACK")
            self.redo.share()
            raise
        self.first_seq = self.seq
        self.start_offset = self.redo.size
        store = self.store
        store._txn_version = None
        store._max_ids.clear()
        store._holding = self.open = True
        self.started = time.monotonic()
        conn.loose = self._loose
        return True

    def commit(self) -> None:
        """COMMIT the group (with the last sequence it holds) and let other connections write again."""
        if not self.open:
            return
        conn, store = self.conn, self.store
        self._close()
        try:
            if self.behind:  # never commit what is not exactly the acknowledged writes: catch up from the redo file
                conn.discard()
                self.catch_up()  # (rolls back first)
                return
            if self.seq != self.first_seq:
                conn.execute("UPDATE graphmock_redo SET seq = ? WHERE id = 0", (self.seq,))
            conn.execute("COMMIT")
        except BaseException:
            # the acknowledged writes are in the redo file: roll back and apply them again from there (if that
            # fails too, e.g. the disk is still full, the next request tries again before anything: `catch_up`)
            self.behind = True
            conn.discard()
            self.catch_up()  # rolls back, then replays
            raise
        finally:
            self.redo.share()  # other processes may open the file again
        if store._retired:
            store._drop_retired()

    def _close(self) -> None:
        """The group ends (its COMMIT or its rollback follows): no timer, no write lock held between requests, the
        ids and version kept for it void."""
        store = self.store
        self.conn.loose = None
        self._cancel_timer()
        self.open = store._holding = False
        store._txn_version = None
        store._max_ids.clear()

    def close(self) -> None:
        """At the store's close (or the interpreter's exit): COMMIT, then empty the redo file (all committed)."""
        _OPEN.discard(self)
        if self.redo.fd >= 0:
            self.finish()

    def finish(self) -> None:
        """COMMIT, then empty the redo file under the write lock unless another process appended to it (or the
        database still lacks some of its records: the next open replays them)."""
        self.commit()
        if not self.redo.size and not self.redo.file_size:
            return
        if self.behind:
            try:
                self.catch_up()
            except (OSError, sqlite3.Error):
                return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                if not self.redo.changed_elsewhere():
                    self.redo.truncate()
            finally:
                self.conn.execute("COMMIT")
        except (OSError, sqlite3.Error):
            pass  # busy: the next open empties it

    # -- one request inside the group ---------------------------------------------------------
    def enter(self) -> bool:
        """`_enter` under the deferred inserts' lock: never while another thread recovers from a failed insert
        (`_flush_failed` swaps the request's log), so a request starts before or after that, not during it."""
        with DEFERRED_LOCK:
            return self._enter()

    def exit(self, ok: bool) -> None:
        """`_exit` under the same lock: a request's end (its log taken, its record appended) is one step for a
        recovery on another thread, which sees the request either running or acknowledged."""
        with DEFERRED_LOCK:
            self._exit(ok)

    def _enter(self) -> bool:
        """The outermost `store.transaction()` of a request: its writes join the group, recorded by the
        connection (no savepoint: a SAVEPOINT + RELEASE cost more than the COMMIT they would replace, and a
        request that fails after writing is rare, undone by `_undo`).

        Within a group whose timer is armed (every request after its first), the loop is known without asking
        asyncio (whose C lookup calls getpid(), a system call): the timer's loop is running and this is the thread
        it was armed in (a thread runs one loop at a time, and runs nothing but that loop's callbacks while it
        runs), no fork since it was armed (a child arms its own), and the group is young. Anything else takes the
        full check."""
        if (self.timer is not None and self.open and thread_ident() == self.timer_thread and not self.behind
                and self.timer_loop.is_running() and self.timer_forks == _FORKS[0]
                and time.monotonic() - self.started <= 2 * GROUP_SECONDS and not self.flush_failed):
            self.conn.log = []
            return True
        loop = running_loop()  # asyncio's C lookup asks getpid() each time
        if loop is None:
            return False  # no loop to commit a group later: the caller commits on its own
        if self.behind:
            self.catch_up()
        if self.open and (loop is not self.timer_loop or time.monotonic() - self.started > 2 * GROUP_SECONDS):
            self.commit()  # the loop that was to commit it stopped (or another loop runs this request)
        self.flush_failed = self.conn.taken_back = False  # left by a recovery no request saw end (another thread)
        if not self.open and not self.begin():
            return False
        self.conn.log = []
        return True

    def _exit(self, ok: bool) -> None:
        conn = self.conn
        log, conn.log = conn.log, None
        failed, self.flush_failed = self.flush_failed, False
        if failed:
            conn.taken_back = False
            conn.discard()
        counters = self.store._counters
        if failed:  # the group was rolled back and caught up under this request (`_flush_failed`), whose later
            counters.discard()  # writes were refused: it fails, even if the error was caught on the way;
            raise TakenBack()  # nothing of it reached the database
        if ok and self.timer is not None and not log and not counters.pending and not counters.cleared:
            return  # a request that wrote nothing (its timer already armed): nothing to append or undo
        try:
            if ok:
                if counters.dirty:
                    counters.flush()
                if log:
                    self.redo.append(encode(self.epoch, self.seq + 1, log))  # durable before the answer
                    self.seq = self.appended = self.seq + 1
        except BaseException:
            ok = False
            raise
        finally:
            if not ok:
                counters.discard()
                if log:
                    self._undo()
            self._arm()

    def _loose(self, statement: Statement) -> None:
        """A write outside any `store.transaction()` while the group is open: durable at once, as autocommit was
        (or taken back with the group's undo when it cannot be made durable)."""
        try:
            self.redo.append(encode(self.epoch, self.seq + 1, [statement]))
        except BaseException:
            self._undo()
            self._arm()
            raise
        self.seq = self.appended = self.seq + 1
        self._arm()

    # -- the timer ----------------------------------------------------------------------------
    def _arm(self) -> None:
        if self.timer is not None or not self.open:
            return
        loop = running_loop()
        if loop is None:
            self.commit()  # no loop to commit it later: now
            return
        self.timer_loop = loop
        self.timer_thread = thread_ident()
        self.timer_forks = _FORKS[0]
        self.timer = loop.create_task(self._commit_later())

    async def _commit_later(self) -> None:
        """A task rather than a call_later handle: at a server's shutdown asyncio.run cancels the tasks left, and
        the cancelled one still commits (uvicorn then re-raises SIGTERM: no atexit handler would run)."""
        me = asyncio.current_task()
        try:
            await asyncio.sleep(GROUP_SECONDS)
            while self.store._depth:  # a transaction open across an await: wait for its end
                await asyncio.sleep(0.001)
        except asyncio.CancelledError:
            if self.timer is me:  # not by `_cancel_timer`: the loop is shutting down (a stopped server)
                self.timer = None
                self.finish()
            raise
        if self.timer is me:
            self.timer = None
            try:
                self.commit()
            except (OSError, sqlite3.Error) as exc:  # a full disk, say: every acknowledged write is in the redo
                log.warning("graphmock: group commit failed (%s); the next request catches up from %s",  # file
                            exc, self.redo.path)

    def _cancel_timer(self) -> None:
        """Cancel the pending timer (it would find `self.timer` is no longer itself anyway, and commit nothing).
        asyncio's objects are not thread-safe: from another thread (a store closed or a transaction run from a
        test's thread, a recovery on a reader's thread, the interpreter's exit) the cancel is handed to the timer's
        loop (`call_soon_threadsafe`); a closed loop never runs the task again."""
        timer, self.timer = self.timer, None
        if timer is None:
            return
        loop = timer.get_loop()
        if running_loop() is loop:  # its own thread (never from the timer's own task: it clears `timer` first)
            if timer is not asyncio.current_task(loop):
                timer.cancel()
            return
        try:
            loop.call_soon_threadsafe(timer.cancel)
        except RuntimeError:  # its loop is closed: the task never runs again anyway
            pass


@atexit.register
def _close_at_exit() -> None:
    """A lone server stopped by SIGTERM/Ctrl-C returns from uvicorn without closing the store: commit its group,
    so a process opening the file next finds everything without a replay (a kill leaves it to the replay)."""
    for group in list(_OPEN):
        try:
            group.close()
        except Exception:  # noqa: BLE001 - the redo file still holds every acknowledged write
            pass
