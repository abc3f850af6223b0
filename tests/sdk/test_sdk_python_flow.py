"""Seed 000 (click-to-Instagram) end to end through the unmodified Python SDK:
campaign -> ad set -> ad image (a real PNG, multipart) -> creatives (link_data with the returned hash,
carousel, Instagram post) -> ad PAUSED -> ACTIVE -> PENDING_REVIEW -> approved (control API) -> ACTIVE.
"""

from __future__ import annotations

import hashlib
import warnings
from typing import Any

import pytest
from facebook_business.adobjects.ad import Ad
from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.adcreative import AdCreative
from facebook_business.adobjects.adimage import AdImage
from facebook_business.adobjects.adset import AdSet
from facebook_business.exceptions import FacebookRequestError

from pngs import write_png

IG_CTA = {"type": "INSTAGRAM_MESSAGE", "value": {"app_destination": "INSTAGRAM_DIRECT"}}


@pytest.fixture(autouse=True)
def _quiet_sdk_field_warnings() -> Any:
    """The SDK warns (never fails) on expansion syntax such as `creative{...}` it cannot type-check."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*does not allow field.*")
        warnings.filterwarnings("ignore", message=".*Value of type is not be compatible.*")
        yield


def create_ad_set(account: AdAccount, world: dict[str, Any], **overrides: Any) -> AdSet:
    campaign = account.create_campaign(params={
        "name": "Click to Instagram Campaign", "objective": "OUTCOME_ENGAGEMENT", "status": "ACTIVE",
        "special_ad_categories": []})
    return account.create_ad_set(params={
        "name": "Click to Instagram Ad Set", "campaign_id": campaign.get_id(), "bid_strategy": "LOWEST_COST_WITHOUT_CAP",
        "billing_event": "IMPRESSIONS", "daily_budget": 5000, "destination_type": "INSTAGRAM_DIRECT",
        "optimization_goal": "CONVERSATIONS", "promoted_object": {"page_id": world["page_id"]}, "status": "ACTIVE",
        "targeting": {"geo_locations": {"countries": ["US", "CA"]}, "device_platforms": ["mobile", "desktop"]},
        **overrides})


def upload_png(account: AdAccount, tmp_path: Any, name: str = "click_to_ig.png") -> tuple[AdImage, bytes]:
    path = write_png(tmp_path / name, width=4, height=3)
    image = account.create_ad_image(params={AdImage.Field.filename: str(path)})
    return image, path.read_bytes()


def link_creative(account: AdAccount, world: dict[str, Any], image_hash: str, message: str = "Chat with us") -> AdCreative:
    """Seed 000 step 3, the link_data variant with the uploaded image's hash."""
    return account.create_ad_creative(params={"name": "Sample ad creative", "object_story_spec": {
        "page_id": world["page_id"], "instagram_user_id": world["instagram_user_id"],
        "link_data": {"message": message, "image_hash": image_hash, "call_to_action": IG_CTA}}})


def test_seed_000_ad_set_reads_back_as_the_seed_shows(api, graphmock):
    """Seed 000 step 2: GET fields=name,destination_type,optimization_goal,bid_strategy,status."""
    ad_set = create_ad_set(AdAccount(graphmock.act), graphmock.world)
    read = AdSet(ad_set.get_id()).api_get(fields=["name", "destination_type", "optimization_goal", "bid_strategy", "status"])
    assert read.export_all_data() == {"name": "Click to Instagram Ad Set", "destination_type": "INSTAGRAM_DIRECT",
                                      "optimization_goal": "CONVERSATIONS", "bid_strategy": "LOWEST_COST_WITHOUT_CAP",
                                      "status": "ACTIVE", "id": ad_set.get_id()}


def test_create_ad_image_uploads_a_real_png(api, graphmock, tmp_path):
    """GRAPH-BEHAVIOUR 10: multipart upload -> {"images": {"<filename>": {hash, url, ...}}}; the SDK pops the one
    entry into an AdImage. The hash is the content's MD5 (32 hex), width/height are the PNG's."""
    account = AdAccount(graphmock.act)
    image, content = upload_png(account, tmp_path)
    assert image["hash"] == hashlib.md5(content).hexdigest()
    assert (image["width"], image["height"], image["name"]) == (4, 3, "click_to_ig.png")
    assert image["url"].startswith("https://")
    listed = account.get_ad_images(fields=["hash", "name", "width", "height"])
    assert [(i["hash"], i["name"]) for i in listed] == [(image["hash"], "click_to_ig.png")]


def test_seed_000_flow_to_active_after_approval(api, graphmock, tmp_path):
    """Seed 000 steps 3-5: creative from the uploaded hash, ad PAUSED (reads status/adset_id/campaign_id), then
    status=ACTIVE -> {"success": true}, effective_status PENDING_REVIEW, and ACTIVE once approved."""
    account = AdAccount(graphmock.act)
    ad_set = create_ad_set(account, graphmock.world)
    image, _ = upload_png(account, tmp_path)
    creative = link_creative(account, graphmock.world, image["hash"])

    ad = account.create_ad(params={"name": "Click to Instagram Ad", "adset_id": ad_set.get_id(),
                                   "creative": {"creative_id": creative.get_id()}, "status": "PAUSED"})
    read = Ad(ad.get_id()).api_get(fields=["status", "adset_id", "campaign_id"])
    campaign_id = AdSet(ad_set.get_id()).api_get(fields=["campaign_id"])["campaign_id"]
    assert read.export_all_data() == {"status": "PAUSED", "adset_id": ad_set.get_id(), "campaign_id": campaign_id,
                                      "id": ad.get_id()}

    ad.api_update(params={"status": "ACTIVE"})
    pending = Ad(ad.get_id()).api_get(fields=["status", "effective_status"])
    assert pending.export_all_data() == {"status": "ACTIVE", "effective_status": "PENDING_REVIEW", "id": ad.get_id()}

    review = graphmock.control("POST", f"reviews/{ad.get_id()}", {"action": "approve"})
    assert review["review_state"] == "APPROVED"
    approved = Ad(ad.get_id()).api_get(fields=["status", "effective_status"])
    assert approved.export_all_data() == {"status": "ACTIVE", "effective_status": "ACTIVE", "id": ad.get_id()}


def test_review_decides_on_the_virtual_clock(api, graphmock, tmp_path):
    """GRAPH-BEHAVIOUR 6.4 with the default policy (decided 300 s after submission): advancing the clock over
    the control API turns PENDING_REVIEW into ACTIVE without any further SDK call but the read."""
    account = AdAccount(graphmock.act)
    ad_set = create_ad_set(account, graphmock.world)
    image, _ = upload_png(account, tmp_path)
    creative = link_creative(account, graphmock.world, image["hash"])
    ad = account.create_ad(params={"name": "Ad", "adset_id": ad_set.get_id(), "creative": {"creative_id": creative.get_id()},
                                   "status": "ACTIVE"})
    assert Ad(ad.get_id()).api_get(fields=["effective_status"])["effective_status"] == "PENDING_REVIEW"
    graphmock.control("POST", "clock", {"advance": 301})
    assert Ad(ad.get_id()).api_get(fields=["effective_status"])["effective_status"] == "ACTIVE"


def test_disapproved_ad_cannot_be_re_enabled(api, graphmock, tmp_path):
    """Control API disapproval -> DISAPPROVED with ad_review_feedback; re-enabling it fails like Graph:
    code 100, subcode 2490427 (GRAPH-BEHAVIOUR 1.3)."""
    account = AdAccount(graphmock.act)
    ad_set = create_ad_set(account, graphmock.world)
    image, _ = upload_png(account, tmp_path)
    creative = link_creative(account, graphmock.world, image["hash"])
    ad = account.create_ad(params={"name": "Ad", "adset_id": ad_set.get_id(), "creative": {"creative_id": creative.get_id()},
                                   "status": "ACTIVE"})
    graphmock.control("POST", f"reviews/{ad.get_id()}", {"action": "disapprove", "reason": "Not allowed", "policy": "Test"})
    read = Ad(ad.get_id()).api_get(fields=["effective_status", "ad_review_feedback"])
    assert read["effective_status"] == "DISAPPROVED"
    assert read.export_all_data()["ad_review_feedback"] == {"global": {"Test": "Not allowed"}}

    ad.api_update(params={"status": "PAUSED"})
    with pytest.raises(FacebookRequestError) as raised:
        ad.api_update(params={"status": "ACTIVE"})
    assert (raised.value.api_error_code(), raised.value.api_error_subcode()) == (100, 2490427)
    assert raised.value.api_transient_error() is False


def test_carousel_and_instagram_post_creatives(api, graphmock, tmp_path):
    """Seed 000 step 3 variants: link_data.child_attachments (image hash + video card), and an ad creative from
    an Instagram post (object_id + instagram_user_id + source_instagram_media_id + call_to_action)."""
    account, world = AdAccount(graphmock.act), graphmock.world
    image, _ = upload_png(account, tmp_path)
    carousel = account.create_ad_creative(params={"name": "Carousel", "object_story_spec": {
        "page_id": world["page_id"], "instagram_user_id": world["instagram_user_id"],
        "link_data": {"message": "Swipe", "call_to_action": IG_CTA, "child_attachments": [
            {"image_hash": image["hash"], "call_to_action": IG_CTA, "name": "Card 1"},
            {"video_id": world["video_id"], "picture": "https://example.com/thumb.png", "call_to_action": IG_CTA,
             "name": "Card 2"}]}}})
    cards = AdCreative(carousel.get_id()).api_get(fields=["object_story_spec"])["object_story_spec"]["link_data"]
    assert [c["name"] for c in cards["child_attachments"]] == ["Card 1", "Card 2"]
    assert cards["child_attachments"][0]["image_hash"] == image["hash"]

    ig_post = account.create_ad_creative(params={
        "name": "Sample ad creative from Instagram post", "object_id": world["page_id"],
        "instagram_user_id": world["instagram_user_id"], "source_instagram_media_id": world["instagram_media_id"],
        "call_to_action": {"type": "INSTAGRAM_MESSAGE", "value": {"link": "https://www.instagram.com"}}})
    read = AdCreative(ig_post.get_id()).api_get(fields=["name", "instagram_user_id", "source_instagram_media_id"])
    assert read.export_all_data() == {"name": "Sample ad creative from Instagram post",
                                      "instagram_user_id": world["instagram_user_id"],
                                      "source_instagram_media_id": world["instagram_media_id"], "id": ig_post.get_id()}


def test_nested_field_reads(api, graphmock, tmp_path):
    """GRAPH-BEHAVIOUR 4: `creative{object_story_spec}`, `adset{campaign{objective}}` on a node, and
    `adsets{name,ads{name}}` on an edge, which the SDK unwraps from {"data": [...]} into objects."""
    account, world = AdAccount(graphmock.act), graphmock.world
    ad_set = create_ad_set(account, world)
    image, _ = upload_png(account, tmp_path)
    creative = link_creative(account, world, image["hash"])
    ad = account.create_ad(params={"name": "Nested", "adset_id": ad_set.get_id(),
                                   "creative": {"creative_id": creative.get_id()}, "status": "PAUSED"})

    read = Ad(ad.get_id()).api_get(fields=["name", "creative{object_story_spec{link_data{call_to_action}}}",
                                           "adset{name,campaign{objective}}"])
    assert read.export_all_data()["creative"] == {"id": creative.get_id(),
                                "object_story_spec": {"link_data": {"call_to_action": IG_CTA}}}
    assert read["adset"]["campaign"]["objective"] == "OUTCOME_ENGAGEMENT"

    campaigns = list(account.get_campaigns(fields=["name", "adsets{name,ads{name}}"]))
    assert len(campaigns) == 1
    ad_sets = campaigns[0]["adsets"]
    assert [type(s) for s in ad_sets] == [AdSet] and ad_sets[0].get_id() == ad_set.get_id()
    assert [(a.get_id(), a["name"]) for a in ad_sets[0]["ads"]] == [(ad.get_id(), "Nested")]
