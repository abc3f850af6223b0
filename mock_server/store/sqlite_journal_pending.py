"""Each process's not-yet-numbered journal entries of a shared SQLite world, in a file of its own.

With `serve --workers`, numbering every entry in the shared table as it is answered makes the workers queue on
one write lock per request (and on a busy machine wait for whichever holder was preempted). Instead each process
appends the entry to its own pending file, `<db>.journal.sqlite3.pending.<pid>-<n>`, with one `write` before the
answer is sent: it is then readable by every process, and nothing is shared but the disk cache.

Entries get their global `seq` when they are moved into the shared table (store/sqlite_journal.py `_move`):
before any journal read, by whichever process reads, and by the writer itself every FLUSH_ENTRIES entries or
FLUSH_BYTES bytes (so the files stay small although nobody reads). A move takes every process's pending entries
at once, in the order of their stamps (`time.monotonic_ns()`, one clock for every process of the machine, taken
when the entry is written): a request answered before another was sent is numbered before it. A move takes only
the records stamped before its own start (its horizon): a record written while the move reads the files may be
missed in one file, but then every record stamped after it is left for the next move too, so the order holds.

A record is a header (stamp, time, length) and the entry's JSON; a reader takes only whole records, so an entry
still being written is moved by the next read (its answer is not sent yet). The owner holds a shared flock on its
file for its lifetime: a mover that can lock it exclusively knows the owner is gone, moves what is left and
deletes the file.
"""

from __future__ import annotations

import itertools
import os
import struct
import weakref

try:
    import fcntl
except ImportError:  # not POSIX: SQLiteRepository numbers each entry at once instead (sqlite_journal.py)
    fcntl = None  # type: ignore[assignment]

PENDING = ".pending."  # <db>.journal.sqlite3.pending.<pid>-<n>
FLUSH_ENTRIES = 256
FLUSH_BYTES = 256 * 1024
HEADER = struct.Struct("<QdI")  # stamp (monotonic ns), time (the world clock), length of the JSON
_NUMBER = itertools.count(1)


class PendingFile:
    """This process's pending file for one repository: appended to, truncated after its entries are moved."""

    def __init__(self, prefix: str) -> None:
        self.pid = os.getpid()
        self.path = f"{prefix}{PENDING}{self.pid}-{next(_NUMBER)}"
        self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        fcntl.flock(self.fd, fcntl.LOCK_SH)  # alive: released only when this process closes it or dies
        self.entries = 0
        self.bytes = 0
        weakref.finalize(self, os.close, self.fd)

    def append(self, stamp: int, time: float, entry: bytes) -> bool:
        """Write one record (visible to every process once this returns); True when a move is due."""
        view = memoryview(HEADER.pack(stamp, time, len(entry)) + entry)
        while view:
            view = view[os.write(self.fd, view):]
        self.entries += 1
        self.bytes += HEADER.size + len(entry)
        return self.entries >= FLUSH_ENTRIES or self.bytes >= FLUSH_BYTES

    def truncate(self) -> None:
        """Empty the file (its records were just moved, under the journal's lock)."""
        os.ftruncate(self.fd, 0)
        self.entries = self.bytes = 0


def read_records(path: str, offset: int, horizon: int | None) -> tuple[list[tuple[int, float, bytes]], int, bool]:
    """Whole records of `path` after byte `offset` stamped before `horizon`: (records, offset after the last one
    taken, the owner is gone and nothing is left). A missing file reads as empty and gone. No horizon for a file
    nobody writes any more (the caller's own, or a gone owner's): every whole record, whatever its stamp (one
    written before a reboot carries the old boot's clock)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return [], offset, True
    try:
        gone = _owner_gone(fd)
        horizon = None if gone else horizon
        size = os.fstat(fd).st_size
        data = os.pread(fd, size - offset, offset) if size > offset else b""
    finally:
        os.close(fd)
    records: list[tuple[int, float, bytes]] = []
    at = 0
    later = False  # a whole record stamped after the horizon is left for the next move
    while len(data) - at >= HEADER.size:
        stamp, time, length = HEADER.unpack_from(data, at)
        end = at + HEADER.size + length
        later = horizon is not None and stamp >= horizon
        if end > len(data) or later:  # still being written (or, the owner gone, never finished); or too late
            break
        records.append((stamp, time, data[at + HEADER.size:end]))
        at = end
    return records, offset + at, gone and not later


def _owner_gone(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    fcntl.flock(fd, fcntl.LOCK_UN)
    return True


def supported(path: str) -> bool:
    """Pending files for a file store on a POSIX system (`:memory:` numbers each entry at once)."""
    return fcntl is not None and path != ":memory:"


def remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass

