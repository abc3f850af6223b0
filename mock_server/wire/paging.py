"""Cursor paging: opaque keyset cursors and the `{data, paging, summary}` envelope.

Cursors encode an object id; a page holds objects strictly after (older than)
or before (newer than) it, so inserts and deletes between requests never shift
a page the way offsets would. `next`/`previous` are absolute URLs back to this
server carrying the original query and access_token (the Node SDK follows them
verbatim) but not appsecret_proof, as Graph does.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import urlencode

from mock_server.wire.errors import GraphError

DEFAULT_LIMIT = 25
_DROP_FROM_LINKS = frozenset({"after", "before", "appsecret_proof", "__paging_token"})


def encode_cursor(object_id: int) -> str:
    """Standard base64 of the decimal id; its alphabet is URL-safe except '+', '/' and '=' ('+' and '/' cannot
    occur for digits)."""
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


def envelope(data: list[dict[str, Any]], ids: list[int], *, more: bool, backwards: bool, had_cursor: bool,
             link_base: str, link_params: dict[str, str], limit: int, total: int | None = None) -> dict[str, Any]:
    """Build the list response. `more` says whether more objects exist in the direction of travel."""
    body: dict[str, Any] = {"data": data}
    paging: dict[str, Any] = {}
    if ids:
        before, after = encode_cursor(ids[0]), encode_cursor(ids[-1])
        paging["cursors"] = {"before": before, "after": after}
        has_next = (not backwards and more) or (backwards and had_cursor)
        has_previous = (backwards and more) or (not backwards and had_cursor)
        if has_next or has_previous:
            params = {k: v for k, v in link_params.items() if k not in _DROP_FROM_LINKS}
            params["limit"] = str(limit)
            query = urlencode(params)  # once for both links; cursors are base64, so only '=' needs quoting
            if has_next:
                paging["next"] = f"{link_base}?{query}&after={after.replace('=', '%3D')}"
            if has_previous:
                paging["previous"] = f"{link_base}?{query}&before={before.replace('=', '%3D')}"
    body["paging"] = paging
    if total is not None:
        body["summary"] = {"total_count": total}
    return body
