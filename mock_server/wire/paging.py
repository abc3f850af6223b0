"""Cursor paging: opaque keyset cursors and the `{data, paging, summary}` envelope.

Offset paging (`offset` + `limit`, G-PAGE) is served too: `next`/`previous`
carry the next/previous offset. Cursors encode an object id; a page holds objects strictly after (older than)
or before (newer than) it, so inserts and deletes between requests never shift
a page the way offsets would. `next`/`previous` are absolute URLs back to this
server carrying the original query and access_token (the Node SDK follows them
verbatim) but not appsecret_proof, as Graph does.
"""

from __future__ import annotations

import base64
import binascii
import itertools
from collections.abc import Iterator
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from mock_server.wire.errors import GraphError

DEFAULT_LIMIT = 25
_DROP_FROM_LINKS = frozenset({"after", "before", "appsecret_proof", "__paging_token"})
_DROP_FROM_OFFSET_LINKS = _DROP_FROM_LINKS | {"offset"}
MAX_OFFSET = 10**9


@lru_cache(maxsize=4096, typed=True)  # ids are ints; typed: an equal True or 1.0 never shares their text
def encode_cursor(object_id: int) -> str:
    """Standard base64 of the decimal id; its alphabet is URL-safe except '+', '/' and '=' ('+' and '/' cannot
    occur for digits). Kept per id: a client pages the same lists again and again."""
    return base64.b64encode(str(object_id).encode()).decode()


def decode_cursor(cursor: str, which: str) -> int:
    try:
        text = base64.b64decode(cursor.strip().encode() + b"=" * (-len(cursor.strip()) % 4), validate=True).decode()
        if text.isascii() and text.isdigit() and len(text) <= 20:
            return int(text)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise GraphError("cursor_invalid", field=which, which=which.capitalize(), which_lower=which)


def parse_limit(raw: Any, maximum: int) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if isinstance(raw, bool):
        raise GraphError("limit_invalid", field="limit", max=maximum)
    text = str(raw).strip().strip('"')
    if not (text.isascii() and text.isdigit()) or len(text) > 12:  # "²".isdigit() is True, int("²") raises
        raise GraphError("limit_invalid", field="limit", max=maximum)
    limit = int(text)
    if limit > maximum:
        raise GraphError("limit_too_large", field="limit", max=maximum)
    return limit


def parse_offset(raw: Any) -> int | None:
    """`offset` (G-PAGE: offset paging, with `limit`): None when absent; a non-negative integer, else (#100)."""
    if raw is None or raw == "":
        return None
    text = str(raw).strip().strip('"')
    if isinstance(raw, bool) or not (text.isascii() and text.isdigit()) or len(text) > 10:
        raise GraphError("offset_invalid", field="offset")
    return min(int(text), MAX_OFFSET)


def wants_summary(raw: Any) -> bool:
    """`summary=true`, `summary=total_count` or `.summary(true)` ask for `summary.total_count` (GRAPH-BEHAVIOUR 3.2)."""
    return raw is not None and str(raw).strip().strip('"').lower() not in ("", "false", "0")


def offset_window(records: Iterator[Any], offset: int, limit: int) -> tuple[list[Any], bool]:
    """The page `offset`..`offset + limit` of an edge's records in order, and whether more follow."""
    window = list(itertools.islice(records, offset, offset + limit + 1))
    return window[:limit], len(window) > limit


def offset_envelope(data: list[dict[str, Any]], ids: list[int], *, more: bool, offset: int, limit: int,
                    link_base: str, link_params: dict[str, str], total: int | None = None) -> dict[str, Any]:
    """A page read by offset: cursors as usual, `next`/`previous` carry the next/previous offset."""
    paging: dict[str, Any] = {}
    if ids:
        paging["cursors"] = {"before": encode_cursor(ids[0]), "after": encode_cursor(ids[-1])}
    params = {k: v for k, v in link_params.items() if k not in _DROP_FROM_OFFSET_LINKS}
    params["limit"] = str(limit)
    if offset > 0:
        paging["previous"] = f"{link_base}?{urlencode({**params, 'offset': str(max(0, offset - limit))})}"
    if more:
        paging["next"] = f"{link_base}?{urlencode({**params, 'offset': str(offset + limit)})}"
    return _list_body(data, paging, total)


def _list_body(data: list[dict[str, Any]], paging: dict[str, Any], total: int | None) -> dict[str, Any]:
    body: dict[str, Any] = {"data": data, "paging": paging}
    if total is not None:
        body["summary"] = {"total_count": total}
    return body


def envelope(data: list[dict[str, Any]], ids: list[int], *, more: bool, backwards: bool, had_cursor: bool,
             link_base: str, link_params: dict[str, str], limit: int, total: int | None = None) -> dict[str, Any]:
    """Build the list response. `more` says whether more objects exist in the direction of travel."""
    paging: dict[str, Any] = {}
    if ids:
        before, after = encode_cursor(ids[0]), encode_cursor(ids[-1])
        paging["cursors"] = {"before": before, "after": after}
        has_next = (not backwards and more) or (backwards and had_cursor)
        has_previous = (backwards and more) or (not backwards and had_cursor)
        if has_next or has_previous:
            query = _link_query(link_params, limit)  # once for both links; cursors are base64: only '=' is quoted
            if has_next:
                paging["next"] = f"{link_base}?{query}&after={after.replace('=', '%3D')}"
            if has_previous:
                paging["previous"] = f"{link_base}?{query}&before={before.replace('=', '%3D')}"
    return _list_body(data, paging, total)


def _link_query(link_params: dict[str, str], limit: int) -> str:
    """The links' query string but the cursor. A list read repeated from one kept parse passes the same link params
    dict (handlers/edge_pages.py `Call._paging`): its query is kept by that dict's identity (the entry holds the dict, so
    its id is not reused while kept; the dict is only read)."""
    kept = _LINK_QUERIES.get(id(link_params))
    if kept is not None and kept[0] is link_params and kept[1] == limit:
        return kept[2]  # type: ignore[no-any-return]
    params = {k: v for k, v in link_params.items() if k not in _DROP_FROM_LINKS}
    params["limit"] = str(limit)
    query = _query(params)
    if len(query) <= 2048:  # a long one is built each time: memory stays bounded
        if len(_LINK_QUERIES) >= 256:
            _LINK_QUERIES.clear()
        _LINK_QUERIES[id(link_params)] = (link_params, limit, query)
    return query


_LINK_QUERIES: dict[int, tuple[dict[str, str], int, str]] = {}


def _query(params: dict[str, str]) -> str:
    """The links' query string: a client pages one list with the same params over and over, so encodings are
    kept (urlencode quotes character by character in Python: ~5 us a page)."""
    try:
        return _encoded(tuple(params.items()))
    except TypeError:  # an unhashable value: encoded as it is
        return urlencode(params)


@lru_cache(maxsize=256)
def _encoded(pairs: tuple[tuple[str, str], ...]) -> str:
    return urlencode(pairs)
