"""GET /act_<id>/activities (ACCOUNT-SURFACE 2.5): the log of what happened to the account's objects."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

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


def _entries(client, act) -> list[tuple[str, str, str]]:
    return [(row["event_type"], row["object_id"], row["object_name"]) for row in log(client, act)]


def test_a_renamed_objects_create_entry_names_it_as_it_was_created(client, act):
    """The create_* entry names the object as it was created, whatever renames follow (a custom audience's
    description change shares update_audience with its name), and each rename's entry names it as renamed."""
    campaign = make_campaign(client, act)
    audience = client.post(f"{act}/customaudiences", data={"name": "Customers", "subtype": "CUSTOM",
                                                           "customer_file_source": "USER_PROVIDED_ONLY"}).json()["id"]
    client.post(audience, data={"description": "from the CRM"})
    for name in ("second", "third"):
        assert client.post(campaign, data={"name": name}).status_code == 200
        assert client.post(audience, data={"name": f"audience {name}"}).status_code == 200
    entries = _entries(client, act)
    assert ("create_campaign_group", campaign, "Click to Instagram Campaign") in entries
    assert ("create_audience", audience, "Customers") in entries
    assert [e for e in entries if e[0] == "update_campaign_name"] == [
        ("update_campaign_name", campaign, "third"), ("update_campaign_name", campaign, "second")]


def test_creates_and_changes_within_one_second_keep_the_order_they_happened(backend_client):
    """Newest first, also within one second of the frozen clock, where only the order of writing tells entries
    apart: a create entry, derived from its object's stamp (domain/activities.py), sorts between the stored entries
    written before and after it (SQLite numbers entries from its table, PostgreSQL from a counter)."""
    client, act = backend_client, backend_client.world["ad_account_id"]
    client.post("/__graphmock/clock", json={"freeze": True, "at": T0})
    first = make_campaign(client, act, status="PAUSED")
    client.post(first, data={"status": "ACTIVE"})
    second = make_campaign(client, act, status="PAUSED")
    third = make_campaign(client, act, status="PAUSED")
    client.post(second, data={"status": "ACTIVE"})
    client.post(first, data={"name": "renamed"})
    assert [(e[0], e[1]) for e in _entries(client, act)] == [
        ("update_campaign_name", first), ("update_campaign_run_status", second), ("create_campaign_group", third),
        ("create_campaign_group", second), ("update_campaign_run_status", first), ("create_campaign_group", first)]


def test_a_copy_has_a_create_entry_of_its_own(client, act):
    """ACCOUNT-SURFACE 8: a copy is a new campaign; its create entry is its own, under its own name."""
    campaign = make_campaign(client, act)
    copied = client.post(f"{campaign}/copies").json()["copied_campaign_id"]
    created = [e for e in _entries(client, act) if e[0] == "create_campaign_group"]
    assert created == [("create_campaign_group", copied, "Click to Instagram Campaign - Copy"),
                       ("create_campaign_group", campaign, "Click to Instagram Campaign")]


@settings(max_examples=20)
@given(steps=st.lists(st.tuples(st.sampled_from(["create", "rename", "status"]), st.integers(0, 7),
                                st.sampled_from([0, 0, 1, 30])), min_size=1, max_size=12))
def test_the_log_is_every_create_and_change_newest_first(client, act, steps):
    """Property: whatever the mix of creates, renames and status changes, with the clock standing or moving, the
    log is exactly what happened, newest first, each entry naming the object as it was at that moment."""
    client.post("/__graphmock/reset")
    client.post("/__graphmock/clock", json={"freeze": True, "at": T0})
    made: list[list[str]] = []  # [id, name, status]
    happened: list[tuple[str, str, str]] = []
    for number, (kind, which, advance) in enumerate(steps):
        client.post("/__graphmock/clock", json={"advance": advance})
        if kind == "create" or not made:
            made.append([make_campaign(client, act, status="PAUSED"), "Click to Instagram Campaign", "PAUSED"])
            happened.append(("create_campaign_group", made[-1][0], made[-1][1]))
            continue
        target = made[which % len(made)]
        if kind == "rename":
            target[1] = f"name {number}"
            assert client.post(target[0], data={"name": target[1]}).status_code == 200
            happened.append(("update_campaign_name", target[0], target[1]))
        else:
            target[2] = "ACTIVE" if target[2] == "PAUSED" else "PAUSED"
            assert client.post(target[0], data={"status": target[2]}).status_code == 200
            happened.append(("update_campaign_run_status", target[0], target[1]))
    assert _entries(client, act) == happened[::-1]
