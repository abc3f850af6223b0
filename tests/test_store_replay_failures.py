"""A failed replay of `<db>-redo` says whom it blames (docs/group-commit.md, points 6 and 7).

A record that does not apply to the database (edited by hand beside it, a malformed record) is `RedoReplayError`:
move the file aside to open the database as last committed. A disk, file system or lock failure is
`RedoReplayBlocked`: the file is left untouched and the same open succeeds once the cause is fixed; moving the file
aside would drop acknowledged writes. Each failure here is a real one raised by SQLite (a full database through
`max_page_count`, a write beyond the process's file size limit, a lock held by another connection).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import threading
import zlib
from pathlib import Path
from typing import Any

import pytest

import mock_server.store.sqlite_group_recovery as recovery
from helpers.killed import killed_after_writing, names_reopened
from mock_server.store.repository import Record
from mock_server.store.sqlite import SQLiteRepository
from mock_server.store.sqlite_group_recovery import RedoReplayBlocked, RedoReplayError, position, recover
from mock_server.store.sqlite_redo import REDO_SUFFIX, RedoFile, TakenBack, encode
from mock_server.store.sqlite_redo_file import _HEADER

ACT = "act_1"
ID = 120200000000000999  # a campaign id above the ids of a fresh store
BIG = 3 * 1024 * 1024  # a campaign whose row needs new pages (and more than the file size limit below)


def _campaign(store: SQLiteRepository, name: str) -> Record:
    return Record(store.next_id(), "Campaign", ACT, "ACTIVE", {"name": name}, None, None, None, 1)


def _names(store: SQLiteRepository) -> list[str]:
    return sorted(o["data"]["name"][:20] for o in store.dump()["objects"])


def _names_reopened(path: str) -> list[str]:
    return names_reopened(path, 20)


def _killed_with(path: str, names: list[str], where: Path) -> str:
    return killed_after_writing(path, names, where)


def _redo_bytes(path: str) -> bytes:
    return Path(path + REDO_SUFFIX).read_bytes()


def _full_after_replay_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The database cannot grow once the replay starts (`PRAGMA max_page_count`): SQLite's own SQLITE_FULL."""
    real = recovery.replay

    def replay(conn: sqlite3.Connection, *args: Any) -> int:
        pages = sqlite3.Connection.execute(conn, "PRAGMA page_count").fetchone()[0]
        sqlite3.Connection.execute(conn, f"PRAGMA max_page_count = {pages}")
        return real(conn, *args)

    monkeypatch.setattr(recovery, "replay", replay)


def test_a_full_disk_at_open_leaves_the_redo_file_and_says_to_fix_the_disk(tmp_path, monkeypatch):
    """docs/group-commit.md point 7: "database or disk is full" while replaying at open is no mismatch: the error
    says the redo file was left untouched (not to move it aside), the file is byte for byte the same, and the
    next open, with room again, has every acknowledged write."""
    killed = _killed_with(str(tmp_path / "s.sqlite3"), ["one" + "x" * BIG, "two"], tmp_path / "killed")
    before = _redo_bytes(killed)
    _full_after_replay_starts(monkeypatch)
    with pytest.raises(RedoReplayBlocked, match=r"-redo.*left untouched") as failed:
        SQLiteRepository(killed)
    assert "move it aside" not in str(failed.value)
    assert failed.value.sqlite_errorname == "SQLITE_FULL"  # type: ignore[attr-defined]
    assert _redo_bytes(killed) == before
    monkeypatch.undo()
    assert _names_reopened(killed) == ["onexxxxxxxxxxxxxxxxx", "two"]


def test_a_lock_held_elsewhere_leaves_the_redo_file_and_says_to_start_again(tmp_path):
    """"database is locked" (another connection writing) while a plain connection replays: blocked, not a
    mismatch; once the lock is gone the same replay applies every record."""
    killed = _killed_with(str(tmp_path / "s.sqlite3"), ["one", "two"], tmp_path / "killed")
    before = _redo_bytes(killed)
    holder = sqlite3.connect(killed, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    plain = sqlite3.connect(killed, isolation_level=None, timeout=0)
    redo = RedoFile(killed + REDO_SUFFIX, durable=False)
    try:
        with pytest.raises(RedoReplayBlocked, match="left untouched") as failed:
            recover(plain, redo)
        assert failed.value.sqlite_errorname == "SQLITE_BUSY"  # type: ignore[attr-defined]
        assert not plain.in_transaction and _redo_bytes(killed) == before
        holder.execute("ROLLBACK")
        assert recover(plain, redo) == 2
    finally:
        redo.close()
        plain.close()
        holder.close()
    assert _names_reopened(killed) == ["one", "two"]


def test_serve_on_a_failing_disk_exits_saying_the_redo_file_was_kept(tmp_path):
    """A real "disk I/O error": `graphmock serve` whose writes beyond 1 MB fail (RLIMIT_FSIZE, SIGXFSZ ignored)
    replays a 3 MB record at start-up. It exits 2 with one line saying the redo file was left untouched, never to
    move it aside; the file is unchanged, and a start without the limit has the acknowledged write."""
    killed = _killed_with(str(tmp_path / "s.sqlite3"), ["big" + "x" * BIG], tmp_path / "killed")
    before = _redo_bytes(killed)

    limited = ("import resource, runpy, signal, sys\n"
               "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"  # a write beyond the limit fails (EFBIG) instead
               "resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))\n"
               "sys.argv = ['graphmock', 'serve', '--port', '0', '--db', sys.argv[1]]\n"
               "runpy.run_module('mock_server', run_name='__main__')\n")  # (no preexec_fn: pytest runs threads)
    result = subprocess.run([sys.executable, "-c", limited, killed], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "RedoReplayBlocked" in result.stderr and "left untouched" in result.stderr, result.stderr
    assert "move it aside" not in result.stderr and "Traceback" not in result.stderr
    assert _redo_bytes(killed) == before
    assert _names_reopened(killed) == ["bigxxxxxxxxxxxxxxxxx"]


def test_a_full_disk_while_catching_up_never_empties_the_redo_file(tmp_path, monkeypatch):
    """Point 8: a deferred insert fails on a full database and so does the catch-up from the redo file. The
    next request fails saying the file was left untouched (not to move it aside), closing the store keeps the
    file, and the next open has every acknowledged write."""
    path = str(tmp_path / "s.sqlite3")
    store = SQLiteRepository(path, group_commit=True)

    async def run() -> None:
        with store.transaction():
            store.insert(_campaign(store, "one"))
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        with store.transaction():
            store.insert(_campaign(store, "two" + "x" * BIG))  # deferred: acknowledged by its redo record
        sqlite3.Connection.execute(store.conn, f"PRAGMA max_page_count = {pages}")  # (the insert still deferred)
        with pytest.raises(sqlite3.OperationalError, match="full"):
            store.run_deferred()  # SQLITE_FULL; then its catch-up's replay too (logged)
        assert store._group.behind
        with pytest.raises(RedoReplayBlocked, match="left untouched") as failed, store.transaction():
            store.insert(_campaign(store, "refused"))
        assert "move it aside" not in str(failed.value)

    asyncio.run(run())
    assert store._group.behind
    store.close()
    assert os.path.getsize(path + REDO_SUFFIX) > BIG
    assert _names_reopened(path) == ["one", "twoxxxxxxxxxxxxxxxxx"]


@pytest.mark.parametrize("statements", [
    [("INSERT INTO objects (id) VALUES (?)", (1, 2), False)],  # the wrong number of values for its placeholders
    [("INSERT INTO objects (id) VALUES (?)",)],  # a statement not (sql, parameters, executemany?)
], ids=["bindings", "shape"])
def test_a_malformed_record_keeps_the_advice_to_move_the_file_aside(tmp_path, statements):
    """Point 6: a whole record (its CRC right) that cannot apply is the file's fault, whatever Python raises for
    it: `RedoReplayError`, naming the file and the way out; the file is left as it was."""
    path = str(tmp_path / "s.sqlite3")
    SQLiteRepository(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    epoch, committed, _created = position(conn)
    conn.close()
    redo = RedoFile(path + REDO_SUFFIX, durable=False)
    redo.append(encode(epoch, committed + 1, statements))
    redo.close()
    before = _redo_bytes(path)
    with pytest.raises(RedoReplayError, match=r"-redo.*move it aside"):
        SQLiteRepository(path)
    assert _redo_bytes(path) == before


def test_a_failed_catch_up_at_a_group_start_leaves_the_file_to_others_and_the_group_behind(tmp_path, monkeypatch):
    """A group's start that finds the redo file changed by another process replays it first; when that replay
    fails (here another connection takes the write lock in between: SQLITE_BUSY), the request fails, the presence
    lock is shared again (another store opens without waiting) and the group is behind: the next request replays
    first, and nothing acknowledged is lost."""
    import mock_server.store.sqlite_group as sqlite_group

    path = str(tmp_path / "s.sqlite3")
    store = SQLiteRepository(path, group_commit=True)
    holder = sqlite3.connect(path, isolation_level=None)
    real_recover = sqlite_group.recover

    def recover_after_another_writer(conn: sqlite3.Connection, redo: RedoFile) -> int:
        holder.execute("BEGIN IMMEDIATE")  # between the group's ROLLBACK and the replay's BEGIN
        return real_recover(conn, redo)

    async def run() -> None:
        with store.transaction():
            store.insert(_campaign(store, "one"))
        store._group.commit()
        store.conn.execute("PRAGMA busy_timeout = 0")
        monkeypatch.setattr(store._redo, "changed_elsewhere", lambda: True)
        monkeypatch.setattr(sqlite_group, "recover", recover_after_another_writer)
        with pytest.raises(RedoReplayBlocked), store.transaction():
            store.insert(_campaign(store, "refused"))
        assert store._group.behind and not store._group.open
        other = RedoFile(path + REDO_SUFFIX, durable=False)
        try:
            assert other.share(timeout=0), "the presence lock is shared again"
        finally:
            other.close()
        monkeypatch.undo()
        holder.execute("ROLLBACK")
        with store.transaction():
            store.insert(_campaign(store, "two"))
        assert _names(store) == ["one", "two"]

    asyncio.run(run())
    holder.close()
    store.close()
    assert _names_reopened(path) == ["one", "two"]


def _raised_by(action: Any) -> BaseException:
    try:
        action()
    except (sqlite3.Error, TypeError, ValueError, OverflowError) as exc:
        return exc
    raise AssertionError("no error")


def _in_memory(*statements: str) -> Any:
    def run() -> None:
        conn = sqlite3.connect(":memory:")
        for sql in statements:
            conn.execute(sql)
    return run


def test_whom_an_error_blames_is_read_from_its_sqlite_code(tmp_path):
    """The classification by SQLite's primary result code (www.sqlite.org/rescode.html), on errors SQLite itself
    raises: a file that cannot be opened and a read-only database blame the environment; a constraint, a missing
    table, a wrong number of bindings and a malformed statement blame the record; an error without a code is
    read by its message."""
    readonly = tmp_path / "ro.sqlite3"
    sqlite3.connect(readonly).execute("CREATE TABLE t (x)").connection.commit()
    environment = {
        "cantopen": _raised_by(lambda: sqlite3.connect(str(tmp_path / "missing" / "x.sqlite3"))),
        "readonly": _raised_by(lambda: sqlite3.connect(f"file:{readonly}?mode=ro", uri=True)
                               .execute("INSERT INTO t VALUES (1)")),
        "no code": sqlite3.OperationalError("database is locked"),
    }
    record = {
        "constraint": _raised_by(_in_memory("CREATE TABLE t (id INTEGER PRIMARY KEY)", "INSERT INTO t VALUES (1)",
                                            "INSERT INTO t VALUES (1)")),
        "no such table": _raised_by(_in_memory("INSERT INTO objects VALUES (1)")),
        "bindings": _raised_by(lambda: sqlite3.connect(":memory:").execute("SELECT ?", (1, 2))),
        "shape": _raised_by(lambda: [sql for sql, _params, _many in [("SELECT 1",)]]),
    }
    assert environment["cantopen"].sqlite_errorname == "SQLITE_CANTOPEN"  # type: ignore[attr-defined]
    assert environment["readonly"].sqlite_errorname == "SQLITE_READONLY"  # type: ignore[attr-defined]
    assert not [name for name, exc in environment.items() if recovery.blames_the_record(exc)]
    assert [name for name, exc in record.items() if recovery.blames_the_record(exc)] == list(record)


def test_a_whole_record_that_does_not_decode_fails_the_open_instead_of_dropping_the_rest(tmp_path):
    """docs/group-commit.md point 6 (found by review): a record whose checksum is right but whose body is no
    (epoch, seq, statements) cannot come from a kill mid-append. The replay used to stop there silently, commit,
    and empty the file, so every acknowledged write after it was lost; now the open fails with `RedoReplayError`
    and the file is left as it was."""
    path = str(tmp_path / "s.sqlite3")
    SQLiteRepository(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    epoch, committed, _created = position(conn)
    conn.close()
    body = b"not marshal data"
    redo = RedoFile(path + REDO_SUFFIX, durable=False)
    redo.append(_HEADER.pack(len(body), zlib.crc32(body)) + body)  # whole: its length and checksum right
    redo.append(encode(epoch, committed + 1, [(
        "INSERT INTO objects (id, type, account_id, status, data, created) VALUES (?, ?, ?, ?, ?, ?)",
        (ID, "Campaign", ACT, "ACTIVE", b'{"name":"after"}', 1), False)]))
    redo.close()
    before = _redo_bytes(path)
    with pytest.raises(RedoReplayError, match=r"does not decode.*move it aside"):
        SQLiteRepository(path)
    assert _redo_bytes(path) == before


def test_an_error_without_a_code_blames_the_record_only_when_it_names_the_values():
    """An error the sqlite3 module raises without a code blames the record only when it is about the statement's
    values (bindings) or an integer beyond 64 bits; a closed connection or graphmock's own refusal (`TakenBack`)
    keeps the file ("move it aside" is the advice that drops acknowledged writes)."""
    closed = sqlite3.connect(":memory:")
    closed.close()
    assert recovery.blames_the_record(_raised_by(lambda: sqlite3.connect(":memory:").execute("SELECT ?", (2**64,))))
    assert not recovery.blames_the_record(_raised_by(lambda: closed.execute("SELECT 1")))
    assert not recovery.blames_the_record(TakenBack())


def test_catching_up_replays_while_the_running_request_stays_refused(tmp_path):
    """A recovery that catches up while a request is refused further writes (`taken_back`, after a failed deferred
    insert) runs the replay's own statements all the same, and the request stays refused after it."""
    path = str(tmp_path / "s.sqlite3")
    store = SQLiteRepository(path, group_commit=True)

    async def run() -> None:
        with store.transaction():
            store.insert(_campaign(store, "one"))
        group = store._group
        assert group is not None and group.open
        group._close_behind()  # what a failed COMMIT or deferred insert leaves: rolled back, behind
        store.conn.taken_back = True
        group.catch_up()
        assert not group.behind and store.conn.taken_back
        store.conn.taken_back = False

    asyncio.run(run())
    assert _names(store) == ["one"]
    store.close()


def test_a_failed_open_lets_go_of_the_file_for_the_next_open(tmp_path, monkeypatch):
    """After an open whose replay the disk refused, the same process opens the file again once the cause is gone,
    with group commit (the failed open released its presence lock) and without a second checkpointer thread."""
    killed = _killed_with(str(tmp_path / "s.sqlite3"), ["one" + "x" * BIG, "two"], tmp_path / "killed")
    _full_after_replay_starts(monkeypatch)
    with pytest.raises(RedoReplayBlocked):
        SQLiteRepository(killed)
    monkeypatch.undo()
    checkpointers = [t for t in threading.enumerate() if t.name == "graphmock-wal-checkpoint"]
    store = SQLiteRepository(killed, group_commit=True)
    try:
        assert _names(store) == ["onexxxxxxxxxxxxxxxxx", "two"]
        alone = asyncio.run(_group_opens(store))
        assert alone
        assert len([t for t in threading.enumerate() if t.name == "graphmock-wal-checkpoint"]) == len(checkpointers) + 1
    finally:
        store.close()


async def _group_opens(store: SQLiteRepository) -> bool:
    with store.transaction():
        store.insert(_campaign(store, "three"))
    return store._group is not None and store._group.open
