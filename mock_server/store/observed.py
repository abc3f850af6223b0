"""A Repository that tells observers about inserts and updates (the activity log listens here), so every write
path (handlers, batch, copies, control API) is seen without each handler reporting its own changes."""

from __future__ import annotations

from typing import Any, Protocol

from mock_server.store.repository import Record, Repository


class Observer(Protocol):
    def before_write(self, store: Repository, record: Record) -> None: ...
    def before_insert(self, store: Repository, record: Record) -> None: ...
    def inserted(self, store: Repository, record: Record) -> None: ...
    def updated(self, store: Repository, before: Record | None, after: Record) -> None: ...


class ObservedRepository:
    """Delegates everything to `inner`; `insert` and `update` of a watched type also call the observers, before
    (may complete or refuse the record; `before_insert` only for an insert) and after the write, in the same
    transaction."""

    def __init__(self, inner: Any, observers: list[Observer], watched: frozenset[str]) -> None:
        self.inner = inner
        self.observers = observers
        self.watched = watched
        for name in _HOT:  # asked on every request: a found attribute, not a failed lookup and then __getattr__
            method = getattr(inner, name, None)
            if method is not None:
                setattr(self, name, method)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def insert(self, record: Record) -> None:
        inner = self.inner
        if record.type not in self.watched:
            inner.insert(record)
            return
        for observer in self.observers:
            observer.before_write(inner, record)
        for observer in self.observers:
            observer.before_insert(inner, record)
        inner.insert(record)
        for observer in self.observers:
            observer.inserted(inner, record)

    def update(self, record: Record) -> None:
        before = None
        if record.type in self.watched:
            for observer in self.observers:
                observer.before_write(self.inner, record)
            before = self.inner.get(record.id)
        self.inner.update(record)
        if before is not None:
            for observer in self.observers:
                observer.updated(self.inner, before, record)


# What every request asks (a write: transaction, next_id, get, count; Shared.sync, the read cache, GETs, lists),
# bound to the inner store once.
_HOT = ("transaction", "next_id", "get", "count", "external_version", "version", "pinned", "page", "page_values",
        "iterate", "get_many", "get_meta", "find_by_key", "run_deferred")
