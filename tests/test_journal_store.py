"""The shared journal (mock_server/journal_store.py): its table on both backends, and the journal it backs.

The store's journal table is bounded like the in-memory ring (journal.py): the newest `keep` entries within
`max_bytes`, seqs never reused (not even after a clear), untouched by a whole-world reset. A server whose store
is shared (PostgreSQL here) journals like a lone one: same entries, verdicts and limits, secrets never stored.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_server.config import ServerConfig
from mock_server.journal import Journal, journal_of
from mock_server.journal_store import SharedJournal
from mock_server.store import sqlite_journal
from mock_server.store.sqlite import SQLiteRepository
from mock_server.testing import InProcessClient

appends = st.lists(st.integers(1, 60), min_size=1, max_size=30)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sizes=appends, keep=st.integers(1, 8), max_bytes=st.integers(1, 200), trim_every=st.integers(1, 6))
def test_the_journal_table_keeps_the_newest_entries_within_both_limits(new_store, sizes, keep, max_bytes,
                                                                       trim_every):
    """docs/hardening.md: the journal is bounded in entries AND bytes, oldest first out; the same in the store.
    Trimming is lazy (every TRIM_EVERY appends: docs/shared-sandbox.md), so a read applies the limits itself: what
    it shows is exactly the in-memory ring's, whenever the last trim ran."""
    store = new_store()
    store.journal_clear()
    start = store.journal_state()[0]
    kept: list[tuple[int, bytes]] = []
    with trimming_every(store, trim_every):
        for n, size in enumerate(sizes):
            entry = bytes([97 + n % 26]) * size
            seq = store.journal_append(entry, float(n), keep, max_bytes)
            assert seq == start + n + 1  # one global order, no gaps on one store
            kept.append((seq, entry))
            kept = kept[-keep:]
            while kept and sum(len(e) for _, e in kept) > max_bytes:
                kept.pop(0)
            assert [(s, e) for s, _t, e in store.journal_read(0, keep, max_bytes)] == kept
            assert store.journal_state(keep, max_bytes) == (seq, sum(len(e) for _, e in kept))
    since = start + len(sizes) - 1
    assert [s for s, _t, _e in store.journal_read(since, keep, max_bytes)] == [s for s, _ in kept][-1:]


def test_the_journal_table_stays_bounded_while_trimming_is_lazy(new_store):
    """Storage stays bounded (docs/hardening.md 'memory bounded'): the table never holds more than the limits plus
    the appends since the last trim, whichever limit binds, and a read with the limits shows exactly the newest."""
    store = new_store()
    store.journal_clear()
    every = backend_trim_every(store)
    for keep, max_bytes, size in ((5, 1 << 20, 10), (1000, 100, 30), (3, 50, 80)):
        for n in range(3 * every + 7):
            store.journal_append(b"x" * size, float(n), keep, max_bytes)
            stored = store.journal_read(0)  # no limits: every row the table holds
            assert len(stored) <= min(keep, max(max_bytes // size, 1)) + every
            assert len(store.journal_read(0, keep, max_bytes)) == min(keep, max_bytes // size, n + 1)
        store.journal_clear()


def backend_trim_every(store: object) -> int:
    if isinstance(store, SQLiteRepository):
        return sqlite_journal.TRIM_EVERY
    from mock_server.store.postgres_schema import JOURNAL_TRIM_EVERY
    return JOURNAL_TRIM_EVERY


@contextmanager
def trimming_every(store: object, every: int) -> Iterator[None]:
    """SQLite trims every `every` appends for the block (PostgreSQL's interval is compiled into its function)."""
    if not isinstance(store, SQLiteRepository):
        yield
        return
    before = sqlite_journal.TRIM_EVERY
    sqlite_journal.TRIM_EVERY = every
    try:
        yield
    finally:
        sqlite_journal.TRIM_EVERY = before


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


steps = st.lists(st.tuples(st.sampled_from(["append", "read"]), st.integers(0, 1), st.integers(1, 40)),
                 min_size=1, max_size=40)


@settings(max_examples=40, deadline=None)
@given(program=steps, keep=st.integers(1, 6), max_bytes=st.integers(20, 150), flush_every=st.integers(1, 5))
def test_two_processes_on_one_file_journal_in_one_order_within_the_limits(program, keep, max_bytes, flush_every):
    """Issue 18 point 3 ('one global seq'; 'a request answered by one process is in the journal the next reader
    gets from any other'). Two repositories on one file, as two `--workers` children, each writing its pending file
    (moved every `flush_every` entries): any interleaving of appends and reads through either gives what one
    in-memory ring gives: the entries in the order they were appended, numbered 1, 2, 3..., within the limits;
    and the pending files and the table stay bounded."""
    import glob as globbing
    import tempfile

    from mock_server.store import sqlite_journal_pending as pending

    path = str(Path(tempfile.mkdtemp()) / "w.sqlite3")
    pair = SQLiteRepository(path), SQLiteRepository(path)
    before = pending.FLUSH_ENTRIES
    pending.FLUSH_ENTRIES = flush_every
    try:
        ring: list[tuple[int, bytes]] = []
        appended = 0
        for action, who, size in program:
            store = pair[who]
            if action == "append":
                appended += 1
                entry = b"%d:" % appended + b"x" * size
                store.journal_append(entry, float(appended), keep, max_bytes)
                ring = [*ring, (appended, entry)][-keep:]
                while ring and sum(len(e) for _, e in ring) > max_bytes:
                    ring.pop(0)
                for name in globbing.glob(globbing.escape(path) + ".journal.sqlite3.pending.*"):
                    assert os.path.getsize(name) <= flush_every * (pending.HEADER.size + 50)
            else:
                assert [(s, e) for s, _t, e in store.journal_read(0, keep, max_bytes)] == ring
                assert store.journal_state(keep, max_bytes) == (appended, sum(len(e) for _, e in ring))
                assert len(store.journal_read(0)) <= keep + 1  # a move trims the table to the limits
        assert [(s, e) for s, _t, e in pair[1].journal_read(0, keep, max_bytes)] == ring
    finally:
        pending.FLUSH_ENTRIES = before
        for store in pair:
            store.close()


def test_a_gone_processs_pending_entries_are_moved_and_its_file_removed(tmp_path):
    """A worker killed with entries not yet numbered: the next read by another process numbers them (nothing an
    acknowledged request journaled is lost) and deletes the file (disk bounded)."""
    import gc
    import glob as globbing

    path = str(tmp_path / "k.sqlite3")
    gone, reader = SQLiteRepository(path), SQLiteRepository(path)
    try:
        gone.journal_append(b'{"a":1}', 1.0, 10, 1000)
        reader.journal_append(b'{"b":2}', 2.0, 10, 1000)
        gone.close()
        gone._journal_pending = None  # its file's descriptor closes: as when the process dies
        gc.collect()
        assert [e for _s, _t, e in reader.journal_read(0, 10, 1000)] == [b'{"a":1}', b'{"b":2}']
        assert len(globbing.glob(globbing.escape(path) + ".journal.sqlite3.pending.*")) == 1  # the reader's own
        reader.journal_clear()
        assert reader.journal_read(0, 10, 1000) == [] and reader.journal_state(10, 1000) == (2, 0)
    finally:
        reader.close()


def test_a_journal_file_of_the_first_schema_keeps_its_entries_and_seqs(tmp_path):
    """A `<db>.journal.sqlite3` written before the lazy trim (AUTOINCREMENT, an index on bytes_before) is moved to
    the new table on open: its entries read back, and seqs go on after the highest ever handed out."""
    import sqlite3

    path = str(tmp_path / "old.sqlite3")
    old = sqlite3.connect(path + sqlite_journal.JOURNAL_SUFFIX, isolation_level=None)
    old.executescript("""
        CREATE TABLE graphmock_journal (seq INTEGER PRIMARY KEY AUTOINCREMENT, time REAL NOT NULL,
            size INTEGER NOT NULL, bytes_before INTEGER NOT NULL, entry BLOB NOT NULL);
        CREATE INDEX graphmock_journal_by_bytes ON graphmock_journal(bytes_before);
        INSERT INTO graphmock_journal (time, size, bytes_before, entry) VALUES (1.0, 2, 0, CAST('{}' AS BLOB)), (2.0, 2, 2, CAST('[]' AS BLOB));
        INSERT INTO graphmock_journal (time, size, bytes_before, entry) VALUES (3.0, 2, 4, CAST('""' AS BLOB));
        DELETE FROM graphmock_journal WHERE seq = 3;
    """)
    old.close()
    store = SQLiteRepository(path)
    try:
        assert [(s, e) for s, _t, e in store.journal_read(0, 10, 100)] == [(1, b"{}"), (2, b"[]")]
        store.journal_clear()
        store.journal_append(b"{}", 4.0, 10, 100)
        assert [s for s, _t, _e in store.journal_read(0, 10, 100)] == [4]  # 3 was handed out once: never again
    finally:
        store.close()


@settings(max_examples=60, deadline=None)
@given(path=st.lists(st.sampled_from([*"/=: \tabcXYZ_019.-&?\u00a0", "access_token", "Bearer ", "OAuth", "secret",
                                       "password", "ABCDEFGH12345678"]), max_size=12).map(lambda p: "/v25.0/" + "".join(p)))
def test_a_stored_path_is_redacted_exactly_as_redaction_text_would(path):
    """Secrets never in the journal (README 'Nothing lost, nothing leaked'): the stored path skips redaction.text
    only when it holds nothing text() would mask, so what is stored is always text(path)."""
    from mock_server import redaction
    from mock_server.journal_store import _MAY_HIDE

    if not _MAY_HIDE.search(path):
        assert redaction.text(path) == path


def test_a_journal_append_leaves_object_writes_durable(postgres_cluster):
    """docs/shared-sandbox.md 'Durability': the journal's COMMIT skips the WAL flush (synchronous_commit off for
    that transaction only); the pooled connection's next transaction, an object write, waits for it as before."""
    from helpers.pg_fixtures import fresh_schema_url

    from mock_server.store.postgres import PostgresRepository

    store = PostgresRepository(fresh_schema_url(postgres_cluster))
    try:
        before = store._execute("SHOW synchronous_commit").fetchone()[0]
        seq = store.journal_append(b'{"method":"GET"}', 1.0, 10, 1000)
        assert store._execute("SHOW synchronous_commit").fetchone()[0] == before != "off"
        assert [s for s, _t, _e in store.journal_read(seq - 1, 10, 1000)] == [seq]
    finally:
        store.close()


def test_a_move_leaves_records_stamped_after_it_and_half_written_ones_for_the_next(tmp_path):
    """The order argument of sqlite_journal_pending.py: a move takes only whole records stamped before its horizon,
    and stops there in that file, so a record written while it reads (and every later one) waits for the next."""
    import fcntl

    from mock_server.store.sqlite_journal_pending import HEADER, read_records

    path = str(tmp_path / "p")
    with open(path, "wb") as file:
        for stamp in (10, 20, 30):
            file.write(HEADER.pack(stamp, float(stamp), 2) + b"{}")
        file.write(HEADER.pack(40, 40.0, 5) + b"{")  # still being written
    owner = os.open(path, os.O_RDONLY)
    fcntl.flock(owner, fcntl.LOCK_SH)  # a live owner, as PendingFile holds it
    try:
        records, end, gone = read_records(path, 0, horizon=25)
        assert [r[0] for r in records] == [10, 20] and end == 2 * (HEADER.size + 2) and gone is False
        records, end, gone = read_records(path, end, horizon=99)
        assert [r[0] for r in records] == [30] and end == 3 * (HEADER.size + 2) and gone is False
    finally:
        os.close(owner)
    assert read_records(path, 0, horizon=25) == (read_records(path, 0, horizon=None)[0], end, True)  # gone: all
