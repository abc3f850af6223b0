"""Insights through the unmodified Python SDK (issue 13 "Done when"): `get_insights`, `get_insights_async` +
`api_get` polling + `get_result`, on a world built with the SDK and 10 days of the virtual clock."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.adreportrun import AdReportRun
from facebook_business.adobjects.adsinsights import AdsInsights
from facebook_business.adobjects.campaign import Campaign

T0 = 1_767_254_400  # 2026-01-01 00:00 America/Los_Angeles
DAY = 86400


@pytest.fixture(autouse=True)
def _quiet_sdk_field_warnings() -> Any:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*does not allow field.*")
        yield


@pytest.fixture
def delivering(api, graphmock) -> dict[str, Any]:
    """One campaign, one ad set (50.00 a day), two ACTIVE ads; then 10 days pass."""
    graphmock.control("POST", "clock", {"freeze": True, "at": T0})
    account = AdAccount(graphmock.act)
    campaign = account.create_campaign(params={"name": "Insights", "objective": "OUTCOME_TRAFFIC", "status": "ACTIVE",
                                               "special_ad_categories": []})
    adset = account.create_ad_set(params={
        "name": "Insights ad set", "campaign_id": campaign.get_id(), "bid_strategy": "LOWEST_COST_WITHOUT_CAP",
        "billing_event": "IMPRESSIONS", "daily_budget": 5000, "optimization_goal": "LINK_CLICKS", "status": "ACTIVE",
        "targeting": {"geo_locations": {"countries": ["US"]}}})
    creative = account.create_ad_creative(params={"name": "c", "object_story_spec": {
        "page_id": graphmock.world["page_id"], "link_data": {"message": "Hi", "link": "https://example.com/"}}})
    ads = [account.create_ad(params={"name": f"ad {i}", "adset_id": adset.get_id(), "status": "ACTIVE",
                                     "creative": {"creative_id": creative.get_id()}}) for i in range(2)]
    graphmock.control("POST", "clock", {"advance": 10 * DAY})
    return {"account": account, "campaign": campaign, "adset": adset, "ads": ads}


def test_get_insights_daily_rows_and_paging(delivering):
    account = delivering["account"]
    rows = account.get_insights(fields=[AdsInsights.Field.ad_id, AdsInsights.Field.spend, AdsInsights.Field.impressions,
                                        AdsInsights.Field.actions],
                                params={"level": "ad", "time_increment": 1, "date_preset": "last_7d", "limit": 5})
    data = [dict(row) for row in rows]  # the Cursor follows paging.next
    assert len(data) == 14 and {r["ad_id"] for r in data} == {ad.get_id() for ad in delivering["ads"]}
    assert all(r["date_start"] == r["date_stop"] for r in data)
    total = sum(float(r["spend"]) for r in data)
    unbroken = account.get_insights(fields=["spend"], params={"date_preset": "last_7d"})
    assert round(total, 2) == float(unbroken[0]["spend"]) and total <= 7 * 50 * 1.25


def test_get_insights_on_a_campaign_with_breakdowns(delivering):
    rows = Campaign(delivering["campaign"].get_id()).get_insights(
        fields=["impressions", "clicks"], params={"breakdowns": ["age", "gender"], "date_preset": "last_30d"})
    data = [dict(row) for row in rows]
    assert {r["gender"] for r in data} <= {"female", "male", "unknown"} and len(data) > 3


def test_get_insights_async_poll_with_api_get_then_get_result(delivering, graphmock):
    account = delivering["account"]
    job = account.get_insights_async(fields=["campaign_id", "spend", "impressions"],
                                     params={"level": "campaign", "time_increment": 1, "date_preset": "last_7d"})
    assert isinstance(job, AdReportRun) and job.get_id().isdigit()
    statuses = []
    for _ in range(30):
        job = job.api_get()
        statuses.append(job[AdReportRun.Field.async_status])
        if job[AdReportRun.Field.async_status] == "Job Completed" and job[AdReportRun.Field.async_percent_completion] == 100:
            break
        graphmock.control("POST", "clock", {"advance": 1})
    assert statuses[-1] == "Job Completed" and statuses[0] != "Job Completed"
    result = [dict(row) for row in job.get_result(params={"limit": 3})]
    sync = [dict(row) for row in account.get_insights(fields=["campaign_id", "spend", "impressions"], params={
        "level": "campaign", "time_increment": 1, "time_range": {"since": job["date_start"], "until": job["date_stop"]}})]
    assert result == sync and len(result) == 7


def test_node_get_insights_and_async_variant(delivering, node, graphmock):
    """The Node SDK's getInsights (paging.next) and getInsightsAsync + AdReportRun polling + getInsights."""
    out = node.run("insights", act=graphmock.act)
    sync = out["sync"]
    assert len(sync) == 14 and {r["ad_id"] for r in sync} == {ad.get_id() for ad in delivering["ads"]}
    assert out["statuses"][-1] == "Job Completed" and "Job Running" in out["statuses"]
    assert out["run"]["date_start"] == sync[0]["date_start"]
    assert out["async"] == sync
