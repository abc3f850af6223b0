"""Ad set create strategies: everything cross-field is drawn from `schemas/rules/adset.json`.

The parent campaign is drawn first (objective, optional campaign budget and
bid strategy, optional special ad category) and created as setup; the ad set
then follows the tables: objective -> destination_type -> optimization_goal
-> billing_event, the bid strategy in force (bid_amount, ROAS floor),
minimum budgets and schedule, promoted_object requirements, targeting
(seed 000 ad set table; GRAPH-BEHAVIOUR 6-9).
"""

from __future__ import annotations

import math
import time
from typing import Any

from hypothesis import strategies as st

from contract_tests.cases import Expected, Ref, Step
from contract_tests.operations import Breaker, Context, Operation, valid
from contract_tests.resources.campaign import _break_execution_options
from mock_server.domain.money import minor_units_for_usd

DAY = 86400
CONTROLLED = frozenset({
    "campaign_id", "status", "destination_type", "optimization_goal", "billing_event", "bid_strategy", "bid_amount",
    "bid_constraints", "daily_budget", "lifetime_budget", "start_time", "end_time", "promoted_object", "targeting",
})
SKIPS = {
    "execution_options": "validate_only changes the response; broken by its own rule",
    "time_start": "alias of start_time", "time_stop": "alias of end_time",
    "daily_min_spend_target": "needs a campaign budget (own rule)", "daily_spend_cap": "needs a campaign budget (own rule)",
    "lifetime_min_spend_target": "needs a campaign budget (own rule)",
    "lifetime_spend_cap": "needs a campaign budget (own rule)",
    **{name: "must name an existing object" for name in (
        "budget_split_set_id", "rb_prediction_id", "rf_prediction_id", "source_adset_id", "topline_id",
        "value_rule_set_id", "creative_sequence")},
}


def _t(ctx: Context) -> dict[str, Any]:
    return ctx.table("adset")


def _usd(ctx: Context, usd: float) -> int:
    return minor_units_for_usd(ctx.registry, ctx.currency, usd)


def _billing_events(ctx: Context, goal: str) -> list[str]:
    table = _t(ctx)["billing_events"]
    return table["by_goal"].get(goal, table["default"])


def min_bid(ctx: Context, billing: str) -> int:
    table = _t(ctx)["bidding"]["min_bid_usd"]
    return _usd(ctx, table.get(billing, table["default"]))


def daily_minimum(ctx: Context, billing: str, strategy: str, bid: int | None, *, doubled: bool) -> int:
    """Minimum daily budget; `doubled` gives the high-cost-country figure, a safe floor for valid cases."""
    budget = _t(ctx)["budget"]
    if strategy in _t(ctx)["bidding"]["needs_bid_amount"] and bid:
        return bid * budget["manual_bid_multiplier"].get(billing, budget["manual_bid_multiplier"]["default"])
    usd = budget["min_daily_usd"].get(billing, budget["min_daily_usd"]["default"])
    factor = 2 if doubled and billing not in budget["low_frequency_billing_events"] else 1
    return _usd(ctx, usd * factor)


def in_force(ctx: Context, adset: dict[str, Any]) -> str:
    campaign = ctx.parents.get("campaign", {})
    return adset.get("bid_strategy") or campaign.get("bid_strategy") or _t(ctx)["bidding"]["default_strategy"]


def _triples(ctx: Context, objectives: list[str]) -> list[tuple[str, str | None, str]]:
    """Every (objective, destination_type, optimization_goal) the objective table allows."""
    out = []
    for objective in objectives:
        row = _t(ctx)["objectives"][objective]
        out += [(objective, None, g) for g in row["without_destination"]]
        out += [(objective, d, g) for d, goals in sorted(row["destinations"].items()) for g in goals]
    return out


def objectives(ctx: Context) -> list[str]:
    """Objectives a campaign can be created with that have some ad set row matching the pins."""
    creatable = ctx.table("campaign")["creatable_objectives"]
    return [o for o in sorted(_t(ctx)["objectives"])
            if o in creatable and any(_matches(t, ctx.pins, _t(ctx)) for t in _triples(ctx, [o]))]


def _matches(triple: tuple[str, str | None, str], pins: dict[str, Any], table: dict[str, Any]) -> bool:
    _, destination, goal = triple
    return (goal == pins.get("_goal", goal) and destination == pins.get("_destination", destination)
            and not (pins.get("_not_value") and goal == table["bidding"]["min_roas"]["goal"]))


def restricted_categories(ctx: Context) -> list[str]:
    return _t(ctx)["targeting"]["special_ad_categories"]["categories"]


# -- setup: the parent campaign --------------------------------------------------------------------
@st.composite
def campaign_params(draw: st.DrawFn, ctx: Context) -> dict[str, Any]:
    """A parent campaign; pins `_objective`, `_cbo`, `_sac`, `_campaign_strategy` steer it."""
    pins = ctx.pins
    objective = pins.get("_objective") or draw(st.sampled_from(objectives(ctx)))
    campaign: dict[str, Any] = {"name": "parent", "objective": objective, "status": pins.get("status", "PAUSED"),
                                "special_ad_categories": []}
    sac = pins["_sac"] if "_sac" in pins else draw(st.booleans())
    if sac:
        campaign["special_ad_categories"] = [draw(st.sampled_from(restricted_categories(ctx)))]
        campaign["special_ad_category_country"] = ["US"]
    cbo = pins["_cbo"] if "_cbo" in pins else draw(st.booleans())
    if cbo:
        campaign["daily_budget"] = 1_000_000
        strategy = pins["_campaign_strategy"] if "_campaign_strategy" in pins else \
            draw(st.sampled_from([None, "LOWEST_COST_WITHOUT_CAP", *_t(ctx)["bidding"]["needs_bid_amount"]]))
        if strategy:
            campaign["bid_strategy"] = strategy
    return campaign


def setup(ctx: Context) -> st.SearchStrategy[Context]:
    return campaign_params(ctx).map(lambda c: ctx.replace(
        parents={"campaign": c}, steps=(Step("campaign.create", c),), ready=True))


# -- the ad set ---------------------------------------------------------------------------------------
def repair(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    table, pins = _t(ctx), ctx.pins
    campaign = ctx.parents["campaign"]
    p["campaign_id"] = Ref(0)
    if "status" not in pins and draw(st.booleans()):
        p["status"] = draw(st.sampled_from(table["creation_statuses"]))
    choices = [t for t in _triples(ctx, [campaign["objective"]]) if _matches(t, pins, table)]
    _, destination, goal = draw(st.sampled_from(choices))
    if destination:
        p["destination_type"] = destination
    p["optimization_goal"] = goal
    p["billing_event"] = billing = draw(st.sampled_from(_billing_events(ctx, goal)))
    roas = table["bidding"]["min_roas"]
    own_choices = [None, "LOWEST_COST_WITHOUT_CAP", *table["bidding"]["needs_bid_amount"]]
    if goal == roas["goal"]:
        own_choices.append(roas["strategy"])
    own = pins["_strategy"] if "_strategy" in pins else draw(st.sampled_from(own_choices))
    if own:
        p["bid_strategy"] = own
    strategy = in_force(ctx, p)
    if strategy in table["bidding"]["needs_bid_amount"]:
        p["bid_amount"] = draw(st.integers(min_bid(ctx, billing), min_bid(ctx, billing) * 200))
    if strategy == roas["strategy"]:
        p["bid_constraints"] = {roas["constraint"]: draw(st.integers(100, 10_000_000))}
    _schedule_and_budget(draw, p, ctx, billing, strategy)
    _promoted(draw, p, ctx, campaign["objective"])
    p["targeting"] = draw(targeting(ctx, any(c in restricted_categories(ctx) for c in campaign["special_ad_categories"])))
    return p


def _schedule_and_budget(draw: st.DrawFn, p: dict[str, Any], ctx: Context, billing: str, strategy: str) -> None:
    campaign = ctx.parents["campaign"]
    start = int(time.time()) + draw(st.integers(3600, 30 * DAY))
    if ctx.pins.get("_start") or draw(st.booleans()):
        p["start_time"] = start
    if campaign.get("daily_budget") or campaign.get("lifetime_budget"):
        if draw(st.booleans()):
            p["start_time"] = start
            p["end_time"] = start + draw(st.integers(DAY + 1, 60 * DAY))
        return
    minimum = daily_minimum(ctx, billing, strategy, p.get("bid_amount"), doubled=True)
    kind = ctx.pins.get("_budget") or draw(st.sampled_from(["daily", "daily_end", "lifetime"]))
    if kind == "lifetime":
        days = draw(st.integers(1, 30))
        p["start_time"] = start
        p["end_time"] = start + days * DAY - draw(st.integers(0, 3600))
        p["lifetime_budget"] = draw(st.integers(minimum * days, minimum * days * 3))
    else:
        p["daily_budget"] = draw(st.integers(minimum, minimum * 20))
        if kind == "daily_end":
            p["start_time"] = start
            p["end_time"] = start + draw(st.integers(DAY + 1, 60 * DAY))


def promoted_values(ctx: Context) -> dict[str, Any]:
    """Fixture ids the rules accept (a real Page and app of the demo world) and plausible others."""
    return {"page_id": ctx.world.get("page_id", "1100000000000001"), "application_id": ctx.world.get("app_id", "1200000000000001"),
            "object_store_url": "https://apps.example.com/graphmock-demo", "pixel_id": "1234567890",
            "custom_event_type": "PURCHASE", "offline_conversion_data_set_id": "77"}


def _facts(objective: str, p: dict[str, Any]) -> dict[str, Any]:
    return {"objective": objective, "destination_type": p.get("destination_type"), "optimization_goal": p.get("optimization_goal")}


def _entries(ctx: Context, facts: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in _t(ctx)["promoted_object"] if all(facts.get(k) in v for k, v in e["when"].items())]


def _promoted(draw: st.DrawFn, p: dict[str, Any], ctx: Context, objective: str) -> None:
    values, promoted = promoted_values(ctx), dict(p.get("promoted_object") or {})
    promoted = {}
    for entry in _entries(ctx, _facts(objective, p)):
        for name in draw(st.sampled_from(entry["any_of"])):
            promoted[name] = values[name]
    if promoted:
        p["promoted_object"] = promoted
    else:
        p.pop("promoted_object", None)


@st.composite
def targeting(draw: st.DrawFn, ctx: Context, sac: bool) -> dict[str, Any]:
    """geo (required), ages in order, genders, platforms; special ad categories keep 18-65 and all genders."""
    rule = _t(ctx)["targeting"]["special_ad_categories"]
    spec: dict[str, Any] = {"geo_locations": {"countries": draw(st.lists(
        st.sampled_from(ctx.registry.enum("country_code")), min_size=1, max_size=3, unique=True))}}
    if sac:
        if draw(st.booleans()):
            spec["age_min"], spec["age_max"] = rule["age_min"], rule["age_max"]
    else:
        ages = sorted(draw(st.lists(st.integers(13, 65), min_size=2, max_size=2)))
        spec.update({k: v for k, v in zip(("age_min", "age_max"), ages, strict=True) if draw(st.booleans())})
        if draw(st.booleans()):
            spec["genders"] = draw(st.lists(st.sampled_from(ctx.registry.enum("targeting_gender")), min_size=1,
                                            max_size=2, unique=True))
    if draw(st.booleans()):
        spec["publisher_platforms"] = draw(st.lists(st.sampled_from(ctx.registry.enum("publisher_platform")),
                                                    min_size=1, max_size=3, unique=True))
    return spec


# -- rule breakers: each draws a base that meets the rule's preconditions, then breaks only it ------------
def fresh(draw: st.DrawFn, ctx: Context, **pins: Any) -> tuple[dict[str, Any], Context]:
    """A new (campaign, ad set) pair under `pins`; returns the ad set and its context (with steps)."""
    inner = draw(setup(ctx.replace(pins={**ctx.pins, **pins}, ready=False)))
    return draw(valid(CREATE, inner)), inner


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


def _campaign_step(inner: Context, **changes: Any) -> tuple[Step, ...]:
    campaign = {**inner.parents["campaign"], **changes}
    return (Step("campaign.create", {k: v for k, v in campaign.items() if v is not None}),)


def _enum_outside(draw: st.DrawFn, ctx: Context, enum: str, allowed: list[str]) -> Any:
    options = [v for v in ctx.registry.enum(enum) if v not in allowed]
    return draw(st.sampled_from(options))


@_breaker("creation_status_invalid")
def b_status(draw, p, ctx):  # noqa: ANN001, ANN201 - small breakers, typed by _breaker
    return {**p, "status": _enum_outside(draw, ctx, "campaign_status", _t(ctx)["creation_statuses"])}


@_breaker("adset_campaign_invalid")
def b_parent(draw, p, ctx):  # noqa: ANN001, ANN201
    return {**p, "campaign_id": "99999999999", "__field__": "campaign_id"}


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


BREAKERS: dict[str, Breaker] = {
    "rule:execution_options": _break_execution_options, "rule:creation_status": b_status, "rule:parent_campaign": b_parent,
    "rule:destination_for_objective": b_destination, "rule:goal_for_objective": b_goal,
    "rule:billing_event_for_goal": b_billing, "rule:roas_goal_is_value": b_roas_goal,
    "rule:roas_floor_required": b_roas_floor, "rule:roas_without_bid_amount": b_roas_bid,
    "rule:bid_amount_required": b_bid_required, "rule:bid_amount_minimum": b_bid_low,
    "rule:budget_not_under_campaign_budget": b_under_cbo, "rule:campaign_budget_only_fields": b_cbo_only,
    "rule:budget_required": b_budget_required, "rule:one_budget": b_both,
    "rule:lifetime_budget_needs_end_time": b_lifetime_end, "rule:end_after_start": b_end_before,
    "rule:end_in_future": b_end_past, "rule:daily_budget_duration": b_duration, "rule:budget_minimum": b_budget_low,
    "rule:promoted_object_requirements": b_promoted, "rule:promoted_page_known": b_page,
    "rule:promoted_app_known": b_app, "rule:known_options": b_option, "rule:location_required": b_geo,
    "rule:radius_range": b_radius, "rule:age_order": b_age,
    "rule:special_category_age": b_sac_age, "rule:special_category_gender": b_sac_gender,
    "rule:special_category_location": b_sac_exclude,
}


def readback(field: str, sent: Any, ctx: Context) -> Any:
    return sent


CREATE = Operation(name="adset.create", node="AdSet", not_generated=SKIPS, repair=repair, breakers=BREAKERS,
                   setup=setup, readback=readback, controlled=CONTROLLED)
