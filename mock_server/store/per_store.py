"""One memo object per store, for memos that must never be shared between stores.

Two servers in one process (fixtures on threads, the same seed and so the same ids) each have their own
store. A memo of store contents (the parents memo, the create plans) is kept per store object. It goes away with
its store. The last store asked is kept at hand: a create asks twice, ~0.2 us each through the
WeakKeyDictionary."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class PerStore(Generic[T]):
    """`per_store(store)`: the memo of that store (of the repository an ObservedRepository wraps), made by
    `factory` on first use."""

    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._held: weakref.WeakKeyDictionary[Any, T] = weakref.WeakKeyDictionary()
        self._last: tuple[weakref.ref[Any], T] | None = None

    def __call__(self, store: Any) -> T:
        repository = getattr(store, "inner", store)
        last = self._last
        if last is not None and last[0]() is repository:
            return last[1]
        memo = self._held.get(repository)
        if memo is None:
            memo = self._held[repository] = self._factory()
        self._last = (weakref.ref(repository), memo)
        return memo
