"""The shared journal (mock_server/journal_store.py): its table on both backends, and the journal it backs.

The store's journal table is bounded like the in-memory ring (journal.py): the newest `keep` entries within
`max_bytes`, seqs never reused (not even after a clear), untouched by a whole-world reset. A server whose store
is shared (PostgreSQL here) journals like a lone one: same entries, verdicts and limits, secrets never stored.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_server.config import ServerConfig
from mock_server.journal import Journal, journal_of
from mock_server.journal_store import SharedJournal
from mock_server.testing import InProcessClient

appends = st.lists(st.integers(1, 60), min_size=1, max_size=30)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sizes=appends, keep=st.integers(1, 8), max_bytes=st.integers(1, 200))
def test_the_journal_table_keeps_the_newest_entries_within_both_limits(new_store, sizes, keep, max_bytes):
    """docs/hardening.md: the journal is bounded in entries AND bytes, oldest first out; the same in the store."""
    store = new_store()
    store.journal_clear()
    start = store.journal_state()[0]
    kept: list[tuple[int, bytes]] = []
    for n, size in enumerate(sizes):
        entry = bytes([97 + n % 26]) * size
        seq = store.journal_append(entry, float(n), keep, max_bytes)
        assert seq == start + n + 1  # one global order, no gaps on one store
        kept.append((seq, entry))
        kept = kept[-keep:]
        while kept and sum(len(e) for _, e in kept) > max_bytes:
            kept.pop(0)
        assert [(s, e) for s, _t, e in store.journal_read(0)] == kept
        assert store.journal_state() == (seq, sum(len(e) for _, e in kept))
    assert [s for s, _t, _e in store.journal_read(start + len(sizes) - 1)] == [s for s, _ in kept][-1:]


def test_a_cleared_journal_never_reuses_a_seq_and_a_reset_keeps_it(new_store):
    """`since=last_seq` readers must not miss entries after DELETE /__graphmock/journal; a whole-world reset
    (store.clear) leaves the journal as the in-memory ring does."""
    store = new_store()
    store.journal_clear()
    first = store.journal_append(b'{"a":1}', 1.0, 100, 10_000)
    store.clear()
    assert [s for s, _t, _e in store.journal_read(0)] == [first]
    store.journal_clear()
    assert store.journal_read(0) == [] and store.journal_state() == (first, 0)
    assert store.journal_append(b'{"b":2}', 2.0, 100, 10_000) == first + 1


def test_meta_items_lists_a_prefix(new_store):
    store = new_store()
    with store.transaction():
        for key, value in {"ratelimit:accounts:act_1": [1, 2, 3], "ratelimit:accounts:act_2": None,
                           "ratelimit:apps:9": [4, 5, 6], "ratelimit:accountsX": 1}.items():
            store.set_meta(key, value)
    assert store.meta_items("ratelimit:accounts:") == {"ratelimit:accounts:act_1": [1, 2, 3]}


SECRET = "sk-live-7e1f"
calls = st.lists(st.tuples(st.sampled_from(["GET", "POST"]), st.sampled_from(["ok", "unknown", "bad", "secret"])),
                 min_size=1, max_size=6)


def test_a_shared_store_journals_like_a_lone_server(postgres_cluster):
    """issue 19 point 1: a server on PostgreSQL keeps its journal in the store (SharedJournal); what it reads back
    (entries, verdicts, describe, query) is what the in-memory journal of a lone server gives, with secrets never
    stored."""
    from helpers.pg_fixtures import fresh_schema_url

    shared = InProcessClient(ServerConfig(seed=7, db=fresh_schema_url(postgres_cluster)))
    lone = InProcessClient(ServerConfig(seed=7))
    try:
        assert type(journal_of(shared.state)) is SharedJournal and type(journal_of(lone.state)) is Journal

        @settings(max_examples=20, deadline=None)
        @given(program=calls)
        def same(program: list[tuple[str, str]]) -> None:
            answers = []
            for client in (shared, lone):
                journal = journal_of(client.state)
                since = journal.last_seq
                act = client.world["ad_account_id"]
                for method, kind in program:
                    extra = {"ok": {}, "unknown": {"bogus": "1"}, "bad": {"objective": "NOPE"},
                             "secret": {"client_secret": SECRET}}[kind]
                    if method == "POST":
                        client.post(f"{act}/campaigns", data={"name": "c", "objective": "OUTCOME_TRAFFIC",
                                                              "status": "PAUSED", "special_ad_categories": "[]", **extra})
                    else:
                        client.get(act, params={"fields": "name", **extra})
                entries = journal.entries(since=since)
                answers.append([(e.method, e.path, e.status, e.params, e.verdict, e.describe().split("\n", 1)[1],
                                 e.conforming) for e in entries])
                assert SECRET not in json.dumps(journal.query({"since": str(since)}))
            assert answers[0] == answers[1]

        same()
        journal = journal_of(shared.state)
        journal.clear()
        assert journal.entries() == [] and journal.bytes == 0 and journal.last_seq > 0
    finally:
        shared.close()
        lone.close()
