"""Campaigns: the seed calls as written, and every documented create/update rule."""

from __future__ import annotations

import re

import pytest

from helpers_envelope import assert_graph_error, validate

CREATE = {"name": "My campaign", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED", "special_ad_categories": "[]"}


def create(client, act, **overrides):
    data = {**CREATE, **overrides}
    return client.post(f"{act}/campaigns", data={k: v for k, v in data.items() if v is not None})


def test_seed_000_click_to_instagram_campaign_step(client, act):
    """Seed 000: POST /act_<id>/campaigns name, objective=OUTCOME_ENGAGEMENT, status=ACTIVE,
    special_ad_categories=[] (multipart -F) -> {"id"}; GET fields=name,status,objective returns them and id."""
    response = client.post(f"{act}/campaigns", files={
        "name": (None, "Click to Instagram Campaign"), "objective": (None, "OUTCOME_ENGAGEMENT"),
        "status": (None, "ACTIVE"), "special_ad_categories": (None, "[]")})
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["id"] and re.fullmatch(r"[0-9]{15,18}", body["id"])
    read = client.get(body["id"], params={"fields": "name,status,objective"})
    assert read.json() == {"name": "Click to Instagram Campaign", "status": "ACTIVE",
                           "objective": "OUTCOME_ENGAGEMENT", "id": body["id"]}


def test_seed_004_create_with_quoted_values_and_list_example(client, act):
    """Seed 004 curl sends -F 'name="My campaign"' -F 'objective="OUTCOME_TRAFFIC"' -F 'status="PAUSED"'
    -F 'special_ad_categories=[]'; then GET ?effective_status=["ACTIVE","PAUSED"]&fields="name,objective"."""
    created = client.post(f"{act}/campaigns", files={
        "name": (None, '"My campaign"'), "objective": (None, '"OUTCOME_TRAFFIC"'), "status": (None, '"PAUSED"'),
        "special_ad_categories": (None, "[]")})
    assert created.status_code == 200, created.text
    listing = client.get(f"{act}/campaigns", params={"effective_status": '[\n "ACTIVE",\n "PAUSED"\n ]',
                                                      "fields": '"name,objective"'})
    assert listing.status_code == 200
    body = listing.json()
    validate("envelopes/list", body)
    assert body["data"] == [{"name": "My campaign", "objective": "OUTCOME_TRAFFIC", "id": created.json()["id"]}]


def test_python_sdk_encoding_json_values_in_form(client, act):
    """sdk-wire-python.json: lists/dicts/bools JSON-encoded in a urlencoded form are decoded by param type."""
    response = client.post(f"{act}/campaigns", data={
        **CREATE, "daily_budget": "5000", "bid_strategy": "LOWEST_COST_WITHOUT_CAP",
        "is_skadnetwork_attribution": "false", "promoted_object": '{"page_id":"111"}',
        "start_time": "2026-01-02 03:04:05"})
    assert response.status_code == 200, response.text
    read = client.get(response.json()["id"], params={"fields": "daily_budget,is_skadnetwork_attribution,promoted_object,bid_strategy"})
    assert read.json()["daily_budget"] == "5000"
    assert read.json()["is_skadnetwork_attribution"] is False
    assert read.json()["promoted_object"] == {"page_id": "111"}


def test_node_sdk_json_body_with_stray_id(client, act):
    """sdk-wire-node.json: JSON body with typed values and a stray "id": "act_1" key is accepted."""
    response = client.post(f"{act}/campaigns", json={
        "name": "My campaign", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED", "special_ad_categories": [],
        "daily_budget": 5000, "is_skadnetwork_attribution": False, "promoted_object": {"page_id": "111"}, "id": act})
    assert response.status_code == 200, response.text


def test_money_is_returned_as_numeric_string_and_times_in_graph_format(client, act):
    """GRAPH-BEHAVIOUR 4: amounts are numeric strings; datetimes look like 2026-11-23T10:00:00+0000, in the ad
    account's zone (issue 17: America/Los_Angeles reads -0800 or -0700)."""
    cid = create(client, act, daily_budget="5000").json()["id"]
    body = client.get(cid, params={"fields": "daily_budget,budget_remaining,created_time,updated_time,account_id"}).json()
    assert body["daily_budget"] == "5000" and body["budget_remaining"] == "5000"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-0[78]00", body["created_time"])
    assert body["account_id"] == act.removeprefix("act_")


def test_default_fields_are_id_only(client, act):
    """GRAPH-BEHAVIOUR 4: without `fields` a node returns only its id."""
    cid = create(client, act).json()["id"]
    assert client.get(cid).json() == {"id": cid}


def test_special_ad_categories_is_required(client, act):
    """Seed 004: special_ad_categories is Required."""
    assert_graph_error(create(client, act, special_ad_categories=None), 100, blame="special_ad_categories",
                       message_has="special_ad_categories is required")


@pytest.mark.parametrize("missing", ["name", "objective"])
def test_seed_000_name_and_objective_are_required(client, act, missing):
    """Seed 000 step 1 marks name and objective Required."""
    assert_graph_error(create(client, act, **{missing: None}), 100, blame=missing, message_has=f"{missing} is required")


def test_bad_enum_names_the_param_and_allowed_values(client, act):
    error = assert_graph_error(create(client, act, objective="FOO"), 100, blame="objective")
    assert error["message"].startswith("(#100) Param objective must be one of {")
    assert "OUTCOME_TRAFFIC" in error["message"]


def test_legacy_objective_cannot_create(client, act):
    """GRAPH-BEHAVIOUR 7.1: legacy objectives were deprecated with v17.0; only OUTCOME_* create."""
    assert_graph_error(create(client, act, objective="LINK_CLICKS"), 100, blame="objective", message_has="OUTCOME_TRAFFIC")


@pytest.mark.parametrize("status", ["ARCHIVED", "DELETED"])
def test_only_active_or_paused_at_creation(client, act, status):
    """Seed 004: 'Only ACTIVE and PAUSED are valid during creation.'"""
    assert_graph_error(create(client, act, status=status), 100, blame="status", message_has="ACTIVE and PAUSED")


def test_campaign_budgets_are_exclusive(client, act):
    """Seed 004: set budget at the campaign level as daily or lifetime, not both."""
    assert_graph_error(create(client, act, daily_budget="5000", lifetime_budget="90000"), 100, blame="lifetime_budget")


def test_spend_cap_minimum_and_removal(client, act):
    """Seed 004: spend_cap minimum $100 (10000 cents for USD); 922337203685478 removes the cap."""
    assert_graph_error(create(client, act, spend_cap="9999"), 100, 2446307, blame="spend_cap", message_has="10000")
    ok = create(client, act, spend_cap="10000")
    assert client.get(ok.json()["id"], params={"fields": "spend_cap"}).json()["spend_cap"] == "10000"
    removed = create(client, act, spend_cap="922337203685478")
    assert "spend_cap" not in client.get(removed.json()["id"], params={"fields": "spend_cap"}).json()


def test_special_category_requires_country(client, act):
    """GRAPH-BEHAVIOUR 9: a category in special_ad_categories requires special_ad_category_country."""
    assert_graph_error(create(client, act, special_ad_categories='["HOUSING"]'), 100, blame="special_ad_category_country")
    assert create(client, act, special_ad_categories='["HOUSING"]', special_ad_category_country='["US"]').status_code == 200
    assert create(client, act, special_ad_categories='["NONE"]').status_code == 200


def test_bid_strategy_needs_campaign_budget(client, act):
    """GRAPH-BEHAVIOUR 8: bid_strategy on a campaign without a campaign budget -> 100/1885737."""
    assert_graph_error(create(client, act, bid_strategy="COST_CAP"), 100, 1885737, blame="bid_strategy")


def test_wrong_types_name_the_param(client, act):
    assert_graph_error(create(client, act, daily_budget="lots"), 100, blame="daily_budget", message_has="daily_budget")
    assert_graph_error(create(client, act, special_ad_categories="HOUSING"), 100, blame="special_ad_categories")
    assert_graph_error(create(client, act, start_time="next tuesday"), 100, blame="start_time",
                       message_has="strtotime")


def test_validate_only_runs_rules_without_writing(client, act):
    """Seed 004 execution_options validate_only: {"success": true} and nothing is created."""
    ok = create(client, act, execution_options='["validate_only"]')
    assert ok.json() == {"success": True}
    assert client.get(f"{act}/campaigns", params={"summary": "true"}).json()["summary"]["total_count"] == 0
    assert_graph_error(create(client, act, execution_options='["validate_only"]', status="ARCHIVED"), 100, blame="status")
    assert_graph_error(create(client, act, execution_options='["include_recommendations"]'), 100, blame="execution_options")


def test_read_after_write_on_create_and_update(client, act):
    """GRAPH-BEHAVIOUR 11: `fields` on a POST returns those fields of the written node."""
    created = create(client, act, fields="name,status").json()
    assert created["name"] == "My campaign" and created["status"] == "PAUSED" and "id" in created
    updated = client.post(created["id"], data={"name": "Renamed", "fields": "name"}).json()
    assert updated == {"success": True, "name": "Renamed", "id": created["id"]}


def test_update_and_delete(client, act):
    """Update returns {"success": true}; DELETE /<id> soft-deletes (readable by id, hidden from lists)."""
    cid = create(client, act).json()["id"]
    assert client.post(f"{cid}/", data={"name": "Renamed", "status": "ACTIVE", "daily_budget": "7000"}).json() == {"success": True}
    body = client.get(cid, params={"fields": "name,status,daily_budget,effective_status"}).json()
    assert body == {"name": "Renamed", "status": "ACTIVE", "daily_budget": "7000", "effective_status": "ACTIVE", "id": cid}
    assert client.delete(cid).json() == {"success": True}
    assert client.get(cid, params={"fields": "status"}).json()["status"] == "DELETED"
    assert client.get(f"{act}/campaigns").json()["data"] == []


def test_deleted_campaign_accepts_only_name(client, act):
    """GRAPH-BEHAVIOUR 6.3: a DELETED campaign can only be renamed (1487566)."""
    cid = create(client, act).json()["id"]
    client.delete(cid)
    assert client.post(cid, data={"name": "still here"}).json() == {"success": True}
    assert_graph_error(client.post(cid, data={"status": "ACTIVE"}), 100, 1487566)


def test_unknown_field_uses_graph_node_type(client, act):
    cid = create(client, act).json()["id"]
    error = assert_graph_error(client.get(cid, params={"fields": "name,foo"}), 100)
    assert error["message"] == "(#100) Tried accessing nonexisting field (foo) on node type (AdCampaignGroup)"


def test_ids_are_unique_numeric_and_deterministic_with_a_seed(act):
    from mock_server.config import ServerConfig
    from mock_server.testing import InProcessClient

    def ids(seed):
        c = InProcessClient(ServerConfig(seed=seed))
        out = [create(c, act).json()["id"] for _ in range(3)]
        c.close()
        return out

    first, again, other = ids(5), ids(5), ids(6)
    assert first == again and first != other
    assert len(set(first)) == 3 and all(re.fullmatch(r"[0-9]{15,18}", i) for i in first)
