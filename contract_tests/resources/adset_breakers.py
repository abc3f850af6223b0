"""Ad set create rule breakers: each draws a base that meets the rule's preconditions, then breaks only it.

Preconditions are `_name` pins of the ad set strategies (`_cbo`, `_sac`, `_goal`, `_strategy`, `_budget`, ...),
so a breaker never relies on luck to find, say, a VALUE-optimised ad set under a budget-less campaign.
"""

from __future__ import annotations

import dataclasses
import math
import time
from typing import Any

from hypothesis import strategies as st

from contract_tests.cases import Expected, Step
from contract_tests.operations import Breaker, Context, valid
from contract_tests.resources import adset
from contract_tests.resources.adset import (
    DAY, _billing_events, _entries, _facts, _t, daily_minimum, min_bid, setup,
)
from contract_tests.resources.campaign import _break_execution_options

def fresh(draw: st.DrawFn, ctx: Context, **pins: Any) -> tuple[dict[str, Any], Context]:
    """A new (campaign, ad set) pair under `pins`; returns the ad set and its context (with steps)."""
    inner = draw(setup(ctx.replace(pins={**ctx.pins, **pins}, ready=False)))
    return draw(valid(adset.CREATE, inner)), inner


def _breaker(key: str, **pins: Any) -> Any:
    def wrap(mutate: Any) -> Breaker:
        def breaker(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> Any:
            adset, inner = fresh(draw, ctx, **pins) if pins else (p, ctx)
            changed = mutate(draw, dict(adset), inner)
            payload, steps = changed if isinstance(changed, tuple) else (changed, inner.steps)
            field = payload.pop("__field__", None)
            return payload, steps, Expected.of(key, field=field)
        return breaker
    return wrap


def _enum_outside(draw: st.DrawFn, ctx: Context, enum: str, allowed: list[str]) -> Any:
    options = [v for v in ctx.registry.enum(enum) if v not in allowed]
    return draw(st.sampled_from(options))


@_breaker("creation_status_invalid")
def b_status(draw, p, ctx):  # noqa: ANN001, ANN201 - small breakers, typed by _breaker
    return {**p, "status": _enum_outside(draw, ctx, "campaign_status", _t(ctx)["creation_statuses"])}


@_breaker("adset_campaign_invalid")
def b_parent(draw, p, ctx):  # noqa: ANN001, ANN201
    return {**p, "campaign_id": "99999999999", "__field__": "campaign_id"}


@_breaker("adset_campaign_limit")
def b_campaign_limit(draw, p, ctx):  # noqa: ANN001, ANN201 - M-CAMP Limits: 'Max 200 ad sets per campaign'
    siblings = (Step("adset.create", p),) * _t(ctx)["limits"]["adsets_per_campaign"]  # the campaign is step 0
    return {**p, "__field__": "campaign_id"}, (*ctx.steps, *siblings)


@_breaker("adset_destination_invalid", _objective="OUTCOME_AWARENESS")
def b_destination(draw, p, ctx):  # noqa: ANN001, ANN201
    row = _t(ctx)["objectives"][ctx.parents["campaign"]["objective"]]
    return {**p, "destination_type": _enum_outside(draw, ctx, "destination_type", list(row["destinations"]))}


@_breaker("adset_goal_unavailable")
def b_goal(draw, p, ctx):  # noqa: ANN001, ANN201
    row = _t(ctx)["objectives"][ctx.parents["campaign"]["objective"]]
    dest = p.get("destination_type")
    allowed = row["destinations"][dest] if dest else row["without_destination"]
    return {**p, "optimization_goal": _enum_outside(draw, ctx, "optimization_goal", allowed)}


@_breaker("adset_billing_event_invalid")
def b_billing(draw, p, ctx):  # noqa: ANN001, ANN201
    return {**p, "billing_event": _enum_outside(draw, ctx, "billing_event", _billing_events(ctx, p["optimization_goal"]))}


@_breaker("adset_roas_goal_value", _cbo=False, _not_value=True, _strategy="LOWEST_COST_WITHOUT_CAP")
def b_roas_goal(draw, p, ctx):  # noqa: ANN001, ANN201
    roas = _t(ctx)["bidding"]["min_roas"]
    return {**p, "bid_strategy": roas["strategy"], "bid_constraints": {roas["constraint"]: 200}}


@_breaker("adset_roas_floor_required", _cbo=False, _goal="VALUE", _strategy="LOWEST_COST_WITH_MIN_ROAS")
def b_roas_floor(draw, p, ctx):  # noqa: ANN001, ANN201
    p.pop("bid_constraints", None)
    return {**p, "__field__": f"bid_constraints[{_t(ctx)['bidding']['min_roas']['constraint']}]"}


@_breaker("adset_bid_amount_with_roas", _cbo=False, _goal="VALUE", _strategy="LOWEST_COST_WITH_MIN_ROAS")
def b_roas_bid(draw, p, ctx):  # noqa: ANN001, ANN201
    return {**p, "bid_amount": draw(st.integers(100, 10_000))}


@_breaker("adset_bid_amount_required", _cbo=False, _strategy="COST_CAP")
def b_bid_required(draw, p, ctx):  # noqa: ANN001, ANN201
    p.pop("bid_amount")
    return p


@_breaker("adset_bid_too_low", _cbo=False, _strategy="LOWEST_COST_WITH_BID_CAP")
def b_bid_low(draw, p, ctx):  # noqa: ANN001, ANN201
    return {**p, "bid_amount": draw(st.integers(0, min_bid(ctx, p["billing_event"]) - 1))}


@_breaker("adset_billing_event_for_strategy", _cbo=False, _goal="LINK_CLICKS", _strategy="COST_CAP")
def b_billing_strategy(draw, p, ctx):  # noqa: ANN001, ANN201 - GRAPH-BEHAVIOUR 8: COST_CAP bills on IMPRESSIONS
    allowed = _t(ctx)["bidding"]["billing_events_by_strategy"]["COST_CAP"]
    others = [b for b in _billing_events(ctx, p["optimization_goal"]) if b not in allowed]
    return {**p, "billing_event": draw(st.sampled_from(others))}


@_breaker("adset_budget_with_campaign_budget", _cbo=True, _campaign_strategy=None)
def b_under_cbo(draw, p, ctx):  # noqa: ANN001, ANN201
    return {**p, "daily_budget": draw(st.integers(10_000, 100_000)), "__field__": "daily_budget"}


@_breaker("adset_campaign_budget_field", _cbo=False)
def b_cbo_only(draw, p, ctx):  # noqa: ANN001, ANN201
    name = draw(st.sampled_from(sorted(_t(ctx)["budget"]["campaign_budget_only_fields"])))
    return {**p, name: draw(st.integers(1, 10**6)), "__field__": name}


@_breaker("adset_budget_required", _cbo=False)
def b_budget_required(draw, p, ctx):  # noqa: ANN001, ANN201
    return {k: v for k, v in p.items() if k not in ("daily_budget", "lifetime_budget")}


@_breaker("adset_budget_both", _cbo=False, _budget="daily")
def b_both(draw, p, ctx):  # noqa: ANN001, ANN201
    return {**p, "lifetime_budget": p["daily_budget"] * 30}


@_breaker("adset_end_time_required", _cbo=False, _budget="lifetime")
def b_lifetime_end(draw, p, ctx):  # noqa: ANN001, ANN201
    p.pop("end_time")
    return p


@_breaker("adset_end_before_start", _cbo=False, _budget="daily", _start=True)
def b_end_before(draw, p, ctx):  # noqa: ANN001, ANN201
    return {**p, "end_time": p["start_time"] - draw(st.integers(0, DAY))}


@_breaker("adset_end_time_past", _cbo=False, _budget="daily")
def b_end_past(draw, p, ctx):  # noqa: ANN001, ANN201
    end = int(time.time()) - draw(st.integers(DAY, 30 * DAY))
    return {**p, "start_time": end - 3 * DAY, "end_time": end}


@_breaker("adset_daily_budget_duration", _cbo=False, _budget="daily", _start=True)
def b_duration(draw, p, ctx):  # noqa: ANN001, ANN201
    return {**p, "end_time": p["start_time"] + draw(st.integers(1, _t(ctx)["budget"]["daily_min_duration_seconds"]))}


@_breaker("adset_budget_too_low", _cbo=False, _budget="daily", _strategy="LOWEST_COST_WITHOUT_CAP")
def b_budget_low(draw, p, ctx):  # noqa: ANN001, ANN201
    floor = daily_minimum(ctx, p["billing_event"], "LOWEST_COST_WITHOUT_CAP", None, doubled=False)
    return {**p, "daily_budget": draw(st.integers(1, floor - 1)), "__field__": "daily_budget"}


@_breaker("adset_promoted_object_required", _objective="OUTCOME_APP_PROMOTION")
def b_promoted(draw, p, ctx):  # noqa: ANN001, ANN201
    p.pop("promoted_object", None)
    entry = _entries(ctx, _facts(ctx.parents["campaign"]["objective"], p))[0]
    return {**p, "__field__": f"promoted_object[{entry['any_of'][0][0]}]"}


@_breaker("adset_promoted_page_unknown")
def b_page(draw, p, ctx):  # noqa: ANN001, ANN201
    return {**p, "promoted_object": {**(p.get("promoted_object") or {}), "page_id": "99999999999"},
            "__field__": "promoted_object[page_id]"}


@_breaker("adset_application_unknown")
def b_app(draw, p, ctx):  # noqa: ANN001, ANN201
    return {**p, "promoted_object": {**(p.get("promoted_object") or {}), "application_id": "99999999999"},
            "__field__": "promoted_object[application_id]"}


@_breaker("targeting_unsupported_option")
def b_option(draw, p, ctx):  # noqa: ANN001, ANN201
    return {**p, "targeting": {**p["targeting"], "colour_preference": ["blue"]}, "__field__": "targeting[colour_preference]"}


@_breaker("targeting_radius_range")
def b_radius(draw, p, ctx):  # noqa: ANN001, ANN201
    unit = draw(st.sampled_from(sorted(_t(ctx)["targeting"]["radius"]["cities"])))
    low, high = _t(ctx)["targeting"]["radius"]["cities"][unit]
    radius = draw(st.one_of(st.integers(1, math.ceil(low) - 1), st.integers(math.floor(high) + 1, 500)))
    city = {"key": "2420379", "radius": radius, "distance_unit": unit}
    geo = {**p["targeting"]["geo_locations"], "cities": [city]}
    return {**p, "targeting": {**p["targeting"], "geo_locations": geo},
            "__field__": "targeting[geo_locations][cities][0][radius]"}


@_breaker("targeting_geo_required")
def b_geo(draw, p, ctx):  # noqa: ANN001, ANN201
    return {**p, "targeting": {**p["targeting"], "geo_locations": {}}, "__field__": "targeting[geo_locations]"}


@_breaker("targeting_age_order", _sac=False)
def b_age(draw, p, ctx):  # noqa: ANN001, ANN201
    low, high = sorted(draw(st.lists(st.integers(13, 65), min_size=2, max_size=2, unique=True)))
    return {**p, "targeting": {**p["targeting"], "age_min": high, "age_max": low}, "__field__": "targeting[age_max]"}


@_breaker("targeting_sac_age", _sac=True)
def b_sac_age(draw, p, ctx):  # noqa: ANN001, ANN201
    rule = _t(ctx)["targeting"]["special_ad_categories"]
    age = draw(st.integers(rule["age_min"] + 1, rule["age_max"]))
    targeting = {k: v for k, v in p["targeting"].items() if k != "age_max"}
    return {**p, "targeting": {**targeting, "age_min": age}, "__field__": "targeting[age_min]"}


@_breaker("targeting_sac_gender", _sac=True)
def b_sac_gender(draw, p, ctx):  # noqa: ANN001, ANN201
    return {**p, "targeting": {**p["targeting"], "genders": [draw(st.sampled_from(ctx.registry.enum("targeting_gender")))]},
            "__field__": "targeting[genders]"}


@_breaker("targeting_sac_location", _sac=True)
def b_sac_exclude(draw, p, ctx):  # noqa: ANN001, ANN201
    return {**p, "targeting": {**p["targeting"], "excluded_geo_locations": {"countries": ["CA"]}},
            "__field__": "targeting[excluded_geo_locations]"}


@_breaker("targeting_sac_radius", _sac=True)
def b_sac_radius(draw, p, ctx):  # noqa: ANN001, ANN201 - GRAPH-BEHAVIOUR 9 (M-SAC): 'radius >=15 mi / 25 km (US/CA)'
    regions = _t(ctx)["targeting"]["special_ad_categories"]["min_radius"]["regions"]
    unit = draw(st.sampled_from(["mile", "kilometer"]))
    low = _t(ctx)["targeting"]["radius"]["cities"][unit][0]
    city = {"key": "2420379", "radius": draw(st.integers(math.ceil(low), regions["US/CA"][unit] - 1)), "distance_unit": unit}
    geo = {**p["targeting"]["geo_locations"], "cities": [city]}  # no country: the campaign's (US) decides
    return {**p, "targeting": {**p["targeting"], "geo_locations": geo},
            "__field__": "targeting[geo_locations][cities][0][radius]"}


@_breaker("targeting_advantage_audience_required", _sac=False)
def b_advantage(draw, p, ctx):  # noqa: ANN001, ANN201 - GRAPH-BEHAVIOUR 9 (M-ADV, v23+): the flag on narrowed setups
    rest = {k: v for k, v in p["targeting"].items() if k != "targeting_automation"}
    narrowing = draw(st.sampled_from([{"genders": [1]}, {"genders": [2]}, {"age_min": 30, "age_max": 50},
                                      {"custom_audiences": [{"id": "6000000000000"}]}]))
    return {**p, "targeting": {**rest, **narrowing}}



def _eu_targeting(draw: st.DrawFn, p: dict[str, Any]) -> dict[str, Any]:
    """EU targeting that any campaign allows (zips would break the special-ad-category location rule first)."""
    geo = draw(st.sampled_from([{"countries": ["DE"]}, {"countries": ["US", "FR"]},
                                {"regions": [{"key": "3847", "country": "ES"}]}]))
    return {**p["targeting"], "geo_locations": geo}


@_breaker("adset_dsa_payor_required")
def b_dsa_payor(draw, p, ctx):  # noqa: ANN001, ANN201 - GRAPH-BEHAVIOUR 1.1/9 (M-ADSET): EU targeting needs dsa_payor
    rest = {k: v for k, v in p.items() if k != "dsa_payor"}
    return {**rest, "targeting": _eu_targeting(draw, p), "__field__": "dsa_payor"}


@_breaker("adset_dsa_beneficiary_required")
def b_dsa_beneficiary(draw, p, ctx):  # noqa: ANN001, ANN201 - GRAPH-BEHAVIOUR 1.1: ... and dsa_beneficiary (3858081)
    rest = {k: v for k, v in p.items() if k != "dsa_beneficiary"}
    return {**rest, "targeting": _eu_targeting(draw, p), "dsa_payor": "Payor", "__field__": "dsa_beneficiary"}

BREAKERS: dict[str, Breaker] = {
    "rule:execution_options": _break_execution_options, "rule:creation_status": b_status, "rule:parent_campaign": b_parent,
    "rule:campaign_adset_limit": b_campaign_limit,
    "rule:destination_for_objective": b_destination, "rule:goal_for_objective": b_goal,
    "rule:billing_event_for_goal": b_billing, "rule:roas_goal_is_value": b_roas_goal,
    "rule:roas_floor_required": b_roas_floor, "rule:roas_without_bid_amount": b_roas_bid,
    "rule:bid_amount_required": b_bid_required, "rule:bid_amount_minimum": b_bid_low,
    "rule:billing_event_for_strategy": b_billing_strategy,
    "rule:budget_not_under_campaign_budget": b_under_cbo, "rule:campaign_budget_only_fields": b_cbo_only,
    "rule:budget_required": b_budget_required, "rule:one_budget": b_both,
    "rule:lifetime_budget_needs_end_time": b_lifetime_end, "rule:end_after_start": b_end_before,
    "rule:end_in_future": b_end_past, "rule:daily_budget_duration": b_duration, "rule:budget_minimum": b_budget_low,
    "rule:promoted_object_requirements": b_promoted, "rule:promoted_page_known": b_page,
    "rule:promoted_app_known": b_app, "rule:known_options": b_option, "rule:location_required": b_geo,
    "rule:radius_range": b_radius, "rule:age_order": b_age,
    "rule:special_category_age": b_sac_age, "rule:special_category_gender": b_sac_gender,
    "rule:special_category_location": b_sac_exclude, "rule:advantage_audience_required": b_advantage,
    "rule:special_category_radius": b_sac_radius,
    "rule:dsa_payor_required": b_dsa_payor, "rule:dsa_beneficiary_required": b_dsa_beneficiary,
}



CREATE = dataclasses.replace(adset.CREATE, breakers=BREAKERS)
