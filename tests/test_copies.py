"""Copies of campaigns, ad sets and ads (ACCOUNT-SURFACE 8)."""

from __future__ import annotations

import json

from helpers_creatives import link_spec, make_adset, make_campaign, make_creative, upload
from helpers_envelope import assert_graph_error


def make_ad(client, act, world, adset, name="Ad", status="PAUSED"):
    creative = make_creative(client, act, link_spec(world, upload(client, act)))
    response = client.post(f"{act}/ads", data={"name": name, "adset_id": adset, "status": status,
                                               "creative": json.dumps({"creative_id": creative})})
    assert response.status_code == 200, response.text
    return response.json()["id"]


def read(client, object_id, fields):
    response = client.get(object_id, params={"fields": fields})
    assert response.status_code == 200, response.text
    return response.json()


def test_campaign_copy_response_shape_paused_and_renamed(client, act):
    """ACCOUNT-SURFACE 8: {"copied_campaign_id", "ad_object_ids":[{"ad_object_type":"campaign", "source_id",
    "copied_id"}]}; status_option defaults to PAUSED; ONLY_TOP_LEVEL_RENAME appends ' - Copy'."""
    campaign = make_campaign(client, act, status="ACTIVE")
    response = client.post(f"{campaign}/copies")
    assert response.status_code == 200, response.text
    body = response.json()
    copied = body["copied_campaign_id"]
    assert copied != campaign
    assert body["ad_object_ids"] == [{"ad_object_type": "campaign", "source_id": campaign, "copied_id": copied}]
    copy = read(client, copied, "name,status,objective")
    assert copy == {"name": "Click to Instagram Campaign - Copy", "status": "PAUSED",
                    "objective": "OUTCOME_ENGAGEMENT", "id": copied}


def test_deep_copy_copies_children_with_new_ids(client, act, world):
    """ACCOUNT-SURFACE 8: a deep copy adds one ad_object_ids entry per copied child; children keep their names
    under ONLY_TOP_LEVEL_RENAME."""
    campaign = make_campaign(client, act)
    adset = make_adset(client, act, world, campaign)
    ad = make_ad(client, act, world, adset)
    body = client.post(f"{campaign}/copies", data={"deep_copy": "true", "status_option": "INHERITED_FROM_SOURCE"}).json()
    kinds = [entry["ad_object_type"] for entry in body["ad_object_ids"]]
    assert kinds == ["campaign", "ad_set", "ad"]
    new_adset = body["ad_object_ids"][1]["copied_id"]
    new_ad = body["ad_object_ids"][2]["copied_id"]
    assert {new_adset, new_ad}.isdisjoint({campaign, adset, ad})
    assert read(client, new_adset, "campaign_id,name,status") == {
        "campaign_id": body["copied_campaign_id"], "name": "Click to Instagram Ad Set", "status": "ACTIVE", "id": new_adset}
    assert read(client, new_ad, "adset_id,name,status")["adset_id"] == new_adset
    listed = client.get(f"{body['copied_campaign_id']}/ads").json()["data"]
    assert [row["id"] for row in listed] == [new_ad]


def test_deep_copy_over_three_ads_is_refused_and_writes_nothing(client, act, world):
    """ACCOUNT-SURFACE 8: 'the total number of children ads to copy should not exceed 3 for a synchronous call'
    (100/1885194, [INFER])."""
    campaign = make_campaign(client, act)
    adset = make_adset(client, act, world, campaign)
    for index in range(4):
        make_ad(client, act, world, adset, name=f"Ad {index}")
    before = len(client.get(f"{act}/campaigns").json()["data"])
    assert_graph_error(client.post(f"{campaign}/copies", data={"deep_copy": "true"}), 100, 1885194)
    assert len(client.get(f"{act}/campaigns").json()["data"]) == before
    shallow = client.post(f"{campaign}/copies")  # a shallow copy copies no ads: allowed
    assert shallow.status_code == 200


def test_adset_copy_into_another_campaign_with_rename_options(client, act, world):
    """ACCOUNT-SURFACE 8: campaign_id names the new parent; rename_options prefix/suffix; DEEP_RENAME renames
    children too."""
    campaign = make_campaign(client, act)
    other = make_campaign(client, act)
    adset = make_adset(client, act, world, campaign)
    make_ad(client, act, world, adset, name="Child")
    body = client.post(f"{adset}/copies", data={
        "campaign_id": other, "deep_copy": "true",
        "rename_options": json.dumps({"rename_strategy": "DEEP_RENAME", "rename_prefix": "[v2] ", "rename_suffix": ""})}).json()
    assert set(body) == {"copied_adset_id", "ad_object_ids"}
    copy = read(client, body["copied_adset_id"], "campaign_id,name,status")
    assert copy == {"campaign_id": other, "name": "[v2] Click to Instagram Ad Set", "status": "PAUSED",
                    "id": body["copied_adset_id"]}
    ad_copy = [e for e in body["ad_object_ids"] if e["ad_object_type"] == "ad"][0]["copied_id"]
    assert read(client, ad_copy, "name")["name"] == "[v2] Child"


def test_adset_copy_goes_through_create_validation(client, act, world):
    """ACCOUNT-SURFACE 8 / issue 14: copies go through the same validation as creates: a deleted target campaign
    is refused like an ad set create under it."""
    campaign = make_campaign(client, act)
    adset = make_adset(client, act, world, campaign)
    gone = make_campaign(client, act)
    assert client.delete(gone).status_code == 200
    response = client.post(f"{adset}/copies", data={"campaign_id": gone})
    create = client.post(f"{act}/adsets", data={"name": "x", "campaign_id": gone, "billing_event": "IMPRESSIONS",
                                                "optimization_goal": "REACH", "daily_budget": "5000",
                                                "targeting": json.dumps({"geo_locations": {"countries": ["US"]}})})
    assert response.status_code == create.status_code == 400
    assert response.json()["error"]["code"] == create.json()["error"]["code"]


def test_ad_copy_returns_copied_ad_id_and_reuses_the_creative(client, act, world):
    """ACCOUNT-SURFACE 8: POST /<ad_id>/copies => {"copied_ad_id"}; without creative_parameters the copy uses an
    identical creative; status_option PAUSED by default."""
    campaign = make_campaign(client, act)
    adset = make_adset(client, act, world, campaign)
    ad = make_ad(client, act, world, adset, status="ACTIVE")
    body = client.post(f"{ad}/copies").json()
    assert list(body) == ["copied_ad_id"]
    source = read(client, ad, "creative{id},name")
    copy = read(client, body["copied_ad_id"], "creative{id},name,status,adset_id")
    assert copy["creative"] == source["creative"]
    assert (copy["name"], copy["status"], copy["adset_id"]) == ("Ad - Copy", "PAUSED", adset)


def test_copy_of_another_accounts_object_is_invisible(client, act, world):
    """A token never reaches what it was not granted: the copies edge answers 100/33 like a missing id."""
    campaign = make_campaign(client, act)
    response = client.post(f"{campaign}/copies", token="GMDEMO-second-account-token")
    assert_graph_error(response, 100, 33)
