"""A bounded memo of repeated wire input (request heads, header sets, query strings, form pieces, paths).

Clients send the same bytes again and again; each memo keeps what one of them decodes to, at most `size`
entries, and starts again empty when full (what a client repeats is back after one miss). Memory stays bounded
whatever arrives: callers keep only values of bounded size, and hand out values that are immutable or copies.
"""

from __future__ import annotations

from typing import Any


class Memo(dict):  # type: ignore[type-arg]
    """A dict (its `get` stays C-fast on the hot path) with `keep`, the one way entries are added."""

    __slots__ = ("size",)

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def keep(self, key: Any, value: Any) -> Any:
        """Remember `value` for `key` (emptied first when full); returns `value`."""
        if len(self) >= self.size:
            self.clear()
        self[key] = value
        return value
