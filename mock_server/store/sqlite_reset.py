"""Constant-time reset of a SQLite store (issue 18 point 2): a large table (objects, activities) is renamed aside and
a fresh one created in the reset's transaction (schema changes only), and the retired table is dropped after COMMIT, on
another connection in a thread for a file, so the reset answers at once whatever the store holds."""

from __future__ import annotations

import sqlite3
import threading
import time

RETIRED = "objects_retired_"  # tables a reset swapped out, dropped in the background (`drop_retired`)


def swap_table(conn: sqlite3.Connection, table: str, table_sql: str, indexes_sql: str) -> None:
    """Inside the caller's transaction: `table` (objects, activities) becomes a retired table and an empty one takes
    its name (with its indexes, named after a new generation: index names are unique per file)."""
    generation = time.time_ns()
    retired = f"{RETIRED}{table}_" if table != "objects" else RETIRED  # the objects table keeps its old names
    while conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (f"{retired}{generation}",)).fetchone():
        generation += 1
    conn.execute(f"ALTER TABLE {table} RENAME TO {retired}{generation}")
    conn.execute(table_sql.strip().rstrip(";"))
    for statement in indexes_sql.format(n=f"_{generation}").strip().splitlines():
        conn.execute(statement.rstrip(";"))


def drop_retired(conn: sqlite3.Connection, path: str, private: bool) -> None:
    """Drop the tables earlier resets swapped out: at once for a private :memory: store, else in a thread (each
    index, then the table, in its own short transaction)."""
    if private:
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE ?",
                                    (f"{RETIRED}%",)).fetchall():
            conn.execute(f"DROP TABLE IF EXISTS {name}")
        return
    threading.Thread(target=_drop_retired_tables, args=(path,), name="graphmock-drop-retired", daemon=True).start()


def _drop_retired_tables(path: str) -> None:
    """Drop every retired objects table of the file at `path` (idempotent: several workers may race here)."""
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=30)
        conn.execute("PRAGMA secure_delete=FAST")  # freed pages go to the freelist unwritten (store/sqlite.py)
        try:
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE ?",
                                        (f"{RETIRED}%",)).fetchall():
                for (index,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?",
                                             (name,)).fetchall():
                    conn.execute(f"DROP INDEX IF EXISTS {index}")
                conn.execute(f"DROP TABLE IF EXISTS {name}")
        finally:
            conn.close()
    except sqlite3.Error:
        pass  # another connection dropped it first, or the file closed: the next reset or start retries
