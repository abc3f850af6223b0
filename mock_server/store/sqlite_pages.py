"""The list reads of the SQLite repository (store/sqlite.py): keyset pages in id order, one index range per status,
counts kept across the store's own inserts. A mixin of `SQLiteRepository`, which holds the connection and caches."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection, Iterator
from functools import lru_cache
from typing import Any

import orjson

from mock_server.store.repository import ListQuery, Record, iterate_pages, take_page
from mock_server.store.sqlite_schema import COLUMNS, table_of

MAX_ID = 2**63 - 1
_COLUMNS = COLUMNS
_CHUNK = 200
_MAX_CHUNK = 2000


class ListPages:
    """`page`, `page_values`, `count` and `iterate` over `self.conn` (see SQLiteRepository for the attributes)."""

    # SQLiteRepository's: its connection, caches and versions
    conn: Any
    _derived: dict[tuple[Any, ...], tuple[tuple[int, int], Any]]
    _counts: Any
    _private: bool
    _depth: int
    version: Callable[[], tuple[int, int]]
    external_version: Callable[[], int]
    _data_version: Callable[[], int]

    def page(self, query: ListQuery, *, after: int | None, before: int | None, limit: int) -> tuple[list[Record], bool]:
        """Up to `limit` records after/before a cursor id; the flag says whether more exist that way."""
        table, where, args, statuses, ascending = self._page_scope(query, after, before)
        if query.predicate is None or query.status_test is not None:  # SQL sees every filter
            # the row after the page only says that more follow: never decoded
            rows = self._page_rows(table, where, args, statuses, ascending, limit + 1)
            records = [_record(row) for row in rows[:limit]]
            if ascending:
                records.reverse()
            return records, len(rows) > limit
        return take_page(self._scan(table, where, args, statuses, ascending, limit + 1), query.predicate, limit,
                         ascending)

    def page_values(self, query: ListQuery, *, after: int | None, before: int | None,
                    limit: int) -> tuple[list[tuple[int, dict[str, Any]]], bool]:
        """`page` for a read that renders stored fields only: each object's id and stored data, no `Record`. Two
        columns read instead of nine and no record built. No predicate (SQL sees every filter). The data dicts may
        be shared with earlier pages (`decoded`): read them, never change them."""
        rows, ascending = self._page_raw(query, after, before, limit + 1)
        kept = _DECODED.get
        values = [(object_id, kept(raw) or decoded(raw)) for object_id, raw in rows[:limit]]
        if ascending:
            values.reverse()
        return values, len(rows) > limit

    def page_rendered(self, query: ListQuery, item: Callable[[dict[str, Any], str, Any], dict[str, Any]], tz: Any, *,
                      after: int | None, before: int | None, limit: int) -> tuple[list[dict[str, Any]], list[int], bool]:
        """`page_values` with each object rendered as it is read, `item(data, str(id), tz)` (a compiled renderer
        for shared values, wire/render_items.py; handlers/rendering.py `Call.stored_page`): one pass over the rows, no
        (id, data) pairs. Returns the items, the page's first and last ids (all the paging envelope reads: its
        cursors; empty for an empty page) and whether more follow."""
        rows, ascending = self._page_raw(query, after, before, limit + 1)
        more = len(rows) > limit
        if more:
            del rows[limit:]
        if ascending:
            rows.reverse()
        kept = _DECODED.get
        items = [item(kept(raw) or decoded(raw), str(object_id), tz) for object_id, raw in rows]
        return items, [rows[0][0], rows[-1][0]] if rows else [], more

    def _page_raw(self, query: ListQuery, after: int | None, before: int | None,
                  count: int) -> tuple[list[tuple[int, bytes]], bool]:
        """Up to `count` (id, stored data) rows of a page in the order read, and whether that order is ascending."""
        assert query.predicate is None or query.status_test is not None, "a predicate needs whole records: page()"
        shape = _shape(query, after, before) if query.status_test is None else None
        if shape is None:
            table, where, args, statuses, ascending = self._page_scope(query, after, before)
            return self._page_rows(table, where, args, statuses, ascending, count, "id, data"), ascending
        sql, args, ascending = shape  # the statement and its arguments kept for this query (`_shape`)
        if sql is None:
            return [], ascending
        if after is None and before is None:
            return self.conn.execute(sql, (*args, count)).fetchall(), ascending
        cursor = min(after if after is not None else before, MAX_ID)  # type: ignore[type-var]
        scope, wanted = args  # each status range: its scope, the cursor's id, its status (`_page_scope`'s order)
        return self.conn.execute(sql, [*[v for status in wanted for v in (*scope, cursor, status)], count]).fetchall(), \
            ascending

    def _page_scope(self, query: ListQuery, after: int | None,
                    before: int | None) -> tuple[str, list[str], list[Any], Collection[str], bool]:
        """A page's table, filters past the cursor, statuses and direction."""
        where, args = _where(query, statuses=False)
        table = table_of(query.type)
        statuses = query.statuses if query.statuses is not None else self._statuses_present(table, where, args)
        if query.status_test is not None:  # the predicate decides by status alone: only the statuses it keeps
            statuses = [status for status in statuses if query.status_test(status)]
        ascending = before is not None and after is None
        if after is not None:
            where.append("id < ?")
            args.append(min(after, MAX_ID))
        if before is not None:
            where.append("id > ?")
            args.append(min(before, MAX_ID))
        return table, where, args, statuses, ascending

    def _page_rows(self, table: str, where: list[str], args: list[Any], statuses: Collection[str], ascending: bool,
                   count: int, columns: str = _COLUMNS) -> list[tuple[Any, ...]]:
        """The first `count` rows in id order, in one statement: one index range per status, merged by SQLite
        (`_page_sql`). Each range yields its rows in id order and the merge reads only as many as the LIMIT takes,
        so a page costs the same in an account of a million objects."""
        wanted = sorted(set(statuses))
        if not wanted:
            return []
        sql = _page_sql(table, tuple(where), len(wanted), ascending, columns)
        if len(wanted) == 1:
            return self.conn.execute(sql, (*args, wanted[0], count)).fetchall()
        return self.conn.execute(sql, (*[value for status in wanted for value in (*args, status)], count)).fetchall()

    def _scan(self, table: str, where: list[str], args: list[Any], statuses: Collection[str], ascending: bool,
              first_chunk: int) -> Iterator[Record]:
        """Records in id order: one index range per status (`..._status` indexes) merged by id, so a rare status
        costs the same as a common one: `status IN (...)` over an id-ordered index would walk every row of the
        account to find 25 ARCHIVED among 1 M ACTIVE."""
        streams = [self._run(table, [*where, "status = ?"], [*args, status], ascending, first_chunk)
                   for status in sorted(set(statuses))]
        if len(streams) == 1:
            return streams[0]
        return heapq.merge(*streams, key=_by_id, reverse=not ascending)

    def _statuses_present(self, table: str, where: list[str], args: list[Any]) -> list[str]:
        """The distinct statuses stored in a scope: a skip-scan of its status index, one seek per status
        (SQLite's DISTINCT would read every row). Kept until the store changes, like counts."""
        key = ("statuses", table, *where, *args)
        version = self.version()
        cached = self._derived.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
        scope = " AND ".join(where)
        sql = (f"WITH RECURSIVE present(status) AS (SELECT (SELECT min(status) FROM {table} WHERE {scope}) "
               f"UNION ALL SELECT (SELECT min(status) FROM {table} WHERE {scope} AND status > present.status) "
               f"FROM present WHERE present.status IS NOT NULL) SELECT status FROM present WHERE status IS NOT NULL")
        found = [row[0] for row in self.conn.execute(sql, (*args, *args))]
        self._remember(key, version, found)
        return found

    def _remember(self, key: tuple[Any, ...], version: tuple[int, int], value: Any) -> None:
        if len(self._derived) > 256:
            self._derived.clear()
        self._derived[key] = (version, value)

    def _run(self, table: str, where: list[str], args: list[Any], ascending: bool, chunk: int) -> Iterator[Record]:
        """One keyset range in chunks: the first sized to the page (limit + 1), then 4x larger each time, so a
        page whose rows mostly pass the predicate decodes ~limit rows, not 200 (a nested `adsets.limit(5)` on a
        campaign with many ad sets computed the status of 200 of them)."""
        sql, sql_next = _run_sql(table, tuple(where), ascending)
        rows = self.conn.execute(sql, (*args, chunk)).fetchall()
        while True:
            for row in rows:
                yield _record(row)
            if len(rows) < chunk:
                return
            chunk = min(chunk * 4, _MAX_CHUNK)  # a sparse predicate reads ever larger chunks
            rows = self.conn.execute(sql_next, (*args, rows[-1][0], chunk)).fetchall()

    def count(self, query: ListQuery) -> int:
        """`summary.total_count`, the ad set limit. A COUNT over a million rows costs tens of ms and the Python SDK
        asks for it on every page, so plain counts are cached until another connection commits or this store
        changes anything but an insert (an insert adjusts them: sqlite_count_cache.py). Inside a write transaction
        other connections are checked at that moment, not at the request's pin: the ad set limit counts for a write."""
        if query.predicate is not None:
            return sum(1 for _ in self.iterate(query))
        statuses = tuple(sorted(query.statuses)) if query.statuses is not None else None
        key = (query.type, query.account_id, query.campaign_id, query.adset_id, query.key, statuses)
        external = 0 if self._private else self._data_version() if self._depth else self.external_version()
        cached = self._counts.get(key, external)
        if cached is not None:
            return cached
        if self._counts.empty(key, external):  # under a campaign or ad set just inserted here: none yet
            total = 0
        else:
            where, args = _where(query)
            total = int(self.conn.execute(f"SELECT count(*) FROM {table_of(query.type)} WHERE {' AND '.join(where)}",
                                          args).fetchone()[0])
        self._counts.remember(key, external, total)
        return total

    def iterate(self, query: ListQuery) -> Iterator[Record]:
        """Every matching record, newest first, read in chunks."""
        return iterate_pages(self, query, _CHUNK)


@lru_cache(maxsize=512)
def _page_sql(table: str, where: tuple[str, ...], statuses: int, ascending: bool, columns: str) -> str:
    """A page's statement, kept per shape (its text is built once, and the same string object finds sqlite3's
    prepared statement at once). Several statuses: a compound SELECT of one range per status, ORDER BY id: SQLite
    merges the ranges (MERGE (UNION ALL), each read in index order), with no temp B-tree and no `IN` list to build:
    ~20 % less than the ids' UNION inside `id IN (...)` it replaces, the same rows."""
    arm = f"SELECT {columns} FROM {table} WHERE {' AND '.join([*where, 'status = ?'])}"
    return f"{' UNION ALL '.join([arm] * statuses)} ORDER BY id {'ASC' if ascending else 'DESC'} LIMIT ?"


@lru_cache(maxsize=512)
def _run_sql(table: str, where: tuple[str, ...], ascending: bool) -> tuple[str, str]:
    """`_run`'s first and next statements, kept per shape like `_page_sql`."""
    order, step = ("ASC", "id > ?") if ascending else ("DESC", "id < ?")
    return (f"SELECT {_COLUMNS} FROM {table} WHERE {' AND '.join(where)} ORDER BY id {order} LIMIT ?",
            f"SELECT {_COLUMNS} FROM {table} WHERE {' AND '.join([*where, step])} ORDER BY id {order} LIMIT ?")


_SCOPE_COLUMNS = ("account_id", "campaign_id", "adset_id", "key")  # a list's scope, in index order


def _shape(query: ListQuery, after: int | None, before: int | None) -> tuple[str | None, Any, bool] | None:
    """`page_values`' statement for a query whose statuses are given as a frozenset (store-independent: no
    statuses-present look, no status test), kept per (query, cursor direction): the scope, its statement text and
    its arguments are built once instead of per page (`_page_scope`, `_page_rows`). Returns (statement, arguments,
    ascending): without a cursor the arguments but the LIMIT, with one (scope arguments, statuses); the statement
    is None when no status is wanted. None when not kept: both cursors, or statuses not a frozenset."""
    statuses = query.statuses
    if statuses.__class__ is not frozenset or (after is not None and before is not None):
        return None
    key = (query.type, query.account_id, query.campaign_id, query.adset_id, query.key, statuses, after is None,
           before is None)
    shape = _SHAPES.get(key)
    if shape is not None:
        return shape
    where, args = _where(query, statuses=False)
    wanted = sorted(statuses)  # type: ignore[type-var]
    ascending = before is not None
    table = table_of(query.type)
    if not wanted:
        shape = (None, (), ascending)
    elif after is None and before is None:
        sql = _page_sql(table, tuple(where), len(wanted), ascending, "id, data")
        shape = (sql, tuple(value for status in wanted for value in (*args, status)), ascending)
    else:
        sql = _page_sql(table, (*where, "id > ?" if ascending else "id < ?"), len(wanted), ascending, "id, data")
        shape = (sql, (tuple(args), tuple(wanted)), ascending)
    if len(_SHAPES) >= 1024:
        _SHAPES.clear()
    _SHAPES[key] = shape
    return shape


_SHAPES: dict[tuple[Any, ...], tuple[str | None, Any, bool]] = {}


def _where(query: ListQuery, *, statuses: bool = True) -> tuple[list[str], list[Any]]:
    where = ["type = ?"]
    args: list[Any] = [query.type]
    for column in _SCOPE_COLUMNS:
        value = getattr(query, column)
        if value is not None:
            where.append(f"{column} = ?")
            args.append(value)
    if statuses and query.statuses is not None:
        wanted = list(query.statuses)
        where.append(f"status IN ({','.join('?' * len(wanted))})" if wanted else "0")
        args.extend(wanted)
    return where, args


def decoded(raw: bytes) -> dict[str, Any]:
    """A stored object's data decoded, kept by its stored bytes (the same bytes always decode to the same value):
    a list page re-read after a write decodes only the objects that changed, the others cost a dict lookup
    (~0.1 us against ~1 us for `orjson.loads` of a campaign's ~440 bytes, ~20 us of a 25-item page). The dicts
    are shared between every page that reads those bytes: `page_values`' callers only read them (and
    `render_items` copies a list or object value it puts in an answer). Bounded in entries and bytes; full, it
    starts again empty."""
    global _DECODED_BYTES
    value = orjson.loads(raw)
    if type(value) is not dict or not value:  # `{}` is falsy: the lookup's `or` would decode it each time anyway
        return value  # type: ignore[no-any-return]
    if len(_DECODED) >= _DECODED_ENTRIES or _DECODED_BYTES + len(raw) > _DECODED_MAX_BYTES:
        _DECODED.clear()
        _DECODED_BYTES = 0
    _DECODED[raw] = value
    _DECODED_BYTES += len(raw)
    return value


_DECODED: dict[bytes, dict[str, Any]] = {}
_DECODED_ENTRIES = 2048
_DECODED_MAX_BYTES = 2 * 1024 * 1024  # stored bytes kept (their decoded dicts take a few times more: ~10 MB)
_DECODED_BYTES = 0


def _by_id(record: Record) -> int:
    return record.id


def _record(row: tuple[Any, ...]) -> Record:
    # positional: keywords cost twice as much, and a list page builds `limit` of these
    return Record(row[0], row[1], row[2], row[3], orjson.loads(row[4]), row[5], row[6], row[7], row[8])
