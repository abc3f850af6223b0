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
from mock_server.store.sqlite_reset import RETIRED, drop_retired
from mock_server.store.sqlite_statements import insert_statement, update_statement
from mock_server.store.sqlite_schema import COLUMNS, OBJECTS, SIDE_TABLES, open_schema, table_of
from mock_server.store.sqlite_transaction import Transaction
from mock_server.store.sqlite_whole_store import WholeStore, _after_prefix
from mock_server.store.wal_index import WalIndexHeader

ID_BASE = 120_200_000_000_000_000
_COLUMNS = COLUMNS
_TABLES = (OBJECTS, *SIDE_TABLES.values())


class SQLiteRepository(ListPages, WholeStore, SiblingJournal):
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
        try:
            open_schema(self.conn)  # tables, indexes, and the migration of an older file (sqlite_schema.py)
            if self._redo is not None:
                recover(self.conn, self._redo)  # what a killed group-commit server acknowledged (sqlite_group_recovery.py)
                renew_epoch(self.conn, self._redo)  # records are this open's own (a restored copy replays none)
        except BaseException:  # a replay the disk refused, say: let go of the presence lock and the checkpointer,
            self._close_opening()  # so this process may open the file again once the cause is fixed
            raise
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

    def _close_opening(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.stop()
        self.conn.close()
        if self._redo is not None:
            self._redo.close()

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
