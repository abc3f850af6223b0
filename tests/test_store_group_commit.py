"""Group commit of a lone server's file store (docs/group-commit.md): what a kill keeps.

A "kill" here copies the database, its WAL and its redo file while the store still holds its group transaction
open, as SIGKILL would leave them (uncommitted WAL frames have no commit marker; the redo file holds what was
acknowledged), and opens the copy: the recovery must give exactly the acknowledged world. A real `graphmock serve`
killed with SIGKILL is in tests/test_crash_safety.py.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.killed import kill_copy, killed_after_writing
from mock_server.store.repository import Record
from mock_server.store.sqlite import SQLiteRepository
from mock_server.store.sqlite_group import GROUP_SECONDS
from mock_server.store.sqlite_redo import REDO_SUFFIX, decode, encode

ACT = "act_1"


class Refused(Exception):
    """A domain error raised after the request already wrote (the handler refuses late)."""


def _campaign(store: SQLiteRepository, name: str) -> Record:
    return Record(store.next_id(), "Campaign", ACT, "ACTIVE", {"name": name}, None, None, None, 1)


def _killed_after_writing(path: str, name: str, where: Path) -> str:
    """A group-commit store at `path` acknowledges one campaign `name`; the files a kill would leave, copied."""
    return killed_after_writing(path, [name], where)


def _world(store: SQLiteRepository) -> tuple[dict[int, str], dict[str, Any]]:
    dump = store.dump()
    return {o["id"]: o["data"]["name"] for o in dump["objects"]}, dump["meta"]


def _committed_world(path: str) -> tuple[dict[int, str], dict[str, Any]]:
    """What a second process reading the file sees without replaying anything (plain sqlite3)."""
    import orjson

    conn = sqlite3.connect(path)
    try:
        objects = {row[0]: orjson.loads(row[1])["name"] for row in conn.execute("SELECT id, data FROM objects")}
        meta = {key: orjson.loads(value) for key, value in conn.execute("SELECT key, value FROM meta")}
    finally:
        conn.close()
    return objects, meta


OPERATIONS = st.lists(st.one_of(
    st.tuples(st.just("create"), st.integers(1, 3)),
    st.tuples(st.just("update"), st.integers(0, 50)),
    st.tuples(st.just("fail"), st.integers(1, 2)),
    st.tuples(st.just("meta"), st.sampled_from(["a", "b"])),
    st.tuples(st.just("loose"), st.sampled_from(["c", "d"])),
    st.tuples(st.just("wait"), st.just(0)),
    st.tuples(st.just("reset"), st.just(0)),
), min_size=1, max_size=25)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=OPERATIONS, torn=st.binary(max_size=40))
def test_kill_keeps_exactly_the_acknowledged_writes(ops, torn):
    """Any run of acknowledged creates/updates/meta writes, failed requests (a domain error after writes), timer
    commits and resets, then a kill (and a torn redo tail): the reopened store holds exactly the acknowledged
    world, a failed request left nothing, and new ids continue above every acknowledged one."""
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        store = SQLiteRepository(os.path.join(tmp, "store.sqlite3"), group_commit=True)
        objects: dict[int, str] = {}
        meta: dict[str, Any] = {}
        highest = 0

        async def run() -> str:
            nonlocal objects, meta, highest
            counter = 0
            for kind, arg in ops:
                counter += 1
                if kind == "create":
                    with store.transaction():
                        made = []
                        for n in range(arg):
                            record = _campaign(store, f"c{counter}-{n}")
                            store.insert(record)
                            made.append(record)
                    for record in made:
                        objects[record.id] = record.data["name"]
                        highest = max(highest, record.id)
                elif kind == "update" and objects:
                    target = sorted(objects)[arg % len(objects)]
                    with store.transaction():
                        record = store.get(target)
                        store.update(Record(record.id, record.type, record.account_id, record.status,
                                            {"name": f"u{counter}"}, None, None, None, record.created))
                    objects[target] = f"u{counter}"
                elif kind == "fail":
                    with pytest.raises(Refused), store.transaction():
                        for n in range(arg):
                            record = _campaign(store, f"lost{counter}-{n}")
                            store.insert(record)  # its id was never acknowledged: free again, as before
                        store.set_meta("a", "lost")
                        raise Refused
                elif kind == "meta":
                    with store.transaction():
                        store.set_meta(arg, counter)
                    meta[arg] = counter
                elif kind == "loose":  # a write outside any transaction: durable at once, as autocommit was
                    store.set_meta(arg, counter)
                    meta[arg] = counter
                elif kind == "wait":
                    await asyncio.sleep(GROUP_SECONDS * 1.5)  # the group's timer commits
                elif kind == "reset":
                    with store.transaction():
                        store.clear()
                    objects, meta, highest = {}, {}, 0  # a reset starts the id sequence again (state.reset)
            # killed inside the loop (its end commits the group), before anything reads: the last requests'
            # inserts may not have run yet (store/sqlite_deferred.py), only their redo records hold them
            killed = kill_copy(store, Path(tmp) / "after")
            assert _world(store) == (objects, meta)
            return killed

        killed = asyncio.run(run())
        with open(killed + REDO_SUFFIX, "ab") as fh:
            fh.write(torn)  # a record torn by the kill (or garbage): ignored
        store.close()

        reopened = SQLiteRepository(killed, group_commit=True)
        try:
            assert _world(reopened) == (objects, meta)
            assert reopened.integrity_check() == "ok"
            assert reopened.next_id() > max(highest, reopened._id_floor)
            assert os.path.getsize(killed + REDO_SUFFIX) == 0  # replayed, committed, emptied
        finally:
            reopened.close()
        assert _committed_world(killed) == (objects, meta)


def test_a_torn_record_is_ignored_and_the_ones_before_it_replayed():
    """A kill in the middle of the one os.write of a record: the whole records before it replay, it does not."""
    whole = encode(7, 1, [("INSERT INTO meta (key, value) VALUES (?, ?)", ("k", b'"v"'), False)])
    second = encode(7, 2, [("INSERT INTO meta (key, value) VALUES (?, ?)", ("k2", b'"v2"'), False)])
    for cut in range(len(second)):
        assert [seq for _epoch, seq, _ in decode(whole + second[:cut])] == [1]
    corrupt = bytearray(whole + second)
    corrupt[-1] ^= 0xFF
    assert [seq for _epoch, seq, _ in decode(bytes(corrupt))] == [1]


def test_a_failed_request_leaves_nothing_and_caches_follow(tmp_path):
    """A domain error after writes rolls the request back to its savepoint: no object, no id taken for good,
    cached counts and ids as before, and nothing in the redo file for a restart to replay."""
    from mock_server.store.repository import ListQuery

    store = SQLiteRepository(str(tmp_path / "s.sqlite3"), group_commit=True)
    query = ListQuery(type="Campaign", account_id=ACT)

    async def run() -> tuple[int, str]:
        with store.transaction():
            store.insert(_campaign(store, "kept"))
        assert store.count(query) == 1
        with pytest.raises(Refused), store.transaction():
            store.insert(_campaign(store, "lost"))
            assert store.count(query) == 2
            raise Refused
        assert store.count(query) == 1
        return store.next_id(), kill_copy(store, tmp_path / "after")

    next_id, killed = asyncio.run(run())
    store.close()
    reopened = SQLiteRepository(killed)
    try:
        assert sorted(_world(reopened)[0].values()) == ["kept"]
        assert reopened.next_id() == next_id
    finally:
        reopened.close()


@pytest.mark.parametrize(("durable", "swap"), [(False, False), (True, False), (False, True)])
def test_reset_then_kill_then_restart_gives_an_empty_working_store(tmp_path, monkeypatch, durable, swap):
    """A reset acknowledged inside the open group (its DELETEs, or the table swap of store/sqlite_reset.py, in
    the redo file), then a kill: the restarted store is empty and takes writes (with --durable, each record
    fdatasync'ed, the same)."""
    if swap:
        import mock_server.store.sqlite_whole_store as sqlite_whole_store

        monkeypatch.setattr(sqlite_whole_store, "_SWAP_ABOVE", 5)
    store = SQLiteRepository(str(tmp_path / "s.sqlite3"), group_commit=True, durable=durable)

    async def run() -> str:
        for n in range(30):
            with store.transaction():
                store.insert(_campaign(store, f"c{n}"))
        await asyncio.sleep(GROUP_SECONDS * 1.5)
        with store.transaction():
            store.clear()
        return kill_copy(store, tmp_path / "after")

    killed = asyncio.run(run())
    store.close()
    reopened = SQLiteRepository(killed, group_commit=True)
    try:
        assert _world(reopened) == ({}, {})

        async def again() -> None:
            with reopened.transaction():
                reopened.insert(_campaign(reopened, "fresh"))

        asyncio.run(again())
        assert list(_world(reopened)[0].values()) == ["fresh"]
        assert reopened.integrity_check() == "ok"
    finally:
        reopened.close()


def test_a_group_commits_within_its_window_and_at_close(tmp_path):
    """docs/group-commit.md: another connection sees an acknowledged write once the group commits (about
    GROUP_SECONDS later), and everything after a clean close, with the redo file emptied."""
    path = str(tmp_path / "s.sqlite3")
    store = SQLiteRepository(path, group_commit=True)

    async def run() -> None:
        with store.transaction():
            store.insert(_campaign(store, "first"))
        assert _committed_world(path)[0] == {}  # still in the open group (durable in the redo file)
        await asyncio.sleep(GROUP_SECONDS * 2)
        assert list(_committed_world(path)[0].values()) == ["first"]
        with store.transaction():
            store.insert(_campaign(store, "second"))

    asyncio.run(run())
    store.close()
    assert sorted(_committed_world(path)[0].values()) == ["first", "second"]
    assert os.path.getsize(path + REDO_SUFFIX) == 0


def test_without_an_event_loop_every_transaction_commits(tmp_path):
    """Plain (loop-less) callers keep per-transaction commits: nothing waits for a timer that never runs."""
    path = str(tmp_path / "s.sqlite3")
    store = SQLiteRepository(path, group_commit=True)
    try:
        with store.transaction():
            store.insert(_campaign(store, "now"))
        assert list(_committed_world(path)[0].values()) == ["now"]
    finally:
        store.close()


def test_a_stale_redo_file_of_a_deleted_database_is_not_replayed(tmp_path):
    """The records carry the database's epoch: a store file deleted (and created afresh) beside an old `-redo`
    does not come back with the old objects."""
    killed = _killed_after_writing(str(tmp_path / "s.sqlite3"), "old", tmp_path / "after")
    os.remove(killed)
    os.remove(killed + "-wal")
    fresh = SQLiteRepository(killed)
    try:
        assert _world(fresh)[0] == {}
    finally:
        fresh.close()


def test_a_second_store_on_the_file_makes_the_group_commit_per_request(tmp_path):
    """Two processes on one file (a second `serve`, the CLI, a test) must see each other's acknowledged writes at
    once (tests/test_read_cache.py): while another store has the file open, the group-commit store commits every
    request; once it closes, groups resume."""
    path = str(tmp_path / "s.sqlite3")
    store = SQLiteRepository(path, group_commit=True)

    async def run() -> None:
        with store.transaction():
            store.insert(_campaign(store, "grouped"))
        assert store._group.open
        await asyncio.sleep(GROUP_SECONDS * 2)  # the other store's open waits for this group's commit
        other = SQLiteRepository(path)
        try:
            with store.transaction():
                store.insert(_campaign(store, "alone-no-more"))
            assert not store._group.open
            assert sorted(_world(other)[0].values()) == ["alone-no-more", "grouped"]
        finally:
            other.close()
        with store.transaction():
            store.insert(_campaign(store, "grouped-again"))
        assert store._group.open

    asyncio.run(run())
    store.close()
    assert len(_committed_world(path)[0]) == 3


def test_a_failed_group_commit_loses_nothing_and_reuses_no_id(tmp_path):
    """The group COMMIT fails (a full disk) and so does the replay meant to repair it: no acknowledged write is
    lost, live or after a kill, and no id is handed out twice once the disk is back (review of group commit)."""
    path = str(tmp_path / "s.sqlite3")
    store = SQLiteRepository(path, group_commit=True)
    conn, failures = store.conn, {"left": 0}
    real = type(conn).execute

    def execute(sql: str, params: Any = (), /) -> Any:
        if sql == "COMMIT" and failures["left"]:
            failures["left"] -= 1
            real(conn, "ROLLBACK")  # what SQLite does with an I/O error at COMMIT
            raise sqlite3.OperationalError("disk I/O error (simulated)")
        return real(conn, sql, params)

    conn.execute = execute  # type: ignore[method-assign]
    acknowledged: dict[int, str] = {}

    def create(name: str) -> None:
        with store.transaction():
            record = _campaign(store, name)
            store.insert(record)
        acknowledged[record.id] = name

    async def run() -> str:
        for n in range(3):
            create(f"before {n}")
        failures["left"] = 2  # the group's COMMIT, then the replay's
        await asyncio.sleep(GROUP_SECONDS * 3)  # the timer's commit fails (logged), the group is behind
        for n in range(3):
            create(f"after {n}")  # the first of them catches up first
        assert _world(store)[0] == acknowledged
        return kill_copy(store, tmp_path / "killed")

    killed = asyncio.run(run())
    assert len(acknowledged) == 6  # six distinct ids
    restarted = SQLiteRepository(killed)
    try:
        assert _world(restarted)[0] == acknowledged
    finally:
        restarted.close()
    store.close()


def test_a_template_copy_replays_nothing_a_killed_run_left(tmp_path):
    """A CI reset by `cp template.sqlite3 db.sqlite3` leaves `db.sqlite3-redo` alone: the records a killed run left
    there belong to that run's open of the file (a new epoch at each open), not to the fresh copy."""
    template = str(tmp_path / "template.sqlite3")
    seed = SQLiteRepository(template)
    with seed.transaction():
        seed.insert(_campaign(seed, "from the template"))
    seed.close()
    path = str(tmp_path / "db.sqlite3")
    shutil.copyfile(template, path)
    killed = _killed_after_writing(path, "written by the killed run", tmp_path / "killed")
    shutil.copyfile(template, killed)  # the reset: the template again, the killed run's -redo beside it
    os.remove(killed + "-wal")
    fresh = SQLiteRepository(killed)
    try:
        assert sorted(_world(fresh)[0].values()) == ["from the template"]
    finally:
        fresh.close()


_TWO_STORES = """
import asyncio, os, sys, time
from mock_server.store.repository import Record
from mock_server.store.sqlite import SQLiteRepository
path, who, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
store = SQLiteRepository(path, group_commit=True)
open(path + ".ready" + who, "w").close()
deadline = time.monotonic() + 30
while not all(os.path.exists(path + ".ready" + w) for w in "AB") and time.monotonic() < deadline:
    time.sleep(0.005)
async def main():
    grouped = n = 0; worst = 0.0; end = time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.monotonic()
        with store.transaction():
            store.insert(Record(store.next_id(), "Campaign", "act_1", "ACTIVE", {"name": who + str(n)}, None, None, None, 1))
            grouped += bool(store._group is not None and store._group.open)
        worst = max(worst, time.monotonic() - started)
        n += 1
        await asyncio.sleep(0)
    print(who, grouped, n, worst, flush=True)
asyncio.run(main())
open(path + ".done" + who, "w").close()
deadline = time.monotonic() + 30
while not all(os.path.exists(path + ".done" + w) for w in "AB") and time.monotonic() < deadline:
    time.sleep(0.005)
store.close()
"""


def test_two_group_capable_servers_on_one_file_never_group_over_each_other(tmp_path):
    """Two `serve`-like processes writing one file at once: while both have it open neither holds a group (each
    would hide its writes from the other for ~20 ms: with flock, a failed attempt dropped the shared lock and the
    other process slipped into a group), and neither waits out the presence lock's 10 s (two writers still queue
    on SQLite's write lock, as without group commit)."""
    import subprocess
    import sys

    path = str(tmp_path / "two.sqlite3")
    script = tmp_path / "two.py"
    script.write_text(_TWO_STORES)
    env = {**os.environ, "GRAPHMOCK_GROUP_COMMIT": "1"}
    runs = []
    for who in "AB":  # one after the other: two first opens of a new file at once may meet SQLite's lock (WAL switch)
        runs.append(subprocess.Popen([sys.executable, str(script), path, who, "2"], stdout=subprocess.PIPE, text=True,
                                     env=env))
        deadline = time.monotonic() + 30
        while not os.path.exists(path + ".ready" + who) and runs[-1].poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
    outputs = [run.communicate(timeout=60)[0].split() for run in runs]
    for who, grouped, writes, worst in outputs:
        assert int(grouped) == 0 and int(writes) > 50, (who, grouped, writes)
        assert float(worst) < 5.0, (who, worst)
    check = SQLiteRepository(path)
    try:
        assert len(_world(check)[0]) == sum(int(out[2]) for out in outputs)
    finally:
        check.close()


def test_a_redo_file_that_does_not_apply_names_itself_and_the_way_out(tmp_path):
    """A `-redo` whose records no longer apply (the database edited by hand after a kill): opening fails with an
    error naming the redo file and what to do, and `graphmock serve` says so in one line (exit 2), not a traceback."""
    import subprocess
    import sys

    from mock_server.store.sqlite_group import RedoReplayError

    killed = _killed_after_writing(str(tmp_path / "s.sqlite3"), "acknowledged", tmp_path / "killed")
    conflicting = _killed_after_writing(str(tmp_path / "other.sqlite3"), "elsewhere", tmp_path / "other")
    SQLiteRepository(conflicting).close()  # replayed and committed there: its object has the same id
    edit = sqlite3.connect(killed)
    edit.execute("ATTACH ? AS other", (conflicting,))  # the same id, committed by hand: the replay's INSERT collides
    edit.execute("INSERT INTO objects SELECT * FROM other.objects")
    edit.commit()
    edit.close()
    with pytest.raises(RedoReplayError, match=r"-redo.*move it aside"):
        SQLiteRepository(killed)
    result = subprocess.run([sys.executable, "-m", "mock_server", "serve", "--port", "0", "--db", killed],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "cannot open the store" in result.stderr and "move it aside" in result.stderr
    assert "Traceback" not in result.stderr
