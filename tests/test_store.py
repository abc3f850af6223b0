"""The SQLite store: acknowledged writes survive a restart; transactions are atomic."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server.config import ServerConfig
from mock_server.store.repository import ListQuery, Record
from mock_server.store.sqlite import SQLiteRepository
from mock_server.testing import InProcessClient

NAMES = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30)


@settings(max_examples=20)
@given(names=st.lists(NAMES, min_size=1, max_size=8), budgets=st.lists(st.integers(100, 10**9), min_size=1, max_size=8))
def test_acknowledged_writes_are_readable_after_a_restart(tmp_path_factory, names, budgets):
    """Every create/update acknowledged before a restart on the same file reads back identically after it."""
    db = str(tmp_path_factory.mktemp("db") / "graph.sqlite3")
    first = InProcessClient(ServerConfig(db=db))
    act = first.world["ad_account_id"]
    expected = {}
    for index, name in enumerate(names):
        response = first.post(f"{act}/campaigns", data={"name": name, "objective": "OUTCOME_SALES",
                                                        "special_ad_categories": "[]",
                                                        "daily_budget": str(budgets[index % len(budgets)])})
        assert response.status_code == 200, response.text
        expected[response.json()["id"]] = first.get(response.json()["id"], params={"fields": "name,daily_budget,created_time"}).json()
    some = next(iter(expected))
    assert first.post(some, data={"name": "renamed"}).json() == {"success": True}
    expected[some]["name"] = "renamed"
    first.close()

    second = InProcessClient(ServerConfig(db=db))
    for object_id, body in expected.items():
        assert second.get(object_id, params={"fields": "name,daily_budget,created_time"}).json() == body
    # the id sequence continues after the restart: no id is handed out twice
    new = second.post(f"{act}/campaigns", data={"name": "n", "objective": "OUTCOME_SALES", "special_ad_categories": "[]"})
    assert new.json()["id"] not in expected and int(new.json()["id"]) > max(map(int, expected))
    second.close()


def test_transaction_rolls_back_on_error():
    store = SQLiteRepository(":memory:")
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.insert(Record(id=1, type="Campaign", account_id="1", status="ACTIVE", data={}))
            raise RuntimeError("boom")
    assert store.get(1) is None


def test_page_is_keyset_ordered_newest_first_and_counts():
    store = SQLiteRepository(":memory:")
    store.insert_many([Record(id=i, type="Campaign", account_id="1", status="ACTIVE" if i % 3 else "PAUSED", data={"n": i})
                       for i in range(1, 11)])
    query = ListQuery("Campaign", account_id="1")
    first, more = store.page(query, after=None, before=None, limit=4)
    assert [r.id for r in first] == [10, 9, 8, 7] and more
    second, _ = store.page(query, after=7, before=None, limit=4)
    assert [r.id for r in second] == [6, 5, 4, 3]
    back, more_back = store.page(query, after=None, before=6, limit=2)
    assert [r.id for r in back] == [8, 7] and more_back
    assert store.count(ListQuery("Campaign", account_id="1", statuses=["PAUSED"])) == 3
    filtered, _ = store.page(ListQuery("Campaign", account_id="1", predicate=lambda r: r.data["n"] % 2 == 0),
                             after=None, before=None, limit=10)
    assert [r.id for r in filtered] == [10, 8, 6, 4, 2]


def test_list_page_uses_the_account_index():
    store = SQLiteRepository(":memory:")
    plan = store.conn.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM objects WHERE type = ? AND account_id = ? AND status IN (?, ?) "
        "AND id < ? ORDER BY id DESC LIMIT ?", ("Campaign", "1", "ACTIVE", "PAUSED", 10, 26)).fetchall()
    detail = " ".join(row[-1] for row in plan)
    assert "objects_by_account" in detail and "TEMP B-TREE" not in detail


def test_total_count_is_fresh_after_writes_here_and_in_another_connection(tmp_path):
    """summary.total_count is cached between writes; a write here or a commit by another server on the same
    file must show at once."""
    path = str(tmp_path / "shared.sqlite3")
    mine, other = SQLiteRepository(path), SQLiteRepository(path)
    query = ListQuery("Campaign", account_id="1", statuses=["ACTIVE"])
    assert mine.count(query) == 0
    with mine.transaction():
        mine.insert(Record(id=1, type="Campaign", account_id="1", status="ACTIVE", data={}))
    assert mine.count(query) == 1
    with other.transaction():
        other.insert(Record(id=2, type="Campaign", account_id="1", status="ACTIVE", data={}))
    assert mine.count(query) == 2
    record = mine.get(1)
    record.status = "PAUSED"
    with mine.transaction():
        mine.update(record)
    assert mine.count(query) == 1
