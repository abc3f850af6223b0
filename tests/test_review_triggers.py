"""What sends an approved ad back to review, over HTTP (GRAPH-BEHAVIOUR 6.4, M-BP 'Ad review')."""

from __future__ import annotations

import json

from helpers_creatives import link_spec, make_adset, make_campaign, make_creative, upload


def approved_ad(client, act, world):
    client.state.clock.freeze(1_767_225_600)
    campaign = make_campaign(client, act)
    adset = make_adset(client, act, world, campaign)
    creative = make_creative(client, act, link_spec(world, upload(client, act)))
    response = client.post(f"{act}/ads", data={"name": "ad", "adset_id": adset, "status": "ACTIVE",
                                               "creative": json.dumps({"creative_id": creative})})
    assert response.status_code == 200, response.text
    ad = response.json()["id"]
    client.state.clock.advance(301)
    assert client.get(ad, params={"fields": "effective_status"}).json()["effective_status"] == "ACTIVE"
    return adset, ad


def effective(client, ad):
    return client.get(ad, params={"fields": "effective_status"}).json()["effective_status"]


def test_ad_set_targeting_edit_sends_its_active_ads_back_to_review(client, act, world):
    """M-BP: 'Any changes to targeting' trigger review."""
    adset, ad = approved_ad(client, act, world)
    response = client.post(adset, data={"targeting": json.dumps({"geo_locations": {"countries": ["US"]}})})
    assert response.json() == {"success": True}, response.text
    assert effective(client, ad) == "PENDING_REVIEW"
    client.state.clock.advance(301)
    assert effective(client, ad) == "ACTIVE"


def test_ad_set_budget_edit_does_not_touch_review(client, act, world):
    """M-BP: 'Changes to bid amount, budget, and ad set schedule will not have any effect on the review status.'"""
    adset, ad = approved_ad(client, act, world)
    response = client.post(adset, data={"daily_budget": "9000"})
    assert response.json() == {"success": True}, response.text
    assert effective(client, ad) == "ACTIVE"
