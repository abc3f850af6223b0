"""Background WAL checkpoints (mock_server/store/checkpoint.py): the WAL stays bounded under a stream of
writes, and every acknowledged write is in the database file once the store closes."""

from __future__ import annotations

import os
import time

from mock_server.store.checkpoint import Checkpointer
from mock_server.store.repository import ListQuery, Record
from mock_server.store.sqlite import SQLiteRepository

DATA = {"name": "c" * 200, "objective": "OUTCOME_ENGAGEMENT", "status": "PAUSED", "special_ad_categories": []}


def _write(store: SQLiteRepository, count: int) -> list[int]:
    ids = []
    for _ in range(count):
        with store.transaction():
            record_id = store.next_id()
            store.insert(Record(record_id, "Campaign", "1", "PAUSED", dict(DATA), created=record_id))
        ids.append(record_id)
    return ids


def test_the_wal_is_checkpointed_in_the_background_and_stays_bounded(tmp_path):
    path = str(tmp_path / "wal.sqlite3")
    store = SQLiteRepository(path)
    assert isinstance(store.checkpointer, Checkpointer)
    ids = []
    for _ in range(20):  # a server between requests: bursts of commits, then the event loop idles
        ids += _write(store, 200)
        time.sleep(0.02)
    deadline = time.monotonic() + 5
    while store.checkpointer.runs == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert store.checkpointer.runs > 0
    assert os.path.getsize(path + "-wal") < 16 * 1024 * 1024  # SQLite's own 1000-page backstop: ~4 MB
    store.close()
    assert not os.path.exists(path + "-wal")  # the last connection folded the WAL into the file
    reopened = SQLiteRepository(path)
    try:
        assert reopened.count(ListQuery("Campaign", account_id="1")) == len(ids) == 4000
        assert reopened.get(ids[-1]).data == DATA
        assert reopened.integrity_check() == "ok"
    finally:
        reopened.close()


def test_an_in_memory_store_has_no_checkpointer():
    store = SQLiteRepository(":memory:")
    assert store.checkpointer is None
    store.close()
