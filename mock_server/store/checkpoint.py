"""WAL checkpoints off the request path.

In WAL mode a COMMIT only appends to the -wal file; copying the WAL back into
the database (a checkpoint, with its fsyncs) is the expensive part. SQLite's
automatic checkpoint runs inside whichever COMMIT crosses 1000 pages, so that
request waits for it. Here a daemon thread with its own connection
checkpoints well before the threshold while the event loop goes on (sqlite3
releases the GIL); the automatic checkpoint stays as a backstop, so the WAL
stays bounded even if this thread falls behind. Durability is unchanged: a
write is acknowledged after its COMMIT, as before.
"""

from __future__ import annotations

import os
import sqlite3
import threading

INTERVAL_SECONDS = 0.05
MIN_WAL_BYTES = 1024 * 1024  # a quarter of SQLite's own 1000-page threshold


class Checkpointer:
    def __init__(self, path: str, *, interval: float = INTERVAL_SECONDS, min_bytes: int = MIN_WAL_BYTES) -> None:
        self.path = path
        self.wal = path + "-wal"
        self.interval = interval
        self.min_bytes = min_bytes
        self.runs = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="graphmock-wal-checkpoint", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout=5000")
        try:
            while not self._stop.wait(self.interval):
                self._checkpoint_if_due(conn)
        finally:
            conn.close()

    def _checkpoint_if_due(self, conn: sqlite3.Connection) -> None:
        try:
            if os.path.getsize(self.wal) < self.min_bytes:
                return
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            self.runs += 1
        except (OSError, sqlite3.Error):
            return  # no WAL yet, or busy: the next round tries again

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
