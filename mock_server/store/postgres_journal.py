"""The shared journal of a PostgreSQL world (mock_server/journal_store.py): the `graphmock_journal` table.

Appends go through `graphmock_journal_append` (postgres_schema.py, migrations 2 and 4): one statement under an
advisory lock held to its COMMIT, so seqs become visible in order and the running byte total adds up across
servers. The limits are kept lazily: every JOURNAL_TRIM_EVERY-th append deletes the rows beyond them, and every
read applies the reader's limits exactly (`_JOURNAL_VISIBLE`), so a read never shows more than the in-memory
ring would keep. `PostgresRepository` inherits these methods.
"""

from __future__ import annotations

from typing import Any

# The journal rows a reader with limits (keep, max_bytes) sees: the newest `keep` seqs, within `max_bytes` of the
# newest row's running total (the table holds up to JOURNAL_TRIM_EVERY rows more: postgres_schema.py migration 4)
_JOURNAL_VISIBLE = ("FROM graphmock_journal j, (SELECT seq, bytes_before + size AS total FROM graphmock_journal "
                    "ORDER BY seq DESC LIMIT 1) last WHERE j.seq > greatest(%s, last.seq - %s) "
                    "AND j.bytes_before >= last.total - %s")
_UNLIMITED = 1 << 62


class PostgresJournal:
    """The `journal_*` methods of PostgresRepository (which provides `_execute`)."""

    _execute: Any

    def journal_append(self, entry: bytes, time: float, keep: int, max_bytes: int) -> int:
        """Add one journal entry (JSON); its seq. One statement: committed before it returns (autocommit), so any
        server reads it once the answer is sent. Every JOURNAL_TRIM_EVERY seqs it also drops the rows beyond
        `keep` entries or `max_bytes` (postgres_schema.py migration 4); reads apply the limits exactly."""
        return int(self._execute("SELECT graphmock_journal_append(%s, %s, %s, %s)",
                                 (time, entry.decode(), keep, max_bytes)).fetchone()[0])

    def journal_read(self, since: int, keep: int | None = None, max_bytes: int | None = None
                     ) -> list[tuple[int, float, bytes]]:
        """(seq, time, entry) of every journal entry after `since` within the limits, oldest first."""
        rows = self._execute(f"SELECT j.seq, j.time, j.entry {_JOURNAL_VISIBLE} ORDER BY j.seq",
                             (since, *_journal_limits(keep, max_bytes)))
        return [(seq, time, entry.encode()) for seq, time, entry in rows.fetchall()]

    def journal_state(self, keep: int | None = None, max_bytes: int | None = None) -> tuple[int, int]:
        """(the last seq readable, or handed out before a clear; the bytes the entries within the limits hold).
        The newest readable row, not the sequence: another server's append may hold a seq it has not committed."""
        row = self._execute("SELECT coalesce((SELECT max(seq) FROM graphmock_journal), (SELECT CASE WHEN is_called "
                            "THEN last_value ELSE 0 END FROM graphmock_journal_seq)), "
                            f"(SELECT coalesce(sum(j.size), 0) {_JOURNAL_VISIBLE})",
                            (0, *_journal_limits(keep, max_bytes))).fetchone()
        return int(row[0]), int(row[1])

    def journal_clear(self) -> None:
        self._execute("DELETE FROM graphmock_journal")


def _journal_limits(keep: int | None, max_bytes: int | None) -> tuple[int, int]:
    return (_UNLIMITED if keep is None else keep), (_UNLIMITED if max_bytes is None else max_bytes)
