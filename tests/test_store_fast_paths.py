"""The store's per-request fast paths (docs/group-commit.md, "A create's store cost (session 9)"): each one is
checked against what the slow path it skips guarantees."""

from __future__ import annotations

import asyncio
import sqlite3
import threading

import pytest

from mock_server.store.repository import Record
from mock_server.store.sqlite import SQLiteRepository

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


def test_a_request_in_the_same_loop_joins_the_group_without_a_commit(grouped):
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
