"""Insights steering: delivery profiles per object and injected async job failures (docs/insights.md).
Both live in the store's meta, so they survive a restart, travel in snapshots and are cleared by reset."""

from __future__ import annotations

from typing import Any

from mock_server.control.errors import ControlError, body_of
from mock_server.domain.delivery import profiles
from mock_server.domain.insights import jobs
from mock_server.state import State
from mock_server.wire.limits import ascii_digits

FAILURES_KEY = "insights_job_failures"


def get_profiles(state: State, body: Any = None) -> dict[str, Any]:
    body_of(body, set(), name="query")
    return {"profiles": state.store.get_meta(profiles.META_KEY) or {}}


def set_profile(state: State, object_id: str, body: Any) -> dict[str, Any]:
    """`POST /__graphmock/insights/profiles/<id>` with a profile object; `{}` or null clears it."""
    key = _object_key(state, object_id)
    try:
        profile = profiles.check(body or {})
    except ValueError as exc:
        raise ControlError(str(exc)) from None
    document = dict(state.store.get_meta(profiles.META_KEY) or {})
    if profile:
        document[key] = profile
    else:
        document.pop(key, None)
    with state.store.transaction():
        state.store.set_meta(profiles.META_KEY, document)
    return {"id": key, "profile": profile}


def clear_profiles(state: State, body: Any = None) -> dict[str, Any]:
    with state.store.transaction():
        state.store.set_meta(profiles.META_KEY, {})
    return {"success": True}


def get_failures(state: State, body: Any = None) -> dict[str, Any]:
    return {"failures": state.store.get_meta(FAILURES_KEY) or []}


def fail_jobs(state: State, body: Any) -> dict[str, Any]:
    """The next `times` async jobs (of `ad_account_id`, or any) fail at `at_percent` with 'Job Failed'."""
    body = body_of(body, {"times", "ad_account_id", "at_percent", "error_code", "error_subcode", "error_message"})
    times = body.get("times", 1)
    at = body.get("at_percent", 0)
    if isinstance(times, bool) or not isinstance(times, int) or times < 1:
        raise ControlError("times must be a positive integer")
    if isinstance(at, bool) or not isinstance(at, int) or not 0 <= at <= 100:
        raise ControlError("at_percent must be an integer between 0 and 100")
    entry = {**jobs.default_failure({}, at), "times": times}
    for key in ("error_code", "error_subcode", "error_message"):
        if key in body:
            entry[key] = body[key]
    if body.get("ad_account_id"):
        act = str(body["ad_account_id"])
        entry["ad_account_id"] = act if act.startswith("act_") else f"act_{act}"
    queue = list(state.store.get_meta(FAILURES_KEY) or []) + [entry]
    with state.store.transaction():
        state.store.set_meta(FAILURES_KEY, queue)
    return {"failures": queue}


def clear_failures(state: State, body: Any = None) -> dict[str, Any]:
    with state.store.transaction():
        state.store.set_meta(FAILURES_KEY, [])
    return {"success": True}


def _object_key(state: State, object_id: str) -> str:
    text = str(object_id)
    if text.startswith("act_"):
        if text not in state.world.ad_accounts:
            raise ControlError(f"unknown ad account {text}", 404)
        return text
    if not ascii_digits(text) or state.store.get(int(text)) is None:
        raise ControlError(f"unknown object {text}", 404)
    record = state.store.get(int(text))
    if record is None or record.type not in ("Campaign", "AdSet", "Ad"):
        raise ControlError(f"{text} is not a campaign, ad set or ad", 400)
    return text
