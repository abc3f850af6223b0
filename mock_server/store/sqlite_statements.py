"""The SQL of the SQLite store's per-record writes (store/sqlite.py `insert`, `update`), one string per table and
set of NULL columns.

Python's sqlite3 binds int, float, str and bytearray directly, but runs every other value (None, bytes) through
its adapter protocol first: a tuple built, a registry lookup and two failed attribute lookups, ~0.4 us a value.
A create's two INSERTs bound up to eight such values (the JSON as bytes, and campaign_id, adset_id, key as None).
So the statement names only the columns that have a value (a column left out is NULL: none has a DEFAULT), and
the JSON is bound as a bytearray (stored as the same BLOB). The strings are built once per combination, so each
stays one entry of sqlite3's statement cache and the redo log (store/sqlite_redo.py) records plain SQL as before.
"""

from __future__ import annotations

from typing import Any

_OPTIONAL = ("campaign_id", "adset_id", "key")  # the nullable columns, in the order their values are bound
_INSERTS: dict[tuple[str, bool, bool, bool], str] = {}
_UPDATES: dict[tuple[str, bool, bool, bool], str] = {}


def insert_statement(table: str, campaign_id: Any, adset_id: Any, key: Any) -> str:
    """INSERT of (id, type, account_id, status, data, created, then each of campaign_id, adset_id, key that is
    not None, in that order)."""
    shape = (table, campaign_id is None, adset_id is None, key is None)
    sql = _INSERTS.get(shape)
    if sql is None:
        columns = ["id", "type", "account_id", "status", "data", "created",
                   *(name for name, absent in zip(_OPTIONAL, shape[1:]) if not absent)]
        sql = _INSERTS[shape] = (f"INSERT INTO {table} ({', '.join(columns)}) "
                                 f"VALUES ({', '.join('?' * len(columns))})")
    return sql


def update_statement(table: str, campaign_id: Any, adset_id: Any, key: Any) -> str:
    """UPDATE of (status, data, then each of campaign_id, adset_id, key that is not None, then the id); the
    others are set to NULL."""
    shape = (table, campaign_id is None, adset_id is None, key is None)
    sql = _UPDATES.get(shape)
    if sql is None:
        sets = ["status = ?", "data = ?", *(f"{name} = {'NULL' if absent else '?'}"
                                           for name, absent in zip(_OPTIONAL, shape[1:]))]
        sql = _UPDATES[shape] = f"UPDATE {table} SET {', '.join(sets)} WHERE id = ?"
    return sql
