"""The unmodified Python SDK on the account's assets (issue 14): video upload through the resumable protocol with
the SDK's video host pointed at graphmock, custom audiences with users, ad labels and copies."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.advideo import AdVideo
from facebook_business.adobjects.campaign import Campaign
from facebook_business.adobjects.customaudience import CustomAudience
from facebook_business.api import FacebookAdsApi

VIDEO_HOST = "https://graph-video.facebook.com"  # the SDK's url_override for every upload call (ACCOUNT-SURFACE 3)


@pytest.fixture
def video_host(graphmock: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the SDK's video host at graphmock, as a test suite does with the graph host."""
    original = FacebookAdsApi.call

    def call(self: Any, method: str, path: Any, *args: Any, url_override: Any = None, **kwargs: Any) -> Any:
        if url_override == VIDEO_HOST:
            url_override = graphmock.url
        return original(self, method, path, *args, url_override=url_override, **kwargs)
    monkeypatch.setattr(FacebookAdsApi, "call", call)
    return graphmock.url


def test_advideo_remote_create_runs_the_resumable_protocol(api, graphmock, video_host, tmp_path):
    """ACCOUNT-SURFACE 3: Python AdVideo.remote_create always uses start/transfer/finish; a 2.5 MiB file takes
    three chunks of graphmock's 1 MiB; the finish answer carries success (the SDK deletes it)."""
    path = tmp_path / "spot.mp4"
    data = bytes(range(256)) * (10 * 1024)  # 2.5 MiB
    path.write_bytes(data)
    video = AdVideo(parent_id=graphmock.act)
    video[AdVideo.Field.filepath] = str(path)
    video.remote_create()
    assert video.get_id()
    graphmock.control("POST", "clock", {"advance": 60})
    video.waitUntilEncodingReady(interval=1, timeout=10)
    read = AdVideo(video.get_id()).api_get(fields=["title", "status", "length"])
    assert read["title"] == "spot.mp4" and read["status"]["video_status"] == "ready"
    assert read["status"]["uploading_phase"]["bytes_transferred"] == len(data)
    listed = [v.get_id() for v in AdAccount(graphmock.act).get_ad_videos(fields=["title"])]
    assert video.get_id() in listed and graphmock.world["video_id"] in listed


def test_custom_audience_add_and_remove_users(api, graphmock):
    """ACCOUNT-SURFACE 5.2: the SDK normalises and hashes emails (strip, lower, SHA-256) and posts {schema, data}."""
    audience = AdAccount(graphmock.act).create_custom_audience(params={
        "name": "CRM customers", "subtype": "CUSTOM", "customer_file_source": "USER_PROVIDED_ONLY"})
    added = audience.add_users(CustomAudience.Schema.email_hash, [" Mary@Example.com", "john@example.com"]).json()
    assert (added["num_received"], added["num_invalid_entries"]) == (2, 0)
    removed = audience.remove_users(CustomAudience.Schema.email_hash, ["mary@example.com"]).json()
    assert removed["num_received"] == 1 and removed["audience_id"] == audience.get_id()
    multi = audience.add_users([CustomAudience.Schema.MultiKeySchema.email, CustomAudience.Schema.MultiKeySchema.fn],
                               [["ann@example.com", "Ann"]], is_raw=True).json()
    assert multi["num_invalid_entries"] == 0
    read = audience.api_get(fields=["name", "approximate_count_lower_bound", "approximate_count_upper_bound", "subtype"])
    assert read["subtype"] == "CUSTOM" and read["approximate_count_upper_bound"] >= 1
    lookalike = AdAccount(graphmock.act).create_custom_audience(params={
        "name": "LAL", "subtype": "LOOKALIKE", "origin_audience_id": audience.get_id(),
        "lookalike_spec": '{"ratio": 0.02, "country": "US"}'})
    assert lookalike.api_get(fields=["approximate_count_lower_bound"])["approximate_count_lower_bound"] == -1
    assert hashlib.sha256(b"mary@example.com").hexdigest().startswith("f1904cf1")


def test_campaign_copy_and_labels(api, graphmock):
    """ACCOUNT-SURFACE 8 and 5.4 through the SDK's create_copy and adlabels."""
    account = AdAccount(graphmock.act)
    label = account.create_ad_label(params={"name": "Launch"})
    campaign = account.create_campaign(params={"name": "Launch campaign", "objective": "OUTCOME_TRAFFIC",
                                               "status": "ACTIVE", "special_ad_categories": [],
                                               "adlabels": [{"id": label.get_id()}]})
    copy = campaign.create_copy(params={"deep_copy": True, "status_option": "PAUSED"})
    copied = copy["copied_campaign_id"] if "copied_campaign_id" in copy else copy.get_id()
    read = Campaign(copied).api_get(fields=["name", "status", "adlabels"])
    assert read["name"] == "Launch campaign - Copy" and read["status"] == "PAUSED"
    assert [item["name"] for item in read["adlabels"]] == ["Launch"]
