"""The repository interface every handler uses; no handler sees SQL.

A `Record` is one Graph object (campaign, ad set, ad, creative, image, ...):
indexed columns for the relations and status the list edges filter on, plus
`data`, the object's fields in internal form (money and times as integers).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import AbstractContextManager
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass
class Record:
    id: int
    type: str
    account_id: str
    status: str
    data: dict[str, Any]
    campaign_id: int | None = None
    adset_id: int | None = None
    key: str | None = None
    created: int = 0


@dataclass(frozen=True)
class ListQuery:
    """Which objects a list edge covers. Results are ordered newest first (id descending)."""

    type: str
    account_id: str | None = None
    campaign_id: int | None = None
    adset_id: int | None = None
    statuses: Collection[str] | None = None
    key: str | None = None
    predicate: Callable[[Record], bool] | None = field(default=None, compare=False)
    # Set when `predicate(record)` is `status_test(record.status)` for every record in scope (an ad set's derived
    # effective_status under one campaign): a backend may keep the statuses that pass instead of running the
    # predicate per record (SQLite's pages do); one that ignores it runs the predicate, the same answer.
    status_test: Callable[[str], bool] | None = field(default=None, compare=False)


class Repository(Protocol):
    def get(self, object_id: int) -> Record | None: ...
    def get_many(self, ids: Collection[int]) -> dict[int, Record]: ...
    def find_by_key(self, type: str, account_id: str, key: str) -> Record | None: ...
    def transaction(self) -> AbstractContextManager[None]: ...
    def next_id(self) -> int: ...
    def insert(self, record: Record) -> None: ...
    def update(self, record: Record) -> None: ...
    def page(self, query: ListQuery, *, after: int | None, before: int | None, limit: int) -> tuple[list[Record], bool]: ...
    def count(self, query: ListQuery) -> int: ...
    def version(self) -> tuple[int, int]: ...
    def external_version(self) -> Any: ...  # other processes' commits only (shared.py)
    def pinned(self, at: Any = None) -> AbstractContextManager[None]: ...
    def iterate(self, query: ListQuery) -> Iterator[Record]: ...
    def get_meta(self, key: str) -> Any: ...
    def set_meta(self, key: str, value: Any) -> None: ...
    def increment_meta(self, key: str) -> int: ...
    def next_in_sequence(self, key: str, type: str, base: int) -> int: ...  # activity ids (domain/activities.py)
    def meta_items(self, prefix: str) -> dict[str, Any]: ...
    def journal_append(self, entry: bytes, time: float, keep: int, max_bytes: int) -> int: ...  # journal_store.py
    def journal_read(self, since: int, keep: int | None = None,
                     max_bytes: int | None = None) -> list[tuple[int, float, bytes]]: ...
    def journal_state(self, keep: int | None = None, max_bytes: int | None = None) -> tuple[int, int]: ...
    def journal_clear(self) -> None: ...
    def object_count(self) -> int: ...
    def dump(self) -> dict[str, Any]: ...
    def load(self, snapshot: dict[str, Any]) -> None: ...
    def clear(self) -> None: ...
    def delete_account(self, account_id: str) -> None: ...
    def close(self) -> None: ...


def iterate_pages(store: Repository, query: ListQuery, chunk: int) -> Iterator[Record]:
    """Every record `query` matches, newest first, read `chunk` at a time through `store.page` (the predicate,
    which SQL cannot see, is applied here): the one `iterate` of every backend."""
    after: int | None = None
    plain = ListQuery(query.type, query.account_id, query.campaign_id, query.adset_id, query.statuses, query.key)
    while True:
        records, more = store.page(plain, after=after, before=None, limit=chunk)
        for record in records:
            if query.predicate is None or query.predicate(record):
                yield record
        if not more or not records:
            return
        after = records[-1].id


def take_page(records: Iterable[Record], predicate: Callable[[Record], bool] | None, limit: int,
              ascending: bool) -> tuple[list[Record], bool]:
    """One page from records read in key order (limit + 1 of them when there is no predicate): the ones the
    predicate keeps, at most `limit`, newest first, and whether more follow. Shared by every backend's page()."""
    found: list[Record] = []
    for record in records:
        if predicate is None or predicate(record):
            found.append(record)
            if len(found) > limit:
                break
    more = len(found) > limit
    found = found[:limit]
    if ascending:
        found.reverse()
    return found, more


class VersionPin:
    """`with store.pinned():` other processes' commits are looked up once, at entry, and `version()` answers that
    plus this process's own write counter until exit. For one request that runs many reads (a batch of 50
    operations, each consulting the read cache): a commit elsewhere during it could as well have come just after
    it, and every write of its own still moves the version. Nested use joins the outer pin.
    `at`: the external part of a version() this store returned just before (the read cache's lookup): no new look.
    The pin is a context variable, so it holds for this task only: another request served while a batch awaits
    never sees it."""

    __slots__ = ("owner", "external", "at", "token")

    def __init__(self, owner: Any, external: Callable[[], Any], at: Any = None) -> None:
        self.owner = owner
        self.external = external
        self.at = at
        self.token: Token[tuple[Any, Any] | None] | None = None

    def __enter__(self) -> None:
        current = _PIN.get()
        if current is None or current[0] is not self.owner:
            self.token = _PIN.set((self.owner, self.at if self.at is not None else self.external()))

    def __exit__(self, *exc: Any) -> bool:
        if self.token is not None:
            _PIN.reset(self.token)
        return False


def pinned_value(owner: Any) -> Any:
    """The external version `owner` (a store) is pinned at in this task, or None."""
    current = _PIN.get()
    return current[1] if current is not None and current[0] is owner else None


_PIN: ContextVar[tuple[Any, Any] | None] = ContextVar("graphmock_store_pin", default=None)
