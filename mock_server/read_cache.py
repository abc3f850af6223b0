"""Answers of GET handlers, reused while nothing they depend on can have changed.

A dashboard polling one list, or the SDKs re-reading an object after each
step, asks the same question many times between writes; rendering it again
costs most of a read. An answer is reused only when all of these still hold:

- the store has not changed (`Repository.version()`: every write here, and any
  commit by another process on the same file, moves it);
- the world (accounts, tokens, permissions) is the same object: it is only ever
  replaced, never edited in place;
- the handler did not read the clock: time-derived answers (ad review states,
  `is_completed`, `time_range`) are never reused, so the virtual clock and real
  time are always honoured;
- the request is the same: version, path, params in order (the paging links
  echo them), token, and the base URL the links point at.

Access checks, rate limits, faults and the journal run before and after the
handler as usual: only the handler's work (validate params, query, render) is
skipped. `graphmock serve --no-read-cache` turns it off.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from mock_server.domain import clock
from mock_server.wire.request import GraphRequest

MAX_ENTRIES = 512

Handler = Callable[[], tuple[int, Any]]


class ReadCache:
    def __init__(self, enabled: bool = True, max_entries: int = MAX_ENTRIES) -> None:
        self.enabled = enabled
        self.max_entries = max_entries
        self.hits = 0
        self.misses = 0
        self._entries: dict[Hashable, tuple[Any, Any, tuple[int, Any]]] = {}  # key -> (version, world, answer)

    def answer(self, store: Any, world: Any, request: GraphRequest, handler: Handler) -> tuple[int, Any]:
        """The handler's answer to `request`, reused when still valid; a fresh one is kept when reusable."""
        key = _key(request) if self.enabled else None
        if key is None:
            return handler()
        version = store.version()
        entry = self._entries.get(key)
        if entry is not None and entry[0] == version and entry[1] is world:
            self.hits += 1
            return entry[2]
        self.misses += 1
        reads = clock.reads()
        status, body = handler()
        if status == 200 and clock.reads() == reads and store.version() == version:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = (version, world, (status, body))
        return status, body

    def clear(self) -> None:
        self._entries.clear()


def _key(request: GraphRequest) -> Hashable | None:
    """What a GET answer can depend on from the request itself; None when it cannot be keyed."""
    if request.files:
        return None
    try:
        params = tuple(request.params.items())
        hash(params)
    except TypeError:  # a JSON body's list or object value: rare on a GET, not worth keying
        return None
    return (request.version, request.path, params, request.access_token, request.base_url)
