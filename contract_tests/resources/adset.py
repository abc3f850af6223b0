"""Ad set create strategies: everything cross-field is drawn from `schemas/rules/adset.json`.

The parent campaign is drawn first (objective, optional campaign budget and
bid strategy, optional special ad category) and created as setup; the ad set
then follows the tables: objective -> destination_type -> optimization_goal
-> billing_event, the bid strategy in force (bid_amount, ROAS floor, the billing
events it allows),
minimum budgets and schedule, promoted_object requirements, targeting
(seed 000 ad set table; GRAPH-BEHAVIOUR 6-9).
"""

from __future__ import annotations

import math
import time
from typing import Any

from hypothesis import strategies as st

from contract_tests.cases import Ref, Step
from contract_tests.operations import Context, Operation
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
    by_strategy = table["bidding"]["billing_events_by_strategy"].get(strategy)  # COST_CAP bills on IMPRESSIONS (M-BIDS)
    if by_strategy is not None and billing not in by_strategy:
        p["billing_event"] = billing = draw(st.sampled_from([b for b in _billing_events(ctx, goal) if b in by_strategy]))
    if strategy in table["bidding"]["needs_bid_amount"]:
        p["bid_amount"] = draw(st.integers(min_bid(ctx, billing), min_bid(ctx, billing) * 200))
    if strategy == roas["strategy"]:
        p["bid_constraints"] = {roas["constraint"]: draw(st.integers(100, 10_000_000))}
    _schedule_and_budget(draw, p, ctx, billing, strategy)
    _promoted(draw, p, ctx, campaign["objective"])
    p["targeting"] = draw(targeting(ctx, any(c in restricted_categories(ctx) for c in campaign["special_ad_categories"])))
    dsa_fields(draw, p, ctx)
    return p


def in_the_eu(ctx: Context, spec: dict[str, Any]) -> bool:
    """The drawn targeting has an EU country (the DSA rule's table; the generators only draw countries)."""
    countries = ((spec.get("geo_locations") or {}).get("countries")) or []
    return any(c in _t(ctx)["dsa"]["eu_countries"] for c in countries)


def dsa_fields(draw: st.DrawFn, p: dict[str, Any], ctx: Context, existing: dict[str, Any] | None = None) -> None:
    """GRAPH-BEHAVIOUR 1.1/9 (M-ADSET, EU DSA): an ad set targeting the EU carries non-blank dsa_payor and
    dsa_beneficiary (the demo account has no defaults to fill them). On update the ad set as it would be afterwards
    counts: `existing` holds the create params."""
    existing = existing or {}
    spec = p["targeting"] if isinstance(p.get("targeting"), dict) else existing.get("targeting") or {}
    if not in_the_eu(ctx, spec):
        return
    for name in _t(ctx)["dsa"]["fields"]:
        value = p.get(name, existing.get(name))
        if not isinstance(value, str) or not value.strip():
            p[name] = draw(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 .,&-]{0,60}", fullmatch=True))


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
    """geo (required), ages in order, genders, platforms; special ad categories keep 18-65 and all genders; the
    Advantage+ audience flag whenever the setup is narrowed (v23+)."""
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
        spec["geo_locations"]["cities"] = [draw(city(ctx, sac))]
    if draw(st.booleans()):
        spec["publisher_platforms"] = draw(st.lists(st.sampled_from(ctx.registry.enum("publisher_platform")),
                                                    min_size=1, max_size=3, unique=True))
    # v23+ (GRAPH-BEHAVIOUR 9, M-ADV): a narrowed setup must carry targeting_automation.advantage_audience (0 here:
    # Advantage+ audience would not keep custom ages or genders); a default one may omit it (it defaults to 1).
    if narrowed(ctx, spec):
        spec["targeting_automation"] = {"advantage_audience": 0}
    elif draw(st.booleans()):
        spec["targeting_automation"] = {"advantage_audience": draw(st.sampled_from([0, 1]))}
    return spec


@st.composite
def city(draw: st.DrawFn, ctx: Context, sac: bool) -> dict[str, Any]:
    """A city with a radius in its unit's range (GRAPH-BEHAVIOUR 9); special ad categories keep at least the
    US/CA minimum (M-SAC 'radius >=15 mi / 25 km'): the city carries no country, so the campaign's (US) decides."""
    unit = draw(st.sampled_from(["mile", "kilometer"]))
    low, high = _t(ctx)["targeting"]["radius"]["cities"][unit]
    if sac:
        low = max(low, _t(ctx)["targeting"]["special_ad_categories"]["min_radius"]["regions"]["US/CA"][unit])
    return {"key": "2420379", "radius": draw(st.integers(math.ceil(low), math.floor(high))), "distance_unit": unit}


def narrowed(ctx: Context, spec: dict[str, Any]) -> bool:
    """Not the 'default'/'relaxed' setup of the advantage_audience rule (schemas/rules/adset.json)."""
    exempt = _t(ctx)["targeting"]["advantage_audience"]["exempt"]
    low, high = exempt["age_min"]
    return (not low <= spec.get("age_min", low) <= high or spec.get("age_max", exempt["age_max"][0]) not in exempt["age_max"]
            or bool(spec.get("genders")) and sorted(spec["genders"]) != sorted(exempt["genders"])
            or any(spec.get(k) for k in exempt["inclusions"]))


def readback(field: str, sent: Any, ctx: Context) -> Any:
    return sent


# Valid ad sets; the rule breakers are added in adset_breakers.py (resources.OPERATIONS has the full operation).
CREATE = Operation(name="adset.create", node="AdSet", not_generated=SKIPS, repair=repair, breakers={},
                   setup=setup, readback=readback, controlled=CONTROLLED)
