"""Ad set update strategies: edits that keep the merged ad set valid, and edits that break one rule.

Graph checks an update against the ad set as it would be afterwards (stored
fields merged with the params), so valid edits are derived from the created
ad set: a new name or status, new targeting for the same kind of campaign, a
larger budget, a later end (daily budgets only: a lifetime budget's minimum
grows with its days), a lower-but-legal bid.
"""

from __future__ import annotations

import time
from typing import Any

from hypothesis import strategies as st

from contract_tests.cases import Expected, Step
from contract_tests.operations import Breaker, Context, Operation, valid
from contract_tests.resources import adset, adset_breakers
from contract_tests.resources.campaign import _break_execution_options

DAY = 86400
CONTROLLED = adset.CONTROLLED
SKIPS = {**adset.SKIPS, "campaign_id": "cannot change (its own rule)", "account_id": "the ad set's account, not editable"}


def setup(ctx: Context) -> st.SearchStrategy[Context]:
    """The campaign and the ad set to edit (steps 0 and 1); `ctx.existing` is the ad set's create params."""
    @st.composite
    def chain(draw: st.DrawFn) -> Context:
        parent = draw(adset.setup(ctx.replace(ready=False)))
        created = draw(valid(adset.CREATE, parent))
        return parent.replace(existing=created, steps=(*parent.steps, Step("adset.create", created)), ready=True)
    return chain()


def _sac(ctx: Context) -> bool:
    return any(c in adset.restricted_categories(ctx) for c in ctx.parents["campaign"]["special_ad_categories"])


def repair(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    a = ctx.existing or {}
    if "status" not in ctx.pins and draw(st.booleans()):
        p["status"] = draw(st.sampled_from(adset._t(ctx)["creation_statuses"]))
    if draw(st.booleans()):
        p["targeting"] = draw(adset.targeting(ctx, _sac(ctx)))
    for name in ("daily_budget", "lifetime_budget"):
        if a.get(name) and draw(st.booleans()):
            p[name] = a[name] + draw(st.integers(0, 10**6))
    if a.get("daily_budget") and a.get("end_time") and draw(st.booleans()):
        p["end_time"] = a["end_time"] + draw(st.integers(0, 30 * DAY))
    if a.get("bid_amount") and draw(st.booleans()):
        p["bid_amount"] = draw(st.integers(adset.min_bid(ctx, a["billing_event"]), a["bid_amount"]))
    adset.dsa_fields(draw, p, ctx, a)  # EU targeting after the update keeps both DSA fields (GRAPH-BEHAVIOUR 1.1)
    return p


# -- breakers: the setup is re-drawn when a rule needs a particular ad set --------------------------------
def _fresh(draw: st.DrawFn, ctx: Context, **pins: Any) -> Context:
    return draw(setup(ctx.replace(pins={**ctx.pins, **pins}, ready=False)))


def _b(key: str, mutate: Any, **pins: Any) -> Breaker:
    def breaker(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> Any:
        inner = _fresh(draw, ctx, **pins) if pins else ctx
        payload = mutate(draw, {} if pins else dict(p), inner)
        field = payload.pop("__field__", None)
        return payload, inner.steps, Expected.of(key, field=field)
    return breaker


def _row(ctx: Context) -> dict[str, Any]:
    return adset._t(ctx)["objectives"][ctx.parents["campaign"]["objective"]]


def _goal(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    a = ctx.existing or {}
    dest = a.get("destination_type")
    allowed = _row(ctx)["destinations"][dest] if dest else _row(ctx)["without_destination"]
    return {**p, "optimization_goal": adset_breakers._enum_outside(draw, ctx, "optimization_goal", allowed)}


def _billing(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    goal = (ctx.existing or {})["optimization_goal"]
    return {**p, "billing_event": adset_breakers._enum_outside(draw, ctx, "billing_event", adset._billing_events(ctx, goal))}


def _low_budget(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    a = ctx.existing or {}
    floor = adset.daily_minimum(ctx, a["billing_event"], "LOWEST_COST_WITHOUT_CAP", None, doubled=False)
    return {**p, "daily_budget": draw(st.integers(1, floor - 1)), "__field__": "daily_budget"}


def _past_end(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    end = int(time.time()) - draw(st.integers(DAY, 30 * DAY))
    return {**p, "start_time": end - 3 * DAY, "end_time": end}


BREAKERS: dict[str, Breaker] = {
    "rule:execution_options": _break_execution_options,
    "rule:campaign_id_immutable": _b("adset_campaign_id_immutable", lambda d, p, c: {
        **p, "campaign_id": "99999999999", "__field__": "campaign_id"}),
    "rule:goal_for_objective": _b("adset_goal_unavailable", _goal),
    "rule:billing_event_for_goal": _b("adset_billing_event_invalid", _billing),
    "rule:bid_amount_minimum": _b("adset_bid_too_low", lambda d, p, c: {
        **p, "bid_amount": d(st.integers(0, adset.min_bid(c, c.existing["billing_event"]) - 1))},
        _cbo=False, _strategy="COST_CAP"),
    "rule:one_budget": _b("adset_budget_both", lambda d, p, c: {**p, "lifetime_budget": c.existing["daily_budget"] * 30},
                          _cbo=False, _budget="daily"),
    "rule:end_in_future": _b("adset_end_time_past", _past_end, _cbo=False, _budget="daily"),
    "rule:budget_minimum": _b("adset_budget_too_low", _low_budget, _cbo=False, _budget="daily",
                              _strategy="LOWEST_COST_WITHOUT_CAP"),
    "rule:location_required": _b("targeting_geo_required", lambda d, p, c: {
        **p, "targeting": {"geo_locations": {}}, "__field__": "targeting[geo_locations]"}),
    "rule:age_order": _b("targeting_age_order", lambda d, p, c: {
        **p, "targeting": {"geo_locations": {"countries": ["US"]}, "age_min": 40, "age_max": 30},
        "__field__": "targeting[age_max]"}, _sac=False),
    # GRAPH-BEHAVIOUR 1.1: 'Updating/creating ad needs to provide payor of the ad' - EU targeting, payor blanked
    "rule:dsa_payor_required": _b("adset_dsa_payor_required", lambda d, p, c: {
        **p, "targeting": {"geo_locations": {"countries": ["DE"]}}, "dsa_payor": "", "__field__": "dsa_payor"}),
}

UPDATE = Operation(name="adset.update", node="AdSet", not_generated=SKIPS, repair=repair, breakers=BREAKERS,
                   setup=setup, controlled=CONTROLLED)
