"""Which inserts a group-commit store may run after the answer is sent (docs/group-commit.md, "Deferred inserts").

A request in a group (store/sqlite_group.py) is acknowledged by its redo record, which holds its statements; the
INSERTs themselves need only have run by the time anything reads or writes through the connection. So the store
keeps them (`RecordingConnection.defer`) and runs them right after the answer is written (app.py: a direct
call's `after`), while the client reads its answer, or else before the next statement on the connection, or at
the group's COMMIT, whichever comes first: no reader, in this process or another, can tell.

An insert run late must not fail where it would have failed at once, since its request is acknowledged by then:
only one whose every value SQLite binds as it is and whose id is above every id of its table (kept by the group,
which holds the write lock, so no other writer) is deferred. A row with a lookup key, a value of another type,
an integer beyond 64 bits or a non-ASCII text runs at once as before. What is left is an I/O error, handled as
a failed COMMIT is: the group rolls back and the next request catches up from the redo file.
"""

from __future__ import annotations

from typing import Any

_INT64 = 2**63


def deferrable(record_id: Any, kept_max: Any, params: tuple[Any, ...]) -> bool:
    """Whether an INSERT of `params` (id first) into a table whose largest id is `kept_max` cannot fail."""
    if kept_max is None or type(record_id) is not int or not kept_max < record_id < _INT64:
        return False
    for value in params:
        kind = type(value)
        if kind is str:
            if not value.isascii():
                return False
        elif kind is int:
            if not -_INT64 <= value < _INT64:
                return False
        elif kind is float:
            if value != value:  # NaN: SQLite binds it as NULL
                return False
        elif kind is not bytearray:
            return False
    return True
