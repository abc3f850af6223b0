"""`<db>-redo` on disk: framed records from offset 0, appended through a shared memory mapping (docs/group-commit.md).

A record is length + CRC32 + body; the records end at the first zero length, a torn one or the end of the file.
A lone group-commit server appends one record per acknowledged request, before its answer. A `write(2)` per
record cost ~10 us of server CPU per create on a socket (a system call on this VM, and an ext4 append that
dirties the inode each time); here the file is extended once to a capacity and mapped `MAP_SHARED`, and a record
is copied into the mapping: the page cache holds it the moment the copy ends, so it survives a kill of the
process exactly as a written one does (and `--durable` still `fdatasync`s it, which writes back pages dirtied
through the mapping too). Eight zero bytes are written after each record before the record itself, so a kill
mid-copy leaves a torn record followed by nothing, and records left from before the last restart of the file
are never read after newer ones. Where mapping fails (a file system without shared mappings) records are
written with `pwrite` at the same offsets: one format either way, which every version since the redo log reads.
"""

from __future__ import annotations

import mmap
import os
import struct
import time
import zlib
from collections.abc import Iterator

try:
    import fcntl
except ImportError:  # not POSIX: no presence lock, so never alone (group commit stays off)
    fcntl = None  # type: ignore[assignment]

REDO_SUFFIX = "-redo"
_HEADER = struct.Struct("<II")  # body length, CRC32 of the body
_END = bytes(_HEADER.size)  # a zero length: no record follows
CAPACITY = 8 * 1024 * 1024  # the mapped file's first size (a group start empties it above 4 MB: sqlite_group.py)
# GRAPHMOCK_REDO_MAP=0: records written with pwrite, never mapped (a copy-on-write file system such as btrfs or ZFS
# may still fail a mapped page on a full disk with SIGBUS, where pwrite says ENOSPC)
MAPPED = os.environ.get("GRAPHMOCK_REDO_MAP", "1") != "0"
_datasync = getattr(os, "fdatasync", os.fsync)  # macOS has no fdatasync
_OFD_SETLK = getattr(fcntl, "F_OFD_SETLK", None) if fcntl is not None else None  # Linux: else never alone
_FLOCK = struct.Struct("hhqqi4x")  # struct flock: type, whence, start, len (0: the whole file), pid (0 for OFD)


def whole_records(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(end offset, body) of each whole record at the start of `data`, in order."""
    offset = 0
    while offset + _HEADER.size <= len(data):
        length, crc = _HEADER.unpack_from(data, offset)
        body = data[offset + _HEADER.size:offset + _HEADER.size + length]
        if not length or len(body) < length or zlib.crc32(body) != crc:
            return
        offset += _HEADER.size + length
        yield offset, body


def _ofd_lock(fd: int, kind: int) -> bool:
    """Take or convert this open file's lock on the whole file without waiting; False when another holds one
    that conflicts (the lock held before is then unchanged)."""
    try:
        fcntl.fcntl(fd, _OFD_SETLK, _FLOCK.pack(kind, os.SEEK_SET, 0, 0, 0))
        return True
    except (BlockingIOError, PermissionError):  # EAGAIN / EACCES: held elsewhere
        return False


class RedoFile:
    """`<db>-redo`. Written and emptied only while this process holds the database's write lock (the group
    transaction), so records never interleave with another process's. `size`: where this process's records end;
    `file_size`: the file's length as this process last left it (another length means another process)."""

    def __init__(self, path: str, *, durable: bool) -> None:
        self.path = path
        self.durable = durable
        existed = os.path.exists(path)
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        self.file_size = self.size = os.fstat(self.fd).st_size
        self._map: mmap.mmap | None = None
        if durable and not existed:  # the new name itself must survive a power loss
            directory = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)

    # -- presence: who else has this store open (an open-file-description lock on this file, released by the OS
    # when the file is closed or its process dies; unlike flock, converting it is atomic: a failed upgrade keeps
    # the shared lock, so no other store can slip in between) ----------------------------------------------
    def share(self, timeout: float = 10.0) -> bool:
        """Hold a shared lock while this store is open: a group-commit server then knows it is not alone and
        commits every request. At open only, this waits (briefly: a group commits within ~20 ms) while a group
        holds the file; downgrading from a group's exclusive lock never waits."""
        if _OFD_SETLK is None:
            return False
        deadline = time.monotonic() + timeout
        while True:
            if _ofd_lock(self.fd, fcntl.F_RDLCK):
                return True
            if time.monotonic() > deadline:
                return False  # a group that never commits (a stopped loop): go on without the lock
            time.sleep(0.002)

    def exclusive(self) -> bool:
        """Whether no other process (or store) has this file open: then this one may hold a group. On failure
        the shared lock stays as it was (the conversion is atomic)."""
        return _OFD_SETLK is not None and _ofd_lock(self.fd, fcntl.F_WRLCK)

    # -- records --------------------------------------------------------------------------
    def append(self, record: bytes) -> None:
        """One record after the others (and an fdatasync when durable): a killed process leaves it whole or
        torn, never interleaved; the OS keeps it across a process kill once copied."""
        start = self.size
        end = start + len(record)
        mapped = self._map
        if mapped is None or end + _HEADER.size > len(mapped):
            mapped = self._mapped(end + _HEADER.size)
        try:
            if mapped is not None:
                mapped[end:end + _HEADER.size] = _END  # first: a kill mid-copy leaves nothing after the torn part
                mapped[start:end] = record
            else:
                _pwrite_all(self.fd, record + _END, start)
                self.file_size = max(self.file_size, end + _HEADER.size)
            if self.durable:
                _datasync(self.fd)
        except BaseException:
            self._end_at(start)  # no torn record in the middle: later ones must stay readable
            raise
        self.size = end

    def read(self) -> bytes:
        """The whole records in the file; where this process's next one goes from now on. Read with pread,
        never from the mapping: unless this process holds the group, another one may have emptied the file,
        and touching a mapping beyond the end of its file kills the process (SIGBUS)."""
        size = os.fstat(self.fd).st_size
        if self._map is not None and size == self.file_size:  # this process's own records, nobody else's since
            return os.pread(self.fd, self.size, 0)
        self._unmap()
        self.file_size = size
        data = os.pread(self.fd, size, 0) if size else b""
        self.size = 0
        for self.size, _body in whole_records(data):
            pass
        return data[:self.size]

    def emptied(self) -> None:
        """The file was found empty (another process emptied it, perhaps): nothing of this process's is in it,
        and a mapping of it is dropped before anything could touch it beyond its end."""
        self._unmap()
        self.size = self.file_size = 0

    def changed_elsewhere(self) -> bool:
        """Another process appended to or emptied the file since this one last wrote it (its mapping, now
        perhaps beyond the end of a shorter file, is dropped before anything could touch it)."""
        if os.fstat(self.fd).st_size == self.file_size:
            return False
        self._unmap()
        return True

    def restart(self) -> None:
        """The next record goes first (every record in the file is committed): a mapped file keeps its pages."""
        if self._map is None:
            self.truncate()
            return
        self._map[:_HEADER.size] = _END
        if self.durable:
            _datasync(self.fd)
        self.size = 0

    def truncate(self) -> None:
        """Empty the file (at an open's replay, at close)."""
        self._unmap()
        os.ftruncate(self.fd, 0)
        if self.durable:
            os.fsync(self.fd)
        self.file_size = self.size = 0

    def close(self) -> None:
        self._unmap()
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    # -- the mapping ----------------------------------------------------------------------
    def _mapped(self, need: int) -> mmap.mmap | None:
        """The file extended to hold `need` bytes (twice the capacity, at least) and mapped; None where it
        cannot be mapped (records are then written with pwrite)."""
        if not MAPPED:
            return None
        start = os.fstat(self.fd).st_size
        capacity = max(CAPACITY, need, 2 * len(self._map) if self._map is not None else 0, start)
        capacity = -(-capacity // mmap.PAGESIZE) * mmap.PAGESIZE
        try:
            os.ftruncate(self.fd, capacity)  # beyond the records: zeros, the end mark
            # every block of the file allocated now (holes included): a copy into a page with no block behind it
            # on a full disk would kill the process (SIGBUS) where a write(2) returns ENOSPC; here ENOSPC falls
            # back to pwrite
            _allocate(self.fd, self.size, capacity)
            mapped = mmap.mmap(self.fd, capacity)
        except (OSError, ValueError):
            if os.fstat(self.fd).st_size != start:
                os.ftruncate(self.fd, start)
            self.file_size = start
            self._unmap()
            return None
        self._unmap()
        self._map, self.file_size = mapped, capacity
        return mapped

    def _unmap(self) -> None:
        if self._map is not None:
            self._map.close()
            self._map = None

    def _end_at(self, offset: int) -> None:
        """Take back a failed append: the records end at `offset` again."""
        if self._map is not None:
            self._map[offset:offset + _HEADER.size] = _END
        else:
            os.ftruncate(self.fd, offset)
            self.file_size = offset


def _allocate(fd: int, records_end: int, end: int) -> None:
    """Blocks for the whole file up to `end` (raises OSError when the disk is full); where the call is missing
    (macOS), the bytes after the records are written with zeros instead."""
    allocate = getattr(os, "posix_fallocate", None)
    if allocate is not None:
        allocate(fd, 0, end)
        return
    start = records_end
    zeros = bytes(1 << 20)
    for offset in range(start, end, len(zeros)):
        _pwrite_all(fd, zeros[:end - offset], offset)


def _pwrite_all(fd: int, data: bytes, offset: int) -> None:
    written = os.pwrite(fd, data, offset)
    while written < len(data):  # a short write (a full disk, a signal): finish it, or raise
        written += os.pwrite(fd, data[written:], offset + written)
