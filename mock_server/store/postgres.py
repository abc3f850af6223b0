"""PostgreSQL implementation of the repository: one world shared by several servers.

Same guarantees as the SQLite store (store/sqlite.py), now across processes
and hosts:

- a write is acknowledged after its COMMIT returns (psycopg in autocommit
  mode; `transaction()` issues BEGIN ... COMMIT itself, the BEGIN pipelined with
  the transaction's first statement);
- lists are keyset-paged through the (scope, status, id) indexes, one id-ordered
  range per status, merged (MergeAppend) when a list covers several statuses;
- ids come from `graphmock_next_id` (postgres_schema.py): max(max id, floor) + 1
  under a transaction lock, so no two servers ever hand out the same id and a
  seeded server gives the same ids as on SQLite;
- `version()` moves whenever a commit on this server or another may have changed
  what an answer reads (objects, meta documents): this server's write counter
  plus `graphmock_changes` (postgres_schema.py), a counter every such
  transaction bumps as its last statement before COMMIT, so the new count
  becomes visible with the data it guards, never before. The journal, rate-limit
  scores and fault fire counts (written on every request of a shared world) are
  not counted: no cached answer reads them. The read cache, cached counts and
  shared.py's sync key on it, so they never serve an answer older than an
  acknowledged write on any server;
- everything else (get_meta/set_meta, dump/load/clear) is read from and written to
  the database, so whatever a layer keeps through this interface is shared.

psycopg is imported only here: SQLite users never need it (`graphmock[postgres]`).
Each thread keeps one connection checked out of a psycopg_pool pool (the event loop
is one thread; the Python handle adds another); a broken connection goes back to
the pool, which replaces it, and the next call checks out a fresh one.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Collection, Iterator
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import orjson
import psycopg
from psycopg_pool import ConnectionPool

from mock_server.shared_counts import COUNTER_PREFIXES
from mock_server.store.postgres_journal import PostgresJournal
from mock_server.store.postgres_schema import READ_CHANGES, migrate
from mock_server.store.postgres_transaction import Transaction
from mock_server.store.repository import ListQuery, Record, VersionPin, iterate_pages, pinned_value, take_page
from mock_server.store.sqlite import ID_BASE, MAX_ID

_COLUMNS = "id, type, account_id, status, data::text, campaign_id, adset_id, key, created"
_INSERT = ("INSERT INTO graphmock_objects (id, type, account_id, status, data, campaign_id, adset_id, key, created) "
           "VALUES (%s, %s, %s, %s, %s::json, %s, %s, %s, %s)")
_COPY = "COPY graphmock_objects (id, type, account_id, status, data, campaign_id, adset_id, key, created) FROM STDIN"
_CHUNK = 200
_MAX_CHUNK = 2000
# Meta keys no answer reads, rewritten on every request of a shared world: rate-limit scores (access/__init__.py)
# and fault fire counts (shared_counts.py). Writing them does not move version().
_COUNTER_META = COUNTER_PREFIXES


class PostgresRepository(PostgresJournal):
    def __init__(self, url: str, *, pool_size: int = 4, connect_timeout: float = 10.0) -> None:
        self.url = url
        with psycopg.connect(url, autocommit=True, connect_timeout=int(connect_timeout)) as conn:
            migrate(conn)  # also says at once why a server cannot connect (the pool would only time out)
        self.pool = ConnectionPool(url, min_size=1, max_size=pool_size, kwargs={"autocommit": True},
                                   open=False, name="graphmock")
        self.pool.open(wait=True, timeout=connect_timeout)
        self._local = threading.local()
        self._pinned: list[psycopg.Connection[Any]] = []  # every thread's checked-out connection, for close()
        self._id_floor = ID_BASE
        self._writes = 0  # this server's writes (its own commits are in the snapshot too; this covers open ones)
        self._derived: dict[tuple[Any, ...], tuple[Any, Any]] = {}  # counts, statuses present
        self._derived_lock = threading.Lock()

    # -- connections and transactions --------------------------------------------------------
    def _conn(self) -> psycopg.Connection[Any]:
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed or conn.broken:
            if conn is not None:
                with self._derived_lock:
                    self._pinned.remove(conn)
                self.pool.putconn(conn)  # the pool discards a broken connection and opens another
            conn = self._local.conn = self.pool.getconn()
            with self._derived_lock:
                self._pinned.append(conn)
            self._local.cursor = conn.cursor()
            self._local.depth = 0
            self._local.begin = False
            self._local.changed = False
        return conn

    def _execute(self, sql: str, args: Any = ()) -> psycopg.Cursor[Any]:
        """Run one statement on this thread's cursor (reused: a new cursor per call costs ~15 % of a call).
        Callers consume each result before the next statement."""
        self._conn()
        local = self._local
        cursor = local.cursor
        if local.begin:  # a transaction's first statement travels with its BEGIN: one round trip, not two
            local.begin = False
            with local.conn.pipeline():
                cursor.execute("BEGIN")
                cursor.execute(sql, args)
            return cursor
        cursor.execute(sql, args)
        return cursor

    def _begun(self) -> psycopg.Connection[Any]:
        """This thread's connection with its pending BEGIN sent (for statements that bypass _execute)."""
        conn = self._conn()
        if self._local.begin:
            self._local.begin = False
            conn.execute("BEGIN")
        return conn

    def transaction(self) -> Transaction:
        """Group writes into one atomic commit; nested use joins the outer transaction."""
        return Transaction(self)

    def _changing(self, meta_key: str | None = None) -> AbstractContextManager[None]:
        """Around a write answers may read: moves version() here at once and, in the same transaction (one of
        its own if none is open), the shared change counter (Transaction). Counter meta keys change nothing."""
        if meta_key is not None and meta_key.startswith(_COUNTER_META):
            return nullcontext()
        return Transaction(self, changes=True)

    def set_id_floor(self, floor: int) -> None:
        """Ids are allocated above `floor` (derived from the server seed, or stored in meta: shared)."""
        self._id_floor = floor

    def next_id(self) -> int:
        """The next free id; inside a transaction its lock holds until COMMIT, so no other server takes it."""
        return int(self._execute("SELECT graphmock_next_id(%s)", (self._id_floor,)).fetchone()[0])

    # -- reads ------------------------------------------------------------------------------
    def get(self, object_id: int) -> Record | None:
        if not 0 <= object_id <= MAX_ID:  # bigint: a 20-digit id can name nothing
            return None
        row = self._execute(f"SELECT {_COLUMNS} FROM graphmock_objects WHERE id = %s", (object_id,)).fetchone()
        return _record(row) if row else None

    def get_many(self, ids: Collection[int]) -> dict[int, Record]:
        wanted = [i for i in ids if 0 <= i <= MAX_ID]
        if not wanted:
            return {}
        rows = self._execute(f"SELECT {_COLUMNS} FROM graphmock_objects WHERE id = ANY(%s::bigint[])", (wanted,))
        return {row[0]: _record(row) for row in rows}

    def find_by_key(self, type: str, account_id: str, key: str) -> Record | None:
        row = self._execute(f"SELECT {_COLUMNS} FROM graphmock_objects WHERE type = %s AND account_id = %s "
                            "AND key = %s ORDER BY id LIMIT 1", (type, account_id, key)).fetchone()
        return _record(row) if row else None

    def page(self, query: ListQuery, *, after: int | None, before: int | None, limit: int) -> tuple[list[Record], bool]:
        """Up to `limit` records after/before a cursor id; the flag says whether more exist that way."""
        where, args = _scope(query)
        statuses = sorted(set(query.statuses)) if query.statuses is not None else self._statuses_present(where, args)
        ascending = before is not None and after is None
        if after is not None:
            where, args = [*where, "id < %s"], [*args, min(after, MAX_ID)]
        if before is not None:
            where, args = [*where, "id > %s"], [*args, min(before, MAX_ID)]
        if query.predicate is None:
            rows = map(_record, self._first_rows(where, args, statuses, ascending, limit + 1))
            return take_page(rows, None, limit, ascending)
        return take_page(self._scan(where, args, statuses, ascending, limit + 1), query.predicate, limit, ascending)

    def _first_rows(self, where: list[str], args: list[Any], statuses: list[str], ascending: bool,
                    count: int) -> list[tuple[Any, ...]]:
        """The first `count` rows in id order: one index range per status, each LIMIT count; several ranges
        are merged by PostgreSQL (MergeAppend under the outer LIMIT reads only what it returns)."""
        if not statuses:
            return []
        order = "ASC" if ascending else "DESC"
        one = f"SELECT {_COLUMNS} FROM graphmock_objects WHERE {' AND '.join([*where, 'status = %s'])} ORDER BY id {order} LIMIT %s"
        if len(statuses) == 1:
            return self._execute(one, (*args, statuses[0], count)).fetchall()
        sql = " UNION ALL ".join([f"({one})"] * len(statuses)) + f" ORDER BY id {order} LIMIT %s"
        params = [value for status in statuses for value in (*args, status, count)]
        return self._execute(sql, (*params, count)).fetchall()

    def _scan(self, where: list[str], args: list[Any], statuses: list[str], ascending: bool,
              first_chunk: int) -> Iterator[Record]:
        """Records in id order for a predicate: each status's range in growing chunks, merged by id."""
        streams = [self._run([*where, "status = %s"], [*args, status], ascending, first_chunk) for status in statuses]
        if len(streams) == 1:
            return streams[0]
        return heapq.merge(*streams, key=_by_id, reverse=not ascending)

    def _run(self, where: list[str], args: list[Any], ascending: bool, chunk: int) -> Iterator[Record]:
        """One keyset range in chunks: the first sized to the page, then 4x larger each time (sparse predicates)."""
        order, step = ("ASC", "id > %s") if ascending else ("DESC", "id < %s")
        sql = f"SELECT {_COLUMNS} FROM graphmock_objects WHERE {' AND '.join(where)} ORDER BY id {order} LIMIT %s"
        sql_next = (f"SELECT {_COLUMNS} FROM graphmock_objects WHERE {' AND '.join([*where, step])} "
                    f"ORDER BY id {order} LIMIT %s")
        rows = self._execute(sql, (*args, chunk)).fetchall()
        while True:
            yield from map(_record, rows)
            if len(rows) < chunk:
                return
            chunk = min(chunk * 4, _MAX_CHUNK)
            rows = self._execute(sql_next, (*args, rows[-1][0], chunk)).fetchall()

    def _statuses_present(self, where: list[str], args: list[Any]) -> list[str]:
        """The distinct statuses of a scope by a loose index scan (one seek per status; DISTINCT would read
        every row), kept until the store changes, like counts."""
        scope = " AND ".join(where)
        sql = (f"WITH RECURSIVE present(status) AS (SELECT (SELECT min(status) FROM graphmock_objects WHERE {scope}) "
               f"UNION ALL SELECT (SELECT min(status) FROM graphmock_objects WHERE {scope} AND status > present.status) "
               f"FROM present WHERE present.status IS NOT NULL) SELECT status FROM present WHERE status IS NOT NULL")
        return self._derive(("statuses", scope, *args),
                            lambda: [row[0] for row in self._execute(sql, (*args, *args))])

    def object_count(self) -> int:
        """Objects in the store (the CLI's banner says how many a restart reopened)."""
        return int(self._execute("SELECT count(*) FROM graphmock_objects", []).fetchone()[0])

    def count(self, query: ListQuery) -> int:
        """`summary.total_count`, cached until any server commits (version())."""
        if query.predicate is not None:
            return sum(1 for _ in self.iterate(query))
        where, args = _scope(query)
        if query.statuses is not None:
            where, args = [*where, "status = ANY(%s::text[])"], [*args, sorted(set(query.statuses))]
        sql = f"SELECT count(*) FROM graphmock_objects WHERE {' AND '.join(where)}"
        return self._derive(("count", sql, *map(_hashable, args)), lambda: int(self._execute(sql, args).fetchone()[0]))

    def _derive(self, key: tuple[Any, ...], compute: Any) -> Any:
        version = self.version()
        with self._derived_lock:
            cached = self._derived.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
        value = compute()
        with self._derived_lock:
            if len(self._derived) > 256:
                self._derived.clear()
            self._derived[key] = (version, value)
        return value

    def version(self) -> tuple[int, tuple[int, str]]:
        """Changes whenever what answers read may have changed: a write here (even uncommitted), or a commit of
        objects or meta documents by any server."""
        return self._writes, self.external_version()

    def external_version(self) -> tuple[int, str]:
        """The committed changes (graphmock_changes) as of now: what shared.Shared.sync watches. Inside
        `pinned()`, the value read when the pin began."""
        pinned = pinned_value(self)
        return pinned if pinned is not None else self._changes()

    def pinned(self, at: tuple[int, Any] | None = None) -> VersionPin:
        """Read other servers' commits once for a run of reads (repository.VersionPin)."""
        return VersionPin(self, self._changes, at[1] if at is not None else None)

    def _changes(self) -> tuple[int, str]:
        """(committed changes, epoch): read before the data it guards, so an answer is never older than it."""
        count, epoch = self._execute(READ_CHANGES).fetchone()
        return int(count), str(epoch)

    def iterate(self, query: ListQuery) -> Iterator[Record]:
        """Every matching record, newest first, read in chunks."""
        return iterate_pages(self, query, _CHUNK)

    # -- writes -----------------------------------------------------------------------------
    def insert(self, record: Record) -> None:
        with self._changing():
            self._execute(_INSERT, _row(record))

    def update(self, record: Record) -> None:
        with self._changing():
            self._execute("UPDATE graphmock_objects SET status = %s, data = %s::json, campaign_id = %s, adset_id = %s, "
                          "key = %s WHERE id = %s", (record.status, _json(record.data), record.campaign_id,
                                                     record.adset_id, record.key, record.id))

    def insert_many(self, records: list[Record]) -> None:
        """Bulk path for generators, fixtures and snapshots: COPY, one transaction."""
        with self._changing():
            with self._begun().cursor().copy(_COPY) as copy:
                for record in records:
                    copy.write_row(_row(record))

    # -- metadata, snapshots ----------------------------------------------------------------
    def get_meta(self, key: str) -> Any:
        row = self._execute("SELECT value FROM graphmock_meta WHERE key = %s", (key,)).fetchone()
        return orjson.loads(row[0]) if row else None

    def increment_meta(self, key: str) -> int:
        """Add one to an integer meta value and return it, atomically across servers (the row stays locked until
        COMMIT, so two servers never read the same value: activity-log sequence numbers)."""
        with self._changing(key):
            row = self._execute("INSERT INTO graphmock_meta (key, value) VALUES (%s, '1') ON CONFLICT (key) DO UPDATE "
                                "SET value = (graphmock_meta.value::bigint + 1)::text RETURNING value", (key,)).fetchone()
        return int(row[0])

    def next_in_sequence(self, key: str, type: str, base: int) -> int:
        """The id of the next activity-log record: `base` plus a meta counter (increment_meta)."""
        return base + self.increment_meta(key)

    def set_meta(self, key: str, value: Any) -> None:
        with self._changing(key):
            self._execute("INSERT INTO graphmock_meta (key, value) VALUES (%s, %s) "
                          "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, _json(value)))

    def dump(self) -> dict[str, Any]:
        """Objects and meta as of one moment: other servers wait until this transaction ends, so a dump that is
        then filtered and loaded back (a per-account reset) cannot drop a concurrent write. ACCESS EXCLUSIVE at
        once, because load's TRUNCATE needs it: upgrading a weaker lock would deadlock with a writer that has
        read the table (next_id) and waits to insert."""
        with self.transaction():
            self._execute("LOCK TABLE graphmock_objects, graphmock_meta IN ACCESS EXCLUSIVE MODE")
            return self._dump()

    def _dump(self) -> dict[str, Any]:
        objects = [{"id": r[0], "type": r[1], "account_id": r[2], "status": r[3], "data": orjson.loads(r[4]),
                    "campaign_id": r[5], "adset_id": r[6], "key": r[7], "created": r[8]}
                   for r in self._execute(f"SELECT {_COLUMNS} FROM graphmock_objects ORDER BY id")]
        meta = {k: orjson.loads(v) for k, v in self._execute("SELECT key, value FROM graphmock_meta ORDER BY key")}
        return {"objects": objects, "meta": meta}

    def load(self, snapshot: dict[str, Any]) -> None:
        with self.transaction():
            self.clear()
            self.insert_many([Record(id=o["id"], type=o["type"], account_id=o["account_id"], status=o["status"],
                                     data=o["data"], campaign_id=o.get("campaign_id"), adset_id=o.get("adset_id"),
                                     key=o.get("key"), created=o.get("created", 0))
                              for o in snapshot.get("objects", [])])
            for key, value in snapshot.get("meta", {}).items():
                self.set_meta(key, value)

    def clear(self) -> None:
        """Empty the store in constant time (TRUNCATE is transactional in PostgreSQL)."""
        with self._changing():
            self._execute("TRUNCATE graphmock_objects, graphmock_meta")

    def delete_account(self, account_id: str) -> None:
        """Remove one ad account's objects (a per-account reset): other accounts' rows, and other servers' writes
        to them, are untouched."""
        with self._changing():
            self._execute("DELETE FROM graphmock_objects WHERE account_id = %s", (account_id,))

    def meta_items(self, prefix: str) -> dict[str, Any]:
        """Every meta value whose key starts with `prefix` (null values, i.e. removed ones, left out)."""
        rows = self._execute("SELECT key, value FROM graphmock_meta WHERE key >= %s AND key < %s ORDER BY key",
                             (prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1))).fetchall()
        found = {key: orjson.loads(value) for key, value in rows}
        return {key: value for key, value in found.items() if value is not None}

    def close(self) -> None:
        """Give back every thread's connection (the Python handle's server thread holds one too) and close."""
        self._local.conn = None
        with self._derived_lock:
            pinned, self._pinned = self._pinned, []
        for conn in pinned:
            self.pool.putconn(conn)
        self.pool.close()


def _scope(query: ListQuery) -> tuple[list[str], list[Any]]:
    where, args = ["type = %s"], [query.type]
    for column in ("account_id", "campaign_id", "adset_id", "key"):
        value = getattr(query, column)
        if value is not None:
            where.append(f"{column} = %s")
            args.append(value)
    return where, args


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def _row(record: Record) -> tuple[Any, ...]:
    return (record.id, record.type, record.account_id, record.status, _json(record.data), record.campaign_id,
            record.adset_id, record.key, record.created)


def _by_id(record: Record) -> int:
    return record.id


def _record(row: tuple[Any, ...]) -> Record:
    # positional: keywords cost twice as much, and a list page builds limit + 1 of these
    return Record(row[0], row[1], row[2], row[3], orjson.loads(row[4]), row[5], row[6], row[7], row[8])
