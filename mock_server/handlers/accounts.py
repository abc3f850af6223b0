"""GET /act_<AD_ACCOUNT_ID>: the ad account node, from the fixture world."""

from __future__ import annotations

from typing import Any

from mock_server.domain import money
from mock_server.handlers.call import Call
from mock_server.wire.fields import FieldSpec
from mock_server.wire.render import render_node


def read(call: Call) -> tuple[int, Any]:
    call.params("node.get")
    account = call.node.account
    assert account is not None
    node_type = call.state.node_types["AdAccount"]
    raw = account.raw
    values = {
        "id": account.id, "account_id": account.account_id, "name": account.name, "currency": account.currency,
        "timezone_name": account.timezone_name, "timezone_id": account.timezone_id,
        "account_status": account.account_status, "amount_spent": 0, "balance": 0,
        "min_campaign_group_spend_cap": money.minor_units_for_usd(call.state.registry, account.currency, 100),
        "min_daily_budget": money.minor_units_for_usd(call.state.registry, account.currency, 1),
        "is_personal": 0, "disable_reason": 0, "owner": raw.get("business_id"),
        "default_dsa_payor": raw.get("default_dsa_payor"), "default_dsa_beneficiary": raw.get("default_dsa_beneficiary"),
        "business": {"id": raw["business_id"], "name": call.state.world.businesses.get(raw["business_id"], {}).get("name")}
        if raw.get("business_id") else None,
    }

    def expand(spec: FieldSpec, kind: str) -> Any:
        child_type = node_type.edges.get(spec.name)
        if kind != "edge" or not child_type:
            return None
        if spec.name == "insights":
            from mock_server.handlers import insights  # the insights edge is computed, not listed
            return insights.nested(call, "AdAccount", account.id, spec)
        return call.expand_edge(account.id, call.edge_query(child_type, account_id=account.account_id), spec)

    return 200, render_node(node_type, values, call.specs(), expand)


ROUTES = {("AdAccount", None, "GET"): read}
