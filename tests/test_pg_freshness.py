"""The PostgreSQL store's freshness token (store/postgres.py `version()`, `external_version()`; migration 3): it
moves with every committed change an answer may read (objects, meta documents) and with nothing else, so the
read cache of a shared sandbox hits again although the journal, rate-limit scores and fault fire counts are
written on every request (docs/shared-sandbox.md); and it never moves before the data it guards is visible."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.twins import twin_clients
from mock_server.shared import KEY as SHARED_KEY
from mock_server.shared_counts import FIRED, SCORES
from mock_server.store import open_repository
from mock_server.store.postgres_schema import MARK_CHANGED, MIGRATIONS
from mock_server.store.repository import Record
from mock_server.testing import InProcessClient

CAMPAIGN = {"objective": "OUTCOME_TRAFFIC", "status": "PAUSED", "special_ad_categories": "[]"}


def _campaign(record_id: int, name: str = "c") -> Record:
    return Record(id=record_id, type="Campaign", account_id="1", status="ACTIVE", data={"name": name})


@pytest.fixture
def pair(pg_url: str) -> Iterator[tuple[Any, Any]]:
    """Two repositories on one database: two servers of a shared sandbox."""
    mine, other = open_repository(pg_url), open_repository(pg_url)
    yield mine, other
    mine.close()
    other.close()


def test_journal_rate_limit_scores_and_fault_counts_leave_the_token_alone(pair):
    """Written on every request of a shared world, read by no cached answer (read_cache.py: rate limits and
    faults run on every call, outside the cache): neither this server's version nor another's moves."""
    mine, other = pair
    before, seen = mine.version(), other.external_version()
    mine.journal_append(b'{"method": "GET"}', 1.0, 100, 1 << 20)
    with mine.transaction():  # access/__init__.py _charge_in_store
        mine.get_meta(SCORES + "act_1")
        mine.set_meta(SCORES + "act_1", [1.0, 2.0, 0.0])
        mine.set_meta("ratelimit:apps:123", [1.0, 2.0, 0.0])
    with mine.transaction():  # shared_counts.StoredFaultCounts.fire / forget
        mine.increment_meta(FIRED + "f1")
        mine.set_meta(FIRED + "f2", 0)
    mine.increment_meta(FIRED + "f1")  # outside a transaction too
    assert mine.version() == before and other.external_version() == seen
    assert other.get_meta(FIRED + "f1") == 2 and other.journal_state()[0] == 1  # written all the same


@pytest.mark.parametrize("write", ["insert", "update", "delete_account", "world document", "shared document",
                                   "activity sequence", "bulk insert", "clear", "outside a transaction"])
def test_a_change_an_answer_reads_moves_the_token_here_and_on_the_other_server(pair, write):
    mine, other = pair
    with mine.transaction():
        mine.insert(_campaign(1))
    before, seen = mine.version(), other.version()
    if write == "outside a transaction":  # gets a transaction of its own: the counter commits with it
        mine.insert(_campaign(2))
    else:
        with mine.transaction():
            if write == "insert":
                mine.insert(_campaign(2))
            elif write == "update":
                mine.update(_campaign(1, "renamed"))
            elif write == "delete_account":
                mine.delete_account("1")
            elif write == "world document":
                mine.set_meta("world", {"ad_accounts": []})
            elif write == "shared document":
                mine.set_meta(SHARED_KEY, {"generation": "g2"})
            elif write == "activity sequence":
                mine.increment_meta("activity_seq")
            elif write == "bulk insert":
                mine.insert_many([_campaign(3), _campaign(4)])
            elif write == "clear":
                mine.clear()
    assert mine.version() != before and other.version() != seen


def test_a_reader_between_the_writers_bump_and_commit_sees_the_old_token_and_the_old_data(pair):
    """The counter is bumped as the last statement before COMMIT (MARK_CHANGED): until COMMIT another server
    reads the old count with the old data; after it, the new count with the new data."""
    mine, other = pair
    with mine.transaction():
        mine.insert(_campaign(1, "old"))
    before = other.version()
    conn = mine._conn()
    conn.execute("BEGIN")
    conn.execute("UPDATE graphmock_objects SET data = '{\"name\": \"new\"}' WHERE id = 1")
    conn.execute(MARK_CHANGED)
    assert other.version() == before and other.get(1).data == {"name": "old"}
    conn.execute("COMMIT")
    assert other.version() != before and other.get(1).data == {"name": "new"}


def test_a_failed_transaction_moves_nothing_and_leaves_the_connection_usable(pair):
    mine, other = pair
    seen = other.external_version()
    with pytest.raises(RuntimeError), mine.transaction():
        mine.insert(_campaign(1))
        raise RuntimeError("handler failed")
    assert other.external_version() == seen and other.get(1) is None
    with mine.transaction():
        mine.insert(_campaign(1))
    assert other.external_version() != seen and other.get(1) is not None


def test_reads_cached_on_the_token_are_never_older_than_an_acknowledged_write(pair):
    """Two writers on two connections commit concurrently; a reader keeps what it read under the token it read
    just before (like the read cache) and reuses it while the token is unchanged. Whatever the interleaving,
    each writer's value it returns is at least the one acknowledged before it looked."""
    mine, other = pair
    reader = open_repository(mine.url)
    writers, rounds = (mine, other), 60
    for n in range(len(writers)):
        with mine.transaction():
            mine.insert(_campaign(n + 1, "0"))
    acked = [0] * len(writers)
    errors: list[str] = []
    start = threading.Barrier(len(writers) + 1)

    def write(n: int) -> None:
        start.wait()
        for i in range(1, rounds + 1):
            with writers[n].transaction():
                writers[n].update(_campaign(n + 1, str(i)))
            acked[n] = i

    threads = [threading.Thread(target=write, args=(n,)) for n in range(len(writers))]
    for thread in threads:
        thread.start()
    start.wait()
    kept: tuple[Any, list[int]] | None = None
    while any(thread.is_alive() for thread in threads) or kept is None:
        floor = list(acked)
        token = reader.version()
        if kept is None or kept[0] != token:
            kept = (token, [int(reader.get(n + 1).data["name"]) for n in range(len(writers))])
        if any(value < low for value, low in zip(kept[1], floor)):
            errors.append(f"stale: read {kept[1]} after {floor} were acknowledged")
    for thread in threads:
        thread.join()
    assert reader.version() != kept[0] or kept[1] == [rounds] * len(writers)
    reader.close()
    assert not errors, errors[:3]


def test_migration_3_runs_again_without_resetting_the_count(pair):
    """Idempotent (IF NOT EXISTS, ON CONFLICT DO NOTHING): safe to renumber when branches merge."""
    mine, _ = pair
    with mine.transaction():
        mine.insert(_campaign(1))
    before = mine.external_version()
    mine._conn().execute(MIGRATIONS[2])
    assert mine.external_version() == before and before[0] >= 1


# -- two servers on one database -----------------------------------------------------------------------------------

@pytest.fixture
def servers(pg_url: str) -> Iterator[tuple[InProcessClient, InProcessClient]]:
    """Two graphmock servers (demo world, rate limits on) on one PostgreSQL database."""
    with twin_clients(seed=7, db=pg_url, rate_limits="on") as pair:
        yield pair


def test_a_repeated_get_on_a_postgresql_server_is_served_from_the_read_cache(servers):
    """The journal entry and rate-limit score each request writes no longer invalidate the read cache
    (read_cache.py counts hits): the second identical GET renders nothing; the answer is the same."""
    first, _ = servers
    act = first.world["ad_account_id"]
    created = first.post(f"{act}/campaigns", data={**CAMPAIGN, "name": "cached"}).json()["id"]
    state = first.state
    assert state.shared.counts_in_store and type(state.journal).__name__ == "SharedJournal"
    answers = []
    for _ in range(3):
        hits = state.read_cache.hits
        answers.append(first.get(created, params={"fields": "name,status"}).json())
    assert state.read_cache.hits == hits + 1  # the third is a hit (the second may be the first cached)
    assert answers == [{"name": "cached", "status": "PAUSED", "id": created}] * 3
    assert state.store.meta_items(SCORES)  # the rate-limit scores were written in the store all the same
    assert state.journal.last_seq >= 4


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(["read", "list", "rename"]), st.integers(0, 1), st.integers(0, 2)),
                      min_size=1, max_size=14))
def test_any_interleaving_of_writes_and_cached_reads_across_two_servers_is_never_stale(servers, steps):
    """issue 19 point 3 "no stale read after an acknowledged write": a rename acknowledged by one server is what
    the next GET and list on either server answer, although those are served from each one's read cache."""
    clients = servers
    act = clients[0].world["ad_account_id"]
    listed = clients[0].get(f"{act}/campaigns", params={"fields": "name", "limit": "100"}).json()["data"]
    names = {entry["id"]: entry["name"] for entry in listed}
    campaigns = [entry["id"] for entry in listed if entry["name"].startswith("fresh ")][:3]
    while len(campaigns) < 3:
        created = clients[0].post(f"{act}/campaigns", data={**CAMPAIGN, "name": f"fresh {len(campaigns)}"})
        campaigns.append(created.json()["id"])
        names[campaigns[-1]] = f"fresh {len(campaigns) - 1}"
    for n, (action, server, which) in enumerate(steps):
        client, campaign = clients[server], campaigns[which]
        if action == "rename":
            name = f"fresh {which} {n}"
            assert client.post(campaign, data={"name": name}).json() == {"success": True}
            names[campaign] = name
        elif action == "read":
            assert client.get(campaign, params={"fields": "name"}).json()["name"] == names[campaign]
        else:
            page = client.get(f"{act}/campaigns", params={"fields": "name", "limit": "100"}).json()["data"]
            assert {entry["id"]: entry["name"] for entry in page if entry["id"] in campaigns} == \
                {c: names[c] for c in campaigns}


def test_a_recreated_change_table_never_repeats_an_old_token(pair):
    """A database dropped and created again under a running server counts from zero again: the epoch (set when
    the table is created) keeps an equal count from passing for the old one."""
    mine, other = pair
    with mine.transaction():
        mine.insert(_campaign(1))
    old = other.external_version()
    conn = mine._conn()
    conn.execute("DROP TABLE graphmock_changes")
    conn.execute(MIGRATIONS[2])
    for n in range(old[0]):
        with mine.transaction():
            mine.update(_campaign(1, str(n)))
    again = other.external_version()
    assert again[0] == old[0] and again != old
