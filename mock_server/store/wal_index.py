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
once the file holds a whole header (a file being created is read again later) and unmaps it after closing its
connection (the last store of this process on the file: they share one descriptor, `_Opened`). A short or
missing file answers None: the caller asks the pragma.
"""

from __future__ import annotations

import mmap
import os
import threading

HEADER_BYTES = 48  # the first copy of the WAL-index header


class WalIndexHeader:
    """The WAL-index header of the database at `path` (None where there is none: not WAL, or not created yet).

    Every store of this process on one file shares one descriptor and mapping of its `-shm` (`_Opened`), closed
    when the last of them closes: POSIX drops ALL of a process's `fcntl` locks on a file when ANY descriptor of it
    is closed (the mapping holds a duplicate), so a second store closing its own would take SQLite's locks (the
    DMS lock, the WAL read marks) from under the first store's connection, and another process could then rebuild
    the `-shm` under it (found by review)."""

    __slots__ = ("path", "_opened", "_map")

    def __init__(self, path: str) -> None:
        self.path = path + "-shm"
        self._opened: _Opened | None = None
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
        opened = self._opened
        if opened is None:
            opened = self._opened = _Opened.share(self.path)
            if opened is None:
                return None
        self._map = opened.mapping()
        return self._map

    def close(self) -> None:
        opened, self._opened, self._map = self._opened, None, None
        if opened is not None:
            opened.release()


class _Opened:
    """One `-shm` file's descriptor and header mapping in this process, shared by its stores (reference counted)."""

    _by_path: dict[str, _Opened] = {}
    _lock = threading.Lock()

    def __init__(self, key: str, fd: int) -> None:
        self.key, self.fd, self.refs = key, fd, 1
        self.map: mmap.mmap | None = None

    @classmethod
    def share(cls, path: str) -> _Opened | None:
        key = os.path.realpath(path)
        with cls._lock:
            opened = cls._by_path.get(key)
            if opened is not None:
                opened.refs += 1
                return opened
            try:
                fd = os.open(key, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
            except OSError:
                return None
            opened = cls._by_path[key] = cls(key, fd)
            return opened

    def mapping(self) -> mmap.mmap | None:
        with self._lock:
            if self.map is None and self.fd >= 0:
                try:
                    if os.fstat(self.fd).st_size >= HEADER_BYTES:
                        self.map = mmap.mmap(self.fd, HEADER_BYTES, flags=mmap.MAP_SHARED, prot=mmap.PROT_READ)
                except (OSError, ValueError):
                    return None
            return self.map

    def release(self) -> None:
        with self._lock:
            self.refs -= 1
            if self.refs > 0:
                return
            if self._by_path.get(self.key) is self:
                del self._by_path[self.key]
            if self.map is not None:
                self.map.close()
                self.map = None
            if self.fd >= 0:
                try:
                    os.close(self.fd)
                except OSError:
                    pass
                self.fd = -1
