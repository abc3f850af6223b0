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

Authentication, permissions, rate limits, version upgrades, faults and the
journal still run on every call; what is skipped is the handler's work
(validate params, query, render) and resolving the path's id, whose node is
kept with the answer, and encoding the answer: its JSON and ETag are kept too
(`encoded`). Answers are bounded in number and JSON size.
`graphmock serve --no-read-cache` (`ServerConfig(read_cache=False)`) turns it off.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from mock_server.domain import clock
from mock_server.wire.etag import encoded
from mock_server.wire.request import GraphRequest

MAX_ENTRIES = 512
MAX_ENTRY_BYTES = 256 * 1024  # a 5000-item page is rendered each time rather than kept
MAX_TOTAL_BYTES = 32 * 1024 * 1024

Handler = Callable[[], tuple[int, Any]]


@dataclass
class Entry:
    """A kept answer and the node its path resolved to (access checks and rate limits need the node)."""

    version: Any
    world: Any
    node: Any
    answer: tuple[int, Any]
    content: bytes = b""  # the answer as JSON, as sent
    etag: str = ""


@dataclass
class Lookup:
    """One GET's consultation: its key, the store version and world it saw, and the kept entry if valid."""

    key: Hashable
    version: Any
    world: Any
    entry: Entry | None


class ReadCache:
    def __init__(self, enabled: bool = True, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_TOTAL_BYTES) -> None:
        self.enabled = enabled
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0
        self._entries: dict[Hashable, Entry] = {}
        self._by_body: dict[int, Entry] = {}  # id() of each kept body: the entry keeps that object alive
        self._bytes = 0  # JSON size of the kept answers: bounds memory whatever the pages' sizes

    def consult(self, store: Any, world: Any, request: GraphRequest) -> Lookup | None:
        """None when the request cannot be keyed (cache off, uploads, JSON values); else the lookup."""
        key = _key(request) if self.enabled else None
        if key is None:
            return None
        version = store.version()
        entry = self._entries.get(key)
        if entry is not None and entry.version == version and entry.world is world:
            self.hits += 1
            return Lookup(key, version, world, entry)
        self.misses += 1
        return Lookup(key, version, world, None)

    def answer(self, lookup: Lookup, store: Any, node: Any, handler: Handler) -> tuple[int, Any]:
        """Run the handler; keep a successful answer if it neither read the clock nor changed the store."""
        reads = clock.reads()
        with store.pinned(lookup.version):  # the version consult just read: only this handler's writes move it
            status, body = handler()
            unchanged = store.version() == lookup.version
        if status == 200 and clock.reads() == reads and unchanged:
            content, tag = encoded(body)
            if len(content) <= MAX_ENTRY_BYTES:
                replaced = self._entries.pop(lookup.key, None)
                if replaced is not None:
                    self._bytes -= len(replaced.content)
                    self._by_body.pop(id(replaced.answer[1]), None)
                if len(self._entries) >= self.max_entries or self._bytes + len(content) > self.max_bytes:
                    self.clear()
                entry = Entry(lookup.version, lookup.world, node, (status, body), content, tag)
                self._entries[lookup.key] = self._by_body[id(body)] = entry
                self._bytes += len(content)
        return status, body

    def encoded(self, body: Any) -> tuple[bytes, str] | None:
        """The JSON and ETag of a kept answer's body (this very object), or None for any other body."""
        entry = self._by_body.get(id(body))
        if entry is None or entry.answer[1] is not body:
            return None
        return entry.content, entry.etag

    def clear(self) -> None:
        self._entries.clear()
        self._by_body.clear()
        self._bytes = 0


def _key(request: GraphRequest) -> Hashable | None:
    """What a GET answer can depend on from the request itself; None when it cannot be keyed."""
    if request.files:
        return None
    try:
        params = tuple(request.params.items())
        hash(params)
    except TypeError:  # a JSON body's list or object value: rare on a GET, not worth keying
        return None
    return request.version, request.path, params, request.access_token, request.base_url
