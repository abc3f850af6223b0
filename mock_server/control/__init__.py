"""The control API under /__graphmock/ (reset, fixtures, snapshot/restore, clock, reviews, seed).

Operations live in `lifecycle`, `clock` and `reviews` (plain functions over a
`State`); `http` exposes them as JSON endpoints and `mock_server.GraphMock`
calls the same functions in-process. See docs/control-api.md.
"""

from __future__ import annotations

from typing import Any

from starlette.routing import BaseRoute

PREFIX = "/__graphmock"


def routes(state: Any) -> list[BaseRoute]:
    """Starlette routes mounted under PREFIX by mock_server.app."""
    from mock_server.control.http import build_routes

    return build_routes(state)
