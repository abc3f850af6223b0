"""A Repository that tells observers about inserts and updates (the activity log listens here), so every write
path (handlers, batch, copies, control API) is seen without each handler reporting its own changes."""

from __future__ import annotations

from typing import Any, Protocol

from mock_server.store.repository import Record, Repository


class Observer(Protocol):
    def before_write(self, store: Repository, record: Record) -> None: ...
    def inserted(self, store: Repository, record: Record) -> None: ...
    def updated(self, store: Repository, before: Record | None, after: Record) -> None: ...


class ObservedRepository:
    """Delegates everything to `inner`; `insert` and `update` of a watched type also call the observers, before
    (may complete or refuse the record) and after the write, in the same transaction."""

    def __init__(self, inner: Any, observers: list[Observer], watched: frozenset[str]) -> None:
        self.inner = inner
        self.observers = observers
        self.watched = watched

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    # Every write asks these: plain delegates, not a failed attribute lookup and then __getattr__ (~1.5 us each).
    def transaction(self) -> Any:
        return self.inner.transaction()

    def next_id(self) -> int:
        return self.inner.next_id()

    def get(self, object_id: int) -> Record | None:
        return self.inner.get(object_id)

    def count(self, query: Any) -> int:
        return self.inner.count(query)

    # Every read asks these (a GET's version pin, a list's page): plain delegates too (~0.9 us each otherwise).
    def pinned(self, at: Any = None) -> Any:
        return self.inner.pinned(at)

    def page(self, query: Any, *, after: int | None, before: int | None, limit: int) -> Any:
        return self.inner.page(query, after=after, before=before, limit=limit)

    def insert(self, record: Record) -> None:
        if record.type in self.watched:
            for observer in self.observers:
                observer.before_write(self.inner, record)
        self.inner.insert(record)
        if record.type in self.watched:
            for observer in self.observers:
                observer.inserted(self.inner, record)

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
