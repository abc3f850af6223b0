"""One example test per documented ad set rule: code, subcode, blamed field and a message naming it."""

from __future__ import annotations

import copy
import json

import pytest

from helpers_envelope import assert_graph_error, explanation
from mock_server.config import ServerConfig
from mock_server.contract.registry import default_registry
from mock_server.testing import InProcessClient
from test_adsets import create, make_campaign, payload

TABLE = default_registry().rules("adset")
APP_STORE = "https://play.google.com/store/apps/details?id=dev.graphmock.demo"


@pytest.fixture
def post(client, act, world):
    """post(objective=..., campaign={...}, **adset overrides) -> response for a fresh campaign."""
    def _post(objective: str = "OUTCOME_ENGAGEMENT", campaign: dict | None = None, **overrides):
        parent = make_campaign(client, act, objective=objective, **(campaign or {}))
        return create(client, act, world, parent, **overrides)
    return _post


def assert_ok(response):
    assert response.status_code == 200, response.text
    return response.json()["id"]


# -- status and campaign ----------------------------------------------------------------------
@pytest.mark.parametrize("status", ["ARCHIVED", "DELETED"])
def test_only_active_or_paused_at_creation(post, status):
    """GRAPH-BEHAVIOUR 6.1 (M-ADSET): 'Only ACTIVE and PAUSED are valid during creation.'"""
    assert_graph_error(post(status=status), 100, blame="status", message_has="ACTIVE and PAUSED")


def test_campaign_must_exist_in_the_account(client, act, world):
    """Seed 000: campaign_id is 'A valid click to Instagram campaign you wish to add this ad set to.'"""
    assert_graph_error(create(client, act, world, "1234"), 100, blame="campaign_id", message_has="campaign_id")
    parent = make_campaign(client, act)
    adset = assert_ok(create(client, act, world, parent))
    error = assert_graph_error(create(client, act, world, adset), 100, blame="campaign_id")
    assert "is not a campaign id" in explanation(client)


@pytest.mark.parametrize("how", ["delete", "archive"])
def test_campaign_must_be_live(client, act, world, how):
    """GRAPH-BEHAVIOUR 6.3: a DELETED or ARCHIVED campaign takes no new ad sets."""
    parent = make_campaign(client, act)
    if how == "delete":
        client.delete(parent)
    else:
        client.post(parent, data={"status": "ARCHIVED"})
    error = assert_graph_error(create(client, act, world, parent), 100, blame="campaign_id")
    assert ("DELETED" if how == "delete" else "ARCHIVED") in explanation(client)



def test_at_most_200_ad_sets_per_campaign(client, act, world):
    """GRAPH-BEHAVIOUR 8/11 (M-CAMP Limits): 'Max 200 ad sets per campaign' - the 201st non-deleted ad set is refused
    (code 100 blaming campaign_id; Meta documents no subcode); ARCHIVED ones count, a DELETED one frees a place,
    and other campaigns are not affected."""
    parent = make_campaign(client, act)
    assert TABLE["limits"]["adsets_per_campaign"] == 200
    ids = [assert_ok(create(client, act, world, parent, name=f"S{i}")) for i in range(200)]
    error = assert_graph_error(create(client, act, world, parent), 100, None, blame="campaign_id")
    assert error["message"] == (f"(#100) Param campaign_id: campaign {parent} already has 200 ad sets; "
                                "a campaign can have at most 200 non-deleted ad sets")
    assert "error_user_title" not in error  # a simple (#100) envelope: Meta documents no title (GRAPH-BEHAVIOUR 1.3)
    assert "deleted ad sets do not count" in explanation(client)
    assert json.loads(error["error_data"]) == {"blame_field_specs": [["campaign_id"]]}
    assert client.post(ids[0], data={"status": "ARCHIVED"}).status_code == 200
    assert_graph_error(create(client, act, world, parent), 100, None, blame="campaign_id")
    assert client.delete(ids[1]).status_code == 200
    assert_ok(create(client, act, world, parent))
    assert_graph_error(create(client, act, world, parent), 100, None, blame="campaign_id")
    assert_ok(create(client, act, world, make_campaign(client, act)))

# -- objective, destination, goal, billing -----------------------------------------------------
SEED_000_GOALS = {
    "OUTCOME_ENGAGEMENT": ["CONVERSATIONS", "LINK_CLICKS"],
    "OUTCOME_SALES": ["CONVERSATIONS", "OFFSITE_CONVERSIONS", "LINK_CLICKS", "IMPRESSIONS", "REACH"],
    "OUTCOME_TRAFFIC": ["CONVERSATIONS", "LANDING_PAGE_VIEWS", "LINK_CLICKS", "IMPRESSIONS", "REACH", "POST_ENGAGEMENT"],
}


def test_table_keeps_seed_000_lists_exactly():
    """Seed 000 optimization_goal: 'OUTCOME_ENGAGEMENT: ... CONVERSATIONS, and LINK_CLICKS. OUTCOME_SALES: ...
    CONVERSATIONS, OFFSITE_CONVERSIONS, LINK_CLICKS, IMPRESSIONS, and REACH. OUTCOME_TRAFFIC: ... CONVERSATIONS,
    LANDING_PAGE_VIEWS, LINK_CLICKS, IMPRESSIONS, REACH, and POST_ENGAGEMENT.' (click to Instagram)."""
    for objective, goals in SEED_000_GOALS.items():
        assert TABLE["objectives"][objective]["destinations"]["INSTAGRAM_DIRECT"] == goals


@pytest.mark.parametrize("objective,goal", [(o, g) for o, goals in SEED_000_GOALS.items() for g in goals])
def test_seed_000_goals_are_accepted(post, objective, goal):
    """Seed 000: each listed goal is accepted for click-to-Instagram ad sets of that objective."""
    extra = {"promoted_object": {"page_id": "1100000000000001", "pixel_id": "1234", "custom_event_type": "PURCHASE"}}
    assert_ok(post(objective, optimization_goal=goal, **extra))


@pytest.mark.parametrize("objective,goal", [("OUTCOME_ENGAGEMENT", "IMPRESSIONS"), ("OUTCOME_ENGAGEMENT", "REACH"),
                                            ("OUTCOME_SALES", "LANDING_PAGE_VIEWS"), ("OUTCOME_TRAFFIC", "APP_INSTALLS")])
def test_goal_outside_the_objective_matrix(post, objective, goal):
    """Seed 000 / GRAPH-BEHAVIOUR 7.2: mismatch -> 100/2490408 'Performance goal unavailable', blame optimization_goal
    (java-business-sdk #446: OUTCOME_SALES + LANDING_PAGE_VIEWS)."""
    error = assert_graph_error(post(objective, optimization_goal=goal), 100, 2490408, blame="optimization_goal",
                               message_has="optimization_goal")
    assert error["error_user_title"] == "Performance goal unavailable" and objective in error["error_user_msg"]


def test_reference_rows_beyond_the_seed_are_accepted(post):
    """GRAPH-BEHAVIOUR 7.2: OUTCOME_ENGAGEMENT On Post -> POST_ENGAGEMENT; OUTCOME_AWARENESS -> AD_RECALL_LIFT."""
    assert_ok(post(destination_type="ON_POST", optimization_goal="POST_ENGAGEMENT", promoted_object=None))
    assert_ok(post("OUTCOME_AWARENESS", destination_type=None, optimization_goal="AD_RECALL_LIFT", promoted_object=None))


@pytest.mark.parametrize("objective,destination", [("OUTCOME_AWARENESS", "INSTAGRAM_DIRECT"), ("OUTCOME_TRAFFIC", "ON_POST"),
                                                   ("OUTCOME_LEADS", "ON_VIDEO")])
def test_objective_incompatible_destination(post, objective, destination):
    """GRAPH-BEHAVIOUR 7.5 / M-ERR: 2446509 'The ad campaign destination type is not valid.'"""
    assert_graph_error(post(objective, destination_type=destination), 100, 2446509, blame="destination_type",
                       message_has="destination type is not valid")


def test_billing_event_per_goal(post):
    """GRAPH-BEHAVIOUR 7.4: LINK_CLICKS bills on LINK_CLICKS or IMPRESSIONS; CONVERSATIONS on IMPRESSIONS only."""
    assert_ok(post(optimization_goal="LINK_CLICKS", billing_event="LINK_CLICKS"))
    assert_graph_error(post(optimization_goal="CONVERSATIONS", billing_event="LINK_CLICKS"), 100, blame="billing_event",
                       message_has="billing_event")


# -- bidding -----------------------------------------------------------------------------------
@pytest.mark.parametrize("strategy", ["LOWEST_COST_WITH_BID_CAP", "COST_CAP"])
def test_bid_cap_and_cost_cap_need_bid_amount(post, strategy):
    """Seed 000: bid_amount 'Required if bid_strategy is set to LOWEST_COST_WITH_BID_CAP or COST_CAP' (2490487)."""
    assert_graph_error(post(bid_strategy=strategy), 100, 2490487, blame="bid_amount", message_has="bid_amount")
    assert_ok(post(bid_strategy=strategy, bid_amount="300"))



def test_cost_cap_bills_on_impressions_only(post, client):
    """GRAPH-BEHAVIOUR 8 (M-BIDS): 'COST_CAP requirements: billing_event must be IMPRESSIONS' - code 100 blaming
    billing_event (Meta documents no subcode); the same ad set billed on IMPRESSIONS, or LINK_CLICKS under
    another strategy, is accepted."""
    clicks = dict(optimization_goal="LINK_CLICKS", bid_amount="300", daily_budget="5000")
    error = assert_graph_error(post(bid_strategy="COST_CAP", billing_event="LINK_CLICKS", **clicks), 100, None,
                               blame="billing_event")
    assert error["message"] == "(#100) Param billing_event must be IMPRESSIONS when bid_strategy is COST_CAP"
    assert error["type"] == "OAuthException" and "is_transient" not in error and "error_user_title" not in error
    assert "got billing_event LINK_CLICKS" in explanation(client)
    assert json.loads(error["error_data"]) == {"blame_field_specs": [["billing_event"]]}
    assert_ok(post(bid_strategy="COST_CAP", billing_event="IMPRESSIONS", **clicks))
    assert_ok(post(bid_strategy="LOWEST_COST_WITH_BID_CAP", billing_event="LINK_CLICKS", **clicks))


def test_cost_cap_inherited_from_the_campaign_bills_on_impressions(client, act, world):
    """GRAPH-BEHAVIOUR 8: the rule applies to the strategy in force, so also to a campaign's COST_CAP (M-CBO)."""
    parent = make_campaign(client, act, daily_budget="100000", bid_strategy="COST_CAP")
    clicks = dict(bid_strategy=None, daily_budget=None, bid_amount="300", optimization_goal="LINK_CLICKS")
    error = assert_graph_error(create(client, act, world, parent, billing_event="LINK_CLICKS", **clicks), 100, None,
                               blame="billing_event")
    assert "COST_CAP (from the campaign)" in explanation(client)
    assert_ok(create(client, act, world, parent, billing_event="IMPRESSIONS", **clicks))

def test_default_bid_strategy_is_bid_cap(client, act, world, post):
    """GRAPH-BEHAVIOUR 8: no bid_strategy on ad set or campaign -> LOWEST_COST_WITH_BID_CAP, so bid_amount is needed."""
    assert_graph_error(post(bid_strategy=None), 100, 2490487, blame="bid_amount", message_has="default")
    adset = assert_ok(post(bid_strategy=None, bid_amount="300"))
    assert client.get(adset, params={"fields": "bid_strategy"}).json()["bid_strategy"] == "LOWEST_COST_WITH_BID_CAP"


def test_campaign_bid_strategy_is_inherited(client, act, world):
    """GRAPH-BEHAVIOUR 8 (M-CBO): ad sets share the campaign's bid strategy."""
    parent = make_campaign(client, act, daily_budget="10000", bid_strategy="COST_CAP")
    assert_graph_error(create(client, act, world, parent, bid_strategy=None, daily_budget=None), 100, 2490487,
                       blame="bid_amount", message_has="from the campaign")
    adset = assert_ok(create(client, act, world, parent, bid_strategy=None, daily_budget=None, bid_amount="200"))
    assert client.get(adset, params={"fields": "bid_strategy"}).json()["bid_strategy"] == "COST_CAP"


def test_min_roas_needs_floor_value_goal_and_no_bid_amount(post):
    """GRAPH-BEHAVIOUR 8: LOWEST_COST_WITH_MIN_ROAS needs bid_constraints={"roas_average_floor": int} (2490487),
    optimization_goal VALUE, and 'Do not set bid_info or bid_amount'; the floor ranges over [100, 10000000]."""
    value = dict(destination_type="WEBSITE", optimization_goal="VALUE", bid_strategy="LOWEST_COST_WITH_MIN_ROAS",
                 promoted_object={"pixel_id": "1234", "custom_event_type": "PURCHASE"})
    floor = {"roas_average_floor": 15000}
    assert_ok(post("OUTCOME_SALES", bid_constraints=floor, **value))
    assert_graph_error(post("OUTCOME_SALES", **value), 100, 2490487, blame="bid_constraints", message_has="roas_average_floor")
    assert_graph_error(post("OUTCOME_SALES", bid_constraints=floor, **{**value, "optimization_goal": "REACH"}), 100, 2490487,
                       blame="optimization_goal", message_has="VALUE")
    assert_graph_error(post("OUTCOME_SALES", bid_constraints=floor, bid_amount="100", **value), 100, blame="bid_amount")
    assert_graph_error(post("OUTCOME_SALES", bid_constraints={"roas_average_floor": 99}, **value), 100,
                       blame="bid_constraints", message_has="at least 100")


def test_minimum_bid(post):
    """GRAPH-BEHAVIOUR 8: 'for IMPRESSIONS/REACH billing, per 1,000, at least 2 US cents; other billing events at
    least 1 US cent per event'."""
    assert_graph_error(post(bid_strategy="LOWEST_COST_WITH_BID_CAP", bid_amount="1"), 100, blame="bid_amount",
                       message_has="at least 2")
    assert_ok(post(bid_strategy="LOWEST_COST_WITH_BID_CAP", bid_amount="2", daily_budget="5000"))


# -- budgets and schedule ----------------------------------------------------------------------
@pytest.mark.parametrize("field", ["daily_budget", "lifetime_budget"])
def test_no_ad_set_budget_under_a_campaign_budget(post, field):
    """GRAPH-BEHAVIOUR 8 / M-ERR: 'You can only set an ad set budget or a campaign budget.' (1885621)."""
    extra = {"daily_budget": None, field: "5000", "end_time": "2090000000"}
    assert_graph_error(post(campaign={"daily_budget": "10000"}, **extra), 100, 1885621, blame=field, message_has=field)
    assert_ok(post(campaign={"daily_budget": "10000"}, daily_budget=None))


def test_campaign_budget_only_fields(post):
    """GRAPH-BEHAVIOUR 8: daily_min_spend_target / daily_spend_cap / lifetime_* 'need the campaign budget of the same type'."""
    assert_graph_error(post(daily_spend_cap="3000"), 100, blame="daily_spend_cap", message_has="daily_spend_cap")
    assert_ok(post(campaign={"daily_budget": "10000"}, daily_budget=None, daily_spend_cap="3000"))


def test_budget_required_and_exclusive(post):
    """Seed 000: 'Either daily_budget or lifetime_budget must be greater than 0'; daily_budget is 'Required if
    lifetime_budget is not set' (so not both)."""
    assert_graph_error(post(daily_budget=None), 100, blame="daily_budget", message_has="daily_budget or lifetime_budget")
    assert_graph_error(post(daily_budget="0"), 100, blame="daily_budget")
    assert_graph_error(post(lifetime_budget="90000", end_time="2090000000"), 100, blame="lifetime_budget",
                       message_has="not both")


def test_lifetime_budget_requires_end_time(post):
    """Seed 000: lifetime_budget 'If specified, you must also specify an end_time.'; time_stop also counts."""
    assert_graph_error(post(daily_budget=None, lifetime_budget="90000"), 100, blame="end_time", message_has="end_time")
    assert_ok(post(daily_budget=None, lifetime_budget="900000", time_stop="2090000000"))


def test_daily_budget_needs_more_than_24_hours(client, post):
    """Seed 000: daily_budget is 'Allowed only for ad sets with a duration ... longer than 24 hours.'"""
    client.state.clock.freeze(1_900_000_000)
    assert_graph_error(post(start_time="1900000000", end_time=str(1_900_000_000 + 86400)), 100, blame="daily_budget",
                       message_has="24 hours")
    assert_ok(post(start_time="1900000000", end_time=str(1_900_000_000 + 86401)))


def test_end_time_after_start_and_in_the_future(client, post):
    """M-ERR 1487033 'Your campaign's end date must be in the future.'; end_time after start_time."""
    client.state.clock.freeze(1_900_000_000)
    assert_graph_error(post(start_time="1800000000", end_time="1899000000"), 100, 1487033, blame="end_time",
                       message_has="end date must be in the future")
    assert_graph_error(post(start_time="1950000000", end_time="1940000000"), 100, blame="end_time",
                       message_has="after start_time")


def test_minimum_daily_budget_per_billing_event(post):
    """GRAPH-BEHAVIOUR 8: auto bid minimum Impressions $0.50, clicks $2.50, 2x for US accounts (demo: USD -> US),
    in minor units -> 1885272 'Budget Is Too Low'."""
    assert_graph_error(post(daily_budget="99"), 100, 1885272, blame="daily_budget", message_has="at least 100")
    assert_ok(post(daily_budget="100"))
    link_clicks = dict(optimization_goal="LINK_CLICKS", billing_event="LINK_CLICKS")
    assert_graph_error(post(daily_budget="499", **link_clicks), 100, 1885272, blame="daily_budget", message_has="500")
    assert_ok(post(daily_budget="500", **link_clicks))


def test_minimum_budget_with_manual_bid_and_lifetime(client, post):
    """GRAPH-BEHAVIOUR 8: manual bid: clicks >= 5 x bid_amount; 'same minimums apply pro-rata to lifetime budgets'."""
    manual = dict(bid_strategy="LOWEST_COST_WITH_BID_CAP", bid_amount="300", optimization_goal="LINK_CLICKS",
                  billing_event="LINK_CLICKS")
    assert_graph_error(post(daily_budget="1499", **manual), 100, 1885272, blame="daily_budget", message_has="1500")
    assert_ok(post(daily_budget="1500", **manual))
    client.state.clock.freeze(1_900_000_000)
    five_days = dict(daily_budget=None, start_time="1900000000", end_time=str(1_900_000_000 + 5 * 86400))
    assert_graph_error(post(lifetime_budget="499", **five_days), 100, 1885272, blame="lifetime_budget", message_has="500")
    assert_ok(post(lifetime_budget="500", **five_days))


# -- promoted_object ---------------------------------------------------------------------------
def test_click_to_instagram_needs_page_id(post):
    """Seed 000 promoted_object 'Required' for click to Instagram (page_id); GRAPH-BEHAVIOUR 1.3: 1885154."""
    assert_graph_error(post(promoted_object=None), 100, 1885154, blame="promoted_object", message_has="page_id")


def test_lead_generation_needs_page_id(post):
    """GRAPH-BEHAVIOUR 7.6: 'When optimization_goal is LEAD_GENERATION, page_id needs to be passed as promoted_object.'"""
    lead = dict(destination_type="ON_AD", optimization_goal="LEAD_GENERATION")
    assert_graph_error(post("OUTCOME_LEADS", promoted_object={}, **lead), 100, 1885154, message_has="promoted_object[page_id]")


def test_offsite_conversions_need_pixel_and_event(post):
    """GRAPH-BEHAVIOUR 7.3: CONVERSIONS rows need pixel_id+custom_event_type (or application_id+object_store_url)."""
    website = dict(destination_type="WEBSITE", optimization_goal="OFFSITE_CONVERSIONS")
    assert_graph_error(post("OUTCOME_SALES", promoted_object={"pixel_id": "1234"}, **website), 100, 1885154,
                       message_has="promoted_object[custom_event_type]")
    assert_ok(post("OUTCOME_SALES", promoted_object={"pixel_id": "1234", "custom_event_type": "PURCHASE"}, **website))


def test_app_installs_need_application_and_store_url(post, world):
    """GRAPH-BEHAVIOUR 7.6: 'APP_INSTALLS: application_id+object_store_url'."""
    app = dict(destination_type=None, optimization_goal="APP_INSTALLS")
    assert_graph_error(post("OUTCOME_APP_PROMOTION", promoted_object={"application_id": world["app_id"]}, **app),
                       100, 1885154, message_has="object_store_url")
    assert_ok(post("OUTCOME_APP_PROMOTION", promoted_object={"application_id": world["app_id"], "object_store_url": APP_STORE}, **app))


def test_promoted_ids_must_exist(post, client):
    """Fixture Pages only; M-ADSET create errors: '900 No such application exists.'"""
    assert_graph_error(post(promoted_object={"page_id": "999"}), 100, blame="promoted_object", message_has="page_id")
    error = assert_graph_error(post("OUTCOME_APP_PROMOTION", destination_type=None, optimization_goal="APP_INSTALLS",
                                    promoted_object={"application_id": "999", "object_store_url": APP_STORE}), 900)
    assert error["message"] == "(#900) No such application exists." and "application_id" in explanation(client)


# -- targeting ---------------------------------------------------------------------------------
AUTOMATION_OFF = {"targeting_automation": {"advantage_audience": 0}}  # v23+: narrowed targeting says Advantage+ is off


def targeting(**extra):
    return {"geo_locations": {"countries": ["US"]}, **extra}


def test_geo_locations_required(post):
    """GRAPH-BEHAVIOUR 9: 'You must specify at least one country in targeting, unless you use a Custom Audience'."""
    assert_graph_error(post(targeting={"age_min": 20}), 100, blame="targeting", message_has="targeting[geo_locations]")
    assert_graph_error(post(targeting={"geo_locations": {}}), 100, message_has="targeting[geo_locations]")
    assert_ok(post(targeting={"custom_audiences": [{"id": "6000000000000"}], **AUTOMATION_OFF}))
    assert_ok(post(targeting={"geo_locations": {"regions": [{"key": "3847"}]}}))


def test_malformed_countries_names_the_path(post):
    """GRAPH-BEHAVIOUR 1.3 (wire): '(#100) param targeting[geo_locations][countries] must be an array.'"""
    error = assert_graph_error(post(targeting={"geo_locations": {"countries": "US"}}), 100)
    assert error["message"] == "(#100) Param targeting[geo_locations][countries] must be an array"


@pytest.mark.parametrize("field,value,bound", [("age_min", 12, "at least 13"), ("age_max", 66, "at most 65")])
def test_age_bounds(post, field, value, bound):
    """GRAPH-BEHAVIOUR 9: age_min 'must be 13 or higher'; age_max 'must be 65 or lower'."""
    error = assert_graph_error(post(targeting=targeting(**{field: value})), 100)
    assert error["message"] == f"(#100) Param targeting[{field}] must be {bound}"


def test_age_order(post):
    """GRAPH-BEHAVIOUR 9: age_min and age_max bound one range."""
    assert_graph_error(post(targeting=targeting(age_min=40, age_max=30)), 100, blame="targeting",
                       message_has="targeting[age_max] must be greater than or equal to targeting[age_min]")
    assert_ok(post(targeting=targeting(age_min=30, age_max=30, **AUTOMATION_OFF)))


@pytest.mark.parametrize("field,value", [("genders", [3]), ("device_platforms", ["tv"]), ("publisher_platforms", ["myspace"])])
def test_targeting_enums(post, field, value):
    """GRAPH-BEHAVIOUR 9: genders [1] male / [2] female; device_platforms mobile/desktop; publisher_platforms."""
    error = assert_graph_error(post(targeting=targeting(**{field: value})), 100)
    assert error["message"].startswith(f"(#100) Param targeting[{field}][0] must be one of {{")


def test_unsupported_targeting_option(post):
    """GRAPH-BEHAVIOUR 1.3 (wire): '(#100) Unsupported targeting option: targeting_automation'-style."""
    error = assert_graph_error(post(targeting=targeting(favourite_colour=["blue"])), 100, blame="targeting")
    assert error["message"] == "(#100) Unsupported targeting option: favourite_colour"


def test_radius_ranges(post):
    """GRAPH-BEHAVIOUR 9: cities radius 10-50 mi / 17-80 km."""
    city = {"key": "2420379", "radius": 5, "distance_unit": "mile"}
    assert_graph_error(post(targeting={"geo_locations": {"cities": [city]}}), 100,
                       message_has="targeting[geo_locations][cities][0][radius]")
    assert_ok(post(targeting={"geo_locations": {"cities": [{**city, "radius": 17, "distance_unit": "kilometer"}]}}))


HOUSING = {"special_ad_categories": '["HOUSING"]', "special_ad_category_country": '["US"]'}


@pytest.mark.parametrize("category", ["HOUSING", "EMPLOYMENT", "CREDIT", "FINANCIAL_PRODUCTS_SERVICES"])
def test_special_ad_category_restrictions(post, category):
    """GRAPH-BEHAVIOUR 9 (M-SAC): HOUSING/EMPLOYMENT/CREDIT/FINANCIAL: age fixed 18-65+, no specific gender,
    no location exclusion, no zips -> reported as 2909035."""
    campaign = {"special_ad_categories": json.dumps([category]), "special_ad_category_country": '["US"]'}
    for extra, field in [({"age_min": 25}, "targeting[age_min]"), ({"age_max": 50}, "targeting[age_max]"),
                         ({"genders": [1]}, "targeting[genders]"),
                         ({"excluded_geo_locations": {"countries": ["CA"]}}, "targeting[excluded_geo_locations]")]:
        assert_graph_error(post(campaign=campaign, targeting=targeting(**extra)), 100, 2909035, blame="targeting",
                           message_has=field)
    zips = {"geo_locations": {"countries": ["US"], "zips": [{"key": "US:94304"}]}}
    assert_graph_error(post(campaign=campaign, targeting=zips), 100, 2909035, message_has="targeting[geo_locations][zips]")
    assert_ok(post(campaign=campaign, targeting=targeting(age_min=18, age_max=65, genders=[1, 2])))


def test_zips_allowed_without_special_category(post):
    """GRAPH-BEHAVIOUR 9: zips are ordinary targeting outside special ad categories."""
    assert_ok(post(targeting={"geo_locations": {"zips": [{"key": "US:94304"}]}, "genders": [2], **AUTOMATION_OFF}))


# -- Advantage+ audience flag (v23+) -------------------------------------------------------------
ADVANTAGE_BLAME = [["targeting", "targeting_automation", "advantage_audience"]]


@pytest.mark.parametrize("narrowing,named", [({"genders": [1]}, "genders"), ({"age_min": 30}, "age_min"),
                                             ({"age_max": 40}, "age_max"),
                                             ({"custom_audiences": [{"id": "6000000000000"}]}, "custom_audiences"),
                                             ({"flexible_spec": [{"interests": [{"id": "6003"}]}]}, "flexible_spec")])
def test_advantage_audience_flag_required_on_create(post, narrowing, named):
    """GRAPH-BEHAVIOUR 9 (M-ADV, v23+): 'On ad set create, targeting.targeting_automation.advantage_audience must be
    1 or 0, unless the setup is "default" ... Otherwise it errors; real title "Advantage Audience Flag Required",
    code 100'. With the flag (1 or 0) the same targeting is accepted."""
    error = assert_graph_error(post(targeting=targeting(**narrowing)), 100, None, blame="targeting")
    assert error["message"] == ("(#100) Param targeting[targeting_automation][advantage_audience] is required: "
                                "set it to 1 or 0")
    assert error["error_user_title"] == "Advantage Audience Flag Required"
    assert error["type"] == "OAuthException" and f"sets {named} " in error["error_user_msg"]
    assert json.loads(error["error_data"]) == {"blame_field_specs": ADVANTAGE_BLAME}
    for flag in (0, 1):
        assert_ok(post(targeting=targeting(**narrowing, targeting_automation={"advantage_audience": flag})))


def test_advantage_audience_flag_must_be_0_or_1(post):
    """GRAPH-BEHAVIOUR 9: advantage_audience 'must be 1 or 0' (the schema's enum, param_enum)."""
    error = assert_graph_error(post(targeting=targeting(genders=[1], targeting_automation={"advantage_audience": 2})), 100,
                               blame="targeting")
    assert "advantage_audience" in error["message"]


@pytest.mark.parametrize("setup", [{}, {"age_min": 18, "age_max": 65, "genders": [1, 2]}, {"age_min": 21}])
def test_default_or_relaxed_setup_defaults_advantage_audience_to_1(client, post, setup):
    """GRAPH-BEHAVIOUR 9 (M-ADV): 'unless the setup is "default" (default or omitted age/gender/custom-audience/
    detailed inclusions) or "relaxed", in which case it defaults to 1' - seed 000's targeting (countries and
    device_platforms only) is such a setup; the default is stored and reads back. (age_min 19-25 as 'relaxed' is
    graphmock's reading, schemas/rules/adset.json.)"""
    seed_000 = {"geo_locations": {"countries": ["US", "CA"]}, "device_platforms": ["mobile", "desktop"], **setup}
    adset = assert_ok(post(targeting=seed_000))
    read = client.get(adset, params={"fields": "targeting"}).json()["targeting"]
    assert read == {**seed_000, "targeting_automation": {"advantage_audience": 1}}
    off = assert_ok(post(targeting={**seed_000, "targeting_automation": {"advantage_audience": 0}}))
    assert client.get(off, params={"fields": "targeting"}).json()["targeting"]["targeting_automation"] == {
        "advantage_audience": 0}


def test_advantage_audience_updates_are_unaffected(client, post):
    """GRAPH-BEHAVIOUR 9: 'Updates are unaffected' - new narrowed targeting without the flag is accepted on update."""
    adset = assert_ok(post())
    response = client.post(adset, data={"targeting": json.dumps(targeting(genders=[2], age_max=40))})
    assert response.status_code == 200, response.text
    assert "targeting_automation" not in client.get(adset, params={"fields": "targeting"}).json()["targeting"]


def test_advantage_audience_rule_starts_at_v23():
    """GRAPH-BEHAVIOUR 12: 'v23: advantage_audience required or defaulted on ad set create' - a server that still
    serves v22.0 accepts the narrowed targeting there without the flag (and adds no default), not at v23.0."""
    c = InProcessClient(ServerConfig(seed=7, versions=("v22.0", "v23.0")))
    try:
        act, world = c.world["ad_account_id"], c.world
        narrowed = {"targeting": json.dumps(targeting(genders=[1]))}
        for version, status in (("v22.0", 200), ("v23.0", 400)):
            parent = c.post(f"/{version}/{act}/campaigns", data={"name": "C", "objective": "OUTCOME_ENGAGEMENT",
                                                                 "status": "ACTIVE", "special_ad_categories": "[]"})
            body = payload(world, parent.json()["id"], **narrowed)
            response = c.post(f"/{version}/{act}/adsets", data=body)
            assert response.status_code == status, (version, response.text)
        default = c.post(f"/v22.0/{act}/adsets", data=payload(world, parent.json()["id"]))
        read = c.get(f"/v22.0/{default.json()['id']}", params={"fields": "targeting"}).json()["targeting"]
        assert "targeting_automation" not in read
    finally:
        c.close()


# -- EU Digital Services Act: payor and beneficiary ------------------------------------------------
DSA = {"dsa_payor": "graphmock Demo Payor GmbH", "dsa_beneficiary": "graphmock Demo Beneficiary GmbH"}
EU_TARGETINGS = [{"geo_locations": {"countries": ["DE"]}}, {"geo_locations": {"countries": ["US", "FR"]}},
                 {"geo_locations": {"cities": [{"key": "2418779", "name": "Berlin", "country": "DE"}]}},
                 {"geo_locations": {"regions": [{"key": "3847", "country": "ES"}]}},
                 {"geo_locations": {"zips": [{"key": "NL:1012"}]}},
                 {"geo_locations": {"country_groups": ["europe"]}}]


def with_dsa_defaults(client, **defaults):
    """Reload a copy of the demo fixtures whose first ad account has (only) these DSA defaults (fixture keys); the
    reload resets the state."""
    document = copy.deepcopy(client.state.fixtures_document)
    account = document["ad_accounts"][0]
    for key in ("default_dsa_payor", "default_dsa_beneficiary"):
        account.pop(key, None)
    account.update(defaults)
    client.state.load_fixtures(document)


@pytest.mark.parametrize("geo", EU_TARGETINGS)
def test_dsa_payor_required_for_eu_targeting(client, post, geo):
    """GRAPH-BEHAVIOUR 1.1/9 (M-ADSET 'Targeting DSA Regulated Locations'): 'ad sets targeting EU locations need
    dsa_payor and dsa_beneficiary' - without a payor: code 100, subcode 3858079, FacebookApiException,
    'No payor provided in DSA regulated region', blame [["dsa_payor"]]. With both the ad set is created and reads them
    back."""
    error = assert_graph_error(post(targeting=geo), 100, 3858079, blame="dsa_payor")
    assert error["type"] == "FacebookApiException" and error["message"] == "Invalid parameter"
    assert error["error_user_title"] == "No payor provided in DSA regulated region"
    assert error["error_user_msg"].startswith("The DSA requires ads to provide payor information in regulated regions. "
                                              "Updating/creating ad needs to provide payor of the ad.")
    assert "send dsa_payor" in error["error_user_msg"] and json.loads(error["error_data"]) == {
        "blame_field_specs": [["dsa_payor"]]}
    adset = assert_ok(post(targeting=geo, **DSA))
    assert client.get(adset, params={"fields": "dsa_payor,dsa_beneficiary"}).json() == {**DSA, "id": adset}


def test_dsa_beneficiary_required_for_eu_targeting(post):
    """GRAPH-BEHAVIOUR 1.1: 'The beneficiary variant is subcode 3858081, blame [["dsa_beneficiary"]], title "No
    payor/beneficiary provided in DSA regulated location"'."""
    geo = {"geo_locations": {"countries": ["DE"]}}
    error = assert_graph_error(post(targeting=geo, dsa_payor=DSA["dsa_payor"]), 100, 3858081, blame="dsa_beneficiary")
    assert error["type"] == "FacebookApiException" and error["message"] == "Invalid parameter"
    assert error["error_user_title"] == "No payor/beneficiary provided in DSA regulated location"
    assert "send dsa_beneficiary" in error["error_user_msg"]
    assert json.loads(error["error_data"]) == {"blame_field_specs": [["dsa_beneficiary"]]}
    assert_graph_error(post(targeting=geo, dsa_payor=DSA["dsa_payor"], dsa_beneficiary="  "), 100, 3858081,
                       blame="dsa_beneficiary")  # blank counts as not provided
    assert_ok(post(targeting=geo, **DSA))


@pytest.mark.parametrize("geo", [{"geo_locations": {"countries": ["US", "GB", "CH", "NO"]}},
                                 {"geo_locations": {"countries": ["US"]}, "excluded_geo_locations": {"countries": ["DE"]}},
                                 {"geo_locations": {"cities": [{"key": "2420379", "radius": 20}]}},
                                 {"geo_locations": {"zips": [{"key": "US:94304"}]}}])
def test_dsa_not_needed_outside_the_eu(post, geo):
    """GRAPH-BEHAVIOUR 9: only ad sets 'targeting EU locations' need the DSA fields (excluded locations do not target;
    a key without a country is not known to be in the EU: graphmock has no location database)."""
    assert_ok(post(targeting=geo))


def test_dsa_fields_at_most_512_characters(post):
    """GRAPH-BEHAVIOUR 9/13: 'dsa_payor/dsa_beneficiary <= 512' (the request schema's maxLength)."""
    geo = {"geo_locations": {"countries": ["DE"]}}
    assert_graph_error(post(targeting=geo, **{**DSA, "dsa_payor": "p" * 513}), 100, blame="dsa_payor")
    assert_graph_error(post(targeting=geo, **{**DSA, "dsa_beneficiary": "b" * 513}), 100, blame="dsa_beneficiary")
    assert_ok(post(targeting=geo, dsa_payor="p" * 512, dsa_beneficiary="b" * 512))


def test_dsa_account_defaults_fill_in(client, act, world):
    """GRAPH-BEHAVIOUR 9 (M-ADSET): 'Account defaults default_dsa_payor/default_dsa_beneficiary auto-fill' - the ad set
    stores and reads back the account's values; a sent value wins; a missing default still fails with its subcode."""
    with_dsa_defaults(client, default_dsa_payor="Account Payor", default_dsa_beneficiary="Account Beneficiary")
    assert client.get(act, params={"fields": "default_dsa_payor,default_dsa_beneficiary"}).json() == {
        "default_dsa_payor": "Account Payor", "default_dsa_beneficiary": "Account Beneficiary", "id": act}
    geo = {"geo_locations": {"countries": ["IT"]}}
    filled = assert_ok(create(client, act, world, make_campaign(client, act), targeting=geo))
    assert client.get(filled, params={"fields": "dsa_payor,dsa_beneficiary"}).json() == {
        "dsa_payor": "Account Payor", "dsa_beneficiary": "Account Beneficiary", "id": filled}
    own = assert_ok(create(client, act, world, make_campaign(client, act), targeting=geo, dsa_payor="Own Payor"))
    assert client.get(own, params={"fields": "dsa_payor,dsa_beneficiary"}).json() == {
        "dsa_payor": "Own Payor", "dsa_beneficiary": "Account Beneficiary", "id": own}
    with_dsa_defaults(client, default_dsa_payor="Account Payor")
    assert_graph_error(create(client, act, world, make_campaign(client, act), targeting=geo), 100, 3858081,
                       blame="dsa_beneficiary")


def test_dsa_checked_on_update(client, post):
    """GRAPH-BEHAVIOUR 1.1: 'Updating/creating ad needs to provide payor of the ad' - moving an ad set's targeting into
    the EU without the DSA fields is refused (3858079), as is blanking them on an EU ad set (3858081); sending both
    is accepted. Edits that touch neither targeting nor a DSA field are not re-checked."""
    adset = assert_ok(post())
    eu = json.dumps({"geo_locations": {"countries": ["PL"]}})
    assert_graph_error(client.post(adset, data={"targeting": eu}), 100, 3858079, blame="dsa_payor")
    assert client.post(adset, data={"targeting": eu, **DSA}).status_code == 200
    assert_graph_error(client.post(adset, data={"dsa_beneficiary": ""}), 100, 3858081, blame="dsa_beneficiary")
    assert client.post(adset, data={"name": "renamed"}).status_code == 200
    assert client.get(adset, params={"fields": "dsa_payor,dsa_beneficiary"}).json() == {**DSA, "id": adset}


def test_dsa_account_defaults_fill_in_on_update(client, act, world):
    """GRAPH-BEHAVIOUR 9: the account defaults also fill an update that moves the targeting into the EU."""
    with_dsa_defaults(client, default_dsa_payor="Account Payor", default_dsa_beneficiary="Account Beneficiary")
    adset = assert_ok(create(client, act, world, make_campaign(client, act)))
    assert client.get(adset, params={"fields": "dsa_payor"}).json() == {"id": adset}  # US/CA: nothing filled
    response = client.post(adset, data={"targeting": json.dumps({"geo_locations": {"countries": ["SE"]}})})
    assert response.status_code == 200, response.text
    assert client.get(adset, params={"fields": "dsa_payor,dsa_beneficiary"}).json() == {
        "dsa_payor": "Account Payor", "dsa_beneficiary": "Account Beneficiary", "id": adset}


# -- special ad categories: location radius --------------------------------------------------------
SAC_RADIUS_TITLE = "Location Radius Selection Is Not Available"


@pytest.mark.parametrize("category", ["HOUSING", "EMPLOYMENT", "CREDIT", "FINANCIAL_PRODUCTS_SERVICES"])
@pytest.mark.parametrize("kind,small,enough", [
    ("cities", {"radius": 10, "distance_unit": "mile"}, {"radius": 15, "distance_unit": "mile"}),
    ("cities", {"radius": 24, "distance_unit": "kilometer"}, {"radius": 25, "distance_unit": "kilometer"}),
    ("custom_locations", {"radius": 5}, {"radius": 15}),
])
def test_special_ad_category_radius_us(post, category, kind, small, enough):
    """GRAPH-BEHAVIOUR 9 (M-SAC): HOUSING/EMPLOYMENT/FINANCIAL: 'radius >=15 mi / 25 km (US/CA)' - a smaller radius
    is reported as 2909035 'Location Radius Selection Is Not Available' (the style of the custom age/gender ones),
    blaming the radius; the same location at the minimum is accepted."""
    campaign = {"special_ad_categories": json.dumps([category]), "special_ad_category_country": '["US"]'}
    place = {"key": "2420379"} if kind == "cities" else {"latitude": 37.48, "longitude": -122.15}
    field = f"targeting[geo_locations][{kind}][0][radius]"
    response = post(campaign=campaign, targeting={"geo_locations": {kind: [{**place, **small}]}})
    error = assert_graph_error(response, 100, 2909035, blame="targeting", message_has=field)
    assert error["type"] == "OAuthException" and error["message"] == "Invalid parameter"
    assert error["error_user_title"] == SAC_RADIUS_TITLE and category in error["error_user_msg"]
    assert json.loads(error["error_data"]) == {"blame_field_specs": [["targeting", "geo_locations", kind, "0", "radius"]]}
    assert_ok(post(campaign=campaign, targeting={"geo_locations": {kind: [{**place, **enough}]}}))


def test_special_ad_category_radius_europe(post):
    """GRAPH-BEHAVIOUR 9 (M-SAC): '15 km Europe' - a location carrying a European country (or, without one, a
    campaign whose special_ad_category_country is European) needs 15 km (9.33 mi rounded up); 14 km is refused."""
    campaign = {"special_ad_categories": '["EMPLOYMENT"]', "special_ad_category_country": '["DE"]'}
    pin = {"latitude": 52.52, "longitude": 13.40, "distance_unit": "kilometer"}
    dsa = {"dsa_payor": "Payor", "dsa_beneficiary": "Beneficiary"}
    error = assert_graph_error(post(campaign=campaign, targeting={"geo_locations": {"custom_locations": [{**pin, "radius": 14}]}}),
                               100, 2909035, blame="targeting", message_has="at least 15 kilometers in Europe")
    assert error["error_user_title"] == SAC_RADIUS_TITLE
    assert_ok(post(campaign=campaign, targeting={"geo_locations": {"custom_locations": [{**pin, "radius": 15}]}}))
    assert_graph_error(post(campaign=campaign, targeting={"geo_locations": {"custom_locations": [
        {**pin, "radius": 9.3, "distance_unit": "mile"}]}}), 100, 2909035, message_has="9.33 miles")
    # a city that carries its country wins over the campaign's country: a French city (DSA fields: EU targeting)
    city = {"key": "2418779", "country": "FR", "radius": 10, "distance_unit": "mile"}
    assert_ok(post(campaign=HOUSING, targeting={"geo_locations": {"cities": [city]}}, **dsa))
    assert_graph_error(post(campaign=HOUSING, targeting={"geo_locations": {"cities": [{**city, "country": "US"}]}}),
                       100, 2909035, message_has="at least 15 miles in US/CA")


def test_radius_not_restricted_without_special_category(post):
    """GRAPH-BEHAVIOUR 9: the 15 mi minimum is a special-ad-category restriction only (cities allow 10-50 mi)."""
    assert_ok(post(targeting={"geo_locations": {"cities": [{"key": "2420379", "radius": 10, "distance_unit": "mile"}]}}))


def test_special_ad_category_radius_checked_on_update(client, post):
    """GRAPH-BEHAVIOUR 9: the rule holds for the ad set as it would be after an update that sends targeting."""
    adset = assert_ok(post(campaign=HOUSING))
    small = json.dumps({"geo_locations": {"cities": [{"key": "2420379", "radius": 12}]}})
    assert_graph_error(client.post(adset, data={"targeting": small}), 100, 2909035,
                       message_has="targeting[geo_locations][cities][0][radius]")
    enough = json.dumps({"geo_locations": {"cities": [{"key": "2420379", "radius": 20}]}})
    assert client.post(adset, data={"targeting": enough}).status_code == 200
