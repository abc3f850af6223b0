"""Access through the unmodified Python SDK: appsecret_proof (GRAPH-BEHAVIOUR 13.2) and version auto-upgrade
(GRAPH-BEHAVIOUR 12). The refusals themselves are error cases in error_cases.py."""

from __future__ import annotations

import hashlib
import hmac

from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.campaign import Campaign
from facebook_business.api import FacebookAdsApi

PROOF_APP_ID, PROOF_APP_SECRET, PROOF_TOKEN = "1200000000000003", "graphmock-proof-app-secret", "GMDEMO-proof-app-token"


def test_appsecret_proof_accepted_when_the_app_requires_it(graph_host, graphmock):
    """With app_id/app_secret the SDK puts appsecret_proof = HMAC-SHA256(token, secret) in every query, POSTs
    and every page of a Cursor included; the demo app that requires a proof accepts all of them."""
    api = FacebookAdsApi.init(app_id=PROOF_APP_ID, app_secret=PROOF_APP_SECRET, access_token=PROOF_TOKEN,
                              crash_log=False, timeout=10)
    expected = hmac.new(PROOF_APP_SECRET.encode(), PROOF_TOKEN.encode(), hashlib.sha256).hexdigest()
    assert api._session.requests.params["appsecret_proof"] == expected

    account = AdAccount(graphmock.act)
    ids = [account.create_campaign(params={"name": f"P{i}", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED",
                                           "special_ad_categories": []}).get_id() for i in range(3)]
    Campaign(ids[0]).api_update(params={"name": "Renamed"})
    assert Campaign(ids[0]).api_get(fields=["name"])["name"] == "Renamed"
    assert [c.get_id() for c in account.get_campaigns(params={"limit": 1})] == ids[::-1]
    Campaign(ids[1]).api_delete()


def test_sdk_pinned_to_the_version_deprecated_last_is_auto_upgraded(graph_host, graphmock):
    """GRAPH-BEHAVIOUR 12: a call to the version deprecated last is served by the oldest supported one, with
    `X-Ad-Api-Version-Warning: The call has been auto-upgraded to v25.0 as v24.0 has been deprecated`."""
    api = FacebookAdsApi.init(access_token=graphmock.token, api_version="v24.0", crash_log=False, timeout=10)
    campaign = AdAccount(graphmock.act).create_campaign(params={
        "name": "Old SDK", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED", "special_ad_categories": []})
    response = api.call("GET", (campaign.get_id(),), params={"fields": "name"})
    assert response.json() == {"name": "Old SDK", "id": campaign.get_id()}
    assert response.headers()["x-ad-api-version-warning"] == (
        "The call has been auto-upgraded to v25.0 as v24.0 has been deprecated")
