"""Whether another connection may have committed, read from the WAL index without a read transaction.

`PRAGMA data_version` (what the read cache and `Shared.sync` watch, store/sqlite.py) starts a read transaction
to answer: about 5 us of every read, with four `fcntl` locks on the `-shm` file. Every commit to a WAL database,
by any connection, rewrites the WAL-index header at the start of that `-shm` file (its change counter, last frame
and checksum: SQLite's `WalIndexHdr`, sqlite.org/walformat.html, "The WAL-Index Header"). So while those bytes
are what they were at the last `PRAGMA data_version`, nothing was committed since and its answer stands: a copy of
48 bytes instead. When they differ (a commit, this connection's own included, or a WAL restart) the pragma is
asked again: a changed header can only cost a look, never hide one.

The header is read from a read-only mapping of the file's first bytes (a slice, ~0.1 us), not with `pread` (a
system call per read: ~0.5 us, over 1 us in a request on this VM; issue 18). A mapping faults (SIGBUS) if the file
is truncated under it, but SQLite itself maps the whole `-shm` file into this process while the store's
connection is open (unixShmMap), and nothing truncates it then: SQLite truncates or rebuilds it only under the
exclusive DMS lock, which no process gets while another connection holds the file open. The store maps it only
once the file holds a whole header (a file being created is read again later) and unmaps it before closing its
connection. A short or missing file answers None: the caller asks the pragma.
"""

from __future__ import annotations

import mmap
import os

HEADER_BYTES = 48  # the first copy of the WAL-index header


class WalIndexHeader:
    """The WAL-index header of the database at `path` (None where there is none: not WAL, or not created yet)."""

    __slots__ = ("path", "_fd", "_map")

    def __init__(self, path: str) -> None:
        self.path = path + "-shm"
        self._fd: int | None = None
        self._map: mmap.mmap | None = None

    def read(self) -> bytes | None:
        view = self._map
        if view is None:
            view = self._open()
            if view is None:
                return None
        return view[:HEADER_BYTES]

    def _open(self) -> mmap.mmap | None:
        """Map the file's header once it exists and holds one (SQLite sizes it in 32 KB steps)."""
        fd = self._fd
        if fd is None:
            try:
                fd = self._fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
            except OSError:
                return None
        try:
            if os.fstat(fd).st_size < HEADER_BYTES:
                return None
            self._map = mmap.mmap(fd, HEADER_BYTES, flags=mmap.MAP_SHARED, prot=mmap.PROT_READ)
        except (OSError, ValueError):
            return None
        return self._map

    def close(self) -> None:
        if self._map is not None:
            self._map.close()
            self._map = None
        if self._fd is not None:
            try:
                os.close(self._fd)
            except OSError:
                pass
            self._fd = None
