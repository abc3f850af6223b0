"""Campaigns through the unmodified Python SDK (facebook-business), against a real graphmock process.

Only `FacebookSession.GRAPH` differs from production use. Every assertion is on what the SDK hands the
caller (objects, cursors, totals), so a wire difference the SDK cannot digest fails here.
"""

from __future__ import annotations

from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.campaign import Campaign

SEED_000_CAMPAIGN = {
    Campaign.Field.name: "Click to Instagram Campaign",
    Campaign.Field.objective: Campaign.Objective.outcome_engagement,
    Campaign.Field.status: Campaign.Status.active,
    "special_ad_categories": [],
}


def test_create_campaign_then_read_the_seed_fields(api, graphmock):
    """Seed 000 step 1: POST /act_<id>/campaigns -> {"id"}; GET fields=name,status,objective returns
    {"name": "Click to Instagram Campaign", "status": "ACTIVE", "objective": "OUTCOME_ENGAGEMENT", "id"}."""
    campaign = AdAccount(graphmock.act).create_campaign(params=SEED_000_CAMPAIGN)
    assert set(campaign.export_all_data()) == {"id"} and campaign.get_id().isdigit()

    read = Campaign(campaign.get_id()).api_get(fields=["name", "status", "objective"])
    assert read.export_all_data() == {"name": "Click to Instagram Campaign", "status": "ACTIVE",
                                      "objective": "OUTCOME_ENGAGEMENT", "id": campaign.get_id()}


def test_sdk_json_encodes_booleans_dicts_and_lists_in_the_form(api, graphmock):
    """sdk-wire-python.json: the SDK form-encodes `is_skadnetwork_attribution=false`,
    `promoted_object={"page_id":...}`, `special_ad_categories=[]` and a space-separated start time; money
    reads back as a numeric string in minor units (GRAPH-BEHAVIOUR 4)."""
    campaign = AdAccount(graphmock.act).create_campaign(params={
        "name": "My campaign", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED", "special_ad_categories": [],
        "daily_budget": 5000, "bid_strategy": "LOWEST_COST_WITHOUT_CAP", "is_skadnetwork_attribution": False,
        "start_time": "2026-01-02 03:04:05"})
    read = campaign.api_get(fields=["name", "daily_budget", "bid_strategy", "special_ad_categories", "status"])
    assert read["daily_budget"] == "5000"
    assert read["bid_strategy"] == "LOWEST_COST_WITHOUT_CAP"
    assert read["special_ad_categories"] == []
    assert read["name"] == "My campaign" and read["status"] == "PAUSED"


def test_get_campaigns_iterates_120_campaigns_25_per_page_each_exactly_once(api, graphmock):
    """GRAPH-BEHAVIOUR 3.1: the SDK Cursor re-requests the edge with `after` while paging.next exists and
    sends summary=true; 120 campaigns with limit=25 come back once each, newest first, total_count 120."""
    account = AdAccount(graphmock.act)
    created = [account.create_campaign(params={**SEED_000_CAMPAIGN, "name": f"C{i:03d}", "status": "PAUSED"}).get_id()
               for i in range(120)]
    before = api.get_num_requests_attempted()

    cursor = account.get_campaigns(fields=["name"], params={"limit": 25})
    seen = [(c.get_id(), c["name"]) for c in cursor]

    assert [campaign_id for campaign_id, _ in seen] == created[::-1]
    assert [name for _, name in seen] == [f"C{i:03d}" for i in range(119, -1, -1)]
    assert cursor.total() == 120
    pages = api.get_num_requests_attempted() - before
    assert pages in (5, 6), f"{pages} requests for 120 objects at 25 per page"


def test_get_campaigns_with_effective_status_filter(api, graphmock):
    """GRAPH-BEHAVIOUR 3.4: effective_status (a list the SDK JSON-encodes) selects ACTIVE/PAUSED campaigns."""
    account = AdAccount(graphmock.act)
    active = account.create_campaign(params=SEED_000_CAMPAIGN).get_id()
    paused = account.create_campaign(params={**SEED_000_CAMPAIGN, "status": "PAUSED"}).get_id()

    only_paused = account.get_campaigns(fields=["status"], params={"effective_status": ["PAUSED"]})
    assert [(c.get_id(), c["status"]) for c in only_paused] == [(paused, "PAUSED")]
    both = account.get_campaigns(params={"effective_status": ["ACTIVE", "PAUSED"]})
    assert {c.get_id() for c in both} == {active, paused} and both.total() == 2


def test_api_update_changes_what_reads_return(api, graphmock):
    """GRAPH-BEHAVIOUR 11: POST /<id> answers {"success": true} and the next read shows the change
    (the SDK sends it to `/<id>/`, with a trailing slash)."""
    campaign = AdAccount(graphmock.act).create_campaign(params=SEED_000_CAMPAIGN)
    campaign.api_update(params={"name": "Renamed", "status": "PAUSED"})
    read = Campaign(campaign.get_id()).api_get(fields=["name", "status", "effective_status"])
    assert (read["name"], read["status"], read["effective_status"]) == ("Renamed", "PAUSED", "PAUSED")


def test_api_update_with_setters_and_remote_update(api, graphmock):
    """The older SDK style: set fields on the object, then remote_update() posts the changed fields."""
    campaign = AdAccount(graphmock.act).create_campaign(params=SEED_000_CAMPAIGN)
    campaign[Campaign.Field.name] = "Set by setter"
    campaign.remote_update()
    assert Campaign(campaign.get_id()).api_get(fields=["name"])["name"] == "Set by setter"


def test_api_delete_hides_from_the_edge_but_reads_by_id(api, graphmock):
    """GRAPH-BEHAVIOUR 3.4: DELETE /<id> -> {"success": true}; deleted objects stay readable by id with
    status DELETED and are not listed by default."""
    account = AdAccount(graphmock.act)
    kept = account.create_campaign(params=SEED_000_CAMPAIGN).get_id()
    gone = account.create_campaign(params=SEED_000_CAMPAIGN)
    gone.api_delete()

    read = Campaign(gone.get_id()).api_get(fields=["status", "effective_status"])
    assert (read["status"], read["effective_status"]) == ("DELETED", "DELETED")
    assert [c.get_id() for c in account.get_campaigns()] == [kept]
