"""Campaign create/update rules (seed 004 'Creating', GRAPH-BEHAVIOUR 7-8, 11).

Each rule is a small function `(params, context) -> GraphError | None`; the
ordered tuples at the bottom are the rule tables the handlers run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mock_server.contract.registry import SchemaRegistry
from mock_server.domain import money
from mock_server.domain.world import AdAccount
from mock_server.wire.errors import GraphError


@dataclass(slots=True, eq=False)
class RuleContext:
    """What the rules read besides the params (built per write: slotted, not frozen, as AdSetContext)."""

    registry: SchemaRegistry
    account: AdAccount
    existing: dict[str, Any] | None = None  # the stored campaign on update
    table: dict[str, Any] = field(init=False, repr=False)  # schemas/rules/campaign.json, read by every rule

    def __post_init__(self) -> None:
        self.table = self.registry.rules("campaign")


Rule = Callable[[dict[str, Any], RuleContext], GraphError | None]


def creation_status(params: dict[str, Any], ctx: RuleContext) -> GraphError | None:
    """Seed 004: 'Only ACTIVE and PAUSED are valid during creation.'"""
    status = params.get("status")
    if status is not None and status not in ctx.table["creation_statuses"]:
        return GraphError("creation_status_invalid", value=status)
    return None


def objective_creatable(params: dict[str, Any], ctx: RuleContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 7.1: legacy objectives were deprecated in v17.0; only OUTCOME_* create."""
    objective = params.get("objective")
    allowed = ctx.table["creatable_objectives"]
    if objective is not None and objective not in allowed:
        return GraphError("objective_deprecated", value=objective, allowed=", ".join(allowed))
    return None


def special_ad_category_country(params: dict[str, Any], ctx: RuleContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 9: 'When any special_ad_categories are selected, you must also set a special_ad_category_country'."""
    categories = params.get("special_ad_categories")
    if categories is None and ctx.existing is not None:
        return None
    real = [c for c in categories or [] if c not in ctx.table["special_ad_categories_without_country"]]
    country = params.get("special_ad_category_country", (ctx.existing or {}).get("special_ad_category_country"))
    if real and not country:
        return GraphError("special_ad_category_country_required")
    return None


def one_campaign_budget(params: dict[str, Any], ctx: RuleContext) -> GraphError | None:
    """Seed 004: daily_budget and lifetime_budget are alternatives, not both."""
    stored = ctx.existing or {}  # each budget as it will be: sent, else stored (no merged copy per write)
    daily = params["daily_budget"] if "daily_budget" in params else stored.get("daily_budget")
    lifetime = params["lifetime_budget"] if "lifetime_budget" in params else stored.get("lifetime_budget")
    if daily and lifetime:
        return GraphError("campaign_budget_both")
    return None


def spend_cap_minimum(params: dict[str, Any], ctx: RuleContext) -> GraphError | None:
    """Seed 004: spend_cap has a minimum of $100 USD (local equivalent); 922337203685478 removes it."""
    cap = params.get("spend_cap")
    rule = ctx.table["spend_cap"]
    if cap is None or cap == rule["remove_value"]:
        return None
    minimum = money.minor_units_for_usd(ctx.registry, ctx.account.currency, rule["minimum_usd"])
    if cap < minimum:
        return GraphError("spend_cap_too_low", minimum=minimum, currency=ctx.account.currency, remove_value=rule["remove_value"])
    return None


def bid_strategy_needs_campaign_budget(params: dict[str, Any], ctx: RuleContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 8: bid_strategy on a campaign without a campaign budget -> 1885737."""
    if "bid_strategy" not in params:
        return None
    merged = {**(ctx.existing or {}), **params}
    if not (merged.get("daily_budget") or merged.get("lifetime_budget")):
        return GraphError("campaign_bid_strategy_without_budget")
    return None


def execution_options(params: dict[str, Any], ctx: RuleContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 11: include_recommendations 'cannot be used by itself'."""
    options = params.get("execution_options") or []
    if "include_recommendations" in options and "validate_only" not in options:
        return GraphError("include_recommendations_alone")
    return None


CREATE_RULES: tuple[Rule, ...] = (
    execution_options, creation_status, objective_creatable, special_ad_category_country,
    one_campaign_budget, spend_cap_minimum, bid_strategy_needs_campaign_budget,
)
UPDATE_RULES: tuple[Rule, ...] = (
    execution_options, special_ad_category_country, one_campaign_budget, spend_cap_minimum,
    bid_strategy_needs_campaign_budget,
)


# What the create rules besides creation_status and objective_creatable read (special_ad_categories aside): a create
# sending none of it, and no special ad category, passes those five (each answers None), so `check_create` runs two.
_READ_BY_THE_REST = ("execution_options", "special_ad_category_country", "daily_budget", "lifetime_budget", "spend_cap",
                     "bid_strategy")
_PASSED_BY_A_PLAIN_CREATE = (execution_options, special_ad_category_country, one_campaign_budget, spend_cap_minimum,
                             bid_strategy_needs_campaign_budget)  # each reads only _READ_BY_THE_REST's params
# what a plain create runs: every create rule but those five (a rule added to CREATE_RULES runs here too)
_STATUS_AND_OBJECTIVE: tuple[Rule, ...] = tuple(rule for rule in CREATE_RULES if rule not in _PASSED_BY_A_PLAIN_CREATE)


def check_create(params: dict[str, Any], ctx: RuleContext) -> None:
    """check(CREATE_RULES, ...): the same first error, or none. A plain create (a name, an objective, a status,
    special_ad_categories=[]) runs only the two rules it can fail (~0.7 us less a campaign create)."""
    if ctx.existing is None and not params.get("special_ad_categories"):
        for name in _READ_BY_THE_REST:
            if name in params:
                break
        else:
            check(_STATUS_AND_OBJECTIVE, params, ctx)
            return
    check(CREATE_RULES, params, ctx)


def check(rules: tuple[Rule, ...], params: dict[str, Any], ctx: RuleContext) -> None:
    for rule in rules:
        error = rule(params, ctx)
        if error is not None:
            raise error


def check_editable(status: str, params: dict[str, Any]) -> None:
    """GRAPH-BEHAVIOUR 6.3: DELETED accepts only name; ARCHIVED accepts name and status=DELETED."""
    changing = {k for k in params if k not in ("name", "execution_options")}
    if status == "DELETED" and changing:
        raise GraphError("edit_deleted_campaign", blame=[[sorted(changing)[0]]])
    if status == "ARCHIVED" and (changing - {"status"} or params.get("status", "DELETED") not in ("DELETED", "ARCHIVED")):
        raise GraphError("edit_archived_campaign", blame=[[sorted(changing)[0]]])
