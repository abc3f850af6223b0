"""The base URL of the request being served (`http://127.0.0.1:8787`), for URLs built below the wire layer.

dispatch sets it for every Graph call (batch operations included); a creative's thumbnail_url, computed deep in
the domain, then points back at the graphmock the client called (issue 14 point 4). GET answers are cached
per base URL (read_cache keys include it), so a cached URL never names another host.
"""

from __future__ import annotations

from contextvars import ContextVar

_BASE_URL: ContextVar[str] = ContextVar("graphmock_base_url", default="http://127.0.0.1:8787")


def use(base_url: str) -> None:
    _BASE_URL.set(base_url)


def current() -> str:
    return _BASE_URL.get()
