"""Whether another connection may have committed, read from the WAL index without a read transaction.

`PRAGMA data_version` (what the read cache and `Shared.sync` watch, store/sqlite.py) starts a read transaction
to answer: about 5 us of every read, with four `fcntl` locks on the `-shm` file. Every commit to a WAL database,
by any connection, rewrites the WAL-index header at the start of that `-shm` file (its change counter, last frame
and checksum: SQLite's `WalIndexHdr`, sqlite.org/walformat.html, "The WAL-Index Header"). So while those bytes
are what they were at the last `PRAGMA data_version`, nothing was committed since and its answer stands: one
`pread` of 48 bytes instead (well under a microsecond). When they differ (a commit, this connection's own
included, or a WAL restart) the pragma is asked again: a changed header can only cost a look, never hide one.

The file is read with `pread` rather than mapped: a file another process truncates under a mapping faults the
reader (SIGBUS); a short read here just falls back to the pragma.
"""

from __future__ import annotations

import os

HEADER_BYTES = 48  # the first copy of the WAL-index header


class WalIndexHeader:
    """The WAL-index header of the database at `path` (None where there is none: not WAL, or not created yet)."""

    __slots__ = ("path", "_fd")

    def __init__(self, path: str) -> None:
        self.path = path + "-shm"
        self._fd: int | None = None

    def read(self) -> bytes | None:
        fd = self._fd
        if fd is None:
            try:
                fd = self._fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
            except OSError:
                return None
        try:
            header = os.pread(fd, HEADER_BYTES, 0)
        except OSError:
            return None
        return header if len(header) == HEADER_BYTES else None

    def close(self) -> None:
        if self._fd is not None:
            try:
                os.close(self._fd)
            except OSError:
                pass
            self._fd = None
