"""Ad set properties: every payload the rule tables call valid is accepted (issue 3 'Done when'), and no
input produces a 500. The break-one-rule property is in test_adsets_breakers.py.

Valid payloads are generated from schemas/rules/adset.json alone (objective -> destination -> goal ->
billing event, bid strategies, minimum budgets, promoted_object requirements, targeting limits), so a
change to a table changes both the server and these tests.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server.contract.registry import default_registry

REGISTRY = default_registry()
TABLE = REGISTRY.rules("adset")
ENUMS = REGISTRY.documents["enums"]["$defs"]
TARGETING_OPTIONS = set(REGISTRY.documents["targeting"]["$defs"]["targeting"]["properties"])
NOW = 1_900_000_000
DAY = 86400
PAGE, APP = "1100000000000001", "1200000000000001"
PROMOTED_VALUES = {"page_id": PAGE, "application_id": APP, "object_store_url": "https://apps.example/demo",
                   "pixel_id": "1234567890", "custom_event_type": "PURCHASE", "offline_conversion_data_set_id": "77"}
NEEDS_BID = TABLE["bidding"]["needs_bid_amount"]
MIN_ROAS = TABLE["bidding"]["min_roas"]["strategy"]
SAC = TABLE["targeting"]["special_ad_categories"]["categories"]
ADVANTAGE = TABLE["targeting"]["advantage_audience"]
SAC_RADIUS = TABLE["targeting"]["special_ad_categories"]["min_radius"]["regions"]


@dataclass
class Case:
    """One ad set request and the campaign it goes under (python values; encoded when sent)."""

    campaign: dict[str, Any]
    adset: dict[str, Any]
    strategy: str  # the bid strategy in force
    delete_campaign: bool = False
    siblings: int = 0  # ad sets the campaign already holds (a fresh campaign, filled through the store)
    as_json: bool = False
    facts: dict[str, Any] = field(default_factory=dict)

    def set(self, **changes: Any) -> Case:
        adset = {**self.adset, **changes}
        return replace(self, adset={k: v for k, v in adset.items() if v is not None})

    @property
    def start(self) -> int:
        return self.adset.get("start_time") or NOW


# -- oracles read straight from the tables ------------------------------------------------------
def billing_events(goal: str) -> list[str]:
    table = TABLE["billing_events"]
    return table["by_goal"].get(goal, table["default"])


def min_bid(billing: str) -> int:
    table = TABLE["bidding"]["min_bid_usd"]
    return math.ceil(table.get(billing, table["default"]) * 100)  # demo account: USD


def daily_minimum(billing: str, strategy: str, bid: int | None) -> int:
    budget = TABLE["budget"]
    if strategy in NEEDS_BID and bid:
        return bid * budget["manual_bid_multiplier"].get(billing, budget["manual_bid_multiplier"]["default"])
    usd = budget["min_daily_usd"].get(billing, budget["min_daily_usd"]["default"])
    if billing not in budget["low_frequency_billing_events"]:  # demo account is in the US (USD): 2x
        usd *= 2
    return math.ceil(round(usd * 100, 6))


def promoted_entries(facts: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in TABLE["promoted_object"] if all(facts.get(k) in v for k, v in e["when"].items())]


def first_unmet(facts: dict[str, Any], promoted: dict[str, Any]) -> str | None:
    for entry in promoted_entries(facts):
        if not any(all(f in promoted for f in fields) for fields in entry["any_of"]):
            return next(f for f in entry["any_of"][0] if f not in promoted)
    return None


# -- valid cases ---------------------------------------------------------------------------------
@st.composite
def cases(draw: Any, objective: str | None = None, goal: str | None = None, cbo: bool | None = None,
          sac: bool | None = None, own_strategy: Any = ..., campaign_strategy: Any = ...,
          budget_kind: str | None = None) -> Case:
    objective = objective or draw(st.sampled_from([o for o, row in sorted(TABLE["objectives"].items())
                                                   if goal is None or goal in row["without_destination"]]))
    row = TABLE["objectives"][objective]
    destinations = [d for d in [None, *row["destinations"]]
                    if goal is None or goal in (row["destinations"][d] if d else row["without_destination"])]
    destination = draw(st.sampled_from(destinations))
    goals = row["destinations"][destination] if destination else row["without_destination"]
    goal = goal or draw(st.sampled_from(goals))
    billing = draw(st.sampled_from(billing_events(goal)))
    cbo = draw(st.booleans()) if cbo is None else cbo
    category = (draw(st.sampled_from(SAC)) if draw(st.booleans()) else None) if sac is None else \
        (draw(st.sampled_from(SAC)) if sac else None)
    campaign: dict[str, Any] = {"objective": objective}
    if category:
        campaign.update(special_ad_categories=[category], special_ad_category_country=["US"])
    from_campaign = None
    if cbo:
        campaign["daily_budget"] = 1_000_000
        from_campaign = draw(st.sampled_from([None, "LOWEST_COST_WITHOUT_CAP", "COST_CAP"])) \
            if campaign_strategy is ... else campaign_strategy
        if from_campaign:
            campaign["bid_strategy"] = from_campaign
    choices = [None, "LOWEST_COST_WITHOUT_CAP", *NEEDS_BID] + ([MIN_ROAS] if goal == TABLE["bidding"]["min_roas"]["goal"] else [])
    own = draw(st.sampled_from(choices)) if own_strategy is ... else own_strategy
    strategy = own or from_campaign or TABLE["bidding"]["default_strategy"]
    by_strategy = TABLE["bidding"]["billing_events_by_strategy"].get(strategy)  # COST_CAP bills on IMPRESSIONS
    if by_strategy is not None and billing not in by_strategy:
        billing = draw(st.sampled_from([b for b in billing_events(goal) if b in by_strategy]))
    adset: dict[str, Any] = {"name": draw(st.text(min_size=1, max_size=40)), "optimization_goal": goal,
                             "billing_event": billing, "targeting": draw(targetings(bool(category)))}
    if destination:
        adset["destination_type"] = destination
    if own:
        adset["bid_strategy"] = own
    if strategy in NEEDS_BID:
        adset["bid_amount"] = draw(st.integers(min_bid(billing), 3000))
    if strategy == MIN_ROAS:
        adset["bid_constraints"] = {"roas_average_floor": draw(st.integers(100, 10_000_000))}
    if draw(st.booleans()):
        adset["start_time"] = NOW + draw(st.integers(0, 30)) * 3600
    if draw(st.booleans()):
        adset["status"] = draw(st.sampled_from(TABLE["creation_statuses"]))
    start = adset.get("start_time") or NOW
    if not cbo:
        minimum = daily_minimum(billing, strategy, adset.get("bid_amount"))
        kind = budget_kind or draw(st.sampled_from(["daily", "daily_end", "lifetime"]))
        if kind == "lifetime":
            days = draw(st.integers(1, 30))
            adset["end_time"] = start + days * DAY - draw(st.integers(0, 3600))
            adset["lifetime_budget"] = draw(st.integers(minimum * days, minimum * days * 3))
        else:
            adset["daily_budget"] = draw(st.integers(minimum, minimum * 20))
            if kind == "daily_end":
                adset["end_time"] = start + DAY + draw(st.integers(1, 30 * DAY))
            elif draw(st.booleans()):
                adset["end_time"] = 0
    facts = {"objective": objective, "destination_type": destination, "optimization_goal": goal}
    promoted: dict[str, Any] = {}
    for entry in promoted_entries(facts):
        for name in draw(st.sampled_from(entry["any_of"])):
            promoted[name] = PROMOTED_VALUES[name]
    if promoted:
        adset["promoted_object"] = promoted
    return Case(campaign, adset, strategy, as_json=draw(st.booleans()), facts=facts)


@st.composite
def targetings(draw: Any, restricted: bool) -> dict[str, Any]:
    countries = draw(st.lists(st.sampled_from(["US", "CA", "GB", "BR", "JP", "IN"]), min_size=1, max_size=3, unique=True))
    targeting: dict[str, Any] = {"geo_locations": {"countries": countries}}
    if draw(st.booleans()):  # a city radius in range; special ad categories keep the US/CA minimum (M-SAC)
        unit = draw(st.sampled_from(["mile", "kilometer"]))
        low, high = TABLE["targeting"]["radius"]["cities"][unit]
        if restricted:
            low = max(low, SAC_RADIUS["US/CA"][unit])
        targeting["geo_locations"]["cities"] = [{"key": "2420379", "distance_unit": unit,
                                                 "radius": draw(st.integers(math.ceil(low), math.floor(high)))}]
    if restricted:
        if draw(st.booleans()):
            targeting.update(age_min=18, age_max=65)
        if draw(st.booleans()):
            targeting["genders"] = [1, 2]
    else:
        if draw(st.booleans()):
            low = draw(st.integers(13, 65))
            targeting.update(age_min=low, age_max=draw(st.integers(low, 65)))
        if draw(st.booleans()):
            targeting["genders"] = draw(st.sampled_from([[1], [2], [1, 2]]))
    for name, enum in (("device_platforms", "device_platform"), ("publisher_platforms", "publisher_platform")):
        if draw(st.booleans()):
            targeting[name] = draw(st.lists(st.sampled_from(ENUMS[enum]["enum"]), min_size=1, unique=True))
    # v23+ (GRAPH-BEHAVIOUR 9): a narrowed setup must say whether Advantage+ audience is on; a default one may
    # omit it (it defaults to 1). Narrowed setups say 0: Advantage+ audience itself would not keep custom ages.
    if narrowed(targeting):
        targeting["targeting_automation"] = {"advantage_audience": 0}
    elif draw(st.booleans()):
        targeting["targeting_automation"] = {"advantage_audience": draw(st.sampled_from([0, 1]))}
    return targeting


def narrowed(targeting: dict[str, Any]) -> bool:
    """Not the 'default'/'relaxed' setup of the advantage_audience rule (read from the table)."""
    exempt = ADVANTAGE["exempt"]
    low, high = exempt["age_min"]
    return (targeting.get("age_min", low) not in range(low, high + 1) or targeting.get("age_max", exempt["age_max"][0])
            not in exempt["age_max"] or bool(targeting.get("genders")) and sorted(targeting["genders"]) != exempt["genders"]
            or any(targeting.get(k) for k in exempt["inclusions"]))


def stored_targeting(targeting: dict[str, Any]) -> dict[str, Any]:
    """What reads back: a default setup sent without the flag gets advantage_audience = default_value."""
    if "targeting_automation" in targeting or narrowed(targeting):
        return targeting
    return {**targeting, "targeting_automation": {"advantage_audience": ADVANTAGE["default_value"]}}


# -- sending -------------------------------------------------------------------------------------
def campaign_for(client: Any, act: str, case: Case) -> str:
    cache = client.__dict__.setdefault("_adset_campaigns", {})
    key = json.dumps(case.campaign, sort_keys=True)
    if key not in cache or case.delete_campaign:
        data = {"name": "C", "status": "ACTIVE", "special_ad_categories": "[]",
                **{k: v if isinstance(v, str) else json.dumps(v) for k, v in case.campaign.items()}}
        response = client.post(f"{act}/campaigns", data=data)
        assert response.status_code == 200, response.text
        if case.delete_campaign:
            client.delete(response.json()["id"])
            return response.json()["id"]
        cache[key] = response.json()["id"]
    return cache[key]


def fill_campaign(client: Any, act: str, case: Case) -> str:
    """A fresh campaign holding `case.siblings` ad sets: one created over HTTP, the rest copies put in the store."""
    campaign_id = campaign_for(client, act, replace(case, delete_campaign=False, siblings=0, campaign={
        **case.campaign, "name": f"filled {len(client.__dict__.get('_adset_campaigns', {}))}"}))
    first = send(client, act, replace(case, siblings=0, adset={**case.adset, "campaign_id": campaign_id}))  # valid
    assert first.status_code == 200, first.text
    store = client.state.store
    record = store.get(int(first.json()["id"]))
    with store.transaction():
        for _ in range(case.siblings - 1):
            store.insert(replace(record, id=store.next_id(), data=dict(record.data)))
    return campaign_id


def send(client: Any, act: str, case: Case) -> Any:
    if case.siblings:
        body = {**case.adset, "campaign_id": fill_campaign(client, act, case)}
    else:
        body = {"campaign_id": campaign_for(client, act, case), **case.adset}
    body = {k: v for k, v in body.items() if v is not None}
    if case.as_json:
        return client.post(f"{act}/adsets", json=body)
    return client.post(f"{act}/adsets", data={k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()})


@pytest.fixture
def frozen(client: Any) -> Any:
    client.state.clock.freeze(NOW)
    return client


@settings(max_examples=60)
@given(case=cases())
def test_valid_payloads_are_accepted(frozen, act, case):
    """Any ad set the rule tables call valid is created, and reads back what was sent."""
    response = send(frozen, act, case)
    assert response.status_code == 200, (case, response.text)
    adset = response.json()["id"]
    read = frozen.get(adset, params={"fields": "optimization_goal,billing_event,destination_type,bid_strategy,status,"
                                               "effective_status,targeting"}).json()
    assert read["optimization_goal"] == case.adset["optimization_goal"]
    assert read["billing_event"] == case.adset["billing_event"]
    assert read.get("destination_type") == case.adset.get("destination_type")
    assert read["bid_strategy"] == case.strategy
    assert read["status"] == read["effective_status"] == case.adset.get("status", TABLE["default_status"])
    assert read["targeting"] == stored_targeting(case.adset["targeting"])


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=12)
CREATE_PARAMS = sorted(REGISTRY.documents["requests/adset.create"]["properties"])


@settings(max_examples=60)
@given(case=cases(), junk=st.dictionaries(st.sampled_from(CREATE_PARAMS + ["targeting", "promoted_object"]), JSONISH,
                                          min_size=1, max_size=3),
       nested=st.dictionaries(st.sampled_from(sorted(TARGETING_OPTIONS)), JSONISH, max_size=3), as_form=st.booleans())
def test_any_values_give_a_graph_answer_never_a_500(frozen, act, case, junk, nested, as_form):
    """Issue 3 / team rules: no input produces a 500; every rejection is a Graph error envelope."""
    body = {"campaign_id": campaign_for(frozen, act, case), **case.adset, **junk}
    if nested:
        body["targeting"] = {**case.adset["targeting"], **nested}
    if as_form:
        response = frozen.post(f"{act}/adsets", data={k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()})
    else:
        response = frozen.post(f"{act}/adsets", json=body)
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        REGISTRY.get("envelopes/error").detailed.validate(response.json())
    else:
        adset = response.json()["id"]
        update = frozen.post(adset, json={k: v for k, v in junk.items() if k != "campaign_id"})
        assert update.status_code in (200, 400), update.text
        assert frozen.get(adset, params={"fields": "name,targeting,promoted_object,daily_budget"}).status_code == 200
