"""store/wal_index.py: a file store reads other connections' commits from the WAL-index header, and asks
`PRAGMA data_version` only when that header moved. What a user relies on: a read after another process's write
(a second worker, or a second store on the same file) is never answered from what was there before."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings, strategies as st

from mock_server.store.repository import Record
from mock_server.store.sqlite import SQLiteRepository


def _record(object_id: int, name: str) -> Record:
    return Record(id=object_id, type="campaign", account_id="act_1", status="PAUSED", data={"name": name})


def _pragma_calls(store: SQLiteRepository) -> list[str]:
    seen: list[str] = []
    store.conn.set_trace_callback(lambda sql: seen.append(sql) if "data_version" in sql else None)
    return seen


def test_unchanged_header_answers_without_the_pragma(tmp_path: Path) -> None:
    store = SQLiteRepository(str(tmp_path / "w.sqlite3"))
    with store.transaction():
        store.insert(_record(1, "a"))
    first = store.external_version()
    calls = _pragma_calls(store)
    assert [store.external_version() for _ in range(5)] == [first] * 5
    assert calls == []  # the header did not move: no read transaction was started
    store.close()


def test_own_commit_is_not_another_connections(tmp_path: Path) -> None:
    store = SQLiteRepository(str(tmp_path / "w.sqlite3"))
    before = store.external_version()
    with store.transaction():
        store.insert(_record(1, "a"))
    assert store.external_version() == before  # SQLite's data_version: only other connections move it
    store.close()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(["mine", "theirs", "read"]), min_size=1, max_size=12))
def test_every_commit_of_another_connection_is_seen(tmp_path_factory, steps: list[str]) -> None:
    """Property: after any interleaving of this store's writes, another store's writes and reads on the same
    file, the version moves exactly when the other connection committed since the last look, and the record it
    wrote is read back."""
    path = str(tmp_path_factory.mktemp("wal") / "w.sqlite3")
    mine, theirs = SQLiteRepository(path), SQLiteRepository(path)
    try:
        last = mine.external_version()
        pending = False
        next_id = 1
        for step in steps:
            if step == "mine":
                with mine.transaction():
                    mine.insert(_record(next_id, "mine"))
                next_id += 1
            elif step == "theirs":
                with theirs.transaction():
                    theirs.insert(_record(next_id, "theirs"))
                next_id += 1
                pending = True
            else:
                now = mine.external_version()
                assert (now != last) == pending
                last, pending = now, False
                assert {r.id for r in mine.get_many(range(1, next_id)).values()} == set(range(1, next_id))
    finally:
        mine.close()
        theirs.close()


def test_the_header_is_the_files_first_bytes_once_it_holds_one(tmp_path: Path) -> None:
    """The mapped header (wal_index.py) is what the `-shm` file holds: None before the file exists or while it is
    shorter than a header (a file being created: mapped later, never faulting), then its first 48 bytes, moving
    with each commit; a closed reader holds no mapping."""
    import os
    import sqlite3

    from mock_server.store.wal_index import HEADER_BYTES, WalIndexHeader
    path = str(tmp_path / "h.sqlite3")
    header = WalIndexHeader(path)
    assert header.read() is None  # no -shm yet
    (tmp_path / "h.sqlite3-shm").write_bytes(b"\0" * 10)
    assert header.read() is None  # shorter than a header: not mapped
    os.remove(tmp_path / "h.sqlite3-shm")
    header.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (x)")
    header = WalIndexHeader(path)
    seen = []
    for i in range(3):
        conn.execute("INSERT INTO t VALUES (?)", (i,))
        with open(path + "-shm", "rb") as raw:
            assert header.read() == raw.read(HEADER_BYTES)
        seen.append(header.read())
    assert len(set(seen)) == 3  # every commit rewrites it
    header.close()
    assert header._map is None and header._opened is None
    conn.close()


_DMS_PROBE = r'''
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
try:
    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 128)  # SQLite's DMS byte: a new connection may rebuild the -shm
    print("granted")
except OSError:
    print("refused")
'''


def test_a_second_store_closing_keeps_the_first_ones_shm_locks(tmp_path: Path) -> None:
    """POSIX drops all of a process's fcntl locks on a file when any descriptor of it closes: a second store of
    this process on the same file, closed, took SQLite's DMS lock from the first store's live connection, and
    another process could then rebuild the -shm under it (found by review). The stores now share one descriptor
    and mapping, closed with the last of them."""
    import subprocess
    import sys

    path = str(tmp_path / "s.sqlite3")

    def probe() -> str:
        return subprocess.run([sys.executable, "-c", _DMS_PROBE, path + "-shm"], capture_output=True, text=True,
                              check=True).stdout.strip()

    one = SQLiteRepository(path)
    one.external_version()  # maps the header
    assert probe() == "refused"
    two = SQLiteRepository(path)
    two.external_version()
    two.close()
    assert probe() == "refused"
    one.insert(Record(id=10**15, type="Campaign", account_id="1", status="ACTIVE", data={"name": "x"}, created=0))
    assert one.get(10**15) is not None and one.external_version() == one.external_version()
    one.close()
