"""Ad set property: breaking exactly one documented rule of a valid ad set is rejected with that rule's
code, subcode and blamed field (issue 3 'Done when'). Valid cases come from test_adsets_properties.cases,
which reads schemas/rules/adset.json; there is one breaker per rule function, named after it.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from helpers_envelope import assert_graph_error
from mock_server.wire.errors import catalogue
from test_adsets_properties import (DAY, ENUMS, MIN_ROAS, NEEDS_BID, NOW, TABLE, TARGETING_OPTIONS, Case, billing_events,
                                    cases, daily_minimum, first_unmet, min_bid, send)

EXAMPLES = settings(max_examples=40)


@pytest.fixture
def frozen(client: Any) -> Any:
    client.state.clock.freeze(NOW)
    return client


Broken = tuple[Case, str, str]  # (case, catalogue key expected, blamed field)


def other_value(draw: Any, enum: str, allowed: list[str]) -> str:
    return draw(st.sampled_from([v for v in ENUMS[enum]["enum"] if v not in allowed]))


def allowed_goals(case: Case) -> list[str]:
    row, destination = TABLE["objectives"][case.facts["objective"]], case.facts["destination_type"]
    return row["destinations"][destination] if destination else row["without_destination"]


def with_targeting(case: Case, **changes: Any) -> Case:
    return case.set(targeting={**case.adset["targeting"], **changes})


def required_param(draw: Any, case: Case) -> Broken:
    name = draw(st.sampled_from(["name", "campaign_id", "billing_event", "optimization_goal", "targeting"]))
    return replace(case, adset={**case.adset, name: None}), "param_required", name


def creation_status(draw: Any, case: Case) -> Broken:
    return case.set(status=draw(st.sampled_from(["ARCHIVED", "DELETED"]))), "creation_status_invalid", "status"


def campaign_unknown(draw: Any, case: Case) -> Broken:
    unknown = str(draw(st.integers(1, 10**12)))
    return replace(case, adset={**case.adset, "campaign_id": unknown}), "adset_campaign_invalid", "campaign_id"


def campaign_deleted(draw: Any, case: Case) -> Broken:
    return replace(case, delete_campaign=True), "adset_campaign_invalid", "campaign_id"


def campaign_adset_limit(draw: Any, case: Case) -> Broken:
    """GRAPH-BEHAVIOUR 8/11 (M-CAMP Limits): 'Max 200 ad sets per campaign'."""
    return replace(case, siblings=TABLE["limits"]["adsets_per_campaign"]), "adset_campaign_limit", "campaign_id"


def destination_for_objective(draw: Any, case: Case) -> Broken:
    allowed = list(TABLE["objectives"][case.facts["objective"]]["destinations"])
    return case.set(destination_type=other_value(draw, "destination_type", allowed)), "adset_destination_invalid", \
        "destination_type"


def goal_for_objective(draw: Any, case: Case) -> Broken:
    goal = other_value(draw, "optimization_goal", allowed_goals(case))
    return case.set(optimization_goal=goal), "adset_goal_unavailable", "optimization_goal"


def billing_event_for_goal(draw: Any, case: Case) -> Broken:
    billing = other_value(draw, "billing_event", billing_events(case.adset["optimization_goal"]))
    return case.set(billing_event=billing), "adset_billing_event_invalid", "billing_event"


def bid_amount_required(draw: Any, case: Case) -> Broken:
    if case.strategy in NEEDS_BID and "bid_strategy" not in case.adset and draw(st.booleans()):
        return case.set(bid_amount=None), "adset_bid_amount_required", "bid_amount"  # the default / inherited strategy
    return case.set(bid_strategy=draw(st.sampled_from(NEEDS_BID)), bid_amount=None), "adset_bid_amount_required", \
        "bid_amount"


def roas_floor_required(draw: Any, case: Case) -> Broken:
    return case.set(bid_constraints=draw(st.sampled_from([None, {}]))), "adset_roas_floor_required", \
        "bid_constraints[roas_average_floor]"


def roas_goal_is_value(draw: Any, case: Case) -> Broken:
    goal = draw(st.sampled_from([g for g in allowed_goals(case) if g != "VALUE"]))
    return case.set(optimization_goal=goal, billing_event="IMPRESSIONS"), "adset_roas_goal_value", "optimization_goal"


def roas_without_bid_amount(draw: Any, case: Case) -> Broken:
    return case.set(bid_amount=draw(st.integers(1, 5000))), "adset_bid_amount_with_roas", "bid_amount"


def bid_amount_minimum(draw: Any, case: Case) -> Broken:
    bid = draw(st.integers(0, min_bid(case.adset["billing_event"]) - 1))
    return case.set(bid_amount=bid), "adset_bid_too_low", "bid_amount"


def billing_event_for_strategy(draw: Any, case: Case) -> Broken:
    """GRAPH-BEHAVIOUR 8 (M-BIDS): COST_CAP needs billing_event IMPRESSIONS; bill on another event the goal allows."""
    allowed = TABLE["bidding"]["billing_events_by_strategy"][case.strategy]
    others = [b for b in billing_events(case.adset["optimization_goal"]) if b not in allowed]
    return case.set(billing_event=draw(st.sampled_from(others))), "adset_billing_event_for_strategy", "billing_event"


def budget_not_under_campaign_budget(draw: Any, case: Case) -> Broken:
    name = draw(st.sampled_from(TABLE["budget"]["fields"]))
    return case.set(**{name: 5000, "end_time": case.start + 5 * DAY}), "adset_budget_with_campaign_budget", name


def campaign_budget_only_fields(draw: Any, case: Case) -> Broken:
    name = draw(st.sampled_from(sorted(TABLE["budget"]["campaign_budget_only_fields"])))
    return case.set(**{name: 1000}), "adset_campaign_budget_field", name


def budget_required(draw: Any, case: Case) -> Broken:
    return case.set(daily_budget=None, lifetime_budget=draw(st.sampled_from([None, 0]))), "adset_budget_required", \
        "daily_budget"


def one_budget(draw: Any, case: Case) -> Broken:
    return case.set(daily_budget=draw(st.integers(1, 10**6))), "adset_budget_both", "lifetime_budget"


def lifetime_budget_needs_end_time(draw: Any, case: Case) -> Broken:
    changes = {"daily_budget": None, "lifetime_budget": 10**7, "end_time": draw(st.sampled_from([None, 0]))}
    return case.set(**changes), "adset_end_time_required", "end_time"


def end_after_start(draw: Any, case: Case) -> Broken:
    start = NOW + 10 * DAY
    return case.set(start_time=start, end_time=start - draw(st.integers(0, 9 * DAY))), "adset_end_before_start", "end_time"


def end_in_future(draw: Any, case: Case) -> Broken:
    end = NOW - draw(st.integers(0, 5 * DAY))
    return case.set(start_time=NOW - 10 * DAY, end_time=end), "adset_end_time_past", "end_time"


def daily_budget_duration(draw: Any, case: Case) -> Broken:
    return case.set(end_time=case.start + draw(st.integers(1, DAY))), "adset_daily_budget_duration", "daily_budget"


def budget_minimum(draw: Any, case: Case) -> Broken:
    adset = case.adset
    minimum = daily_minimum(adset["billing_event"], case.strategy, adset.get("bid_amount"))
    name = "lifetime_budget" if "lifetime_budget" in adset else "daily_budget"
    if name == "lifetime_budget":
        minimum *= max(1, math.ceil((adset["end_time"] - case.start) / DAY))
    assume(minimum > 1)
    return case.set(**{name: draw(st.integers(1, minimum - 1))}), "adset_budget_too_low", name


def promoted_object_requirements(draw: Any, case: Case) -> Broken:
    promoted = dict(case.adset.get("promoted_object") or {})
    keep = draw(st.sets(st.sampled_from(sorted(promoted)))) if promoted else set()
    trimmed = {k: v for k, v in promoted.items() if k in keep}
    missing = first_unmet(case.facts, trimmed)
    assume(missing is not None)
    return case.set(promoted_object=trimmed or None), "adset_promoted_object_required", f"promoted_object[{missing}]"


def promoted_page_known(draw: Any, case: Case) -> Broken:
    promoted = {**case.adset["promoted_object"], "page_id": str(draw(st.integers(1, 10**15)))}
    return case.set(promoted_object=promoted), "adset_promoted_page_unknown", "promoted_object[page_id]"


def promoted_app_known(draw: Any, case: Case) -> Broken:
    promoted = {**case.adset["promoted_object"], "application_id": str(draw(st.integers(1, 10**15)))}
    return case.set(promoted_object=promoted), "adset_application_unknown", "promoted_object[application_id]"


def known_options(draw: Any, case: Case) -> Broken:
    key = draw(st.from_regex(r"[a-z][a-z_]{2,20}", fullmatch=True).filter(lambda k: k not in TARGETING_OPTIONS))
    return with_targeting(case, **{key: ["x"]}), "targeting_unsupported_option", f"targeting[{key}]"


def location_required(draw: Any, case: Case) -> Broken:
    rest = {k: v for k, v in case.adset["targeting"].items() if k != "geo_locations"}
    geo = draw(st.sampled_from([{}, {"geo_locations": {}}, {"geo_locations": {"countries": []}}]))
    return case.set(targeting={**rest, **geo}), "targeting_geo_required", "targeting[geo_locations]"


def age_range(draw: Any, case: Case) -> Broken:
    name, value = draw(st.sampled_from([("age_min", 12), ("age_min", 0), ("age_max", 66), ("age_max", 200)]))
    return with_targeting(case, **{name: value}), "param_range", f"targeting[{name}]"


def age_order(draw: Any, case: Case) -> Broken:
    low = draw(st.integers(14, 65))
    return with_targeting(case, age_min=low, age_max=draw(st.integers(13, low - 1))), "targeting_age_order", \
        "targeting[age_max]"


def targeting_enums(draw: Any, case: Case) -> Broken:
    name, bad = draw(st.sampled_from([("genders", 3), ("genders", 0), ("device_platforms", "tv"),
                                      ("publisher_platforms", "myspace")]))
    return with_targeting(case, **{name: [bad]}), "param_enum", f"targeting[{name}][0]"


def radius_range(draw: Any, case: Case) -> Broken:
    unit = draw(st.sampled_from(["mile", "kilometer"]))
    low, high = TABLE["targeting"]["radius"]["cities"][unit]
    city = {"key": "2420379", "distance_unit": unit, "radius": draw(st.sampled_from([low - 1, high + 1]))}
    geo = {**case.adset["targeting"]["geo_locations"], "cities": [city]}
    return with_targeting(case, geo_locations=geo), "targeting_radius_range", "targeting[geo_locations][cities][0][radius]"


def special_category_age(draw: Any, case: Case) -> Broken:
    name = draw(st.sampled_from(["age_min", "age_max"]))
    value = draw(st.integers(19, 65)) if name == "age_min" else draw(st.integers(18, 64))
    return with_targeting(case, **{name: value}), "targeting_sac_age", f"targeting[{name}]"


def special_category_gender(draw: Any, case: Case) -> Broken:
    return with_targeting(case, genders=draw(st.sampled_from([[1], [2]]))), "targeting_sac_gender", "targeting[genders]"


def special_category_location(draw: Any, case: Case) -> Broken:
    if draw(st.booleans()):
        return with_targeting(case, excluded_geo_locations={"countries": ["CA"]}), "targeting_sac_location", \
            "targeting[excluded_geo_locations]"
    kind = draw(st.sampled_from(TABLE["targeting"]["special_ad_categories"]["forbidden_geo"]))
    geo = {**case.adset["targeting"]["geo_locations"], kind: [{"key": "US:94304"}]}
    return with_targeting(case, geo_locations=geo), "targeting_sac_location", f"targeting[geo_locations][{kind}]"


def advantage_audience_required(draw: Any, case: Case) -> Broken:
    """GRAPH-BEHAVIOUR 9 (M-ADV, v23+): a narrowed setup without targeting_automation.advantage_audience."""
    rest = {k: v for k, v in case.adset["targeting"].items() if k != "targeting_automation"}
    narrowing = draw(st.sampled_from([{"genders": [1]}, {"genders": [2]}, {"age_min": 30, "age_max": 50}, {"age_min": 18, "age_max": 40},
                                      {"custom_audiences": [{"id": "6000000000000"}]}]))
    return case.set(targeting={**rest, **narrowing}), "targeting_advantage_audience_required", \
        "targeting[targeting_automation][advantage_audience]"



def special_category_radius(draw: Any, case: Case) -> Broken:
    """GRAPH-BEHAVIOUR 9 (M-SAC): 'radius >=15 mi / 25 km (US/CA)' - a radius inside the general range but below the
    special-category minimum (the campaign's special_ad_category_country is US)."""
    regions = TABLE["targeting"]["special_ad_categories"]["min_radius"]["regions"]
    kind, unit = draw(st.sampled_from([("cities", "mile"), ("cities", "kilometer"), ("custom_locations", "mile")]))
    low = TABLE["targeting"]["radius"][kind][unit][0]
    radius = draw(st.integers(math.ceil(low), regions["US/CA"][unit] - 1))
    place = {"key": "2420379"} if kind == "cities" else {"latitude": 37.48, "longitude": -122.15}
    geo = {**case.adset["targeting"]["geo_locations"], kind: [{**place, "radius": radius, "distance_unit": unit}]}
    return with_targeting(case, geo_locations=geo), "targeting_sac_radius", f"targeting[geo_locations][{kind}][0][radius]"


def _in_the_eu(draw: Any, case: Case) -> dict[str, Any]:
    """The case's targeting moved (partly) into the EU: a country, a city carrying its country, or a zip key."""
    geo = draw(st.sampled_from([{"countries": ["US", "DE"]}, {"countries": ["FR"]},
                                {"cities": [{"key": "2418779", "country": "DE", "radius": 20, "distance_unit": "mile"}]},
                                {"regions": [{"key": "3847", "country": "IT"}]}]))
    return {**case.adset["targeting"], "geo_locations": geo}


def dsa_payor_required(draw: Any, case: Case) -> Broken:
    """GRAPH-BEHAVIOUR 1.1/9 (M-ADSET): EU targeting without dsa_payor (3858079)."""
    beneficiary = draw(st.sampled_from([None, "Beneficiary"]))
    return case.set(targeting=_in_the_eu(draw, case), dsa_payor=None, dsa_beneficiary=beneficiary), \
        "adset_dsa_payor_required", "dsa_payor"


def dsa_beneficiary_required(draw: Any, case: Case) -> Broken:
    """GRAPH-BEHAVIOUR 1.1: EU targeting with a payor but without dsa_beneficiary (3858081)."""
    return case.set(targeting=_in_the_eu(draw, case), dsa_payor="Payor", dsa_beneficiary=None), \
        "adset_dsa_beneficiary_required", "dsa_beneficiary"

ROAS = {"goal": "VALUE", "own_strategy": MIN_ROAS}
# breaker -> constraints on the valid case it starts from
BREAKERS: dict[Any, dict[str, Any]] = {
    required_param: {}, creation_status: {}, campaign_unknown: {}, campaign_deleted: {}, campaign_adset_limit: {},
    destination_for_objective: {}, goal_for_objective: {}, billing_event_for_goal: {},
    bid_amount_required: {}, roas_floor_required: ROAS, roas_goal_is_value: ROAS, roas_without_bid_amount: ROAS,
    bid_amount_minimum: {"own_strategy": "LOWEST_COST_WITH_BID_CAP"},
    billing_event_for_strategy: {"goal": "LINK_CLICKS", "own_strategy": "COST_CAP"},
    budget_not_under_campaign_budget: {"cbo": True}, campaign_budget_only_fields: {"cbo": False},
    budget_required: {"cbo": False}, one_budget: {"cbo": False, "budget_kind": "lifetime"},
    lifetime_budget_needs_end_time: {"cbo": False}, end_after_start: {}, end_in_future: {},
    daily_budget_duration: {"cbo": False, "budget_kind": "daily"}, budget_minimum: {"cbo": False},
    promoted_object_requirements: {},
    promoted_page_known: {"objective": "OUTCOME_ENGAGEMENT", "goal": "CONVERSATIONS"},
    promoted_app_known: {"objective": "OUTCOME_APP_PROMOTION"},
    known_options: {}, location_required: {}, age_range: {}, age_order: {"sac": False}, targeting_enums: {},
    radius_range: {}, special_category_age: {"sac": True}, special_category_gender: {"sac": True},
    special_category_location: {"sac": True}, advantage_audience_required: {"sac": False},
    special_category_radius: {"sac": True}, dsa_payor_required: {}, dsa_beneficiary_required: {},
}


def _split(path: str) -> list[str]:
    return [p for p in path.replace("]", "").split("[") if p]


@pytest.mark.parametrize("breaker", list(BREAKERS), ids=lambda f: f.__name__)
def test_breaking_one_rule_is_rejected_with_its_error(frozen, act, breaker):
    """Any valid ad set with exactly one rule broken fails with that rule's catalogue code/subcode, blames the
    field and names it in the message."""
    constraints = BREAKERS[breaker]
    rule = breaker.__name__

    @EXAMPLES
    @given(data=st.data())
    def check(data: Any) -> None:
        case = data.draw(cases(**constraints), label="valid")
        broken, key, blamed = breaker(data.draw, case)
        entry = catalogue()[key]
        response = send(frozen, act, broken)
        error = assert_graph_error(response, entry["code"], entry.get("error_subcode"), status=entry["http_status"])
        assert json.loads(error["error_data"])["blame_field_specs"] == [_split(blamed)], (rule, error)
        text = error["message"] + " " + error.get("error_user_msg", "") + " " + error.get("error_data", "")
        assert blamed in text or _split(blamed)[-1] in text, (rule, error)

    check()


def test_every_rule_function_has_a_breaker():
    """Each rule of the create rule table is broken by the breaker of the same name (execution_options is an
    example test in test_adsets.py)."""
    from mock_server.domain.rules.adset import CREATE_RULES

    names = {rule.__name__ for rule in CREATE_RULES} - {"execution_options"}
    assert names <= {breaker.__name__ for breaker in BREAKERS}, names - {b.__name__ for b in BREAKERS}
