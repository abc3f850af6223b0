"""Bounded memos for judging: parts of a verdict that depend only on the request and on static tables.

A verdict is worked out from the request (method, path, params), the node type its path names, the ad
account's time zone (datetimes decode in it) and tables that never change while the server runs (the schemas
and the node types built from them). A repeated request (a dashboard polling a list, an SDK re-reading what
it wrote) is judged the same way every time, so its verdict is remembered under exactly those inputs. Only
requests whose params are all short strings are remembered (equal strings decode equally; `1 == True` would
not be safe), each memo is bounded, and it belongs to one registry and one node-type table.
"""

from __future__ import annotations

import weakref
from collections.abc import Hashable
from typing import Any

MAX_ENTRIES = 1024  # per memo; full -> emptied (requests vary without bound, memory may not)
MAX_PARAMS = 24
MAX_CHARS = 2048  # of a remembered request's params and path, or of a `fields` value


class Memos:
    """The memos of one registry and node-type table."""

    def __init__(self, node_types: Any) -> None:
        self.node_types = node_types
        self.fields: dict[Hashable, tuple[Any, ...]] = {}  # (node, edge, fields) -> unknown/unmodelled fields
        self.requests: dict[Hashable, tuple[Any, ...]] = {}  # request_key -> its verdict from the params
        self.parses: dict[int, tuple[Any, ...]] = {}  # id(params) -> (params, segments, method, node, world, verdict)


_HELD: weakref.WeakKeyDictionary[Any, Memos] = weakref.WeakKeyDictionary()


def of(state: Any) -> Memos:
    held = _HELD.get(state.registry)
    if held is None or held.node_types is not state.node_types:
        held = _HELD[state.registry] = Memos(state.node_types)
    return held


MAX_VIOLATIONS = 8  # a verdict with more is not remembered: 1024 of them could hold ~50 MB of messages


def remember(memo: dict[Hashable, tuple[Any, ...]], key: Hashable, value: list[Any]) -> None:
    if len(value) > MAX_VIOLATIONS:  # a fuzzer's `fields=a,b,c,...`: judged again if repeated, never kept
        return
    if len(memo) >= MAX_ENTRIES:
        memo.clear()
    memo[key] = tuple(value)


def same_parse(memos: Memos, request: Any, node: Any, world: Any) -> tuple[Any, ...] | None:
    """The verdict of an earlier request with this very parse: a bodiless GET repeated is a copy of one kept
    parse (wire/request.py), sharing its params and segments, so one identity check stands for building and
    hashing `request_key` (issue 18: ~3 us of a repeated read's journal line)."""
    held = memos.parses.get(id(request.params))
    if (held is not None and held[0] is request.params and held[1] is request.segments and held[2] == request.method
            and held[3] == node and held[4] is world):
        return held[5]  # type: ignore[no-any-return]
    return None


def remember_parse(memos: Memos, request: Any, node: Any, world: Any, verdict: list[Any]) -> None:
    """Keep `verdict` for later copies of this parse: bodiless requests whose key `request_key` would give."""
    if request.body_kind != "none" or len(verdict) > MAX_VIOLATIONS or request_key(request, node, None) is None:
        return
    if len(memos.parses) >= MAX_ENTRIES:
        memos.parses.clear()
    memos.parses[id(request.params)] = (request.params, request.segments, request.method, node, world, tuple(verdict))


def request_key(request: Any, node: str, zone: Any) -> Hashable | None:
    """What a request's verdict from its params depends on, or None when it is not to be remembered."""
    params = request.params
    if len(params) > MAX_PARAMS:
        return None
    size = len(request.path)
    for name, value in params.items():
        if type(value) is not str:
            return None
        size += len(name) + len(value)
    if size > MAX_CHARS:
        return None
    return request.method, tuple(request.segments), node, zone, tuple(params.items())
