"""Rate-limit scores and fault fire counts of a shared SQLite world live beside the objects file
(store/sqlite_counters.py): writing them on every request no longer moves the other workers' data_version, so
their read caches hit again (docs/shared-sandbox.md), while every worker still counts every call exactly once and
a reset still forgets them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers.twins import twin_clients
from mock_server.shared_counts import FIRED, SCORES
from mock_server.store.repository import Record
from mock_server.store.sqlite import JOURNAL_SUFFIX, SQLiteRepository
from mock_server.testing import InProcessClient

CAMPAIGN = {"objective": "OUTCOME_TRAFFIC", "status": "PAUSED", "special_ad_categories": "[]"}


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[SQLiteRepository, SQLiteRepository]]:
    """Two repositories on one file: two workers."""
    path = str(tmp_path / "pair.sqlite3")
    mine, other = SQLiteRepository(path), SQLiteRepository(path)
    yield mine, other
    mine.close()
    other.close()


def test_an_empty_write_transaction_leaves_the_other_connections_data_version_alone(pair):
    """The counters' read-modify-write holds the objects file's write lock (BEGIN IMMEDIATE) to serialise the
    workers; with nothing else written, its COMMIT must not look like a change to the others."""
    mine, other = pair
    seen = other.external_version()
    for _ in range(3):
        with mine.transaction():
            mine.get(1)
    assert other.external_version() == seen
    with mine.transaction():
        mine.insert(Record(id=1, type="Campaign", account_id="1", status="ACTIVE", data={}))
    assert other.external_version() != seen  # a real write still shows


def test_scores_and_fault_counts_leave_every_version_alone_and_are_shared(pair):
    """access/__init__.py `_charge_in_store` and shared_counts.StoredFaultCounts write these on every call."""
    mine, other = pair
    before, seen = mine.version(), other.external_version()
    with mine.transaction():
        assert mine.get_meta(SCORES + "act_1") is None
        mine.set_meta(SCORES + "act_1", [1.0, 2.0, 0.0])
        mine.set_meta("ratelimit:apps:123", [1.0, 2.0, 0.0])
    with mine.transaction():
        assert mine.increment_meta(FIRED + "f1") == 1
        mine.set_meta(FIRED + "f2", 0)
    assert mine.increment_meta(FIRED + "f1") == 2  # outside a transaction too
    assert mine.version() == before and other.external_version() == seen
    assert other.get_meta(FIRED + "f1") == 2 and other.meta_items(SCORES) == {SCORES + "act_1": [1.0, 2.0, 0.0]}
    assert other.meta_items(FIRED) == {FIRED + "f1": 2, FIRED + "f2": 0}


def test_counter_writes_commit_with_their_transaction_and_roll_back_with_it(pair):
    """StoredFaultCounts.fire undoes an over-the-limit count by raising inside the transaction: nothing of it
    may be seen, here or by another worker; until COMMIT another worker sees the old value."""
    mine, other = pair
    mine.set_meta(FIRED + "f", 1)
    with pytest.raises(RuntimeError):
        with mine.transaction():
            assert mine.increment_meta(FIRED + "f") == 2
            raise RuntimeError
    assert mine.get_meta(FIRED + "f") == 1 and other.get_meta(FIRED + "f") == 1
    with mine.transaction():
        mine.increment_meta(FIRED + "f")
        assert mine.get_meta(FIRED + "f") == 2 and other.get_meta(FIRED + "f") == 1
    assert other.get_meta(FIRED + "f") == 2


def test_clear_forgets_the_counters_and_a_snapshot_keeps_them(pair):
    """A whole reset empties the store, counters included; dump/load carry them as they did in meta."""
    mine, other = pair
    mine.set_meta(SCORES + "act_1", [3.0, 1.0, 0.0])
    mine.set_meta(FIRED + "f1", 2)
    mine.set_meta("world", {"ad_accounts": []})
    snapshot = mine.dump()
    assert snapshot["meta"] == {FIRED + "f1": 2, SCORES + "act_1": [3.0, 1.0, 0.0], "world": {"ad_accounts": []}}
    other.clear()
    assert mine.meta_items(SCORES) == {} and mine.get_meta(FIRED + "f1") is None and mine.get_meta("world") is None
    mine.load(snapshot)
    assert other.dump()["meta"] == snapshot["meta"]
    mine.set_meta(SCORES + "act_1", None)  # a per-account reset
    assert other.meta_items(SCORES) == {} and SCORES + "act_1" not in other.dump()["meta"]


def test_a_store_that_keeps_no_counters_never_creates_the_sibling_file(tmp_path):
    """A lone server (`counts_in_store` false) writes no counters: a reset or a dump must not open the file."""
    path = str(tmp_path / "lone.sqlite3")
    store = SQLiteRepository(path)
    with store.transaction():
        store.clear()
        store.set_meta("world", {})
    assert store.dump()["meta"] == {"world": {}} and store.meta_items(SCORES) == {}
    store.close()
    assert not os.path.exists(path + JOURNAL_SUFFIX)


def test_a_private_memory_store_keeps_counters_transactional():
    store = SQLiteRepository()
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.increment_meta(FIRED + "f")
            raise RuntimeError
    assert store.get_meta(FIRED + "f") is None
    before = store.version()
    store.increment_meta(FIRED + "f")
    assert store.get_meta(FIRED + "f") == 1 and store.version() == before
    store.clear()
    assert store.meta_items(FIRED) == {}


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[tuple[InProcessClient, InProcessClient]]:
    """Two workers of one world (demo fixtures, rate limits on, as `serve --workers 2` runs them)."""
    with twin_clients(seed=7, db=str(tmp_path / "shared.sqlite3"), rate_limits="on", join_shared=True) as pair:
        yield pair


def _scores(client: InProcessClient) -> dict[str, Any]:
    return client.get("/__graphmock/rate_limits").json()["accounts"]


def test_a_repeated_get_with_rate_limits_on_is_served_from_the_read_cache_on_every_worker(workers):
    """The score each call writes no longer invalidates either worker's read cache (read_cache.py counts hits);
    the answers stay the same, and a rename on one worker is read on the other."""
    first, second = workers
    act = first.world["ad_account_id"]
    created = first.post(f"{act}/campaigns", data={**CAMPAIGN, "name": "cached"}).json()["id"]
    for client in (first, second, first, second):
        client.get(created, params={"fields": "name"})
    for client in (first, second):
        hits = client.state.read_cache.hits
        assert [client.get(created, params={"fields": "name"}).json()["name"] for _ in range(3)] == ["cached"] * 3
        assert client.state.read_cache.hits == hits + 3
    assert first.post(created, data={"name": "renamed"}).json() == {"success": True}
    assert second.get(created, params={"fields": "name"}).json()["name"] == "renamed"
    assert _scores(second)[act]["score"] == _scores(first)[act]["score"] > 0  # written all the same


def test_every_workers_calls_count_once_and_resets_forget_them(workers):
    """ACCOUNT-SURFACE rate limits: the score is the world's; docs/control-api.md reset: a whole reset forgets
    scores and fault fires, a per-account reset forgets that account's score."""
    first, second = workers
    act = first.world["ad_account_id"]
    slow = {"settings": {"enabled": True, "max_score": 50, "decay_seconds": 3600}}  # the clock runs: decay slowly
    assert first.post("/__graphmock/rate_limits", json=slow).status_code == 200
    start = _scores(first).get(act, {}).get("score", 0)
    for client in (first, second, second, first, second):
        assert client.get(f"{act}/campaigns").status_code == 200
    assert _scores(second)[act]["score"] == pytest.approx(start + 5, abs=0.1)
    fault = first.post("/__graphmock/faults", json={"method": "GET", "path": "act_*/campaigns", "times": 2,
                                                    "status": 503}).json()
    assert [c.get(f"{act}/campaigns").status_code for c in (second, first, second)] == [503, 503, 200]
    [listed] = second.get("/__graphmock/faults").json()["data"]
    assert (listed["id"], listed["matched"]) == (fault["id"], 2)
    assert first.post("/__graphmock/reset", json={"ad_account_id": act}).status_code == 200
    assert act not in _scores(second)
    second.get(f"{act}/campaigns")
    assert act in _scores(first)
    assert second.post("/__graphmock/reset").status_code == 200
    assert _scores(first) == {} and first.state.store.meta_items(FIRED) == {}


def test_throttled_calls_on_two_worker_processes_leave_the_store_file_unchanged(tmp_path):
    """`serve --workers 2` with rate limits on: the calls are counted (the world's score), yet the store file's
    data_version, which each worker's read cache checks, does not move; a reset forgets the scores."""
    import sqlite3

    from helpers.server import ServerProcess
    from test_workers import call, on_every_worker

    db = tmp_path / "counted.sqlite3"
    with ServerProcess(db, seed=5, extra_args=["--workers", "2", "--quiet"]) as server:
        slow = {"settings": {"enabled": True, "max_score": 50, "decay_seconds": 3600}}
        assert call(server, "POST", "/__graphmock/rate_limits", json_body=slow)[0] == 200
        path = f"{server.act}/campaigns"
        call(server, "GET", path)
        watcher = sqlite3.connect(db)
        seen = watcher.execute("PRAGMA data_version").fetchone()[0]
        answers = on_every_worker(server, "GET", path, at_least=6)
        assert {status for status, *_ in answers} == {200}
        assert watcher.execute("PRAGMA data_version").fetchone()[0] == seen
        watcher.close()
        scores = [body["accounts"][server.act]["score"] for _s, body, *_ in
                  on_every_worker(server, "GET", "/__graphmock/rate_limits")]
        assert all(score == pytest.approx(1 + len(answers), abs=0.1) for score in scores), scores
        assert call(server, "POST", "/__graphmock/reset", json_body={})[0] == 200
        assert all(body["accounts"] == {} for _s, body, *_ in on_every_worker(server, "GET", "/__graphmock/rate_limits"))
