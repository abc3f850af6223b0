"""Control operations for the access layer and the contract kit: faults, rate limits, journal, OpenAPI."""

from __future__ import annotations

from typing import Any

from mock_server import access, journal, openapi, shared_counts
from mock_server.control.errors import ControlError, body_of
from mock_server.state import State

FAULT_KEYS = ("method", "path", "ad_account_id", "times", "error", "status", "latency_ms", "close_connection",
              "job_failed")


def add_fault(state: State, body: Any) -> dict[str, Any]:
    """POST /faults: the next `times` requests matching method + path (+ account) fail as described."""
    spec = body_of(body, FAULT_KEYS)
    try:
        added = access.of(state).faults.add(**spec)
    except ValueError as exc:
        raise ControlError(str(exc)) from None
    state.shared.publish()  # the rule fires on every worker of this store (shared.py)
    return added


def list_faults(state: State, body: Any) -> dict[str, Any]:
    return {"data": access.of(state).faults.list()}


def clear_faults(state: State, body: Any) -> dict[str, Any]:
    cleared = access.of(state).faults.clear()
    state.shared.publish()
    return {"success": True, "cleared": cleared}


def clear_fault(state: State, fault_id: str, body: Any) -> dict[str, Any]:
    cleared = access.of(state).faults.clear(fault_id)
    if not cleared:
        raise ControlError(f"no fault {fault_id}", 404)
    state.shared.publish()
    return {"success": True, "cleared": cleared}


def rate_limits(state: State, body: Any) -> dict[str, Any]:
    """GET /rate_limits: scores per ad account, as of the virtual clock (every process's, when they are kept in
    the store: shared_counts.py)."""
    if state.shared.counts_in_store:
        return {"accounts": shared_counts.stored_scores(state)}
    return {"accounts": access.of(state).limiter.snapshot(state.now())}


def configure_rate_limits(state: State, body: Any) -> dict[str, Any]:
    """POST /rate_limits {"settings": "on"|"off"|{...}|null, "app_id"|"ad_account_id"}."""
    raw = body_of(body, ("settings", "app_id", "ad_account_id"))
    if "settings" not in raw:
        raise ControlError("settings is required (\"on\", \"off\", an object, or null to clear the override)")
    try:
        described = access.of(state).limiter.configure(raw["settings"], app_id=raw.get("app_id"),
                                                       ad_account_id=raw.get("ad_account_id"))
    except ValueError as exc:
        raise ControlError(str(exc)) from None
    state.shared.publish()  # the settings hold on every worker of this store (shared.py)
    return described


def read_journal(state: State, body: Any) -> dict[str, Any]:
    """GET /journal?path=&method=&verdict=&since=&limit=&violations= : recorded requests with their verdicts."""
    return journal.query(state, body_of(body, ("path", "method", "verdict", "since", "limit", "violations"), name="query"))


def clear_journal(state: State, body: Any) -> dict[str, Any]:
    journal.journal_of(state).clear()
    return {"success": True}


def openapi_document(state: State, body: Any) -> dict[str, Any]:
    """GET /openapi.json: the OpenAPI 3.1 document generated from schemas/."""
    return openapi.build(state.registry, versions=state.config.versions)
