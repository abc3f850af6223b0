"""The control API under /__graphmock/ (reset, fixtures, snapshot/restore, clock, reviews, seed)."""

from __future__ import annotations

from typing import Any

from starlette.routing import BaseRoute

PREFIX = "/__graphmock"


def routes(state: Any) -> list[BaseRoute]:
    """Starlette routes mounted under PREFIX; filled in by the lifecycle issue."""
    return []
