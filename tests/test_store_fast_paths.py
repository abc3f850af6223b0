"""The store's per-request fast paths (docs/group-commit.md, "A create's store cost (session 9)"): each one is
checked against what the slow path it skips guarantees."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import sqlite3
import threading
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mock_server.store.repository import ListQuery, Record
from mock_server.store.sqlite import SQLiteRepository
from mock_server.store.sqlite_group import GROUP_SECONDS

ACT = "act_1"


def _campaign(store: SQLiteRepository, name: str) -> Record:
    return Record(store.next_id(), "Campaign", ACT, "ACTIVE", {"name": name}, None, None, None, 1)


def _committed_names(path: str) -> list[str]:
    """What another connection sees without replaying anything: the committed campaigns."""
    conn = sqlite3.connect(path)
    try:
        return sorted(row[0] for row in conn.execute("SELECT json_extract(data, '$.name') FROM objects"))
    finally:
        conn.close()


@pytest.fixture
def grouped(tmp_path):
    store = SQLiteRepository(str(tmp_path / "s.sqlite3"), group_commit=True)
    yield store
    store.close()


async def _create(store: SQLiteRepository, name: str) -> None:
    with store.transaction():
        store.insert(_campaign(store, name))


def test_a_request_in_the_same_loop_joins_the_group_without_a_commit(grouped, young):
    """The fast path's case: the group's timer armed in the running loop, so a second request joins the open
    group (nothing committed yet: both writes wait in it, durable in the redo file)."""
    async def run() -> None:
        await _create(grouped, "first")
        await _create(grouped, "second")
        assert _committed_names(grouped.path) == []

    asyncio.run(run())
    assert _committed_names(grouped.path) == ["first", "second"]  # the loop's end committed the group


def test_a_transaction_after_the_timers_loop_stopped_commits_the_group_first(grouped):
    """Same thread, the group's loop stopped with its timer still pending (run_until_complete returned), within
    the group's window: nobody would commit the group later, so the transaction commits it and then commits on
    its own. A check on the thread alone (not that the loop runs) would leave both writes in the open group."""
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(_create(grouped, "in the loop"))
        assert grouped._group.timer is not None and grouped._group.open
        with grouped.transaction():
            grouped.insert(_campaign(grouped, "after the loop"))
        assert _committed_names(grouped.path) == ["after the loop", "in the loop"]
    finally:
        loop.run_until_complete(asyncio.sleep(0))  # the cancelled timer finishes
        loop.close()


def test_a_request_in_another_loop_commits_the_group_of_the_first(grouped):
    """A second loop in the same thread (the first stopped, its timer pending): the request commits the first
    loop's group before it begins its own, whose timer then runs in the loop that is running."""
    first = asyncio.new_event_loop()
    second = asyncio.new_event_loop()
    try:
        first.run_until_complete(_create(grouped, "first loop"))

        async def then() -> None:
            await _create(grouped, "second loop")
            assert _committed_names(grouped.path) == ["first loop"]
            await asyncio.sleep(0.06)  # the second loop's timer commits its group
            assert _committed_names(grouped.path) == ["first loop", "second loop"]

        second.run_until_complete(then())
    finally:
        for loop in (first, second):
            loop.run_until_complete(asyncio.sleep(0))  # a cancelled timer finishes
            loop.close()


def test_after_a_fork_the_next_request_checks_the_loop_in_full(grouped, young, monkeypatch):
    """A forked child inherits the parent's armed timer, thread id and running-loop state: its first request
    must take the full check (asyncio's lookup, which compares the pid), and once it arms its own timer the fast
    path serves it again. The fork is simulated by its hook."""
    import mock_server.store.sqlite_group as sqlite_group

    lookups: list[object] = []
    real = sqlite_group.running_loop
    monkeypatch.setattr(sqlite_group, "running_loop", lambda: lookups.append(1) or real())

    async def run() -> None:
        await _create(grouped, "armed")  # the group's first request: the full check, then the timer armed
        first = len(lookups)
        await _create(grouped, "fast")
        assert len(lookups) == first  # the fast path: no lookup
        sqlite_group._forked()
        await _create(grouped, "after fork")
        assert len(lookups) > first  # the full check
        grouped._group.commit()
        await _create(grouped, "child's group")  # a new group, armed in this process
        again = len(lookups)
        await _create(grouped, "child's fast")
        assert len(lookups) == again

    asyncio.run(run())


def test_a_transaction_from_another_thread_while_the_loop_runs_commits_on_its_own(grouped):
    """The group's loop runs in one thread; a transaction from another thread (no running loop there) is not a
    request of that loop: it commits the group and itself at once, as before the fast path."""
    done = threading.Event()

    async def run() -> None:
        await _create(grouped, "loop")
        loop = asyncio.get_running_loop()

        def elsewhere() -> None:
            with grouped.transaction():
                grouped.insert(_campaign(grouped, "thread"))
            done.set()

        await loop.run_in_executor(None, elsewhere)
        assert done.is_set()
        assert _committed_names(grouped.path) == ["loop", "thread"]

    asyncio.run(run())


@contextlib.contextmanager
def request(store: SQLiteRepository) -> Iterator[None]:
    """A request's transaction: as graphmock's do, it asks the external version first (Shared.sync)."""
    with store.transaction():
        store.external_version()
        yield


COUNT_OPS = st.lists(st.one_of(
    st.tuples(st.just("insert"), st.integers(0, 5), st.sampled_from(["ACTIVE", "PAUSED", "DELETED"])),
    st.tuples(st.just("count"), st.integers(0, 5), st.sampled_from([("ACTIVE", "PAUSED"), ("DELETED",), None])),
    st.tuples(st.just("update"), st.integers(0, 40), st.sampled_from(["ACTIVE", "DELETED"])),
    st.tuples(st.just("fail"), st.integers(0, 5), st.just("ACTIVE")),
    st.tuples(st.just("other"), st.integers(0, 5), st.just("PAUSED")),
    st.tuples(st.just("alone"), st.just(0), st.just("")),
    st.tuples(st.just("parent"), st.just(0), st.sampled_from(["ok", "fail", "update"])),
    st.tuples(st.just("reset"), st.just(0), st.just("")),
), max_size=30)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=COUNT_OPS)
@example(ops=[("count", 0, ("ACTIVE", "PAUSED")), ("fail", 0, "ACTIVE"), ("count", 0, ("ACTIVE", "PAUSED"))])
@example(ops=[("count", n, ("ACTIVE", "PAUSED")) for n in range(4)] + [("count", n, None) for n in range(3)]
         + [("insert", 0, "ACTIVE"), ("insert", 1, "PAUSED"), ("count", 0, ("ACTIVE", "PAUSED"))])
@example(ops=[("parent", 0, "ok"), ("count", 0, None), ("other", 0, ""), ("count", 0, None), ("parent", 0, "ok"),
              ("other", 0, ""), ("count", 0, None), ("count", 1, None), ("alone", 0, ""), ("parent", 0, "ok"),
              ("insert", 0, "ACTIVE"), ("count", 0, None), ("parent", 0, "fail"), ("parent", 0, "ok"),
              ("count", 0, None)])
@example(ops=[("count", 0, None), ("update", 0, "DELETED"), ("count", 0, None), ("insert", 0, "ACTIVE"),
              ("count", 0, ("DELETED",)), ("reset", 0, ""), ("count", 0, None), ("count", 0, ("DELETED",))])
def test_kept_counts_equal_a_fresh_count(tmp_path_factory, monkeypatch, ops):
    """rules/adset_creation.campaign_adset_limit counts a campaign's ad sets per create from the kept counts
    (store/sqlite_count_cache.py): after any run of inserts (adjusting them), new campaigns (childless: counted 0
    without SQL), updates, failed requests (undone), another connection's commits (another worker), resets and
    evictions (the bound made tiny here), each count equals a fresh SQL count."""
    import mock_server.store.sqlite_count_cache as count_cache

    monkeypatch.setattr(count_cache, "_LIMIT", 5)
    path = str(tmp_path_factory.mktemp("counts") / "s.sqlite3")
    store = SQLiteRepository(path, group_commit=True)
    other: SQLiteRepository | None = None
    campaigns = list(range(1, 5))

    def fresh(campaign: int, statuses: tuple[str, ...] | None) -> int:
        marks = f" AND status IN ({','.join('?' * len(statuses))})" if statuses else ""
        return store.conn.execute(f"SELECT count(*) FROM objects WHERE type = 'AdSet' AND campaign_id = ?{marks}",
                                  (campaign, *(statuses or ()))).fetchone()[0]

    def ad_set(on: SQLiteRepository, campaign: int, status: str) -> Record:
        return Record(on.next_id(), "AdSet", ACT, status, {}, campaign, None, None, 1)

    async def run() -> None:
        nonlocal other
        for op, n, arg in ops:
            campaign = campaigns[-1 - n % len(campaigns)]  # the newest (a parent just inserted) most often
            if op == "parent":  # a campaign inserted here: childless until a record names it
                parent = Record(store.next_id(), "Campaign", ACT, "ACTIVE", {}, None, None, None, 1)
                if arg == "fail":  # its request fails: the id is free again
                    with pytest.raises(RuntimeError), request(store):
                        store.insert(parent)
                        raise RuntimeError("refused late")
                    continue
                with request(store):
                    store.insert(parent)
                    if arg == "update":
                        store.update(dataclasses.replace(parent, status="PAUSED"))
                campaigns.append(parent.id)
            elif op == "insert":
                with request(store):
                    store.insert(ad_set(store, campaign, arg))
            elif op == "count":
                with request(store):  # as the rule counts: inside the create's transaction
                    counted = store.count(ListQuery("AdSet", campaign_id=campaign, statuses=arg))
                    assert counted == fresh(campaign, arg), (op, campaign, arg)
            elif op == "update":
                ids = [row[0] for row in store.conn.execute("SELECT id FROM objects ORDER BY id")]
                if ids:
                    record = store.get(ids[n % len(ids)])
                    with request(store):
                        store.update(dataclasses.replace(record, status=arg))
            elif op == "fail":
                with pytest.raises(RuntimeError), request(store):
                    store.insert(ad_set(store, campaign, arg))
                    store.count(ListQuery("AdSet", campaign_id=campaign, statuses=("ACTIVE", "PAUSED")))
                    raise RuntimeError("refused late")
            elif op == "other":  # another worker on the file (the group then commits per request)
                if other is None:
                    await asyncio.sleep(GROUP_SECONDS * 2.5)  # the group commits: the open waits for nothing
                    other = SQLiteRepository(path)
                with request(other):
                    other.insert(ad_set(other, campaign, arg))
                    other.insert(Record(other.next_id(), "Ad", ACT, arg, {}, campaigns[-1], campaign, None, 1))
            elif op == "alone":  # the other worker stops: groups resume
                if other is not None:
                    other.close()
                    other = None
            else:
                with request(store):
                    store.clear()
        for campaign in campaigns[-8:]:
            for statuses in (("ACTIVE", "PAUSED"), ("DELETED",), None):
                assert store.count(ListQuery("AdSet", campaign_id=campaign, statuses=statuses)) == fresh(campaign, statuses)

    try:
        asyncio.run(run())
    finally:
        if other is not None:
            other.close()
        store.close()


def test_ad_set_counts_stay_kept_across_hundreds_of_campaigns_in_turn(tmp_path):
    """Creates spread in turn over 400 campaigns (bench_cpu's create ad set over a long run): after each
    campaign's first count, none is counted again with SQL (the bound of 256 used to forget every count at once,
    so each create counted its campaign's ad sets afresh, ~13 us against ~0.5 us)."""
    store = SQLiteRepository(str(tmp_path / "s.sqlite3"))
    queries = [ListQuery("AdSet", campaign_id=campaign, statuses=("ACTIVE", "PAUSED")) for campaign in range(1, 401)]
    counted: list[str] = []
    try:
        for round_ in range(3):
            for campaign, query in enumerate(queries, start=1):
                with store.transaction():
                    assert store.count(query) == round_
                    store.insert(Record(store.next_id(), "AdSet", ACT, "ACTIVE", {}, campaign, None, None, 1))
            if round_ == 0:
                store.conn.set_trace_callback(counted.append)
        assert not [sql for sql in counted if "count(" in sql]
    finally:
        store.close()


def test_get_on_its_reused_cursor_holds_no_snapshot(tmp_path):
    """`get` reads on one reused cursor: it must not keep a read transaction open between calls, or a --workers
    server would go on reading the snapshot of its last get (a stale read after another worker's acknowledged
    write) and fail its next write with SQLITE_BUSY_SNAPSHOT."""
    path = str(tmp_path / "s.sqlite3")
    mine, other = SQLiteRepository(path), SQLiteRepository(path)
    try:
        with mine.transaction():
            record = _campaign(mine, "before")
            mine.insert(record)
            mine.insert(_campaign(mine, "next"))
        assert mine.get(record.id).data["name"] == "before"
        with other.transaction():
            other.update(dataclasses.replace(record, data={"name": "after"}))
        assert mine.get(record.id).data["name"] == "after"
        with other.transaction():
            other.insert(_campaign(other, "other's"))
        with mine.transaction():  # a write after reads: no stale snapshot to upgrade
            mine.insert(_campaign(mine, "mine"))
        assert sorted(r.data["name"] for r in mine.get_many(range(record.id, record.id + 4)).values()) == [
            "after", "mine", "next", "other's"]
    finally:
        mine.close()
        other.close()


def test_a_new_campaigns_first_ad_set_count_runs_no_sql(tmp_path):
    """The ad set limit's count under a campaign just created here is 0 without SQL (it is childless: its id is
    new); after its first ad set, the kept count grows with each insert; another connection's ad set under it is
    counted (its commit voids what was kept)."""
    path = str(tmp_path / "s.sqlite3")
    store = SQLiteRepository(path, group_commit=True)
    statements: list[str] = []

    async def run() -> None:
        with store.transaction():
            store.external_version()  # as every request does first (Shared.sync): the group's data_version
            campaign = _campaign(store, "new")
            store.insert(campaign)
        query = ListQuery("AdSet", campaign_id=campaign.id, statuses=("ACTIVE", "PAUSED"))
        store.conn.set_trace_callback(statements.append)
        for expected in range(3):
            with store.transaction():
                assert store.count(query) == expected
                store.insert(Record(store.next_id(), "AdSet", ACT, "PAUSED", {}, campaign.id, None, None, 1))
        assert not [sql for sql in statements if "count(" in sql]
        await asyncio.sleep(GROUP_SECONDS * 2.5)  # the group commits: another store may open the file
        other = SQLiteRepository(path)
        try:
            with other.transaction():
                other.insert(Record(other.next_id(), "AdSet", ACT, "ACTIVE", {}, campaign.id, None, None, 1))
            with store.transaction():
                assert store.count(query) == 4
            with request(store):  # a campaign inserted here, then an ad set under it from the other connection
                late = _campaign(store, "late")
                store.insert(late)
            with request(other):
                other.insert(Record(other.next_id(), "AdSet", ACT, "ACTIVE", {}, late.id, None, None, 1))
            with request(store):
                assert store.count(ListQuery("AdSet", campaign_id=late.id, statuses=("ACTIVE", "PAUSED"))) == 1
        finally:
            other.close()
        with request(store):  # a new campaign's ad set inserted before anything counted under it
            second = _campaign(store, "second")
            store.insert(second)
            store.insert(Record(store.next_id(), "AdSet", ACT, "ACTIVE", {}, second.id, None, None, 1))
        with request(store):
            assert store.count(ListQuery("AdSet", campaign_id=second.id, statuses=None)) == 1
        with request(store):  # an update naming a new campaign (the store allows it): counted, not assumed 0
            third = _campaign(store, "third")
            store.insert(third)
            moved = store.get(second.id + 1)
            store.update(dataclasses.replace(moved, campaign_id=third.id))
        with request(store):
            assert store.count(ListQuery("AdSet", campaign_id=third.id, statuses=None)) == 1

    try:
        asyncio.run(run())
    finally:
        store.close()


def test_a_commit_from_another_thread_cancels_the_timer_through_its_loop(grouped, young):
    """The group's timer is an asyncio task of the server's loop; a commit from another thread (a transaction
    there, a store closed from a test's thread) must not touch it across threads. In asyncio's debug mode such a
    cross-thread cancel raises inside the task's waiter (swallowed), leaving the timer task hung forever, and
    `asyncio.run`'s shutdown waiting for it; handed to its loop
    (`call_soon_threadsafe`) it is cancelled at the loop's next turn."""
    async def run() -> None:
        await _create(grouped, "loop")
        timer = grouped._group.timer
        await asyncio.sleep(0)  # the timer task starts: it waits in its sleep, on a future of the loop
        assert timer is not None and not timer.done() and grouped._group.open

        def elsewhere() -> None:
            with grouped.transaction():  # commits the group first (not this loop's request)
                grouped.insert(_campaign(grouped, "thread"))

        await asyncio.get_running_loop().run_in_executor(None, elsewhere)
        for _ in range(100):  # a few turns of the loop, well within the timer's GROUP_SECONDS
            if timer.done():
                break
            await asyncio.sleep(0)
        assert timer.cancelled()
        assert _committed_names(grouped.path) == ["loop", "thread"]

    loop = asyncio.new_event_loop()  # not asyncio.run: its shutdown would wait forever for a hung timer task
    loop.set_debug(True)
    try:
        loop.run_until_complete(run())
    finally:
        loop.close()
