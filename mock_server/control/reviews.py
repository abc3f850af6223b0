"""Review operations: list pending, approve / disapprove / jump one ad, review policy. Shared by HTTP and `GraphMock`."""

from __future__ import annotations

from typing import Any

from mock_server.control.errors import ControlError, body_of
from mock_server.domain import review
from mock_server.state import State
from mock_server.store.repository import ListQuery, Record
from mock_server.wire.limits import ascii_digits

ACTIONS = {"approve": review.APPROVED, "disapprove": review.DISAPPROVED}


def pending(state: State, body: Any = None) -> dict[str, Any]:
    """Ads whose review is still pending on the virtual clock (newest first); `ad_account_id` narrows it."""
    body = body_of(body, {"ad_account_id"}, name="query")
    act = body.get("ad_account_id")
    account_id = _account_id(state, act) if act else None
    now = state.now()
    query = ListQuery("Ad", account_id=account_id, statuses=("ACTIVE", "PAUSED"),  # deleted/archived ads drop out
                      predicate=lambda record: review.is_pending(record, now))
    return {"data": [review.describe(record, now) for record in state.store.iterate(query)], "now": now}


def get_one(state: State, ad_id: str, body: Any = None) -> dict[str, Any]:
    body_of(body, set(), name="query")
    return review.describe(_ad(state, ad_id), state.now())


def decide(state: State, ad_id: str, body: Any) -> dict[str, Any]:
    """`{"action": "approve"}`, `{"action": "disapprove", "reason": ..., "policy": ...}` or `{"state": "<forced state>"}`."""
    body = body_of(body, {"action", "state", "reason", "policy"})
    action, target = body.get("action"), body.get("state")
    if (action is None) == (target is None):
        raise ControlError("send exactly one of action (approve | disapprove) and state")
    if action is not None and action not in ACTIONS:
        raise ControlError(f"action must be approve or disapprove, got {action!r}")
    for key in ("reason", "policy"):
        if body.get(key) is not None and (not isinstance(body[key], str) or not body[key].strip()):
            raise ControlError(f"{key} must be a non-empty string")
    record = _ad(state, ad_id)
    now = state.now()
    try:
        with state.store.transaction():
            if action is not None:
                review.decide(record, now, ACTIONS[action], reason=body.get("reason"), policy_name=body.get("policy"))
            else:
                review.force(record, now, str(target), reason=body.get("reason"), policy_name=body.get("policy"))
            state.store.update(record)
    except review.PolicyError as exc:
        raise ControlError(str(exc)) from None
    return review.describe(record, now)


def get_policy(state: State, body: Any = None) -> dict[str, Any]:
    body = body_of(body, {"ad_account_id"}, name="query")
    act = body.get("ad_account_id")
    if act:
        _account_id(state, act)
    return {"ad_account_id": act, "policy": state.review_policy(act).as_dict(), "overrides": state.review_overrides}


def set_policy(state: State, body: Any) -> dict[str, Any]:
    """`{"policy": {mode, delay_seconds, outcome, banned_terms}, "ad_account_id": optional}`; policy null clears."""
    body = body_of(body, {"policy", "ad_account_id"})
    if "policy" not in body:
        raise ControlError("policy is required (an object, or null to clear the override)")
    act = body.get("ad_account_id")
    if act:
        _account_id(state, act)
    try:
        effective = state.set_review_policy(body["policy"], act)
    except review.PolicyError as exc:
        raise ControlError(str(exc)) from None
    return {"success": True, "ad_account_id": act, "policy": effective.as_dict()}


def _account_id(state: State, act: Any) -> str:
    text = str(act)
    text = text if text.startswith("act_") else f"act_{text}"
    if text not in state.world.ad_accounts:
        raise ControlError(f"unknown ad account {act}", 404)
    return text.removeprefix("act_")


def _ad(state: State, ad_id: str) -> Record:
    record = state.store.get(int(ad_id)) if ascii_digits(str(ad_id)) and len(str(ad_id)) <= 20 else None
    if record is None or record.type != "Ad":
        raise ControlError(f"no ad with id {ad_id}", 404)
    return record
