"""SQLite implementation of the repository.

One connection, used from the event-loop thread only (handlers are
synchronous), so requests are serialised without locks and "database is
locked" cannot happen inside one server. Files use WAL; every write is one
transaction, and a response is sent only after its COMMIT returns.
`synchronous=NORMAL` in WAL mode keeps every committed transaction across a
process kill (SIGKILL); pass `durable=True` for FULL (power-loss safety).
`group_commit=True` (a lone server) keeps one write transaction open across requests and makes each one durable
by a redo record instead of a COMMIT (store/sqlite_group.py, docs/group-commit.md).
"""

from __future__ import annotations

import heapq
import sqlite3
import time
from collections.abc import Collection
from typing import Any

import orjson

from mock_server.shared_counts import COUNTER_PREFIXES
from mock_server.store.checkpoint import Checkpointer
from mock_server.store.repository import Record, VersionPin, pinned_value
from mock_server.store.sqlite_count_cache import CountCache
from mock_server.store.sqlite_counters import SiblingCounters
from mock_server.store.sqlite_deferred import deferrable
from mock_server.store.sqlite_group import Group, enabled_by_env
from mock_server.store.sqlite_group_recovery import recover, renew_epoch
from mock_server.store.sqlite_journal import JOURNAL_SUFFIX, SiblingJournal
from mock_server.store.sqlite_pages import MAX_ID, ListPages, _record
from mock_server.store.sqlite_redo import REDO_SUFFIX, RecordingConnection, RedoFile, TakenBack
from mock_server.store.sqlite_reset import RETIRED, drop_retired, swap_table
from mock_server.store.sqlite_statements import insert_statement, update_statement
from mock_server.store.sqlite_schema import COLUMNS, INDEXES, OBJECTS, SIDE_TABLES, open_schema, table_of, table_sql
from mock_server.store.sqlite_transaction import Transaction
from mock_server.store.wal_index import WalIndexHeader

ID_BASE = 120_200_000_000_000_000
_COLUMNS = COLUMNS
_TABLES = (OBJECTS, *SIDE_TABLES.values())
_INSERT = {table: f"INSERT INTO {table} ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)" for table in _TABLES}

_SWAP_ABOVE = 20_000  # a reset swaps the objects table only above this many objects (`clear`)


class SQLiteRepository(ListPages, SiblingJournal):
    def __init__(self, path: str = ":memory:", *, durable: bool = False, group_commit: bool = False) -> None:
        self.path = path
        grouped = group_commit and path != ":memory:" and enabled_by_env()
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                    factory=RecordingConnection if grouped else sqlite3.Connection)
        self.conn.execute("PRAGMA foreign_keys=OFF")
        # a known write (insert, update): run on one reused cursor, and kept for the redo log when grouped
        self._write = self.conn.write if grouped else self.conn.cursor().execute
        self._execute_write = self.conn.cursor().execute  # `insert`: the statement on its own cursor, recorded after it ran
        self._recording = grouped
        # `get`: a SELECT by primary key on one reused cursor, its row fetched at once; not through
        # RecordingConnection.execute (a read: nothing to record) nor a new cursor per call
        self._read_one = self.conn.cursor().execute
        # some builds (Debian's) default to secure_delete=ON: every page a DELETE frees is zeroed and written to
        # the WAL (a reset of 10 k objects wrote 1,239 frames, 15 ms). FAST zeroes deleted content only in pages
        # written anyway, as most builds' default (OFF) is cheaper still but leaves it in place.
        self.conn.execute("PRAGMA secure_delete=FAST")
        self.checkpointer: Checkpointer | None = None
        if path != ":memory:":
            _enable_wal(self.conn)
            self.conn.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            self.conn.execute("PRAGMA busy_timeout=5000")
            self.checkpointer = Checkpointer(path)  # checkpoints in the background (checkpoint.py)
        self._redo: RedoFile | None = None
        if path != ":memory:":  # present on the file first: a group-commit server commits per request meanwhile
            self._redo = RedoFile(path + REDO_SUFFIX, durable=durable)
            self._redo.share()
        open_schema(self.conn)  # tables, indexes, and the migration of an older file (sqlite_schema.py)
        if self._redo is not None:
            recover(self.conn, self._redo)  # what a killed group-commit server acknowledged (sqlite_group_recovery.py)
            renew_epoch(self.conn, self._redo)  # records are this open's own (a restored copy replays none)
        self._group: Group | None = None
        self._holding = False  # a group transaction holds the write lock between requests
        self._max_ids: dict[str, int] = {}  # max(id) per table, kept only while `_holding`
        self._depth = 0
        self._id_floor = ID_BASE
        self._writes = 0  # bumped by every write: invalidates cached counts and reads (version())
        self._private = path == ":memory:"
        self._counters = SiblingCounters(self, path + JOURNAL_SUFFIX)  # scores, fault fires: not in this file
        self._derived: dict[tuple[Any, ...], tuple[tuple[int, int], Any]] = {}  # statuses present
        self._counts = CountCache()  # plain counts, kept across this store's inserts (sqlite_count_cache.py)
        self._txn_version: int | None = None  # data_version inside the open write transaction
        self._wal_header = WalIndexHeader(path) if not self._private else None  # commits seen without a read txn
        self._seen: tuple[bytes | None, int] = (None, 0)  # the WAL-index header when data_version was last read
        self._retired = bool(self.conn.execute("SELECT 1 FROM sqlite_master WHERE name LIKE ?",
                                               (f"{RETIRED}%",)).fetchone())  # left by a reset before a kill
        if self._retired and not self._private:
            self._drop_retired()
        if grouped:
            self._group = Group(self, durable)

    # -- transactions -------------------------------------------------------------------
    def transaction(self, solo: bool = False) -> Transaction:
        """Group writes into one atomic commit; nested use joins the outer transaction. `solo`: never inside a
        group-commit group (a reset, a load, a bulk insert commit on their own)."""
        return Transaction(self, solo)

    def set_id_floor(self, floor: int) -> None:
        """Ids are allocated above `floor` (derived from the server seed)."""
        self._id_floor = floor

    def next_id(self) -> int:
        return max(self._max_id(OBJECTS), self._id_floor) + 1

    def _max_id(self, table: str) -> int:
        """The largest id in `table`; while a group holds the write lock, kept in memory (sqlite_group.py)."""
        if self._holding:
            current = self._max_ids.get(table)
            if current is not None:
                return current
        row = self.conn.execute(f"SELECT max(id) FROM {table}").fetchone()
        current = row[0] if row and row[0] is not None else 0
        if self._holding:
            self._max_ids[table] = current
        return current

    # -- reads ----------------------------------------------------------------------------
    def get(self, object_id: int) -> Record | None:
        if not 0 <= object_id <= MAX_ID:  # SQLite INTEGER is 64-bit; a 20-digit id can name nothing
            return None
        if self._recording and (self.conn.deferred is not None or self.conn.flushing):  # a plain cursor
            self.conn.flush()
        row = self._read_one(_GET, (object_id,)).fetchone()
        if row is None and object_id < ID_BASE:  # an activity (ids below the object ids, sqlite_schema.py)
            row = self._side_row(object_id)
        return _record(row) if row else None

    def _side_row(self, object_id: int) -> tuple[Any, ...] | None:
        for table in SIDE_TABLES.values():
            row = self.conn.execute(f"SELECT {_COLUMNS} FROM {table} WHERE id = ?", (object_id,)).fetchone()
            if row is not None:
                return row
        return None

    def get_many(self, ids: Collection[int]) -> dict[int, Record]:
        ids = [i for i in ids if 0 <= i <= MAX_ID]
        out: dict[int, Record] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for table in (OBJECTS, *SIDE_TABLES.values()):
                if table != OBJECTS:  # only ids not found yet, below the object ids (activities)
                    chunk = [i for i in chunk if i < ID_BASE and i not in out]
                    if not chunk:
                        break
                    marks = ",".join("?" * len(chunk))
                for row in self.conn.execute(f"SELECT {_COLUMNS} FROM {table} WHERE id IN ({marks})", chunk):
                    out[row[0]] = _record(row)
        return out

    def find_by_key(self, type: str, account_id: str, key: str) -> Record | None:
        row = self.conn.execute(
            f"SELECT {_COLUMNS} FROM {table_of(type)} WHERE type = ? AND account_id = ? AND key = ? ORDER BY id LIMIT 1",
            (type, account_id, key)).fetchone()
        return _record(row) if row else None

    def version(self) -> tuple[int, int]:
        """Changes whenever what is stored may have changed: a write through this connection, or a commit by
        another one (SQLite's data_version; a private :memory: database has no other connection)."""
        return self._writes, self.external_version()

    def external_version(self) -> int:
        """Changes only when another connection commits (this process's own writes leave it alone): what
        `shared.Shared.sync` watches, so a write here does not cost a meta read on the next request.
        Inside `pinned()`, the value read when the pin began."""
        if self._private:
            return 0
        pinned = pinned_value(self)
        return pinned if pinned is not None else self._data_version()

    def pinned(self, at: tuple[int, Any] | None = None) -> VersionPin:
        """Read other connections' commits once for a run of reads (repository.VersionPin)."""
        if self._private:  # no other connection: nothing to look up
            return VersionPin(self, self._data_version, 0)
        return VersionPin(self, self._data_version, at[1] if at is not None else None)

    def _data_version(self) -> int:
        if (self._depth or self._holding) and self._txn_version is not None:
            return self._txn_version  # no other connection commits while this one holds the write lock
        header = self._wal_header.read() if self._wal_header is not None else None
        if header is not None and header == self._seen[0]:
            version = self._seen[1]  # nothing committed since the pragma last answered (store/wal_index.py)
        else:
            version = int(self.conn.execute("PRAGMA data_version").fetchone()[0])
            self._seen = (header, version)
        if self._depth or self._holding:
            self._txn_version = version
        return version

    # -- writes ---------------------------------------------------------------------------
    def insert(self, record: Record) -> None:
        self._writes += 1
        table = SIDE_TABLES.get(record.type, OBJECTS)
        campaign_id, adset_id, key = record.campaign_id, record.adset_id, record.key
        # NULL columns left out of the statement and the JSON as a bytearray: sqlite3 binds neither None nor bytes
        # without a round of its adapter protocol (~0.4 us a value; store/sqlite_statements.py)
        params = (record.id, record.type, record.account_id, record.status, bytearray(orjson.dumps(record.data)),
                  record.created)
        if campaign_id is None and adset_id is None and key is None:
            sql = _PLAIN_INSERT[table]  # a campaign, an activity: no call to build the shape's key
        else:
            params = (*params, *[v for v in (campaign_id, adset_id, key) if v is not None])
            sql = insert_statement(table, campaign_id, adset_id, key)
        conn = self.conn
        if not self._recording:
            self._execute_write(sql, params)
        elif conn.log is not None and key is None and deferrable(record.id, self._max_ids.get(table), params):
            conn.defer(sql, params)  # run once the answer is sent (sqlite_deferred.py)
            conn.log.append((sql, params, False))
        else:
            if conn.deferred is not None or conn.flushing:
                conn.flush()
            if conn.taken_back:
                raise TakenBack()
            self._execute_write(sql, params)
            if conn.log is not None or conn.loose is not None:  # RecordingConnection.write, inline: one Python
                conn.record_write(sql, params)  # frame less per insert
        if table is OBJECTS:  # a possible parent, childless so far (its id is new): sqlite_count_cache.py
            stamp = 0 if self._private else self._txn_version if (self._depth or self._holding) else None
            if stamp is not None:
                self._counts.born(record.id, stamp)
        self._counts.inserted(record)
        if self._max_ids:
            if record.id > self._max_ids.get(table, record.id):
                self._max_ids[table] = record.id

    def run_deferred(self) -> None:
        """Run the inserts this store deferred (sqlite_deferred.py): called once a request's answer is sent."""
        if self._recording and (self.conn.deferred is not None or self.conn.flushing):
            self.conn.flush()

    def update(self, record: Record) -> None:
        self._writes += 1
        self._counts.changed()
        campaign_id, adset_id, key = record.campaign_id, record.adset_id, record.key
        params = (record.status, bytearray(orjson.dumps(record.data)),
                  *(v for v in (campaign_id, adset_id, key) if v is not None), record.id)
        self._write(update_statement(table_of(record.type), campaign_id, adset_id, key), params)

    # -- metadata, snapshots --------------------------------------------------------------
    def get_meta(self, key: str) -> Any:
        if key.startswith(COUNTER_PREFIXES):
            return self._counters.get(key)
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return orjson.loads(row[0]) if row else None

    def increment_meta(self, key: str) -> int:
        """Add one to an integer meta value and return it (inside the caller's write transaction: serialised)."""
        value = int(self.get_meta(key) or 0) + 1
        self.set_meta(key, value)
        return value

    def next_in_sequence(self, key: str, type: str, base: int) -> int:
        """The id of the next record of a numbered log (activities), above `base` and every such id stored.
        A type in a table of its own (sqlite_schema.py) is numbered from that table's largest id: one index seek
        inside the caller's write transaction (serialised across workers), and no `meta` row to rewrite."""
        table = SIDE_TABLES.get(type)
        if table is None:
            return base + self.increment_meta(key)
        return max(self._max_id(table), base) + 1

    def set_meta(self, key: str, value: Any) -> None:
        if key.startswith(COUNTER_PREFIXES):  # no answer reads them: version() stays (sqlite_counters.py)
            self._counters.set(key, value)
            return
        self._writes += 1
        self.conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                          (key, orjson.dumps(value)))

    def object_count(self) -> int:
        """Objects in the store (the CLI's banner says how many a restart reopened)."""
        return sum(int(self.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]) for table in _TABLES)

    def dump(self) -> dict[str, Any]:
        objects = [
            {"id": r[0], "type": r[1], "account_id": r[2], "status": r[3], "data": orjson.loads(r[4]),
             "campaign_id": r[5], "adset_id": r[6], "key": r[7], "created": r[8]}
            for r in heapq.merge(*(self.conn.execute(f"SELECT {_COLUMNS} FROM {table} ORDER BY id") for table in _TABLES),
                                 key=_first)]
        meta = {k: orjson.loads(v) for k, v in self.conn.execute("SELECT key, value FROM meta ORDER BY key")}
        meta.update(self._counters.items("", _after_prefix("")))  # in snapshots as when they lived in meta
        return {"objects": objects, "meta": dict(sorted(meta.items()))}

    def load(self, snapshot: dict[str, Any]) -> None:
        with self.transaction(solo=True):
            self.clear()
            self._insert_rows([(o["id"], o["type"], o["account_id"], o["status"], orjson.dumps(o["data"]),
                                o.get("campaign_id"), o.get("adset_id"), o.get("key"), o.get("created", 0))
                               for o in snapshot.get("objects", [])])
            for key, value in snapshot.get("meta", {}).items():
                self.set_meta(key, value)

    def clear(self) -> None:
        """Empty the store in constant time: a large table (objects, activities) is renamed aside and a fresh one
        created (schema changes only, atomic with the rest of the transaction); the retired table is dropped after COMMIT, in the
        background for a file. Other connections (workers) see the new table at their next statement."""
        self._writes += 1
        self._counts.changed()
        self._max_ids.clear()
        swapped = False
        with self.transaction(solo=True):
            self._counters.clear()  # a whole reset forgets the scores and fault counts too
            self.conn.execute("DELETE FROM meta")
            for table in _TABLES:
                if self.conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT ?)",
                                     (_SWAP_ABOVE,)).fetchone()[0] < _SWAP_ABOVE:
                    # a small table (the usual reset between tests): SQLite's truncate of an unfiltered DELETE costs
                    # less than a new table, its indexes and a thread; bounded by _SWAP_ABOVE rows either way
                    self.conn.execute(f"DELETE FROM {table}")
                else:
                    swap_table(self.conn, table, table_sql(table), INDEXES[table])
                    swapped = True
        self._retired = self._retired or swapped

    def delete_account(self, account_id: str) -> None:
        """Remove one ad account's objects: one index range per type, so the cost follows that account's size,
        not the store's (a per-account reset)."""
        self._writes += 1
        self._counts.changed()
        self._max_ids.clear()
        with self.transaction():
            for table in _TABLES:
                types = [row[0] for row in self.conn.execute(
                    f"WITH RECURSIVE present(type) AS (SELECT (SELECT min(type) FROM {table}) UNION ALL "
                    f"SELECT (SELECT min(type) FROM {table} WHERE type > present.type) FROM present "
                    "WHERE present.type IS NOT NULL) SELECT type FROM present WHERE type IS NOT NULL")]
                for type_ in types:
                    self.conn.execute(f"DELETE FROM {table} WHERE type = ? AND account_id = ?", (type_, account_id))

    def _drop_retired(self) -> None:
        """Drop the tables earlier resets swapped out (store/sqlite_reset.py)."""
        self._retired = False
        drop_retired(self.conn, self.path, self._private)

    def insert_many(self, records: list[Record]) -> None:
        """Bulk path for generators and fixtures: one statement, one transaction."""
        self._writes += 1
        with self.transaction(solo=True):
            self._insert_rows([(r.id, r.type, r.account_id, r.status, orjson.dumps(r.data), r.campaign_id, r.adset_id,
                                r.key, r.created) for r in records])

    def _insert_rows(self, rows: list[tuple[Any, ...]]) -> None:
        """Rows in `_COLUMNS` order, each into its type's table, one executemany per table."""
        self._counts.changed()
        self._max_ids.clear()
        by_table: dict[str, list[tuple[Any, ...]]] = {}
        for row in rows:
            by_table.setdefault(table_of(row[1]), []).append(row)
        for table, chunk in by_table.items():
            self.conn.executemany(_INSERT[table], chunk)

    def meta_items(self, prefix: str) -> dict[str, Any]:
        """Every meta value whose key starts with `prefix` (null values, i.e. removed ones, left out)."""
        if prefix.startswith(COUNTER_PREFIXES):
            return self._counters.items(prefix, _after_prefix(prefix))
        rows = self.conn.execute("SELECT key, value FROM meta WHERE key >= ? AND key < ? ORDER BY key",
                                 (prefix, _after_prefix(prefix))).fetchall()
        found = {key: orjson.loads(value) for key, value in rows}
        return {key: value for key, value in found.items() if value is not None}

    def integrity_check(self) -> str:
        """SQLite's own consistency check of the file ("ok" when sound); used after crash tests."""
        return str(self.conn.execute("PRAGMA integrity_check").fetchone()[0])

    def close(self) -> None:
        if self._group is not None:
            self._group.close()  # COMMIT the open group, empty the redo file (sqlite_group.py)
        if self.checkpointer is not None:
            self.checkpointer.stop()
        journal = getattr(self, "_journal_conn", None)
        if journal is not None and journal is not self.conn:
            self._journal_checkpointer.stop()
            journal.close()
        self.conn.close()
        if self._wal_header is not None:  # after the connection: closing a descriptor of the -shm drops this
            self._wal_header.close()  # process's locks on it (store/wal_index.py)
        if self._redo is not None:
            self._redo.close()  # releases the presence lock


def _after_prefix(prefix: str) -> str:
    """The smallest string above every string starting with `prefix` (a key range for a prefix search)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1) if prefix else "\U0010ffff"


def _first(row: tuple[Any, ...]) -> Any:
    return row[0]


def _enable_wal(conn: sqlite3.Connection, seconds: float = 10.0) -> None:
    """Switch to WAL, retrying while another process opening the same new file holds the lock: SQLite answers
    that switch "database is locked" at once, without its busy handler."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


_GET = f"SELECT {COLUMNS} FROM objects WHERE id = ?"  # one string: its hash is kept for the statement cache
_PLAIN_INSERT = {table: insert_statement(table, None, None, None) for table in _TABLES}  # no NULL column bound
