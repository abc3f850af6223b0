"""The SQLite store's tables, and the migration of a file an earlier graphmock wrote (`PRAGMA user_version`).

`objects` holds every Graph object. The activity log (AdActivity records, domain/activities.py) lives in a table of
its own with the same columns: its ids sit below the object ids, so in `objects` each activity landed in the
middle of the table and of its index, and every create rewrote two more pages there (a WAL frame each, with
page splits in the middle of a b-tree touching three siblings). In its own table an activity is an append at the
end of the id order, and `max(id)` numbers the next one, so no per-write sequence row in `meta` is needed either
(docs/cold-writes.md, "The SQLite write transaction").
"""

from __future__ import annotations

import sqlite3

COLUMNS = "id, type, account_id, status, data, campaign_id, adset_id, key, created"
OBJECTS = "objects"
SIDE_TABLES = {"AdActivity": "activities"}  # types kept in a table of their own (same columns as `objects`)
SCHEMA_VERSION = 1  # 1: activities moved out of `objects`

_COLUMNS_SQL = """(
    id INTEGER PRIMARY KEY,
    type TEXT NOT NULL,
    account_id TEXT NOT NULL,
    status TEXT NOT NULL,
    data BLOB NOT NULL,
    campaign_id INTEGER,
    adset_id INTEGER,
    key TEXT,
    created INTEGER NOT NULL
)"""

# One index per scope (account, campaign, ad set), ordered (status, id): a list reads one id-ordered range per
# status and merges them (`_page_rows`, `_scan`). A list without a status filter reads the statuses its scope
# holds (`_statuses_present`), so no second (scope, id) index is kept: every index costs each insert a WAL page.
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS objects {_COLUMNS_SQL};
DROP INDEX IF EXISTS objects_by_account;
DROP INDEX IF EXISTS objects_by_campaign;
DROP INDEX IF EXISTS objects_by_adset;
CREATE TABLE IF NOT EXISTS activities {_COLUMNS_SQL};
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
"""

# Each table's indexes; `{n}` is empty for a new file and a generation number after a reset (the old table keeps
# its index names until dropped, and index names are unique per file). An activity is only ever listed by account.
INDEXES = {
    "objects": """
CREATE INDEX objects_by_account_status{n} ON objects(type, account_id, status, id);
CREATE INDEX objects_by_campaign_status{n} ON objects(type, campaign_id, status, id) WHERE campaign_id IS NOT NULL;
CREATE INDEX objects_by_adset_status{n} ON objects(type, adset_id, status, id) WHERE adset_id IS NOT NULL;
CREATE INDEX objects_by_key{n} ON objects(type, account_id, key) WHERE key IS NOT NULL;
""",
    "activities": """
CREATE INDEX activities_by_account_status{n} ON activities(type, account_id, status, id);
""",
}


def table_sql(table: str) -> str:
    """The CREATE TABLE statement of `table` (a reset creates an empty one under the name)."""
    return f"CREATE TABLE {table} {_COLUMNS_SQL}"


def table_of(type_: str) -> str:
    """The table records of `type_` live in."""
    return SIDE_TABLES.get(type_, OBJECTS)


def open_schema(conn: sqlite3.Connection) -> None:
    """Create what is missing and migrate a file written by an earlier version (idempotent; several workers may
    open one file at once: the migration runs under BEGIN IMMEDIATE and checks the version again there)."""
    conn.executescript(SCHEMA)
    if not all(_indexed(conn, table) for table in INDEXES):
        conn.execute("BEGIN IMMEDIATE")  # checked again under the write lock: two first opens of a new file race
        try:
            for table, statements in INDEXES.items():
                if not _indexed(conn, table):
                    for statement in statements.format(n="").strip().splitlines():
                        conn.execute(statement.rstrip(";"))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    if _version(conn) >= SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        if _version(conn) < 1:  # activities used to be rows of `objects`
            for type_, table in SIDE_TABLES.items():
                conn.execute(f"INSERT INTO {table} ({COLUMNS}) SELECT {COLUMNS} FROM objects WHERE type = ?", (type_,))
                conn.execute("DELETE FROM objects WHERE type = ?", (type_,))
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _indexed(conn: sqlite3.Connection, table: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND name LIKE ?",
                        (table, f"{table}_by_%")).fetchone() is not None


def _version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])
