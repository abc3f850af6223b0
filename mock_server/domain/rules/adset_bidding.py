"""Ad set bidding rules (seed 000, GRAPH-BEHAVIOUR 8): the bid strategy in force (the ad set's, else the
campaign's), what it needs (bid_amount, a ROAS floor) and the billing events it allows, and the minimum bid.
Tables: `schemas/rules/adset.json` "bidding". Run by rules/adset.py's rule tuples like every other ad set rule."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mock_server.wire.errors import GraphError

if TYPE_CHECKING:
    from mock_server.domain.rules.adset import AdSetContext, Spec


def strategy_in_force(spec: Spec, ctx: AdSetContext) -> tuple[str, str]:
    """GRAPH-BEHAVIOUR 8: the ad set's bid_strategy, else the campaign's, else the documented default."""
    if spec.get("bid_strategy"):
        return spec["bid_strategy"], ""
    if ctx.campaign.data.get("bid_strategy"):
        return ctx.campaign.data["bid_strategy"], " (from the campaign)"
    return ctx.table["bidding"]["default_strategy"], " (the default when no bid_strategy is set)"


def roas_goal_is_value(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 8: LOWEST_COST_WITH_MIN_ROAS needs optimization_goal VALUE (2490487)."""
    rule = ctx.table["bidding"]["min_roas"]
    if strategy_in_force(spec, ctx)[0] == rule["strategy"] and spec.get("optimization_goal") != rule["goal"]:
        return GraphError("adset_roas_goal_value", value=spec.get("optimization_goal"))
    return None


def roas_floor_required(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """Seed/GRAPH-BEHAVIOUR 8: MIN_ROAS requires bid_constraints.roas_average_floor (2490487)."""
    rule = ctx.table["bidding"]["min_roas"]
    if strategy_in_force(spec, ctx)[0] != rule["strategy"]:
        return None
    if (spec.get("bid_constraints") or {}).get(rule["constraint"]) is None:
        return GraphError("adset_roas_floor_required", field=f"bid_constraints[{rule['constraint']}]")
    return None


def roas_without_bid_amount(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 8: with LOWEST_COST_WITH_MIN_ROAS 'Do not set bid_info or bid_amount'."""
    if strategy_in_force(spec, ctx)[0] == ctx.table["bidding"]["min_roas"]["strategy"] and spec.get("bid_amount") is not None:
        return GraphError("adset_bid_amount_with_roas")
    return None


def bid_amount_required(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """Seed 000: bid_amount 'Required if bid_strategy is set to LOWEST_COST_WITH_BID_CAP or COST_CAP' (2490487)."""
    strategy, inherited = strategy_in_force(spec, ctx)
    if strategy in ctx.table["bidding"]["needs_bid_amount"] and spec.get("bid_amount") is None:
        return GraphError("adset_bid_amount_required", strategy=strategy, inherited=inherited)
    return None


def bid_amount_minimum(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 8: at least 2 US cents per 1,000 impressions, 1 US cent per other billed event."""
    bid = spec.get("bid_amount")
    if bid is None or not ctx.touched("bid_amount", "billing_event"):
        return None
    table, billing = ctx.table["bidding"]["min_bid_usd"], spec.get("billing_event")
    minimum = ctx.tables.minor_units_for_usd(ctx.account.currency, table.get(billing, table["default"]))
    if bid < minimum:
        return GraphError("adset_bid_too_low", value=bid, minimum=minimum, billing_event=billing, currency=ctx.account.currency)
    return None


def billing_event_for_strategy(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 8 (M-BIDS): 'COST_CAP requirements: billing_event must be IMPRESSIONS' (strategy in force).

    Meta documents no code or subcode for this one: graphmock answers code 100 naming billing_event, like the
    other billing_event errors (a choice)."""
    strategy, inherited = strategy_in_force(spec, ctx)
    allowed = ctx.table["bidding"]["billing_events_by_strategy"].get(strategy)
    billing = spec.get("billing_event")
    if allowed is None or billing is None or billing in allowed or not ctx.touched("billing_event", "bid_strategy"):
        return None
    return GraphError("adset_billing_event_for_strategy", value=billing, strategy=strategy, inherited=inherited,
                      allowed=" or ".join(allowed))
