"""The account tree: campaigns -> ad sets -> ads as a token sees them, with why each is (not) delivering.

Statuses come from the Graph list edges (the handlers derive `effective_status`
with domain/status.py); the reason beside each comes from `status.explain`,
and the review state from the control API's review operations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mock_server.control import reviews
from mock_server.control.errors import ControlError
from mock_server.dashboard import graph
from mock_server.domain import money, status
from mock_server.domain.world import AdAccount, Token
from mock_server.state import State

LIMIT = 200  # per level; a world this big is no longer read in a tree
CAMPAIGN_FIELDS = "id,name,status,effective_status,objective,daily_budget,lifetime_budget"
ADSET_FIELDS = "id,name,status,effective_status,campaign_id,daily_budget,lifetime_budget"
AD_FIELDS = "id,name,status,effective_status,campaign_id,adset_id,creative"


@dataclass
class Node:
    id: str
    type: str
    name: str
    status: str
    effective: str
    reason: str
    budget: str | None = None
    review: str | None = None
    children: list[Node] = field(default_factory=list)


@dataclass
class Tree:
    account: AdAccount | None
    campaigns: list[Node]
    error: str | None = None
    truncated: bool = False


def accounts_for(state: State, token: Token) -> list[AdAccount]:
    return [account for act, account in state.world.ad_accounts.items() if act in token.ad_accounts]


def build(state: State, token: Token, act: str | None, archived: bool = False) -> Tree:
    """The tree of one ad account (the token's first one when `act` is not given or not visible).

    Graph's lists leave ARCHIVED out unless asked, and refuse DELETED in the filter (M-STATUS); `archived`
    asks for every other effective status, so archived objects (and what they hide) show too.
    """
    visible = accounts_for(state, token)
    account = next((a for a in visible if a.id == act), visible[0] if visible else None)
    if account is None:
        return Tree(None, [], "this token sees no ad account")
    params: dict[str, Any] = {"limit": LIMIT}
    if archived:
        params["effective_status"] = [s for s in state.registry.enum("edge_effective_status") if s != "DELETED"]
    edges = {name: graph.read(state, token, account.id, name, {**params, "fields": fields})
             for name, fields in (("campaigns", CAMPAIGN_FIELDS), ("adsets", ADSET_FIELDS), ("ads", AD_FIELDS))}
    failed = next((reply.error for reply in edges.values() if not reply.ok), None)
    if failed:
        return Tree(account, [], failed)
    truncated = any(len(graph.rows(reply)) >= LIMIT for reply in edges.values())
    campaigns = {row["id"]: _node(state, account, row, "Campaign") for row in graph.rows(edges["campaigns"])}
    adsets: dict[str, Node] = {}
    for row in graph.rows(edges["adsets"]):
        parent = campaigns.get(str(row.get("campaign_id")))
        node = adsets[row["id"]] = _node(state, account, row, "AdSet", campaign=parent)
        if parent is not None:
            parent.children.append(node)
    for row in graph.rows(edges["ads"]):
        parent_set = adsets.get(str(row.get("adset_id")))
        node = _node(state, account, row, "Ad", campaign=campaigns.get(str(row.get("campaign_id"))), adset=parent_set)
        if parent_set is not None:
            parent_set.children.append(node)
    return Tree(account, list(campaigns.values()), truncated=truncated)


def _node(state: State, account: AdAccount, row: dict[str, Any], node_type: str,
          campaign: Node | None = None, adset: Node | None = None) -> Node:
    own = str(row.get("status", ""))
    effective = str(row.get("effective_status", own))
    parents = {"campaign": (campaign.id, campaign.status) if campaign else None,
               "adset": (adset.id, adset.status) if adset else None}
    budget = None
    for key, label in (("daily_budget", "daily"), ("lifetime_budget", "lifetime")):
        shown = money.display(state.registry, account.currency, row.get(key))
        if shown and row.get(key) not in ("0", 0):
            budget = f"{shown} {label}"
    return Node(id=str(row["id"]), type=node_type, name=str(row.get("name", "")), status=own, effective=effective,
                reason=status.explain(effective, own, **parents), budget=budget,
                review=review_state(state, str(row["id"])) if node_type == "Ad" else None)


def review_state(state: State, ad_id: str) -> str | None:
    try:
        return reviews.get_one(state, ad_id).get("review_state")
    except ControlError:
        return None
