"""GET /act_<id>/activities (ACCOUNT-SURFACE 2.5): the log of what happened to the account's objects."""

from __future__ import annotations

import json

from helpers_creatives import link_spec, make_adset, make_campaign, make_creative, upload
from helpers_envelope import assert_graph_error

T0 = 1_780_000_000
FIELDS = "event_type,event_time,object_id,object_name,object_type,extra_data,actor_id,actor_name,application_id,translated_event_type,date_time_in_timezone"


def log(client, act, **params):
    response = client.get(f"{act}/activities", params={"fields": FIELDS, **params})
    assert response.status_code == 200, response.text
    return response.json()["data"]


def test_creates_status_and_budget_changes_are_logged_newest_first(client, act, world):
    """ACCOUNT-SURFACE 2.5: event_type values create_campaign_group, create_ad_set, update_ad_set_budget,
    update_campaign_run_status; extra_data is JSON text {"old_value","new_value"}; object_type CAMPAIGN_GROUP/AD_SET."""
    client.post("/__graphmock/clock", json={"freeze": True, "at": T0})
    campaign = make_campaign(client, act, status="PAUSED")
    client.post("/__graphmock/clock", json={"advance": 60})
    adset = make_adset(client, act, world, campaign)
    client.post("/__graphmock/clock", json={"advance": 60})
    client.post(adset, data={"daily_budget": "7500"})
    client.post("/__graphmock/clock", json={"advance": 60})
    client.post(campaign, data={"status": "ACTIVE"})
    rows = log(client, act)
    assert [row["event_type"] for row in rows] == [
        "update_campaign_run_status", "update_ad_set_budget", "create_ad_set", "create_campaign_group"]
    status, budget, created_set, created_campaign = rows
    assert json.loads(status["extra_data"]) == {"old_value": "PAUSED", "new_value": "ACTIVE"}
    assert json.loads(budget["extra_data"]) == {"old_value": "5000", "new_value": "7500"}
    assert isinstance(status["extra_data"], str)
    assert (created_campaign["object_id"], created_campaign["object_type"]) == (campaign, "CAMPAIGN_GROUP")
    assert (created_set["object_id"], created_set["object_type"]) == (adset, "AD_SET")
    assert created_campaign["actor_id"] == world["user_id"] and created_campaign["actor_name"]
    assert created_campaign["application_id"] == world["app_id"]
    assert created_campaign["event_time"] == "2026-05-28T13:26:40-0700"  # the account's zone (issue 17 point 4)


def test_event_time_is_the_only_default_field(client, act):
    """ACCOUNT-SURFACE 2.5: event_time is the only default."""
    make_campaign(client, act)
    [row] = client.get(f"{act}/activities").json()["data"]
    assert list(row) == ["event_time"]


def test_since_until_and_one_week_default(client, act):
    """ACCOUNT-SURFACE 2.5: 'returns one week's data by default'; since/until select a window."""
    client.post("/__graphmock/clock", json={"freeze": True, "at": T0})
    make_campaign(client, act)
    client.post("/__graphmock/clock", json={"advance": 8 * 86400})
    make_campaign(client, act)
    assert len(log(client, act)) == 1
    assert len(log(client, act, since=str(T0 - 10), until=str(T0 + 10))) == 1
    assert len(log(client, act, since=str(T0 - 10))) == 2


def test_review_decisions_appear_when_the_clock_reaches_them(client, act, world):
    """ACCOUNT-SURFACE 2.5: ad_review_approved is a documented event_type; reviews are decided on the clock."""
    client.post("/__graphmock/clock", json={"freeze": True, "at": T0})
    campaign = make_campaign(client, act)
    adset = make_adset(client, act, world, campaign)
    creative = make_creative(client, act, link_spec(world, upload(client, act)))
    ad = client.post(f"{act}/ads", data={"name": "A", "adset_id": adset, "status": "ACTIVE",
                                         "creative": json.dumps({"creative_id": creative})}).json()["id"]
    assert "ad_review_approved" not in [row["event_type"] for row in log(client, act)]
    client.post("/__graphmock/clock", json={"advance": 3600})
    approved = [row for row in log(client, act) if row["event_type"] == "ad_review_approved"]
    assert [row["object_id"] for row in approved] == [ad]


def test_category_oid_and_paging(client, act):
    campaigns = [make_campaign(client, act) for _ in range(3)]
    assert [row["object_id"] for row in log(client, act, oid=campaigns[0])] == [campaigns[0]]
    assert len(log(client, act, category="CAMPAIGN")) == 3
    assert log(client, act, category="BUDGET") == []
    first = client.get(f"{act}/activities", params={"limit": "2", "fields": "object_id"}).json()
    assert len(first["data"]) == 2 and "next" in first["paging"]
    second = client.get(f"{act}/activities", params={"limit": "2", "fields": "object_id",
                                                     "after": first["paging"]["cursors"]["after"]}).json()
    assert [row["object_id"] for row in first["data"] + second["data"]] == campaigns[::-1]
    assert_graph_error(client.get(f"{act}/activities", params={"category": "NOPE"}), 100)


def test_other_accounts_activities_are_not_reachable(client, act):
    make_campaign(client, act)
    error = client.get(f"{act}/activities", token="GMDEMO-second-account-token").json()["error"]
    assert error["code"] in (100, 200, 803)
    assert client.get("act_1000000000000011/activities", token="GMDEMO-second-account-token").json()["data"] == []
