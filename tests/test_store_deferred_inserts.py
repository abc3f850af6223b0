"""Deferred inserts of a group-commit store (store/sqlite_deferred.py, docs/group-commit.md "Deferred inserts").

A request's INSERTs wait until its answer is sent; every reader must still see them, a failed request must still
leave nothing, an insert that could fail runs at once, and an I/O error running them late loses nothing.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from helpers.killed import kill_copy, names_reopened
from mock_server.store.repository import ListQuery, Record
from mock_server.store.sqlite import SQLiteRepository
from mock_server.store.sqlite_deferred import deferrable
from mock_server.store.sqlite_redo import TakenBack

pytestmark = pytest.mark.usefixtures("young")  # every test looks into an open group

ACT = "act_1"
CAMPAIGNS = ListQuery(type="Campaign", account_id=ACT)


def _campaign(store: SQLiteRepository, name: str, **fields: Any) -> Record:
    values = {"id": store.next_id(), "type": "Campaign", "account_id": ACT, "status": "ACTIVE", "data": {"name": name},
              "campaign_id": None, "adset_id": None, "key": None, "created": 1, **fields}
    return Record(**values)


def _create(store: SQLiteRepository, name: str, **fields: Any) -> Record:
    """One request creating a campaign (its id taken inside the transaction, as the handlers do)."""
    with store.transaction():
        record = _campaign(store, name, **fields)
        store.insert(record)
    return record


def _names(store: SQLiteRepository) -> list[str]:
    return sorted(o["data"]["name"] for o in store.dump()["objects"])


def _names_reopened(path: str) -> list[str]:
    """The campaigns a later open of the file finds (after its replay of the redo file)."""
    return names_reopened(path)


def _in_loop(store: SQLiteRepository, body: Any) -> Any:
    """Run `body()` inside an event loop (a group needs one), the store's group still open when it returns."""
    async def run() -> Any:
        return body()
    return asyncio.run(run())


def test_a_deferred_insert_is_seen_by_every_read(tmp_path):
    """An acknowledged create whose INSERT has not run yet: get, count, a list page, iterate, the dump and raw SQL
    on the store's connection each see it (each runs the deferred inserts first)."""
    store = SQLiteRepository(str(tmp_path / "s.sqlite3"), group_commit=True)

    def body() -> None:
        reads = {
            "get": lambda r: store.get(r.id) is not None,
            "count": lambda r: store.count(CAMPAIGNS) >= 1 and r.id in {x.id for x in store.iterate(CAMPAIGNS)},
            "page": lambda r: r.id in {row.id for row in store.page(CAMPAIGNS, after=None, before=None, limit=25)[0]},
            "dump": lambda r: r.data["name"] in _names(store),
            "sql": lambda r: store.conn.execute("SELECT 1 FROM objects WHERE id = ?", (r.id,)).fetchone() is not None,
        }
        for name, read in reads.items():
            record = _create(store, name)
            assert store.conn.deferred, "the insert was deferred"
            assert read(record), name
            assert store.conn.deferred is None

    _in_loop(store, body)
    store.close()


def test_an_update_after_a_deferred_insert_runs_after_it(tmp_path):
    """Insert then update in one request, and in the next: the stored row is the updated one."""
    store = SQLiteRepository(str(tmp_path / "s.sqlite3"), group_commit=True)

    def body() -> None:
        with store.transaction():
            record = _campaign(store, "v1")
            store.insert(record)
            store.update(Record(record.id, "Campaign", ACT, "PAUSED", {"name": "v2"}, None, None, None, 1))
        other = _create(store, "w1")
        with store.transaction():
            store.update(Record(other.id, "Campaign", ACT, "PAUSED", {"name": "w2"}, None, None, None, 1))
        assert _names(store) == ["v2", "w2"]

    _in_loop(store, body)
    store.close()


def test_a_failed_request_drops_its_deferred_inserts_and_keeps_the_acknowledged_ones(tmp_path):
    """A request acknowledged (its insert still deferred), then one that fails after inserting: the first stays,
    live and after a kill, the second leaves nothing."""
    store = SQLiteRepository(str(tmp_path / "s.sqlite3"), group_commit=True)

    def body() -> str:
        _create(store, "kept")
        with pytest.raises(ZeroDivisionError), store.transaction():
            store.insert(_campaign(store, "lost"))
            assert len(store.conn.deferred) == 2
            raise ZeroDivisionError
        assert store.conn.deferred is None
        _create(store, "after")
        killed = kill_copy(store, tmp_path / "killed")  # "after" not run yet: only in the redo file
        assert _names(store) == ["after", "kept"]
        return killed

    killed = _in_loop(store, body)
    store.close()
    assert _names_reopened(killed) == ["after", "kept"]


@pytest.mark.parametrize("fields", [
    {"key": "lookup"},  # a keyed row (images, labels): runs at once
    {"status": "ACTIVÉ"},  # a non-ASCII text: sqlite3 encodes it, which could fail
    {"created": 2**63},  # beyond 64 bits: sqlite3 refuses to bind it
])
def test_an_insert_that_could_fail_runs_at_once(tmp_path, fields):
    """sqlite_deferred.py: only an insert that cannot fail waits; any other runs in its request, so its error (if
    any) fails that request as before instead of an acknowledged one."""
    store = SQLiteRepository(str(tmp_path / "s.sqlite3"), group_commit=True)

    def body() -> None:
        _create(store, "plain")
        assert store.conn.deferred
        if "created" in fields:
            with pytest.raises(OverflowError):
                _create(store, "special", **fields)
            assert _names(store) == ["plain"]
        else:
            _create(store, "special", **fields)
            assert store.conn.deferred is None  # the deferred one ran first: order kept
            assert _names(store) == ["plain", "special"]

    _in_loop(store, body)
    store.close()


def test_an_id_at_or_below_the_largest_runs_at_once(tmp_path):
    """A duplicate id fails in its own request (IntegrityError), never later in an acknowledged one."""
    store = SQLiteRepository(str(tmp_path / "s.sqlite3"), group_commit=True)

    def body() -> None:
        first = _create(store, "first")
        with pytest.raises(sqlite3.IntegrityError), store.transaction():
            store.insert(Record(first.id, "Campaign", ACT, "ACTIVE", {"name": "again"}, None, None, None, 1))
        assert _names(store) == ["first"]

    _in_loop(store, body)
    store.close()


def test_deferrable_only_what_binds_as_it_is():
    assert deferrable(11, 10, (11, "Campaign", "1", "ACTIVE", bytearray(b"{}"), 1, 5, 1.5))
    assert not deferrable(10, 10, (10, "Campaign", "1", "ACTIVE", bytearray(b"{}"), 1))  # not above the largest
    assert not deferrable(11, None, (11, "Campaign", "1", "ACTIVE", bytearray(b"{}"), 1))  # largest unknown
    assert not deferrable(11, 10, (11, "Campaign", "1", "ACTIVE", b"{}", 1))  # bytes: through an adapter round
    assert not deferrable(11, 10, (11, "Campaign", "1", None, bytearray(b"{}"), 1))  # NOT NULL
    assert not deferrable(11, 10, (11, "Campaign", "\ud800", "ACTIVE", bytearray(b"{}"), 1))  # cannot encode
    assert not deferrable(11, 10, (11, "Campaign", "1", "ACTIVE", bytearray(b"{}"), True))  # a bool, not an int
    assert not deferrable(2**63, 10, (2**63, "Campaign", "1", "ACTIVE", bytearray(b"{}"), 1))
    assert not deferrable(11, 10, (11, "Campaign", "1", "ACTIVE", bytearray(b"{}"), float("nan")))  # bound as NULL


def _fails_once(real: Any, error: BaseException) -> Any:
    """`real`, except that its first call raises `error` (the failing disk of the reviews' cases)."""
    left = [1]

    def call(*args: Any) -> Any:
        if left[0]:
            left[0] -= 1
            raise error
        return real(*args)

    return call


def _slow_catch_up(monkeypatch: pytest.MonkeyPatch, recovering: threading.Event) -> None:
    """Group.catch_up sets `recovering`, then takes 0.2 s before it runs: another thread acts meanwhile."""
    from mock_server.store.sqlite_group import Group

    real_catch_up = Group.catch_up

    def slow_catch_up(self: Group) -> None:
        recovering.set()
        time.sleep(0.2)
        real_catch_up(self)

    monkeypatch.setattr(Group, "catch_up", slow_catch_up)


class _FailingOnce:
    """A cursor whose first execute fails as an I/O error would (SQLITE_IOERR), then runs as the real one."""

    def __init__(self, real: sqlite3.Cursor) -> None:
        self.real, self.failed = real, False

    def execute(self, sql: str, params: Any) -> Any:
        if not self.failed:
            self.failed = True
            raise sqlite3.OperationalError("disk I/O error")
        return self.real.execute(sql, params)


@pytest.mark.parametrize("where", ["after the answer", "inside the next request"])
def test_a_deferred_insert_failing_late_loses_nothing(tmp_path, where):
    """The deferred inserts fail to run (an I/O error) once the answer is sent, or inside the next request: the
    group rolls back, and the acknowledged writes come back from the redo file (the next request catches up, or
    the failing one's undo replays them), live and after a kill."""
    store = SQLiteRepository(str(tmp_path / "s.sqlite3"), group_commit=True)

    def body() -> str:
        _create(store, "one")
        _create(store, "two")
        assert len(store.conn.deferred) == 2
        store.conn._flusher = _FailingOnce(sqlite3.Cursor(store.conn))
        if where == "after the answer":
            with pytest.raises(sqlite3.OperationalError):
                store.run_deferred()
            assert not store._group.behind and _names(store) == ["one", "two"]  # back before any request reads
            _create(store, "three")
        else:
            with pytest.raises(sqlite3.OperationalError), store.transaction():
                store.get(1)  # runs the deferred inserts first: fails, so this request fails
            _create(store, "three")
        assert _names(store) == ["one", "three", "two"]
        return kill_copy(store, Path(tmp_path) / "killed")

    killed = _in_loop(store, body)
    store.close()
    reopened = SQLiteRepository(killed)
    try:
        assert _names(reopened) == ["one", "three", "two"]
        assert len({o["id"] for o in reopened.dump()["objects"]}) == 3
    finally:
        reopened.close()


def test_a_direct_call_runs_its_inserts_once_its_answer_is_written(tmp_path):
    """app.py: a create answered directly (as `graphmock serve` answers it) leaves its INSERTs to the response's
    `after`, which the protocol runs right after writing the answer; the created campaign is then in the table."""
    from urllib.parse import urlencode

    from mock_server.app import create_app
    from mock_server.config import ServerConfig

    app = create_app(ServerConfig(db=str(tmp_path / "s.sqlite3"), group_commit=True, seed=11))
    state = app.state.graph
    world = state.world.summary()
    body = urlencode({"name": "direct", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED",
                      "special_ad_categories": "[]"}).encode()
    path = f"/v25.0/{world['ad_account_id']}/campaigns"
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(),
             "query_string": urlencode({"access_token": world["access_token"]}).encode(), "root_path": "",
             "headers": [(b"host", b"127.0.0.1:8000"), (b"content-type", b"application/x-www-form-urlencoded"),
                         (b"content-length", str(len(body)).encode())],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}
    conn = state.store.inner.conn

    async def run() -> None:
        app.direct_call(dict(scope), body, True).after()  # the group's first create reads the largest ids
        response = app.direct_call(dict(scope), body, True)
        assert response.status_code == 200, response.body
        created = int(__import__("json").loads(response.body)["id"])
        assert conn.deferred and any(params[0] == created for _sql, params in conn.deferred)
        response.after()  # what wire/direct.py runs once the answer is written
        assert conn.deferred is None
        assert sqlite3.Cursor(conn).execute("SELECT 1 FROM objects WHERE id = ?", (created,)).fetchone()

    asyncio.run(run())
    state.store.close()


def test_a_request_that_catches_a_failed_deferred_insert_still_fails_and_loses_nothing(tmp_path):
    """Review: a request whose statement ran the earlier deferred inserts, which failed, caught the error and
    went on writing. It must not be acknowledged on a state missing those rows (nor reuse their ids): its exit
    fails it and undoes the group, whose redo records bring back every acknowledged row."""
    store = SQLiteRepository(str(tmp_path / "s.sqlite3"), group_commit=True)

    def body() -> str:
        zero = _create(store, "zero")
        one = _create(store, "one")
        store.conn._flusher = _FailingOnce(sqlite3.Cursor(store.conn))
        with pytest.raises(sqlite3.OperationalError, match="taken back"), store.transaction():
            with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
                store.get_meta("anything")  # runs the deferred inserts first: fails, and is caught here
            store.insert(_campaign(store, "two"))
        assert not store._group.behind and _names(store) == ["one", "zero"]
        three = _create(store, "three")
        assert three.id not in (zero.id, one.id)
        return kill_copy(store, Path(tmp_path) / "killed")

    killed = _in_loop(store, body)
    store.close()
    assert _names_reopened(killed) == ["one", "three", "zero"]


class _SlowCursor:
    """A flusher that takes its time, so another thread's statement arrives while the inserts run."""

    def __init__(self, real: sqlite3.Cursor, started: "threading.Event") -> None:
        self.real, self.started = real, started

    def execute(self, sql: str, params: Any) -> Any:
        self.started.set()
        time.sleep(0.2)
        return self.real.execute(sql, params)


def test_a_statement_waits_for_the_deferred_inserts_another_thread_is_running(tmp_path):
    """Review: a test thread reads the store (running the deferred inserts) while the server's thread updates the
    row just created: the update waits for the insert, so it is not lost (live and after a restart)."""
    store = SQLiteRepository(str(tmp_path / "s.sqlite3"), group_commit=True)
    started = threading.Event()

    def body() -> None:
        record = _create(store, "v1")
        store.conn._flusher = _SlowCursor(sqlite3.Cursor(store.conn), started)
        reader = threading.Thread(target=store.get, args=(record.id,))
        reader.start()
        assert started.wait(5)
        with store.transaction():
            store.update(Record(record.id, "Campaign", ACT, "PAUSED", {"name": "v2"}, None, None, None, 1))
        reader.join(5)
        assert _names(store) == ["v2"]

    _in_loop(store, body)
    store.close()
    assert _names_reopened(str(tmp_path / "s.sqlite3")) == ["v2"]


def _committed_names(path: str) -> list[str]:
    """What another process reading the file sees (plain sqlite3: committed rows only)."""
    import orjson

    conn = sqlite3.connect(path)
    try:
        return sorted(orjson.loads(row[0])["name"] for row in conn.execute("SELECT data FROM objects"))
    finally:
        conn.close()


def test_after_a_failed_insert_the_group_is_caught_up_and_the_file_given_back(tmp_path):
    """Second review: once a deferred insert fails after an answer, the acknowledged writes are committed from the
    redo file at once and the group closed, so another process can open the store (no lock held until some
    later request) and reads it whole."""
    path = str(tmp_path / "s.sqlite3")
    store = SQLiteRepository(path, group_commit=True)

    def body() -> None:
        _create(store, "one")
        _create(store, "two")
        store.conn._flusher = _FailingOnce(sqlite3.Cursor(store.conn))
        with pytest.raises(sqlite3.OperationalError):
            store.run_deferred()
        group = store._group
        assert not group.open and not group.behind and not store.conn.in_transaction
        assert _committed_names(path) == ["one", "two"]
        other = SQLiteRepository(path)  # another store's open: not kept waiting by a held group
        try:
            assert _names(other) == ["one", "two"]
        finally:
            other.close()

    _in_loop(store, body)
    store.close()


def test_an_undo_that_cannot_read_the_redo_file_loses_nothing(tmp_path, monkeypatch):
    """Second review: a failed request's undo whose read of the redo file fails too (the same failing disk): the
    group is left closed and behind, never committed as it was; the next request catches up."""
    from mock_server.store.sqlite_redo_file import RedoFile

    store = SQLiteRepository(str(tmp_path / "s.sqlite3"), group_commit=True)
    read = _fails_once(RedoFile.read, OSError(5, "Input/output error"))

    def body() -> str:
        _create(store, "one")
        _create(store, "two")
        monkeypatch.setattr(RedoFile, "read", read)
        with pytest.raises(OSError), store.transaction():
            store.insert(_campaign(store, "failed"))
            raise ZeroDivisionError  # the request fails after writing: its undo reads the redo file
        assert not store._group.open and store._group.behind
        _create(store, "three")  # catches up first
        assert _names(store) == ["one", "three", "two"]
        return kill_copy(store, Path(tmp_path) / "killed")

    killed = _in_loop(store, body)
    store.close()
    assert _names_reopened(killed) == ["one", "three", "two"]


def test_an_undo_whose_replay_fails_is_never_committed_half_done(tmp_path, monkeypatch):
    """Second review: the replay inside a failed request's undo fails part-way: the group is rolled back and left
    behind (no COMMIT of a partial replay, no writes outside a transaction); the next request catches up, and the
    store closes and reopens with exactly the acknowledged rows."""
    import mock_server.store.sqlite_group_recovery as recovery

    store = SQLiteRepository(str(tmp_path / "s.sqlite3"), group_commit=True)
    replay = _fails_once(recovery.replay, sqlite3.OperationalError("disk I/O error"))

    def body() -> None:
        _create(store, "one")
        monkeypatch.setattr(recovery, "replay", replay)
        with pytest.raises(sqlite3.OperationalError), store.transaction():
            store.insert(_campaign(store, "failed"))
            raise ZeroDivisionError
        group = store._group
        assert not group.open and group.behind and not store.conn.in_transaction
        _create(store, "two")
        assert _names(store) == ["one", "two"]

    _in_loop(store, body)
    store.close()
    assert _names_reopened(str(tmp_path / "s.sqlite3")) == ["one", "two"]


def test_another_thread_waits_while_a_failed_insert_is_recovered(tmp_path, monkeypatch):
    """Second review: between the rollback and the catch-up that follow a failed deferred insert, a statement on
    another thread would see neither the group nor its records; it waits for the recovery and sees them."""
    store = SQLiteRepository(str(tmp_path / "s.sqlite3"), group_commit=True)
    recovering, seen = threading.Event(), {}
    _slow_catch_up(monkeypatch, recovering)

    def body() -> None:
        one = _create(store, "one")
        _create(store, "two")
        store.conn._flusher = _FailingOnce(sqlite3.Cursor(store.conn))
        reader = threading.Thread(target=lambda: recovering.wait(5) and seen.update(found=store.get(one.id)))
        reader.start()
        with pytest.raises(sqlite3.OperationalError):
            store.run_deferred()
        reader.join(5)
        assert seen["found"] is not None and seen["found"].data["name"] == "one"

    _in_loop(store, body)
    store.close()


def test_a_request_running_while_another_thread_recovers_fails_and_later_ones_write(tmp_path, monkeypatch):
    """Third review: another thread's read runs the deferred inserts, which fail, while the server's thread is in
    a request that inserted: that request ends only after the recovery and fails (its insert is gone), nothing
    acknowledged is lost, and the next requests write normally."""
    store = SQLiteRepository(str(tmp_path / "s.sqlite3"), group_commit=True)
    recovering = threading.Event()
    _slow_catch_up(monkeypatch, recovering)

    def read_elsewhere() -> None:
        with pytest.raises(sqlite3.OperationalError):
            store.get(1)

    def body() -> None:
        _create(store, "one")
        store.conn._flusher = _FailingOnce(sqlite3.Cursor(store.conn))
        reader = threading.Thread(target=read_elsewhere)
        with pytest.raises(TakenBack), store.transaction():
            store.insert(_campaign(store, "running"))
            reader.start()
            assert recovering.wait(5)
        reader.join(5)
        _create(store, "later")
        assert _names(store) == ["later", "one"]

    _in_loop(store, body)
    store.close()
    assert _names_reopened(str(tmp_path / "s.sqlite3")) == ["later", "one"]


def test_a_transaction_outside_the_group_catches_up_first(tmp_path, monkeypatch):
    """Third review: after a failed insert whose catch-up failed too (the group left behind), a transaction that
    commits on its own (another thread's, a snapshot load) applies the acknowledged writes first: it never
    reuses their ids nor commits a state without them."""
    import mock_server.store.sqlite_group_recovery as recovery

    store = SQLiteRepository(str(tmp_path / "s.sqlite3"), group_commit=True)
    recover = _fails_once(recovery.recover, sqlite3.OperationalError("disk I/O error"))

    def body() -> list[int]:
        ids = [_create(store, "one").id, _create(store, "two").id]
        monkeypatch.setattr(recovery, "recover", recover)
        store.conn._flusher = _FailingOnce(sqlite3.Cursor(store.conn))
        with pytest.raises(sqlite3.OperationalError):
            store.run_deferred()
        assert store._group.behind
        return ids

    acknowledged = _in_loop(store, body)
    made: list[Record] = []
    elsewhere = threading.Thread(target=lambda: made.append(_create(store, "elsewhere")))  # no event loop there
    elsewhere.start()
    elsewhere.join(5)
    assert made and made[0].id not in acknowledged
    assert _names(store) == ["elsewhere", "one", "two"]
    store.close()
