"""Campaigns: build the stored object from validated params, apply updates, derive read-only fields."""

from __future__ import annotations

from typing import Any

from mock_server.domain.delivery import history
from mock_server.domain.rules.campaign import UPDATE_RULES, RuleContext, check, check_create
from mock_server.store.repository import Record

TYPE = "Campaign"
_NOT_STORED = frozenset({"execution_options", "adset_budgets", "adset_bid_amounts", "migrate_to_advantage_plus"})
# What a new campaign reads back when the create did not send it (graph-node-fields Campaign).
_READ_DEFAULTS: dict[str, Any] = {
    "pacing_type": ["standard"], "is_skadnetwork_attribution": False, "smart_promotion_type": "GUIDED_CREATION",
    "can_use_spend_cap": True, "can_create_brand_lift_study": False, "budget_rebalance_flag": False,
    "primary_attribution": "UNKNOWN", "has_secondary_skadnetwork_reporting": False,
}
_DEFAULT_ITEMS = tuple((name, value, isinstance(value, list)) for name, value in _READ_DEFAULTS.items())


def build(params: dict[str, Any], ctx: RuleContext, object_id: int, now: float) -> Record:
    """A new campaign record from decoded params (rules raise GraphError)."""
    check_create(params, ctx)  # check(CREATE_RULES, ...)
    table = ctx.table
    data: dict[str, Any] = {k: v for k, v in params.items() if k not in _NOT_STORED}
    if "status" not in data:  # a sent status is in `data` already, in its place
        data["status"] = table["default_status"]
    if "buying_type" not in data:
        data["buying_type"] = table["default_buying_type"]
    data["special_ad_categories"] = _categories(params.get("special_ad_categories", []))
    for name, value, is_list in _DEFAULT_ITEMS:
        if name not in data:
            data[name] = value.copy() if is_list else value
    if "spend_cap" in data:
        _normalise_spend_cap(data, table)
    created = data["created_time"] = data["updated_time"] = int(now)
    return Record(id=object_id, type=TYPE, account_id=ctx.account.account_id, status=data["status"], data=data,
                  created=created)


def update(record: Record, params: dict[str, Any], ctx: RuleContext, now: float) -> None:
    check(UPDATE_RULES, params, ctx)
    before = history.snapshot(record)
    for key, value in params.items():
        if key in _NOT_STORED:
            continue
        record.data[key] = _categories(value) if key == "special_ad_categories" else value
    _normalise_spend_cap(record.data, ctx.table)
    record.status = record.data.get("status", record.status)
    record.data["updated_time"] = int(now)
    history.note(record, before, now)  # delivery replays status and budget changes (domain/delivery)


def computed(record: Record) -> dict[str, Any]:
    """Fields Graph derives on read."""
    data = record.data
    categories = data.get("special_ad_categories") or []
    return {
        "configured_status": record.status,
        "effective_status": record.status,
        "budget_remaining": data.get("daily_budget") or data.get("lifetime_budget") or 0,
        "special_ad_category": categories[0] if categories else "NONE",
    }


def _categories(values: list[str]) -> list[str]:
    return [v for v in values if v != "NONE"]


def _normalise_spend_cap(data: dict[str, Any], table: dict[str, Any]) -> None:
    if data.get("spend_cap") == table["spend_cap"]["remove_value"]:
        data.pop("spend_cap")
