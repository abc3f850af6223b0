"""The store contract, on SQLite and on PostgreSQL alike (`backend` parametrises every test that takes
`new_store` or `db_target`; tests/helpers/pg_fixtures.py): acknowledged writes survive a restart,
transactions are atomic, lists page by keyset, counts stay fresh. The last tests are SQLite's own
(query plans, file migration); test_store_postgres.py holds PostgreSQL's."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server.config import ServerConfig
from mock_server.store import open_repository
from mock_server.store.repository import ListQuery, Record
from mock_server.store.sqlite import SQLiteRepository
from mock_server.testing import InProcessClient

NAMES = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30)


@settings(max_examples=20)
@given(names=st.lists(NAMES, min_size=1, max_size=8), budgets=st.lists(st.integers(100, 10**9), min_size=1, max_size=8))
def test_acknowledged_writes_are_readable_after_a_restart(db_target, names, budgets):
    """Every create/update acknowledged before a restart on the same store reads back identically after it."""
    db = db_target
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


def test_transaction_rolls_back_on_error(new_store):
    store = new_store()
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.insert(Record(id=1, type="Campaign", account_id="1", status="ACTIVE", data={}))
            raise RuntimeError("boom")
    assert store.get(1) is None


def test_page_is_keyset_ordered_newest_first_and_counts(new_store):
    store = new_store()
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


STATUSES = ("ACTIVE", "PAUSED", "ARCHIVED", "DELETED")
STORED = st.lists(st.tuples(st.sampled_from(["1", "2"]), st.integers(1, 3), st.integers(1, 3), st.sampled_from(STATUSES)),
                  max_size=40)


@settings(max_examples=150, deadline=None)
@given(rows=STORED, account=st.sampled_from(["1", "2"]), scope=st.sampled_from(["account", "campaign", "adset"]),
       statuses=st.none() | st.sets(st.sampled_from(STATUSES)), odd_only=st.booleans(), limit=st.integers(1, 6),
       backwards=st.booleans())
def test_list_pages_match_a_plain_model(new_store, rows, account, scope, statuses, odd_only, limit, backwards):
    """Walking a list edge page by page (either way, with or without a status filter or a predicate) yields
    exactly the matching objects of its scope, newest first, each once; total_count agrees."""
    store = new_store()
    records = [Record(id=i + 1, type="Ad", account_id=act, status=status, data={"n": i + 1}, campaign_id=campaign,
                      adset_id=campaign * 10 + adset) for i, (act, campaign, adset, status) in enumerate(rows)]
    store.insert_many(records)
    where = {"account": {}, "campaign": {"campaign_id": 1}, "adset": {"adset_id": 11}}[scope]
    predicate = (lambda r: r.id % 2 == 1) if odd_only else None
    query = ListQuery("Ad", account_id=account, statuses=statuses, predicate=predicate, **where)
    expected = [r.id for r in sorted(records, key=lambda r: -r.id)
                if r.account_id == account and all(getattr(r, k) == v for k, v in where.items())
                and (statuses is None or r.status in statuses) and (predicate is None or predicate(r))]
    seen: list[int] = []
    after = None
    while True:
        page, more = store.page(query, after=after, before=None, limit=limit)
        seen += [r.id for r in page]
        if not more:
            break
        after = page[-1].id
    assert seen == expected
    assert store.count(query) == len(expected)
    if backwards and seen:
        back: list[int] = []
        before = seen[-1] + 0
        back_page, _ = store.page(query, after=None, before=before, limit=limit)
        back = [r.id for r in back_page]
        assert back == [i for i in expected if i > before][-limit:]


@pytest.mark.parametrize("scope", [{}, {"campaign_id": 1}, {"adset_id": 11}])
@pytest.mark.parametrize("statuses", [None, ["ACTIVE"], ["ACTIVE", "PAUSED"]])
def test_every_list_reads_a_status_index_range_never_the_whole_table(scope, statuses):
    """Each scope's page and present-status queries seek a status index in id order (no scan, no sort):
    the cost of a page stays flat at 1 M objects (benchmarks/bench_scale.py). Several statuses sort only the
    few ids their ranges yield (at most `limit + 1` each)."""
    store = SQLiteRepository(":memory:")
    store.insert_many([Record(id=i, type="Ad", account_id="1", status=STATUSES[i % 4], data={}, campaign_id=1,
                              adset_id=11) for i in range(1, 50)])
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    store.page(ListQuery("Ad", account_id="1", statuses=statuses, **scope), after=30, before=None, limit=5)
    store.page(ListQuery("Ad", account_id="1", statuses=statuses, predicate=lambda r: True, **scope),
               after=None, before=None, limit=5)
    store.conn.set_trace_callback(None)
    assert statements
    for sql in statements:
        steps = [row[-1] for row in store.conn.execute("EXPLAIN QUERY PLAN " + sql)]
        searches = [step for step in steps if step.startswith("SEARCH objects")]
        assert searches and not any(step.startswith("SCAN objects") for step in steps), (sql, steps)
        assert all("_status" in step or "INTEGER PRIMARY KEY" in step for step in searches), (sql, steps)
        if statuses is not None and len(statuses) == 1:  # one range is already in id order: nothing to sort
            assert not any("TEMP B-TREE" in step for step in steps), (sql, steps)


def test_total_count_is_fresh_after_writes_here_and_in_another_connection(db_target):
    """summary.total_count is cached between writes; a write here or a commit by another server on the same
    store (file or database) must show at once."""
    mine, other = open_repository(db_target), open_repository(db_target)
    query = ListQuery("Campaign", account_id="1", statuses=["ACTIVE"])
    assert mine.count(query) == 0
    with mine.transaction():
        mine.insert(Record(id=1, type="Campaign", account_id="1", status="ACTIVE", data={}))
    assert mine.count(query) == 1
    before = mine.version()
    with other.transaction():
        other.insert(Record(id=2, type="Campaign", account_id="1", status="ACTIVE", data={}))
    assert mine.version() != before  # the read cache keys on it
    assert mine.count(query) == 2
    record = mine.get(1)
    record.status = "PAUSED"
    with mine.transaction():
        mine.update(record)
    assert mine.count(query) == 1
    assert other.count(query) == 1
    mine.close()
    other.close()


def test_a_pinned_version_moves_with_own_writes_and_catches_up_with_other_servers_at_exit(db_target):
    """`with store.pinned():` (a batch) looks at other servers' commits once: inside, the version still moves
    with every write of this server (a read after a write in the same batch is never served from the read
    cache), and after exit a commit made elsewhere meanwhile shows at once."""
    mine, other = open_repository(db_target), open_repository(db_target)
    query = ListQuery("Campaign", account_id="1", statuses=["ACTIVE"])
    with mine.pinned():
        pinned = mine.version()
        with mine.pinned():  # nested: joins the outer pin
            assert mine.version() == pinned
        with mine.transaction():
            mine.insert(Record(id=1, type="Campaign", account_id="1", status="ACTIVE", data={}))
        assert mine.version() != pinned
        assert mine.count(query) == 1
        inside = mine.version()
        with other.transaction():
            other.insert(Record(id=2, type="Campaign", account_id="1", status="ACTIVE", data={}))
    assert mine.version() != inside
    assert mine.count(query) == 2
    mine.close()
    other.close()


def test_a_pin_holds_for_its_own_task_only(db_target):
    """A batch pins the version and awaits between operations: a request served meanwhile on the same event loop
    must still see a commit another server acknowledged (the pin is a context variable, not per thread)."""
    import asyncio

    mine, other = open_repository(db_target), open_repository(db_target)

    async def main() -> None:
        paused, resume = asyncio.Event(), asyncio.Event()

        async def batch() -> None:
            with mine.pinned():
                pinned = mine.version()
                paused.set()
                await resume.wait()
                assert mine.version() == pinned

        async def request() -> None:
            await paused.wait()
            before = mine.version()
            with other.transaction():
                other.insert(Record(id=3, type="Campaign", account_id="1", status="ACTIVE", data={}))
            assert mine.version() != before
            resume.set()

        await asyncio.gather(batch(), request())

    asyncio.run(main())
    mine.close()
    other.close()


def test_a_store_file_from_before_the_index_change_opens_and_sheds_the_old_indexes(tmp_path):
    """Files written before dc7d143 carry (scope, id) indexes that every insert would keep paying for; opening
    one drops them and its objects list as before."""
    path = str(tmp_path / "old.sqlite3")
    old = SQLiteRepository(path)
    old.conn.executescript("CREATE INDEX objects_by_account ON objects(type, account_id, id);"
                           "CREATE INDEX objects_by_campaign ON objects(type, campaign_id, id) WHERE campaign_id IS NOT NULL;")
    old.insert_many([Record(id=i, type="AdSet", account_id="1", status=STATUSES[i % 2], data={}, campaign_id=7)
                     for i in range(1, 11)])
    old.close()
    reopened = SQLiteRepository(path)
    indexes = {row[0] for row in reopened.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "objects_by_account" not in indexes and "objects_by_campaign" not in indexes
    assert "objects_by_account_status" in indexes
    page, more = reopened.page(ListQuery("AdSet", account_id="1", campaign_id=7), after=None, before=None, limit=4)
    assert [r.id for r in page] == [10, 9, 8, 7] and more


def test_activity_ids_are_numbered_above_the_base_and_every_stored_one(new_store):
    """The activity log's ids (domain/activities.py): each above `base` and above every stored activity, so the
    log's order by id is its order of writing; on SQLite read from the activities table, on PostgreSQL a counter."""
    store = new_store()
    base = 9_000_000_000_000_000
    taken = []
    for n in range(3):
        with store.transaction():
            activity_id = store.next_in_sequence("activity_seq", "AdActivity", base)
            assert activity_id > base and all(activity_id > t for t in taken)
            store.insert(Record(id=activity_id, type="AdActivity", account_id="1", status="ACTIVE",
                                data={"event_time": n}, created=n))
        taken.append(activity_id)
    assert store.get(taken[0]).data == {"event_time": 0}  # readable by id as any record
    assert set(store.get_many([*taken, 5])) == set(taken)
    page, more = store.page(ListQuery("AdActivity", account_id="1"), after=None, before=None, limit=2)
    assert [r.id for r in page] == taken[:0:-1] and more
    assert store.count(ListQuery("AdActivity", account_id="1")) == 3
    assert [o["id"] for o in store.dump()["objects"]] == taken
    store.delete_account("1")
    assert store.page(ListQuery("AdActivity", account_id="1"), after=None, before=None, limit=2) == ([], False)


def _as_written_before_the_activities_table(path: str) -> None:
    """Put a store file back in the shape graphmock wrote before the activities table (user_version 0):
    activity records are rows of `objects`, the sequence in meta."""
    import sqlite3

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("INSERT INTO objects SELECT * FROM activities")
    conn.execute("DROP TABLE activities")
    conn.execute("INSERT INTO meta (key, value) VALUES ('activity_seq', '2')")
    conn.execute("PRAGMA user_version = 0")
    conn.close()


def test_a_store_file_with_activities_in_objects_reopens_with_its_log_and_numbers_on(tmp_path):
    """A file an earlier version wrote (activities in `objects`) is migrated on open: the log lists as before,
    with its ids, and the next activity is numbered above them (no id reused, order kept)."""
    path = str(tmp_path / "old.sqlite3")
    client = InProcessClient(ServerConfig(db=path))
    act = client.world["ad_account_id"]

    def created_and_renamed(on: InProcessClient, name: str) -> None:  # a rename: a stored entry (a create's is derived)
        made = on.post(f"{act}/campaigns", data={"name": name, "objective": "OUTCOME_SALES", "special_ad_categories": "[]"})
        assert made.status_code == 200
        assert on.post(made.json()["id"], data={"name": name.upper()}).status_code == 200

    for name in ("a", "b"):
        created_and_renamed(client, name)
    before = client.get(f"{act}/activities", params={"fields": "event_type,object_name"}).json()["data"]
    client.close()
    _as_written_before_the_activities_table(path)

    reopened = InProcessClient(ServerConfig(db=path))
    assert reopened.get(f"{act}/activities", params={"fields": "event_type,object_name"}).json()["data"] == before
    created_and_renamed(reopened, "c")
    rows = reopened.get(f"{act}/activities", params={"fields": "event_type,object_name"}).json()["data"]
    assert [row["object_name"] for row in rows if row["event_type"] == "update_campaign_name"] == ["C", "B", "A"]
    reopened.close()
    store = SQLiteRepository(path)
    assert store.conn.execute("SELECT count(*) FROM objects WHERE type = 'AdActivity'").fetchone()[0] == 0
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] >= 1
    ids = [row[0] for row in store.conn.execute("SELECT id FROM activities ORDER BY id")]
    assert len(ids) == 3 and ids[-1] > ids[-2]
    store.close()


_COUNT_SCOPES = [ListQuery("AdSet", campaign_id=7, statuses=("ACTIVE", "PAUSED", "ARCHIVED")),
                 ListQuery("AdSet", account_id="1"), ListQuery("AdSet", account_id="2", statuses=("PAUSED",)),
                 ListQuery("Campaign", account_id="1"), ListQuery("AdSet", adset_id=None, campaign_id=8)]
_COUNT_OPS = st.lists(st.one_of(
    st.tuples(st.just("insert"), st.sampled_from(["AdSet", "Campaign"]), st.sampled_from(["1", "2"]),
              st.sampled_from([7, 8, None]), st.sampled_from(STATUSES)),
    st.tuples(st.just("update"), st.sampled_from(STATUSES)),
    st.tuples(st.just("rolled back insert"), st.sampled_from([7, 8])),
    st.tuples(st.just("delete_account"), st.sampled_from(["1", "2"])),
    st.tuples(st.just("count"), st.integers(0, len(_COUNT_SCOPES) - 1))), max_size=25)


@settings(max_examples=40)
@given(ops=_COUNT_OPS)
def test_cached_counts_equal_a_fresh_count_after_any_writes(new_store, ops):
    """The ad set limit and summary.total_count read cached counts that inserts adjust in place
    (sqlite_count_cache.py): after any mix of inserts, updates, rolled-back inserts and per-account deletes, every
    count equals what a store with nothing cached answers."""
    store = new_store()
    next_id = iter(range(1, 1000))
    ids: list[int] = []
    for op in ops:
        if op[0] == "insert":
            _, type_, account, campaign, status = op
            with store.transaction():
                ids.append(next(next_id))
                store.insert(Record(id=ids[-1], type=type_, account_id=account, status=status, data={},
                                    campaign_id=campaign))
        elif op[0] == "update" and ids:
            record = store.get(ids[-1])
            if record is not None:
                record.status = op[1]
                store.update(record)
        elif op[0] == "rolled back insert":
            with pytest.raises(RuntimeError), store.transaction():
                store.insert(Record(id=next(next_id), type="AdSet", account_id="1", status="ACTIVE", data={},
                                    campaign_id=op[1]))
                if isinstance(store, SQLiteRepository):  # PostgreSQL keeps a count read here after ROLLBACK
                    store.count(_COUNT_SCOPES[0])  # (its cache keys on its write counter, not moved by ROLLBACK)
                raise RuntimeError("refused")
        elif op[0] == "delete_account":
            store.delete_account(op[1])
        elif op[0] == "count":
            store.count(_COUNT_SCOPES[op[1]])
        for query in _COUNT_SCOPES:
            plain = ListQuery(query.type, query.account_id, query.campaign_id, query.adset_id, query.statuses,
                              predicate=lambda record: True)  # a predicate: counted record by record, never cached
            assert store.count(query) == store.count(plain), (op, query)


def test_a_count_inside_a_write_transaction_sees_a_commit_made_after_the_requests_pin(tmp_path):
    """The 200 ad sets per campaign limit counts inside the create's transaction: another worker's ad set
    committed after this request began (its pin) but before the transaction is counted too."""
    path = str(tmp_path / "shared.sqlite3")
    mine, other = SQLiteRepository(path), SQLiteRepository(path)
    query = ListQuery("AdSet", campaign_id=7, statuses=("ACTIVE",))
    with mine.transaction():
        mine.insert(Record(id=1, type="AdSet", account_id="1", status="ACTIVE", data={}, campaign_id=7))
        assert mine.count(query) == 1
    with mine.pinned():
        with other.transaction():
            other.insert(Record(id=2, type="AdSet", account_id="1", status="ACTIVE", data={}, campaign_id=7))
        with mine.transaction():
            assert mine.count(query) == 2
    mine.close()
    other.close()
