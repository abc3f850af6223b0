"""Whole-store operations of the SQLite repository (store/sqlite.py): a snapshot's dump and load, a reset (`clear`,
in constant time above `_SWAP_ABOVE` rows: store/sqlite_reset.py), a per-account reset, bulk inserts, the object
count. A mixin of `SQLiteRepository`, which holds the connection, the caches and `transaction()`."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any

import orjson

from mock_server.store.repository import Record
from mock_server.store.sqlite_reset import drop_retired, swap_table
from mock_server.store.sqlite_schema import COLUMNS, INDEXES, OBJECTS, SIDE_TABLES, table_of, table_sql

_COLUMNS = COLUMNS
_TABLES = (OBJECTS, *SIDE_TABLES.values())
_INSERT = {table: f"INSERT INTO {table} ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)" for table in _TABLES}

_SWAP_ABOVE = 20_000  # a reset swaps the objects table only above this many objects (`clear`)


class WholeStore:
    """`dump`, `load`, `clear`, `delete_account`, `insert_many`, `object_count` over `self.conn`."""

    # SQLiteRepository's
    conn: Any
    path: str
    _private: bool
    _writes: int
    _retired: bool
    _counts: Any
    _counters: Any
    _max_ids: dict[str, int]
    transaction: Callable[..., Any]
    set_meta: Callable[[str, Any], None]

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


def _after_prefix(prefix: str) -> str:
    """The smallest string above every string starting with `prefix` (a key range for a prefix search)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1) if prefix else "\U0010ffff"


def _first(row: tuple[Any, ...]) -> Any:
    return row[0]
