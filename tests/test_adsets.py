"""Ad sets: seed 000's calls as written, reads, lists, updates and deletes.

The documented create rules have one example test each in test_adsets_rules.py;
the property tests are in test_adsets_properties.py. Helpers here are shared by both.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from helpers_envelope import assert_graph_error, validate


def make_campaign(client: Any, act: str, **overrides: Any) -> str:
    data = {"name": "C", "objective": "OUTCOME_ENGAGEMENT", "status": "ACTIVE", "special_ad_categories": "[]", **overrides}
    response = client.post(f"{act}/campaigns", data={k: v for k, v in data.items() if v is not None})
    assert response.status_code == 200, response.text
    return response.json()["id"]


def payload(world: dict[str, Any], parent: str, **overrides: Any) -> dict[str, str]:
    """Seed 000's click-to-Instagram ad set as form values; `None` removes a param."""
    base = {
        "name": "Click to Instagram Ad Set", "campaign_id": parent, "bid_strategy": "LOWEST_COST_WITHOUT_CAP",
        "billing_event": "IMPRESSIONS", "daily_budget": "5000", "destination_type": "INSTAGRAM_DIRECT",
        "optimization_goal": "CONVERSATIONS", "promoted_object": json.dumps({"page_id": world["page_id"]}),
        "status": "ACTIVE",
        "targeting": json.dumps({"geo_locations": {"countries": ["US", "CA"]}, "device_platforms": ["mobile", "desktop"]}),
    }
    base.update(overrides)
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in base.items() if v is not None}


def create(client: Any, act: str, world: dict[str, Any], parent: str, **overrides: Any) -> Any:
    return client.post(f"{act}/adsets", data=payload(world, parent, **overrides))


@pytest.fixture
def campaign(client, act) -> str:
    return make_campaign(client, act)


def test_seed_000_ad_set_call_as_written(client, act, world):
    """Seed 000 step 2: the -F form call (bid_strategy, billing_event, campaign_id, daily_budget, destination_type,
    name, optimization_goal, promoted_object, status, start_time, targeting) -> { "id": "<AD_SET_ID>" }; then
    GET fields=name,destination_type,optimization_goal,bid_strategy,status returns exactly the seed's body."""
    campaign_id = client.post(f"{act}/campaigns", files={
        "name": (None, "Click to Instagram Campaign"), "objective": (None, "OUTCOME_ENGAGEMENT"),
        "status": (None, "ACTIVE"), "special_ad_categories": (None, "[]")}).json()["id"]
    response = client.post(f"{act}/adsets", files={
        "bid_strategy": (None, "LOWEST_COST_WITHOUT_CAP"), "billing_event": (None, "IMPRESSIONS"),
        "campaign_id": (None, campaign_id), "daily_budget": (None, "5000"), "destination_type": (None, "INSTAGRAM_DIRECT"),
        "name": (None, "Click to Instagram Ad Set"), "optimization_goal": (None, "CONVERSATIONS"),
        "promoted_object": (None, '{ "page_id": "%s" }' % world["page_id"]), "status": (None, "ACTIVE"),
        "start_time": (None, "2026-03-12 23:59:59-07:00"),
        "targeting": (None, '{ "geo_locations": { "countries":["US","CA"] }, "device_platforms": ["mobile", "desktop"] }')})
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == ["id"] and re.fullmatch(r"[0-9]{15,18}", body["id"])
    validate("envelopes/created", body)
    read = client.get(body["id"], params={"fields": "name,destination_type,optimization_goal,bid_strategy,status"})
    assert read.json() == {"name": "Click to Instagram Ad Set", "destination_type": "INSTAGRAM_DIRECT",
                           "optimization_goal": "CONVERSATIONS", "bid_strategy": "LOWEST_COST_WITHOUT_CAP",
                           "status": "ACTIVE", "id": body["id"]}


def test_python_sdk_wire_body_is_accepted(client, act):
    """sdk-wire-python.json: urlencoded ad set create (no bid_strategy, bid_amount=2, REACH/IMPRESSIONS,
    targeting with genders/location_types/publisher_platforms) is accepted; the default BID_CAP reads back.
    The recorded body narrows genders, so from v23 (GRAPH-BEHAVIOUR 9, M-ADV) it must also carry
    targeting_automation.advantage_audience; without it the same bytes get 'Advantage Audience Flag Required'."""
    campaign_id = make_campaign(client, act, objective="OUTCOME_AWARENESS")
    raw = ("name=My+adset&campaign_id=%s&daily_budget=1000&billing_event=IMPRESSIONS&optimization_goal=REACH&bid_amount=2"
           "&targeting=%%7B%%22age_max%%22%%3A65%%2C%%22age_min%%22%%3A18%%2C%%22genders%%22%%3A%%5B1%%5D%%2C%%22geo_locations"
           "%%22%%3A%%7B%%22countries%%22%%3A%%5B%%22US%%22%%2C%%22CA%%22%%5D%%2C%%22location_types%%22%%3A%%5B%%22home%%22%%5D"
           "%%7D%%2C%%22publisher_platforms%%22%%3A%%5B%%22facebook%%22%%2C%%22instagram%%22%%5D{flag}%%7D"
           "&start_time=2026-01-02T03%%3A04%%3A05%%2B0000&status=PAUSED") % campaign_id
    form = {"content-type": "application/x-www-form-urlencoded"}
    refused = client.post(f"{act}/adsets", content=raw.format(flag="").encode(), headers=form)
    error = assert_graph_error(refused, 100, None, blame="targeting")
    assert error["error_user_title"] == "Advantage Audience Flag Required"
    flag = "%2C%22targeting_automation%22%3A%7B%22advantage_audience%22%3A0%7D"
    response = client.post(f"{act}/adsets", content=raw.format(flag=flag).encode(), headers=form)
    assert response.status_code == 200, response.text
    read = client.get(response.json()["id"], params={"fields": "bid_strategy,bid_amount,start_time,targeting{genders},status"})
    assert read.json() == {"bid_strategy": "LOWEST_COST_WITH_BID_CAP", "bid_amount": 2,
                           "start_time": "2026-01-01T19:04:05-0800", "targeting": {"genders": [1]}, "status": "PAUSED",
                           "id": response.json()["id"]}


def test_node_sdk_json_body(client, act, world, campaign):
    """sdk-wire-node.json: a JSON body with typed values and a stray "id": "act_..." is accepted."""
    body = {"name": "My adset", "campaign_id": campaign, "billing_event": "IMPRESSIONS", "optimization_goal": "LINK_CLICKS",
            "bid_strategy": "LOWEST_COST_WITHOUT_CAP", "daily_budget": 5000, "destination_type": "INSTAGRAM_DIRECT",
            "promoted_object": {"page_id": int(world["page_id"])},
            "targeting": {"geo_locations": {"countries": ["US"]}, "age_min": 18}, "id": act}
    response = client.post(f"{act}/adsets", json=body)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("form,expected", [
    ("2036-03-12 23:59:59-07:00", "2036-03-12T23:59:59-0700"),
    ("2036-03-12 23:59:59 PDT", "2036-03-12T23:59:59-0700"),
    ("2089497599", "2036-03-18T16:59:59-0700"),
    ("2036-03-12T23:59:59-0700", "2036-03-12T23:59:59-0700"),
    ("2036-03-12T23:59:59Z", "2036-03-12T16:59:59-0700"),
])
def test_seed_000_datetime_forms(client, act, world, campaign, form, expected):
    """Seed 000 end_time/start_time: '2015-03-12 23:59:59-07:00 or 2015-03-12 23:59:59 PDT. UTC UNIX timestamp.'
    (plus ISO 8601); time_stop is 'Interchangeable with end_time'. Reads are Graph datetimes in the ad account's
    zone (issue 17: the demo account is America/Los_Angeles, PDT -0700 from 2036-03-09)."""
    for name in ("end_time", "time_stop"):
        response = create(client, act, world, campaign, daily_budget=None, lifetime_budget="500000", **{name: form})
        assert response.status_code == 200, response.text
        assert client.get(response.json()["id"], params={"fields": "end_time"}).json()["end_time"] == expected


def test_time_start_alias_and_default_start(client, act, world, campaign):
    """Seed 000: start_time 'will default to the current time'; time_start is 'Interchangeable with start_time'."""
    client.state.clock.freeze(1_900_000_000)
    first = create(client, act, world, campaign).json()["id"]
    second = create(client, act, world, campaign, time_start="1900003600").json()["id"]
    assert client.get(first, params={"fields": "start_time"}).json()["start_time"] == "2030-03-17T10:46:40-0700"
    assert client.get(second, params={"fields": "start_time"}).json()["start_time"] == "2030-03-17T11:46:40-0700"


def test_end_time_zero_means_ongoing(client, act, world, campaign):
    """Seed 000: 'specify end_time=0 or leave this field empty to set the ad set as ongoing'."""
    for value in ("0", ""):
        response = create(client, act, world, campaign, end_time=value)
        assert response.status_code == 200, response.text
        assert "end_time" not in client.get(response.json()["id"], params={"fields": "end_time"}).json()


def test_status_defaults_to_active(client, act, world, campaign):
    """Seed 000: status 'will default to ACTIVE if no value is provided'."""
    adset = create(client, act, world, campaign, status=None).json()["id"]
    assert client.get(adset, params={"fields": "status,configured_status,effective_status"}).json() == {
        "status": "ACTIVE", "configured_status": "ACTIVE", "effective_status": "ACTIVE", "id": adset}


def test_money_times_and_campaign_expansion(client, act, world, campaign):
    """GRAPH-BEHAVIOUR 4/8: money reads as numeric strings; `campaign{objective}` expands the parent."""
    adset = create(client, act, world, campaign, fields="daily_budget").json()
    assert adset["daily_budget"] == "5000"
    body = client.get(adset["id"], params={"fields": "daily_budget,budget_remaining,created_time,campaign{objective},"
                                                     "campaign_id,account_id,targeting{geo_locations{countries}}"}).json()
    assert body["daily_budget"] == "5000" and body["budget_remaining"] == "5000"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-0[78]00", body["created_time"])
    assert body["campaign"] == {"objective": "OUTCOME_ENGAGEMENT", "id": campaign}
    assert body["campaign_id"] == campaign and body["account_id"] == act.removeprefix("act_")
    assert body["targeting"] == {"geo_locations": {"countries": ["US", "CA"]}}


def test_unknown_field_uses_graph_node_type(client, act, world, campaign):
    """GRAPH-BEHAVIOUR 1.3: an ad set is node type AdCampaign."""
    adset = create(client, act, world, campaign).json()["id"]
    error = assert_graph_error(client.get(adset, params={"fields": "name,foo"}), 100)
    assert error["message"] == "(#100) Tried accessing nonexisting field (foo) on node type (AdCampaign)"


def test_effective_status_follows_the_campaign(client, act, world, campaign):
    """GRAPH-BEHAVIOUR 6.2: campaign PAUSED -> ad sets CAMPAIGN_PAUSED; own PAUSED wins; DELETED is inherited."""
    adset = create(client, act, world, campaign).json()["id"]
    paused = create(client, act, world, campaign, status="PAUSED").json()["id"]

    def effective(object_id: str) -> str:
        return client.get(object_id, params={"fields": "effective_status"}).json()["effective_status"]

    client.post(campaign, data={"status": "PAUSED"})
    assert (effective(adset), effective(paused)) == ("CAMPAIGN_PAUSED", "PAUSED")
    client.post(campaign, data={"status": "ACTIVE"})
    assert (effective(adset), effective(paused)) == ("ACTIVE", "PAUSED")
    client.delete(campaign)
    assert (effective(adset), effective(paused)) == ("DELETED", "DELETED")
    assert client.get(adset, params={"fields": "status"}).json()["status"] == "ACTIVE"
    assert client.get(f"{act}/adsets").json()["data"] == []


def test_list_edges_filters_and_paging(client, act, world, campaign):
    """GRAPH-BEHAVIOUR 3: /act_<id>/adsets and /<campaign_id>/adsets list newest first with summary,
    effective_status filters, filtering and cursors; deleted ad sets are hidden by default."""
    other = make_campaign(client, act)
    ids = [create(client, act, world, campaign, name=f"A{i}").json()["id"] for i in range(3)]
    elsewhere = create(client, act, world, other, name="B", status="PAUSED").json()["id"]
    listing = client.get(f"{act}/adsets", params={"fields": "name", "summary": "true"}).json()
    validate("envelopes/list", listing)
    assert [row["id"] for row in listing["data"]] == [elsewhere, *reversed(ids)]
    assert listing["summary"]["total_count"] == 4
    by_campaign = client.get(f"{campaign}/adsets", params={"fields": "name", "limit": "2"}).json()
    assert [row["name"] for row in by_campaign["data"]] == ["A2", "A1"]
    after = by_campaign["paging"]["cursors"]["after"]
    assert [r["name"] for r in client.get(f"{campaign}/adsets", params={"fields": "name", "after": after}).json()["data"]] == ["A0"]
    paused = client.get(f"{act}/adsets", params={"effective_status": '["PAUSED"]'}).json()["data"]
    assert [row["id"] for row in paused] == [elsewhere]
    filtered = client.get(f"{act}/adsets", params={"filtering": json.dumps(
        [{"field": "campaign.id", "operator": "EQUAL", "value": other}])}).json()["data"]
    assert [row["id"] for row in filtered] == [elsewhere]
    client.delete(ids[0])
    assert client.get(f"{campaign}/adsets", params={"summary": "true"}).json()["summary"]["total_count"] == 2
    deleted = client.get(f"{act}/adsets", params={"effective_status": '["DELETED"]'})
    assert_graph_error(deleted, 100)


def test_nested_adsets_on_campaign(client, act, world, campaign):
    """Issue 3 point 5: fields=name,adsets{name,campaign{objective}} expands ad sets under a campaign."""
    adset = create(client, act, world, campaign).json()["id"]
    body = client.get(campaign, params={"fields": "name,adsets{name,campaign{objective}}"}).json()
    assert body["adsets"]["data"] == [{"name": "Click to Instagram Ad Set",
                                       "campaign": {"objective": "OUTCOME_ENGAGEMENT", "id": campaign}, "id": adset}]


def test_updated_since_and_is_completed(client, act, world, campaign):
    """graph-get-edges: GET /act_<id>/adsets takes updated_since (int) and is_completed (bool)."""
    client.state.clock.freeze(1_900_000_000)
    old = create(client, act, world, campaign, daily_budget=None, lifetime_budget="100000",
                 end_time="1900200000").json()["id"]
    client.state.clock.advance(300_000)
    new = create(client, act, world, campaign).json()["id"]
    since = client.get(f"{act}/adsets", params={"updated_since": "1900100000"}).json()["data"]
    assert [row["id"] for row in since] == [new]
    done = client.get(f"{act}/adsets", params={"is_completed": "true"}).json()["data"]
    assert [row["id"] for row in done] == [old]


def test_update_returns_success_and_revalidates(client, act, world, campaign):
    """GRAPH-BEHAVIOUR 11: POST /<AD_SET_ID> -> {"success": true}; rules hold for the updated ad set."""
    adset = create(client, act, world, campaign).json()["id"]
    assert client.post(adset, data={"name": "Renamed", "daily_budget": "7000", "status": "PAUSED"}).json() == {"success": True}
    assert client.get(adset, params={"fields": "name,daily_budget,status"}).json() == {
        "name": "Renamed", "daily_budget": "7000", "status": "PAUSED", "id": adset}
    assert_graph_error(client.post(adset, data={"bid_strategy": "COST_CAP"}), 100, 2490487, blame="bid_amount")
    assert_graph_error(client.post(adset, data={"optimization_goal": "REACH"}), 100, 2490408, blame="optimization_goal")
    assert client.post(adset, data={"name": "X", "fields": "name"}).json() == {"success": True, "name": "X", "id": adset}


def test_campaign_id_cannot_change(client, act, world, campaign):
    """AdSet #update has no campaign_id param: an ad set cannot move to another campaign."""
    adset = create(client, act, world, campaign).json()["id"]
    other = make_campaign(client, act)
    assert_graph_error(client.post(adset, data={"campaign_id": other}), 100, blame="campaign_id", message_has="campaign_id")
    assert client.post(adset, data={"campaign_id": campaign}).json() == {"success": True}


def test_deleted_and_archived_ad_sets_edit_rules(client, act, world, campaign):
    """GRAPH-BEHAVIOUR 6.3 / M-ERR 1487056: DELETED accepts only name; ARCHIVED name and status=DELETED."""
    deleted = create(client, act, world, campaign).json()["id"]
    assert client.delete(deleted).json() == {"success": True}
    assert client.get(deleted, params={"fields": "status"}).json()["status"] == "DELETED"
    assert client.post(deleted, data={"name": "still readable"}).json() == {"success": True}
    assert_graph_error(client.post(deleted, data={"status": "ACTIVE"}), 100, 1487056, blame="status")
    archived = create(client, act, world, campaign).json()["id"]
    assert client.post(archived, data={"status": "ARCHIVED"}).json() == {"success": True}
    assert_graph_error(client.post(archived, data={"daily_budget": "9000"}), 100, 1487056, blame="daily_budget")
    assert_graph_error(client.post(archived, data={"status": "ACTIVE"}), 100, 1487056, blame="status")
    assert client.post(archived, data={"name": "n", "status": "DELETED"}).json() == {"success": True}


def test_validate_only_and_execution_options(client, act, world, campaign):
    """GRAPH-BEHAVIOUR 11: validate_only runs the rules and writes nothing; include_recommendations alone fails."""
    assert create(client, act, world, campaign, execution_options='["validate_only"]').json() == {"success": True}
    assert client.get(f"{act}/adsets", params={"summary": "true"}).json()["summary"]["total_count"] == 0
    assert_graph_error(create(client, act, world, campaign, execution_options='["validate_only"]', daily_budget="1"),
                       100, 1885272, blame="daily_budget")
    assert_graph_error(create(client, act, world, campaign, execution_options='["include_recommendations"]'),
                       100, blame="execution_options")


@pytest.mark.parametrize("missing", ["name", "campaign_id", "billing_event", "optimization_goal", "targeting"])
def test_seed_000_required_params(client, act, world, campaign, missing):
    """Seed 000 table: name, campaign_id, billing_event, optimization_goal and targeting are Required."""
    assert_graph_error(create(client, act, world, campaign, **{missing: None}), 100, blame=missing,
                       message_has=f"{missing} is required")


def test_every_create_param_of_the_reference_is_accepted():
    """graph-account-post-edges.txt: all 67 POST /act_<id>/adsets params are part of the schema."""
    from mock_server.contract.registry import default_registry

    properties = default_registry().documents["requests/adset.create"]["properties"]
    assert len(REFERENCE_CREATE_PARAMS) == 67 and set(REFERENCE_CREATE_PARAMS) <= set(properties)


REFERENCE_CREATE_PARAMS = (
    "adlabels", "adset_schedule", "attribution_spec", "automatic_manual_state", "bid_adjustments", "bid_amount",
    "bid_constraints", "bid_strategy", "billing_event", "budget_schedule_specs", "budget_source",
    "budget_split_set_id", "campaign_attribution", "campaign_id", "campaign_spec", "creative_sequence",
    "creative_sequence_repetition_pattern", "daily_budget", "daily_imps", "daily_min_spend_target", "daily_spend_cap",
    "date_format", "destination_type", "dsa_beneficiary", "dsa_payor", "end_time", "execution_options",
    "existing_customer_budget_percentage", "frequency_control_specs", "full_funnel_exploration_mode",
    "is_ba_skip_delayed_eligible", "is_budget_schedule_enabled", "is_dynamic_creative",
    "is_incremental_attribution_enabled", "is_sac_cfca_terms_certified", "lifetime_budget", "lifetime_imps",
    "lifetime_min_spend_target", "lifetime_spend_cap", "line_number", "max_budget_spend_percentage",
    "min_budget_spend_percentage", "multi_event_conversion_attribution_window_seconds",
    "multi_optimization_goal_weight", "name", "optimization_goal", "optimization_sub_event", "pacing_type",
    "placement_soft_opt_out", "promoted_object", "rb_prediction_id", "regional_regulated_categories",
    "regional_regulation_identities", "rf_prediction_id", "source_adset_id", "start_time", "status", "targeting",
    "time_based_ad_rotation_id_blocks", "time_based_ad_rotation_intervals", "time_start", "time_stop", "topline_id",
    "trending_topics_spec", "tune_for_category", "value_rule_set_id", "value_rules_applied",
)
