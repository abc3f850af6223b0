"""One Python SDK call per catalogue error (schemas/rules/errors*.json), keyed by catalogue key.

Each trigger gets a `Scene` (the demo account through a given `FacebookAdsApi`, and builders for
valid parents) and must make exactly the SDK call that Graph rejects with that error. The expected
message is written out by hand: it is what a user's `except FacebookRequestError` sees.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from facebook_business.adobjects.ad import Ad
from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.adimage import AdImage
from facebook_business.adobjects.adreportrun import AdReportRun
from facebook_business.adobjects.adset import AdSet
from facebook_business.adobjects.business import Business
from facebook_business.adobjects.campaign import Campaign
from facebook_business.adobjects.user import User
from facebook_business.api import FacebookAdsApi
from facebook_business.session import FacebookSession

from pngs import png_bytes

CTA = {"type": "INSTAGRAM_MESSAGE", "value": {"app_destination": "INSTAGRAM_DIRECT"}}


class Scene:
    """The demo world seen through the SDK, with builders for the valid objects a failing call needs."""

    def __init__(self, graphmock: Any, tmp_path: Any) -> None:
        self.graphmock = graphmock
        self.world = graphmock.world
        self.tmp_path = tmp_path
        self.account = AdAccount(graphmock.act)

    def api(self, token: str | None = ..., version: str | None = None) -> FacebookAdsApi:  # type: ignore[assignment]
        """A separate FacebookAdsApi (other token or version); the default api stays as it was."""
        session = FacebookSession(access_token=self.graphmock.token if token is ... else token, timeout=10)
        return FacebookAdsApi(session, api_version=version)

    def campaign(self, **params: Any) -> Campaign:
        return self.account.create_campaign(params={
            "name": "C", "objective": "OUTCOME_ENGAGEMENT", "status": "PAUSED", "special_ad_categories": [], **params})

    def ad_set_params(self, campaign_id: str, **params: Any) -> dict[str, Any]:
        """Seed 000's ad set under `campaign_id`; `None` removes a param."""
        merged = {"name": "S", "campaign_id": campaign_id, "billing_event": "IMPRESSIONS", "daily_budget": 5000,
                "bid_strategy": "LOWEST_COST_WITHOUT_CAP", "destination_type": "INSTAGRAM_DIRECT",
                "optimization_goal": "CONVERSATIONS", "promoted_object": {"page_id": self.world["page_id"]},
                "status": "PAUSED", "targeting": {"geo_locations": {"countries": ["US"]}}, **params}
        return {key: value for key, value in merged.items() if value is not None}

    def ad_set(self, **params: Any) -> AdSet:
        """create_ad_set returns a bare AbstractCrudObject in facebook-business 26.0.3, so wrap the id."""
        return AdSet(self.account.create_ad_set(params=self.ad_set_params(self.campaign().get_id(), **params)).get_id())

    def image_hash(self) -> str:
        path = self.tmp_path / "ok.png"
        path.write_bytes(png_bytes())
        return str(self.account.create_ad_image(params={AdImage.Field.filename: str(path)})["hash"])

    def creative_spec(self, **link_data: Any) -> dict[str, Any]:
        return {"page_id": self.world["page_id"], "instagram_user_id": self.world["instagram_user_id"],
                "link_data": {"message": "Hello", "call_to_action": CTA, **link_data}}

    def ad(self, status: str = "PAUSED") -> Ad:
        creative = self.account.create_ad_creative(params={
            "name": "Cr", "object_story_spec": self.creative_spec(image_hash=self.image_hash())})
        return self.account.create_ad(params={"name": "A", "adset_id": self.ad_set().get_id(),
                                              "creative": {"creative_id": creative.get_id()}, "status": status})


@dataclass(frozen=True)
class Case:
    trigger: Callable[[Scene], Any]
    message: str
    prefix: bool = False  # for messages that list a whole enum
    user_msg_has: str = ""  # tells apart entries that share a message and title


def _bad_png_upload(s: Scene) -> Any:
    path = s.tmp_path / "broken.png"
    path.write_bytes(b"this is not a PNG")
    return s.account.create_ad_image(params={AdImage.Field.filename: str(path)})


def _budget_changes(adset: Any, times: int) -> Any:
    """M-RL: the 5th budget change of an ad set within an hour is refused (613/1487632)."""
    for amount in range(times):
        adset.api_update(params={"daily_budget": 6000 + 1000 * amount})
    return adset


def _edit_deleted(make: Callable[[Scene], Any]) -> Callable[[Scene], Any]:
    def trigger(s: Scene) -> Any:
        node = make(s)
        node.api_delete()
        return node.api_update(params={"status": "ACTIVE"})
    return trigger


def _edit_archived(make: Callable[[Scene], Any], params: dict[str, Any]) -> Callable[[Scene], Any]:
    def trigger(s: Scene) -> Any:
        node = make(s)
        node.api_update(params={"status": "ARCHIVED"})
        return node.api_update(params=params)
    return trigger


def _rejected_then_enabled(s: Scene) -> Any:
    ad = s.ad(status="ACTIVE")
    s.graphmock.control("POST", f"reviews/{ad.get_id()}", {"action": "disapprove"})
    ad.api_update(params={"status": "PAUSED"})
    return ad.api_update(params={"status": "ACTIVE"})


# Tokens of the demo fixtures' access worlds (fixtures/demo.json, issue 5).
EXPIRED_TOKEN = "GMDEMO-expired-token"
PROOF_APP = ("1200000000000003", "GMDEMO-proof-app-token")  # its app requires appsecret_proof
DEV_APP = ("1200000000000002", "GMDEMO-dev-app-token")  # development tier
ADS_READ_TOKEN = "GMDEMO-ads-read-token"
PAGES_ONLY_TOKEN = "GMDEMO-pages-only-token"
TWO_FACTOR = ("act_1000000000000021", "GMDEMO-two-factor-token")
REAL_ACCOUNT = "act_1000000000000011"  # not a test account


def _as(token: str, account: str | None = None, **session: Any) -> Callable[[Scene], AdAccount]:
    def account_for(s: Scene) -> AdAccount:
        api = FacebookAdsApi(FacebookSession(access_token=token, timeout=10, **session))
        return AdAccount(account or s.graphmock.act, api=api)
    return account_for


def _with_app_rate_limits(settings: dict[str, Any], calls: int, insights: bool = False) -> Callable[[Scene], Any]:
    """Load the fixtures with `rate_limits` on the development-tier app (off by default), make `calls` reads
    (insights reads with `insights`) with its token, and put the original fixtures back whatever happens."""
    def trigger(s: Scene) -> Any:
        original = s.graphmock.control("GET", "fixtures")
        throttled = copy.deepcopy(original)
        for app in throttled["apps"]:
            if app["id"] == DEV_APP[0]:
                app["rate_limits"] = settings
        s.graphmock.control("POST", "fixtures", throttled)
        try:
            account = _as(DEV_APP[1])(s)
            for _ in range(calls):
                account.get_insights() if insights else account.api_get(fields=["name"])
        finally:
            s.graphmock.control("POST", "fixtures", original)
        raise AssertionError(f"{calls} reads with rate_limits {settings} were never refused")
    return trigger


def _batch_of(count: int) -> Callable[[Scene], Any]:
    def trigger(s: Scene) -> Any:
        batch = FacebookAdsApi.get_default_api().new_batch()
        for i in range(count):
            s.account.create_campaign(params={"name": f"B{i}", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED",
                                              "special_ad_categories": []}, batch=batch)
        return batch.execute()
    return trigger


def _copy_of_four_ads(s: Scene) -> Any:
    """ACCOUNT-SURFACE 8: a synchronous deep copy copies at most 3 ads."""
    ad = s.ad()
    adset_id = ad.api_get(fields=["adset_id"])["adset_id"]
    creative = ad.api_get(fields=["creative"])["creative"]["id"]
    for index in range(3):
        s.account.create_ad(params={"name": f"more {index}", "adset_id": adset_id, "status": "PAUSED",
                                    "creative": {"creative_id": creative}})
    return AdSet(adset_id).create_copy(params={"deep_copy": True})


def _delete_lookalike_source(s: Scene) -> Any:
    source = s.account.create_custom_audience(params={"name": "seed", "subtype": "CUSTOM"})
    s.account.create_custom_audience(params={"name": "lal", "subtype": "LOOKALIKE", "origin_audience_id": source.get_id(),
                                             "lookalike_spec": '{"ratio": 0.01, "country": "US"}'})
    return source.api_delete()


def _video_session(s: Scene, size: int = 100) -> str:
    return s.account.create_ad_video(params={"upload_phase": "start", "file_size": size})["upload_session_id"]


CASES: dict[str, Case] = {
    # -- wire: token, version, path, id resolution
    "access_token_required": Case(lambda s: AdAccount(s.graphmock.act, api=s.api(token=None)).api_get(fields=["name"]),
                                  "An access token is required to request this resource."),
    "access_token_malformed": Case(lambda s: AdAccount(s.graphmock.act, api=s.api(token="not a token!")).api_get(),
                                   "Invalid OAuth access token - Cannot parse access token"),
    "access_token_unknown": Case(lambda s: AdAccount(s.graphmock.act, api=s.api(token="GMDEMO-no-such-token")).api_get(),
                                 "Invalid OAuth access token data."),
    "deprecated_version": Case(lambda s: AdAccount(s.graphmock.act, api=s.api(version="v19.0")).api_get(),
                               "(#2635) You are calling a deprecated version of the Ads API. "
                               "Please update to the latest version: v27.0."),
    "unknown_path_components": Case(lambda s: AdAccount(s.graphmock.act, api=s.api(version="v99.0")).api_get(),
                                    "Unknown path components: /act_1000000000000001"),
    "unsupported_get": Case(lambda s: Campaign("999").api_get(fields=["name"]),
                            "Unsupported get request. Object with ID '999' does not exist, cannot be loaded due to "
                            "missing permissions, or does not support this operation. Please read the Graph API "
                            "documentation at https://developers.facebook.com/docs/graph-api"),
    "unsupported_post": Case(lambda s: Campaign("999").api_update(params={"name": "x"}),
                             "Unsupported post request. Object with ID '999' does not exist, cannot be loaded due to "
                             "missing permissions, or does not support this operation. Please read the Graph API "
                             "documentation at https://developers.facebook.com/docs/graph-api"),
    "unsupported_delete": Case(lambda s: Campaign("999").api_delete(),
                               "Unsupported delete request. Object with ID '999' does not exist, cannot be loaded due "
                               "to missing permissions, or does not support this operation. Please read the Graph API "
                               "documentation at https://developers.facebook.com/docs/graph-api"),
    "alias_not_found": Case(lambda s: Campaign("my_campaign").api_get(fields=["name"]),
                            "(#803) Some of the aliases you requested do not exist: my_campaign"),
    "me_requires_user_token": Case(lambda s: User("me", api=s.api(token=None)).api_get(fields=["name"]),
                                   "An active access token must be used to query information about the current user."),
    "not_implemented": Case(lambda s: s.account.get_reach_estimate(params={"targeting_spec": {"geo_locations": {
        "countries": ["US"]}}}), "(#3) GET /act_1000000000000001/reachestimate is a documented Graph API endpoint that "
        "graphmock does not implement", prefix=True),
    "access_token_expired": Case(lambda s: _as(EXPIRED_TOKEN)(s).api_get(fields=["name"]),
                                 "Error validating access token: Session has expired on ", prefix=True),
    "appsecret_proof_missing": Case(lambda s: _as(PROOF_APP[1])(s).api_get(fields=["name"]),
                                    "API calls from the server require an appsecret_proof argument"),
    "appsecret_proof_invalid": Case(lambda s: _as(PROOF_APP[1], app_id=PROOF_APP[0], app_secret="not-the-secret")(s)
                                    .api_get(fields=["name"]), "Invalid appsecret_proof provided in the API argument"),
    # -- permissions, tiers, limits
    "permission_read_missing": Case(lambda s: _as(PAGES_ONLY_TOKEN)(s).get_campaigns(),
                                    "(#200) Ad account owner has NOT grant ads_management or ads_read permission"),
    "permission_missing": Case(lambda s: _as(ADS_READ_TOKEN)(s).create_campaign(params={
        "name": "x", "objective": "OUTCOME_TRAFFIC", "special_ad_categories": []}),
        "(#200) Requires ads_management permission to manage the object"),
    "development_access_not_allowed": Case(lambda s: _as(DEV_APP[1], REAL_ACCOUNT)(s).get_campaigns(),
                                           "(#270) Development access is not allowed to access business API "
                                           "get:AdAccount/campaigns."),
    "two_factor_required": Case(lambda s: _as(TWO_FACTOR[1], TWO_FACTOR[0])(s).get_campaigns(),
                                "Two factor authentication required. ", prefix=True),
    "two_factor_required_business": Case(lambda s: Business("1300000000000002", api=_as(TWO_FACTOR[1])(s).get_api())
                                         .api_get(fields=["name"]), "Two factor authentication required. ", prefix=True),
    "ads_management_throttled": Case(_with_app_rate_limits({"enabled": True}, 61),  # development tier: 60 points
                                     "(#80004) There have been too many calls to this ad-account. ", prefix=True),
    "app_request_limit": Case(_with_app_rate_limits({"enabled": True, "app_calls_per_hour": 3}, 4),
                              "(#4) Application request limit reached"),
    # -- insights (INSIGHTS.md 5.4, 6)
    "insights_lookback": Case(lambda s: s.account.get_insights(params={"time_range": {"since": "2020-01-01",
                                                                                     "until": "2020-01-02"}}),
                              "(#3018) The start date of the time range cannot be beyond 37 months from the current date"),
    "insights_cursor_invalid": Case(lambda s: s.account.get_insights(params={"after": "not-a-cursor"}),
                                    "(#2642) Invalid cursors values"),
    "insights_job_not_ready": Case(lambda s: AdReportRun(s.account.get_insights_async().get_id()).get_insights(),
                                   "Error accessing adreport job."),
    "insights_account_throttled": Case(_with_app_rate_limits({"enabled": True}, 61, insights=True),
                                       "(#80000) There have been too many calls from this ad-account.", prefix=True),
    "insights_load_throttled": Case(_with_app_rate_limits({"enabled": True, "app_calls_per_hour": 3}, 4, insights=True),
                                    "(#4) There have been too many calls from this app. Wait a bit and try again."),
    "batch_too_many": Case(_batch_of(51), "Too many requests in batch message. Maximum batch size is 50"),
    # -- fields and lists
    "nonexisting_field": Case(lambda s: s.campaign().api_get(fields=["foo"]),
                              "(#100) Tried accessing nonexisting field (foo) on node type (AdCampaignGroup)"),
    "fields_syntax": Case(lambda s: s.campaign().api_get(fields=["name{"]),
                          'Syntax error "Expected "}"." at character 5: name{'),
    "unknown_fields_alias": Case(lambda s: s.campaign().api_get(fields=["name.as(title)"]),
                                 "(#100) Unknown fields: title."),
    "limit_invalid": Case(lambda s: s.account.get_campaigns(params={"limit": -1}),
                          "(#100) param limit must be a non-negative integer"),
    "limit_too_large": Case(lambda s: s.account.get_campaigns(params={"limit": 100000}),
                            "(#100) The 'limit' parameter should not exceed 5000"),
    "cursor_invalid": Case(lambda s: s.account.get_campaigns(params={"after": "not-a-cursor"}),
                           "(#100) The After Cursor specified is invalid"),
    "filtering_unsupported_field": Case(lambda s: s.account.get_campaigns(params={"filtering": [
        {"field": "foo", "operator": "EQUAL", "value": "1"}]}), "(#100) Filtering field 'foo' is not supported"),
    "filtering_invalid": Case(lambda s: s.account.get_campaigns(params={"filtering": [
        {"field": "name", "operator": "IN", "value": "x"}]}), "(#100) param filtering is invalid: IN needs an array value"),
    "run_status_invalid": Case(lambda s: s.account.get_campaigns(params={"effective_status": ["NOPE"]}),
                               "Invalid parameter"),
    "deleted_in_edge_filter": Case(lambda s: s.account.get_campaigns(params={"effective_status": ["DELETED"]}),
                                   "(#100) param effective_status cannot contain DELETED: deleted objects are not "
                                   "returned through edges"),
    "time_range_too_old": Case(lambda s: s.account.get_campaigns(params={
        "time_range": {"since": "2020-01-01", "until": "2020-01-31"}}),
        "(#3018) The start date of the time range cannot be beyond 37 months from the current date"),
    # -- campaigns
    "param_required": Case(lambda s: s.account.create_campaign(params={"objective": "OUTCOME_TRAFFIC",
                                                                       "special_ad_categories": []}),
                           "(#100) The parameter name is required"),
    "param_enum": Case(lambda s: s.campaign(objective="NOT_AN_OBJECTIVE"), "(#100) Param objective must be one of {",
                       prefix=True),
    "param_type": Case(lambda s: s.campaign(daily_budget="a lot"),
                       "(#100) Param daily_budget must be a non-negative integer amount in the account currency's "
                       "minor units"),
    "param_datetime": Case(lambda s: s.campaign(start_time="next tuesday-ish"),
                           "(#100) Must be a unixtime or a date/time representation parseable by strtotime()"),
    "special_ad_categories_required": Case(lambda s: s.account.create_campaign(params={
        "name": "x", "objective": "OUTCOME_TRAFFIC"}), "(#100) The parameter special_ad_categories is required"),
    "special_ad_category_country_required": Case(lambda s: s.campaign(special_ad_categories=["HOUSING"]),
                                                 "Invalid parameter"),
    "creation_status_invalid": Case(lambda s: s.campaign(status="ARCHIVED"), "Invalid parameter"),
    "objective_deprecated": Case(lambda s: s.campaign(objective="LINK_CLICKS"), "Invalid parameter"),
    "campaign_budget_both": Case(lambda s: s.campaign(daily_budget=5000, lifetime_budget=50000), "Invalid parameter"),
    "spend_cap_too_low": Case(lambda s: s.campaign(spend_cap=1), "Invalid parameter"),
    "campaign_bid_strategy_without_budget": Case(lambda s: s.campaign(bid_strategy="COST_CAP"), "Invalid parameter"),
    "edit_deleted_campaign": Case(_edit_deleted(lambda s: s.campaign()), "Invalid parameter"),
    "edit_archived_campaign": Case(_edit_archived(lambda s: s.campaign(), {"status": "ACTIVE"}), "Invalid parameter"),
    # -- ad sets
    "adset_destination_invalid": Case(lambda s: s.ad_set(destination_type="ON_AD", optimization_goal="LEAD_GENERATION"),
                                      "Invalid parameter"),
    "adset_goal_unavailable": Case(lambda s: s.ad_set(destination_type=None, optimization_goal="APP_INSTALLS"),
                                   "Invalid parameter"),
    "adset_bid_amount_required": Case(lambda s: s.ad_set(bid_strategy="LOWEST_COST_WITH_BID_CAP"), "Invalid parameter"),
    "adset_roas_floor_required": Case(lambda s: s.account.create_ad_set(params=s.ad_set_params(
        s.campaign(objective="OUTCOME_SALES").get_id(), bid_strategy="LOWEST_COST_WITH_MIN_ROAS", optimization_goal="VALUE",
        destination_type="WEBSITE", promoted_object={"pixel_id": "1600000000000001", "custom_event_type": "PURCHASE"})),
        "Invalid parameter", user_msg_has="needs bid_constraints with roas_average_floor"),
    "adset_roas_goal_value": Case(lambda s: s.ad_set(bid_strategy="LOWEST_COST_WITH_MIN_ROAS",
                                                     bid_constraints={"roas_average_floor": 10000}), "Invalid parameter",
                                  user_msg_has="optimization_goal must be VALUE"),
    "adset_budget_with_campaign_budget": Case(lambda s: s.account.create_ad_set(params=s.ad_set_params(
        s.campaign(daily_budget=10000, bid_strategy="LOWEST_COST_WITHOUT_CAP").get_id())), "Invalid parameter"),
    "adset_end_time_past": Case(lambda s: s.ad_set(start_time="2020-01-01T00:00:00+0000",
                                                                   end_time="2020-02-01T00:00:00+0000"), "Invalid parameter"),
    "adset_budget_too_low": Case(lambda s: s.ad_set(daily_budget=1), "Invalid parameter"),
    "adset_promoted_object_required": Case(lambda s: s.ad_set(promoted_object=None), "Invalid parameter"),
    "adset_application_unknown": Case(lambda s: s.account.create_ad_set(params=s.ad_set_params(
        s.campaign(objective="OUTCOME_APP_PROMOTION").get_id(), destination_type=None, optimization_goal="APP_INSTALLS",
        promoted_object={"application_id": "999", "object_store_url": "https://apps.apple.com/app/id1"})),
        "(#900) No such application exists."),
    "targeting_sac_age": Case(lambda s: s.account.create_ad_set(params=s.ad_set_params(
        s.campaign(special_ad_categories=["HOUSING"], special_ad_category_country=["US"]).get_id(),
        targeting={"geo_locations": {"countries": ["US"]}, "age_min": 30})), "Invalid parameter"),
    "targeting_sac_gender": Case(lambda s: s.account.create_ad_set(params=s.ad_set_params(
        s.campaign(special_ad_categories=["HOUSING"], special_ad_category_country=["US"]).get_id(),
        targeting={"geo_locations": {"countries": ["US"]}, "genders": [1]})), "Invalid parameter"),
    "targeting_sac_location": Case(lambda s: s.account.create_ad_set(params=s.ad_set_params(
        s.campaign(special_ad_categories=["HOUSING"], special_ad_category_country=["US"]).get_id(),
        targeting={"geo_locations": {"zips": [{"key": "US:94304"}]}})), "Invalid parameter"),
    "adset_dsa_payor_required": Case(lambda s: s.ad_set(targeting={"geo_locations": {"countries": ["DE"]}}),
                                     "Invalid parameter"),
    "adset_dsa_beneficiary_required": Case(lambda s: s.ad_set(targeting={"geo_locations": {"countries": ["DE"]}},
                                                              dsa_payor="Payor"), "Invalid parameter"),
    "targeting_sac_radius": Case(lambda s: s.account.create_ad_set(params=s.ad_set_params(
        s.campaign(special_ad_categories=["HOUSING"], special_ad_category_country=["US"]).get_id(),
        targeting={"geo_locations": {"cities": [{"key": "2420379", "radius": 10, "distance_unit": "mile"}]}})),
        "Invalid parameter"),
    "edit_deleted_adset": Case(_edit_deleted(lambda s: s.ad_set()), "Invalid parameter"),
    "edit_archived_adset": Case(_edit_archived(lambda s: s.ad_set(), {"status": "ACTIVE"}), "Invalid parameter"),
    # -- images, creatives, ads, review
    "adimage_invalid_file": Case(_bad_png_upload, "Invalid parameter"),
    "adimage_not_found": Case(lambda s: s.account.create_ad_creative(params={
        "name": "x", "object_story_spec": s.creative_spec(image_hash="0" * 32)}),
        "(#100) Param object_story_spec[link_data][image_hash] is not the hash of an image in ad account "
        "act_1000000000000001: 00000000000000000000000000000000"),
    "creative_story_ambiguous": Case(lambda s: s.account.create_ad_creative(params={
        "name": "x", "object_story_spec": s.creative_spec(image_hash=s.image_hash()),
        "object_story_id": s.world["page_post_id"]}), "Invalid parameter"),
    "creative_instagram_both": Case(lambda s: s.account.create_ad_creative(params={"name": "x", "object_story_spec": {
        **s.creative_spec(image_hash=s.image_hash()), "instagram_actor_id": s.world["instagram_user_id"]}}),
        "Invalid parameter"),
    "creative_missing_image": Case(lambda s: s.account.create_ad_creative(params={
        "name": "x", "object_story_spec": s.creative_spec()}), "Invalid parameter"),
    "creative_image_crop_key": Case(lambda s: s.account.create_ad_creative(params={
        "name": "x", "object_story_spec": s.creative_spec(image_hash=s.image_hash(),
                                                          image_crops={"120x120": [[0, 0], [120, 120]]})}),
        "Invalid parameter"),
    "adset_budget_change_limit": Case(lambda s: _budget_changes(s.ad_set(), 5),
                                      "You can only change your ad set budget 4 times per hour. Please wait to make "
                                      "more changes."),
    "cta_type_unparseable": Case(lambda s: s.account.create_ad_creative(params={
        "name": "x", "object_story_spec": s.creative_spec(image_hash=s.image_hash(), call_to_action={"type": "NOPE"})}),
        "Invalid parameter"),
    "edit_archived_ad": Case(_edit_archived(lambda s: s.ad(), {"status": "ACTIVE"}), "Invalid parameter"),
    "review_rejected_enable": Case(_rejected_then_enabled, "Invalid parameter"),
    # -- the account's assets (issue 14; ACCOUNT-SURFACE 3, 5, 8)
    "adspixel_exists": Case(lambda s: [s.account.create_ads_pixel(params={"name": n}) for n in ("one", "two")],
                            "A pixel already exists for this account"),
    "assets_not_implemented": Case(lambda s: s.account.get_video_ads(),
                                   "(#100) GET /<AdAccount>/video_ads is not implemented by graphmock"),
    "copies_too_many_ads": Case(_copy_of_four_ads, "Invalid parameter"),
    "customaudience_has_lookalikes": Case(_delete_lookalike_source,
                                          "(#2656) Failed to delete custom audience: the audience is the source of "
                                          "lookalike audiences"),
    "customaudience_rule_json": Case(lambda s: s.account.create_custom_audience(params={
        "name": "site", "subtype": "WEBSITE", "rule": "{not json"}), "Invalid rule JSON format"),
    "video_session_invalid": Case(lambda s: s.account.create_ad_video(params={
        "upload_phase": "transfer", "upload_session_id": "42", "start_offset": 0}),
        "There was a problem uploading your video file. Please try again.", user_msg_has="not an open upload session"),
    "video_incomplete": Case(lambda s: s.account.create_ad_video(params={
        "upload_phase": "finish", "upload_session_id": _video_session(s)}),
        "There was a problem uploading your video file. Please try again.", user_msg_has="transfer the rest"),
    "video_chunk_offset": Case(lambda s: s.account.create_ad_video(params={
        "upload_phase": "transfer", "upload_session_id": _video_session(s), "start_offset": 50}),
        "There was a problem uploading your video file. Please try again with another file."),
}

NOT_REACHABLE_FROM_THE_SDK: dict[str, str] = {
    "customaudience_tos": "needs an account whose fixture declines the custom audience terms; tests/test_audiences.py",
    "unknown_error": "only for an internal server failure (code 1, HTTP 500, is_transient true)",
    "unsupported_method": "the SDK only sends GET, POST and DELETE",
    "request_too_large": "needs a body over the server's size limit; covered by the plain-HTTP fuzz tests",
    "request_timeout": "needs a body shorter than its Content-Length; covered by tests/test_hostile.py (raw sockets)",
    "injected_error": "fault injection has no control endpoint yet (mock_server/access/faults.py is Python-only)",
    "service_unavailable": "fault injection has no control endpoint yet (mock_server/access/faults.py is Python-only)",
    "batch_operation_invalid": "the SDK only builds well-formed batch operations",
    "insights_too_much_data": "needs an account over schemas/rules/insights.json max_cells_sync (millions of "
                              "ad-days); covered in-process by tests/test_insights.py with a lowered threshold",
    "batch_unresolved_dependency": "FacebookAdsApiBatch.add() cannot name operations or set depends_on",
    "batch_dependency_failed": "FacebookAdsApiBatch.add() cannot name operations or set depends_on",
}
