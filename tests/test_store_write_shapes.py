"""The SQLite store's per-record writes (store/sqlite_statements.py): one statement per set of NULL columns and the
JSON bound as a bytearray, recorded for the redo log by `RecordingConnection.write` (docs/group-commit.md,
"Measured"). What a user relies on: every record reads back as written, with and without group commit, after a
kill and replay too, and a redo file written by the previous statement shapes still replays.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections import UserList
from pathlib import Path
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.killed import kill_copy
from mock_server.store.repository import Record
from mock_server.store.sqlite import SQLiteRepository
from mock_server.store.sqlite_group import position
from mock_server.store.sqlite_redo import REDO_SUFFIX, RedoFile, decode, encode

ACT = "act_7"
MAYBE_ID = st.one_of(st.none(), st.integers(1, 2**62))
MAYBE_KEY = st.one_of(st.none(), st.text(max_size=5))
SHAPES = st.tuples(st.sampled_from(["Campaign", "AdSet", "Ad", "AdActivity"]), MAYBE_ID, MAYBE_ID, MAYBE_KEY,
                   st.dictionaries(st.text(max_size=4), st.one_of(st.integers(-2**53, 2**53), st.text(max_size=8)), max_size=3))
WRITES = st.lists(st.tuples(st.booleans(), SHAPES), min_size=1, max_size=12)  # (update an earlier one?, shape)


def _apply(store: SQLiteRepository, writes: list[tuple[bool, tuple[Any, ...]]]) -> None:
    ids: list[tuple[int, str]] = []
    for update, (type_, campaign_id, adset_id, key, data) in writes:
        with store.transaction():
            if update and ids:
                object_id, kept_type = ids[len(ids) // 2]
                store.update(Record(object_id, kept_type, ACT, "PAUSED", data, campaign_id, adset_id, key, 5))
            else:
                object_id = store.next_id() if type_ != "AdActivity" else store.next_in_sequence("s", type_, 1000)
                store.insert(Record(object_id, type_, ACT, "ACTIVE", data, campaign_id, adset_id, key, 5))
                ids.append((object_id, type_))


def _rows(path: str) -> list[tuple[Any, ...]]:
    """Every stored row as plain SQLite sees it, with the storage class of `data` (a BLOB, as before)."""
    conn = sqlite3.connect(path)
    try:
        return sorted(row for table in ("objects", "activities") for row in conn.execute(
            f"SELECT id, type, status, typeof(data), data, campaign_id, adset_id, key, created FROM {table}"))
    finally:
        conn.close()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(writes=WRITES)
def test_every_null_shape_reads_back_alike_grouped_killed_and_plain(tmp_path_factory, writes):
    """Inserts and updates with any of campaign_id, adset_id, key NULL or set: a group-commit store killed and
    replayed holds exactly the rows a plain store (a COMMIT per transaction) holds, data stored as a BLOB."""
    base = tmp_path_factory.mktemp("shapes")
    plain = SQLiteRepository(str(base / "plain.sqlite3"))
    _apply(plain, writes)
    plain.close()
    grouped = SQLiteRepository(str(base / "grouped.sqlite3"), group_commit=True)

    async def run() -> str:
        _apply(grouped, writes)
        return kill_copy(grouped, base / "killed")

    killed = asyncio.run(run())
    grouped.close()
    assert os.path.getsize(killed + REDO_SUFFIX) > 0  # the acknowledged writes wait there, not committed
    SQLiteRepository(killed).close()  # the open replays the redo file
    expected = _rows(str(base / "plain.sqlite3"))
    assert _rows(killed) == expected
    assert _rows(str(base / "grouped.sqlite3")) == expected
    assert {row[3] for row in expected} == {"blob"}


def test_a_redo_file_of_the_previous_statement_shapes_still_replays(tmp_path):
    """Records written before store/sqlite_statements.py (every column named, None and bytes bound) replay
    beside records of the current shapes: the record format itself did not change."""
    path = str(tmp_path / "old.sqlite3")
    SQLiteRepository(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    epoch, committed, _ = position(conn)
    conn.close()
    old_insert = ("INSERT INTO objects (id, type, account_id, status, data, campaign_id, adset_id, key, created) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
    old_update = "UPDATE objects SET status = ?, data = ?, campaign_id = ?, adset_id = ?, key = ? WHERE id = ?"
    new_insert = "INSERT INTO objects (id, type, account_id, status, data, created, key) VALUES (?, ?, ?, ?, ?, ?, ?)"
    redo = RedoFile(path + REDO_SUFFIX, durable=False)
    redo.append(encode(epoch, committed + 1, [(old_insert, (11, "Campaign", ACT, "ACTIVE", b'{"name":"old"}', None,
                                                            None, None, 3), False)]))
    redo.append(encode(epoch, committed + 2, [(old_update, ("PAUSED", b'{"name":"older"}', None, None, "k", 11),
                                               False)]))
    redo.append(encode(epoch, committed + 3, [(new_insert, (12, "Campaign", ACT, "ACTIVE",
                                                            bytearray(b'{"name":"new"}'), 4, "k2"), False)]))
    redo.close()
    store = SQLiteRepository(path)
    try:
        old, new = store.get(11), store.get(12)
        assert (old.status, old.data, old.key, old.campaign_id) == ("PAUSED", {"name": "older"}, "k", None)
        assert (new.data, new.key, new.created, new.adset_id) == ({"name": "new"}, "k2", 4, None)
    finally:
        store.close()


def test_a_record_holds_parameters_of_any_sequence_or_mapping_type():
    """`encode` marshals the captured statements as they are; a parameter sequence or mapping marshal cannot hold
    as such is converted to a plain list or dict, so it still replays the same values."""
    statements = [("INSERT INTO meta (key, value) VALUES (?, ?)", UserList(["k", b'"v"']), False),
                  ("INSERT INTO meta (key, value) VALUES (:k, :v)", {"k": "k2", "v": bytearray(b'"w"')}, False),
                  ("INSERT INTO meta (key, value) VALUES (?, ?)", [UserList(["k3", b"1"])], True)]
    [(epoch, seq, decoded)] = list(decode(encode(3, 9, statements)))
    assert (epoch, seq) == (3, 9)
    assert [(sql, many) for sql, _params, many in decoded] == [(sql, many) for sql, _p, many in statements]
    assert list(decoded[0][1]) == ["k", b'"v"'] and decoded[1][1] == {"k": "k2", "v": b'"w"'}
    assert [list(row) for row in decoded[2][1]] == [["k3", b"1"]]
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB)")
    for sql, params, many in decoded:
        (conn.executemany if many else conn.execute)(sql, params)
    assert dict(conn.execute("SELECT key, value FROM meta")) == {"k": b'"v"', "k2": b'"w"', "k3": b"1"}
    assert orjson.loads(conn.execute("SELECT value FROM meta WHERE key = 'k2'").fetchone()[0]) == "w"
