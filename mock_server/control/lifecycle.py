"""Whole-state operations: reset, fixtures, snapshot/restore, seed. Shared by the HTTP API and `GraphMock`."""

from __future__ import annotations

from typing import Any

from mock_server import redaction
from mock_server.control.errors import ControlError, body_of
from mock_server.domain.review import PolicyError
from mock_server.domain.world import World
from mock_server.state import State
from mock_server.wire.limits import ascii_digits


def reset(state: State, body: Any = None) -> dict[str, Any]:
    """Back to the fixtures: everything (clock and ids too), or one ad account's objects and settings."""
    body = body_of(body, {"ad_account_id"})
    act = body.get("ad_account_id")
    if act is not None and (not isinstance(act, str) or not ascii_digits(act.removeprefix("act_"))):
        raise ControlError(f"ad_account_id must look like act_<digits>, got {act!r}")
    try:
        state.reset(act)
    except KeyError:
        raise ControlError(f"unknown ad account {act}", 404) from None
    return {"success": True, "scope": "ad_account" if act else "world", "ad_account_id": act,
            "world": state.world.summary()}


def get_fixtures(state: State, body: Any = None) -> dict[str, Any]:
    """The fixtures document; tokens and app secrets only with `?secrets=1`."""
    query = body_of(body, {"secrets"}, name="query")
    document = state.fixtures_document
    return document if _wants_secrets(query) else redaction.json_value(document)


def load_fixtures(state: State, document: Any) -> dict[str, Any]:
    """Make `document` (same shape as fixtures/demo.json) the fixtures, and reset to it."""
    if not isinstance(document, dict):
        raise ControlError("the fixtures document must be a JSON object (see fixtures/demo.json)")
    try:
        document = redaction.restore_secrets(document, state.fixtures_document)
    except ValueError as exc:
        raise ControlError(str(exc)) from None
    try:
        World.from_document(document)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ControlError(f"not a fixtures document: {_describe(exc)}") from None
    try:
        state.load_fixtures(document)
    except PolicyError as exc:
        raise ControlError(f"invalid review policy in the fixtures: {exc}") from None
    return {"success": True, "world": state.world.summary()}


def snapshot(state: State, body: Any = None) -> dict[str, Any]:
    """The whole state; its tokens and app secrets are `<redacted>` unless `?secrets=1` (a redacted snapshot
    still restores into a server that knows them)."""
    query = body_of(body, {"secrets"}, name="query")
    document = state.snapshot()
    if not _wants_secrets(query):
        document["world"] = redaction.json_value(document["world"])
        document["fixtures"] = redaction.json_value(document["fixtures"])
    return document


def restore(state: State, document: Any) -> dict[str, Any]:
    try:
        if isinstance(document, dict) and redaction.REDACTED in str(document.get("world")) + str(document.get("fixtures")):
            current = state.snapshot()
            document = {**document, "world": redaction.restore_secrets(document.get("world"), current["world"]),
                        "fixtures": redaction.restore_secrets(document.get("fixtures"), current["fixtures"])}
        state.restore(document)
    except ValueError as exc:
        raise ControlError(str(exc)) from None
    return {"success": True, "objects": len(document["store"]["objects"]), "clock": state.clock.state()}


def get_seed(state: State, body: Any = None) -> dict[str, Any]:
    body_of(body, set(), name="query")
    return {"seed": state.config.seed}


def set_seed(state: State, body: Any) -> dict[str, Any]:
    """`{"seed": N}` (or null for random ids) and, unless `"reset": false`, a reset so ids restart from the seed."""
    body = body_of(body, {"seed", "reset"})
    if "seed" not in body:
        raise ControlError("seed is required (an integer, or null for random ids)")
    seed, again = body["seed"], body.get("reset", True)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise ControlError(f"seed must be a non-negative integer or null, got {seed!r}")
    if not isinstance(again, bool):
        raise ControlError(f"reset must be true or false, got {again!r}")
    state.set_seed(seed)
    if again:
        state.reset()
    return {"success": True, "seed": seed, "reset": again}


def _wants_secrets(query: dict[str, Any]) -> bool:
    value = query.get("secrets", False)
    return value is True or str(value).strip().lower() in ("1", "true", "yes")


def _describe(exc: Exception) -> str:
    return f"missing key {exc}" if isinstance(exc, KeyError) else str(exc) or type(exc).__name__
