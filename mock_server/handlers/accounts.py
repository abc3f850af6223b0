"""GET /act_<AD_ACCOUNT_ID>: the ad account node, from the fixture world."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mock_server.domain import account_time, discovery, money, timefmt
from mock_server.domain.world import AdAccount
from mock_server.handlers.call import Call
from mock_server.wire.fields import FieldSpec
from mock_server.wire.render import render_node


def values(call: Call, account: AdAccount) -> dict[str, Any]:
    """The account's fixture entry (every documented field it sets, issue 14) plus the fields graphmock derives."""
    node_type = call.state.node_types["AdAccount"]
    raw = account.raw
    out = {k: v for k, v in raw.items() if k in node_type.fields and node_type.fields[k].kind not in ("edge", "ref")}
    out.update({
        "id": account.id, "account_id": account.account_id, "name": account.name, "currency": account.currency,
        "timezone_name": account.timezone_name, "timezone_id": account.timezone_id,
        "account_status": account.account_status, "amount_spent": 0, "balance": 0,
        "min_campaign_group_spend_cap": money.minor_units_for_usd(call.state.registry, account.currency, 100),
        "min_daily_budget": money.minor_units_for_usd(call.state.registry, account.currency, 1),
        "is_personal": 0, "disable_reason": 0, "owner": raw.get("business_id"),
        "default_dsa_payor": raw.get("default_dsa_payor"), "default_dsa_beneficiary": raw.get("default_dsa_beneficiary"),
        "business": {"id": raw["business_id"], "name": call.state.world.businesses.get(raw["business_id"], {}).get("name")}
        if raw.get("business_id") else None,
    })
    out.update(_derived(call, account, raw))
    return out


def _derived(call: Call, account: AdAccount, raw: dict[str, Any]) -> dict[str, Any]:
    """user_tasks (the caller's tasks), timezone_offset_hours_utc and age, from the fixtures and the clock."""
    now = call.state.now()
    offset = datetime.fromtimestamp(now, timefmt.zone(account.timezone_name)).utcoffset()
    out: dict[str, Any] = {"user_tasks": discovery.account_tasks(call.state.world, call.token.user_id, account),
                           "timezone_offset_hours_utc": offset.total_seconds() / 3600 if offset is not None else 0.0}
    created = raw.get("created_time")
    if isinstance(created, (int, float)) and not isinstance(created, bool):
        out["age"] = round(max(0.0, now - created) / 86400, 2)
    if "spend_cap" not in raw:
        out["spend_cap"] = 0
    return out


def read(call: Call) -> tuple[int, Any]:
    call.params("node.get")
    account = call.node.account
    assert account is not None
    node_type = call.state.node_types["AdAccount"]
    values_ = values(call, account)

    def expand(spec: FieldSpec, kind: str) -> Any:
        if kind == "edge" and spec.name == "insights":
            from mock_server.handlers import insights  # the insights edge is computed, not listed
            return insights.nested(call, "AdAccount", account.id, spec)
        from mock_server.handlers import fixture_nodes  # fixture edges (users, instagram_accounts, ...) nest too

        return fixture_nodes._expand(call, call.node, spec, kind)

    return 200, render_node(node_type, values_, call.specs(), expand, account_time.zone(account.timezone_name))


ROUTES = {("AdAccount", None, "GET"): read}
