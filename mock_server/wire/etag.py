"""ETag and If-None-Match on reads (GRAPH-BEHAVIOUR 5, M-ASYNC).

A successful GET carries an `ETag`; a GET whose `If-None-Match` names the
current one is answered `304 Not Modified` with no body (the SDKs count an
empty 200/304 as success) and still counts toward rate limits, as on Graph.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson


def etag(content: bytes) -> str:
    """A strong validator for this exact body: the same answer always gets the same tag."""
    return '"' + hashlib.sha1(content, usedforsecurity=False).hexdigest() + '"'


def encoded(body: Any) -> tuple[bytes, str]:
    """A JSON answer as sent, and its tag."""
    content = orjson.dumps(body)
    return content, etag(content)


def not_modified(if_none_match: str | None, current: str) -> bool:
    """RFC 9110 13.1.2: `*`, or any listed tag; weak comparison, so a `W/` prefix does not matter."""
    if not if_none_match:
        return False
    for tag in if_none_match.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/") == current:
            return True
    return False
