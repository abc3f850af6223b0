"""Clock operations: read, freeze/unfreeze, set, advance. Shared by the HTTP API and `GraphMock`."""

from __future__ import annotations

from typing import Any

from mock_server.control.errors import ControlError, body_of, number
from mock_server.domain.clock import parse_instant
from mock_server.state import State


def get(state: State, body: Any = None) -> dict[str, Any]:
    body_of(body, set(), name="query")
    return state.clock.state()


def apply(state: State, body: Any) -> dict[str, Any]:
    """`{"freeze": bool, "at": instant, "advance": seconds}`, any combination, applied in that order.

    `at` is UNIX seconds or a Graph datetime string (2026-01-01T00:00:00+0000); `advance` may be negative.
    """
    body = body_of(body, {"freeze", "at", "advance"})
    if not body:
        raise ControlError("nothing to do: send freeze, at and/or advance")
    freeze = body.get("freeze")
    if freeze is not None and not isinstance(freeze, bool):
        raise ControlError(f"freeze must be true or false, got {freeze!r}")
    at = None
    if body.get("at") is not None:
        at = parse_instant(body["at"])
        if at is None:
            raise ControlError(f"at must be UNIX seconds or a datetime like 2026-01-01T00:00:00+0000, got {body['at']!r}")
    advance = number(body["advance"], "advance") if body.get("advance") is not None else None
    if freeze is True:
        state.clock.freeze()
    elif freeze is False:
        state.clock.unfreeze()
    if at is not None:
        state.clock.set(at)
    if advance is not None:
        state.clock.advance(advance)
    state.shared.publish()  # every worker on this store reads the same clock (shared.py)
    return state.clock.state()
