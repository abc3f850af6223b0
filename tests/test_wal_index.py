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
    assert header._map is None and header._fd is None
    conn.close()
