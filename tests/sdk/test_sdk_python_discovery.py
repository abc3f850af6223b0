"""Discovery and previews through the unmodified Python SDK (issue 14 points 1, 4, 5; ACCOUNT-SURFACE 1, 6, 7)."""

from __future__ import annotations

import json
from urllib.request import urlopen

from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.adcreative import AdCreative
from facebook_business.adobjects.adpreview import AdPreview
from facebook_business.adobjects.business import Business
from facebook_business.adobjects.page import Page
from facebook_business.adobjects.user import User


def test_sdk_discovers_accounts_businesses_pages_and_permissions(api, graphmock):
    """A connector's first calls: /me, /me/adaccounts with its display fields, businesses, permissions, pages."""
    me = User(fbid="me").api_get(fields=["id", "name"])
    assert me["name"] == "graphmock Demo User"
    accounts = list(User(fbid="me").get_ad_accounts(fields=[
        "name", "account_id", "account_status", "currency", "timezone_name", "business", "user_tasks",
        "funding_source_details", "capabilities", "timezone_offset_hours_utc"]))
    assert [a["id"] for a in accounts] == [graphmock.act]
    assert accounts[0]["user_tasks"] == ["MANAGE", "ADVERTISE", "ANALYZE"]
    assert [b["id"] for b in User(fbid="me").get_businesses()] == ["1300000000000001"]
    grants = {p["permission"]: p["status"] for p in User(fbid="me").get_permissions()}
    assert grants["ads_management"] == "granted"
    pages = list(User(fbid="me").get_accounts(fields=["name", "tasks", "category"]))
    assert [p["id"] for p in pages] == ["1100000000000001"]
    owned = Business("1300000000000001").get_owned_ad_accounts(fields=["name"])
    assert [a["id"] for a in owned] == [graphmock.act]
    users = list(AdAccount(graphmock.act).get_users())
    assert {u["name"] for u in users} == {"graphmock Demo User", "graphmock Analyst"}
    assigned = AdAccount(graphmock.act).get_assigned_users(params={"business": "1300000000000001"})
    assert "MANAGE" in assigned[0]["tasks"]


def test_sdk_reads_pages_instagram_and_the_iabp_id(api, graphmock):
    """Seed 000: the iabp_id read through the SDK; seed 003: promotable_posts with include_inline."""
    rows = AdAccount(graphmock.act).get_connected_instagram_accounts_with_iabp(
        fields=["iabp_id"], params={"business_id": "1300000000000001"})
    assert [r["iabp_id"] for r in rows] == ["1100000000000009"]
    # the SDK dropped promotable_posts with the spec in 2019 (ACCOUNT-SURFACE 6.1); seed 003 calls it by path
    posts = api.call("GET", ("1100000000000001", "promotable_posts"), params={"include_inline": "true"}).json()
    assert len(posts["data"]) == 2
    assert [p["id"] for p in Page("1100000000000001").get_posts()] == ["1100000000000001_1110000000000001"]


def test_sdk_creative_previews_render(api, graphmock):
    """ACCOUNT-SURFACE 7 through AdCreative.get_previews and AdAccount.get_generate_previews."""
    spec = {"page_id": "1100000000000001", "link_data": {"message": "SDK preview", "link": "https://example.com",
                                                         "call_to_action": {"type": "SHOP_NOW"}}}
    creative = AdAccount(graphmock.act).create_ad_creative(params={"name": "p", "object_story_spec": spec})
    previews = AdCreative(creative.get_id()).get_previews(params={"ad_format": "DESKTOP_FEED_STANDARD"})
    body = previews[0][AdPreview.Field.body]
    src = body.split('src="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    with urlopen(src, timeout=10) as page:
        assert "SDK preview" in page.read().decode()
    generated = AdAccount(graphmock.act).get_generate_previews(params={
        "ad_format": "MOBILE_FEED_STANDARD", "creative": {"object_story_spec": spec}})
    assert generated[0]["body"].startswith("<iframe src=")
