"""Field expansion across the hierarchy (issue: fields=name,adsets{name,ads{name,creative{id}}})."""

from __future__ import annotations

import json

from helpers_creatives import link_spec, make_adset, make_campaign, make_creative, upload


def test_hierarchy_expands_from_account_and_campaign(client, act, world):
    campaign = make_campaign(client, act)
    adset = make_adset(client, act, world, campaign)
    image = upload(client, act)
    creative = make_creative(client, act, link_spec(world, image))
    ad = client.post(f"{act}/ads", data={"name": "a", "adset_id": adset, "status": "PAUSED",
                                         "creative": json.dumps({"creative_id": creative})}).json()["id"]
    body = client.get(campaign, params={"fields": "name,adsets{name,ads{name,creative{id}}}"}).json()
    assert body["adsets"]["data"][0]["id"] == adset
    assert body["adsets"]["data"][0]["ads"]["data"] == [{"name": "a", "creative": {"id": creative}, "id": ad}]
    account = client.get(act, params={"fields": "adsets{id},adimages{hash}"}).json()
    assert [d["id"] for d in account["adsets"]["data"]] == [adset]
    assert account["adimages"]["data"] == [{"hash": image, "id": f"{world['account_id']}:{image}"}]


def test_an_ads_adcreatives_edge_lists_only_its_creative(client, act, world):
    campaign = make_campaign(client, act)
    adset = make_adset(client, act, world, campaign)
    image = upload(client, act)
    mine = make_creative(client, act, link_spec(world, image))
    make_creative(client, act, {**link_spec(world, image), "link_data": {**link_spec(world, image)["link_data"], "message": "other"}})
    ad = client.post(f"{act}/ads", data={"name": "a", "adset_id": adset, "status": "PAUSED",
                                         "creative": json.dumps({"creative_id": mine})}).json()["id"]
    assert [d["id"] for d in client.get(ad, params={"fields": "adcreatives{id}"}).json()["adcreatives"]["data"]] == [mine]
    assert [d["id"] for d in client.get(f"{ad}/adcreatives").json()["data"]] == [mine]
