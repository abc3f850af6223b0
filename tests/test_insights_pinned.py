"""Pinned insights answers (issue 13 performance work): exact bytes of a spread of reports over a world with
CBO, lifetime and steered budgets, pauses and targeting, so an optimisation of the report path provably
changes no number, key or order. Regenerate the digests only for a deliberate behaviour change."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import insights_world as W
from mock_server import GraphMock

DAY = W.DAY

QUERIES: list[dict[str, str]] = [
    {"level": "ad", "time_increment": "1", "fields": "ad_id,spend,impressions,reach,clicks,actions,cpc,frequency"},
    {"level": "campaign", "time_increment": "1", "fields": "campaign_id,impressions,spend,clicks",
     "breakdowns": "gender"},
    {"level": "campaign", "time_increment": "1", "fields": "campaign_id,impressions,spend,clicks", "breakdowns": "age"},
    {"level": "campaign", "time_increment": "1", "fields": "campaign_id,impressions,spend,clicks",
     "breakdowns": "publisher_platform"},
    {"level": "adset", "breakdowns": "age,gender", "fields": "adset_id,spend,reach,unique_clicks,ctr,cpm"},
    {"level": "ad", "breakdowns": "publisher_platform,platform_position", "fields": "spend,impressions,actions"},
    {"level": "campaign", "breakdowns": "country", "default_summary": "true",
     "fields": "spend,impressions,reach,actions,action_values,cost_per_action_type,purchase_roas,video_play_actions"},
    {"level": "account", "time_increment": "7", "fields": "spend,impressions,reach,frequency,estimated_ad_recallers"},
    {"level": "adset", "time_increment": "all_days", "fields": "adset_name,spend,outbound_clicks,unique_actions",
     "summary": "spend,impressions", "sort": "spend_descending"},
    {"level": "ad", "fields": "ad_id,spend,clicks",
     "filtering": json.dumps([{"field": "spend", "operator": "GREATER_THAN", "value": "5"}])},
    {"level": "campaign", "time_increment": "1", "breakdowns": "hourly_stats_aggregated_by_advertiser_time_zone",
     "fields": "spend,impressions,reach", "date_preset": "last_3d"},
    {"level": "ad", "time_increment": "1", "breakdowns": "age", "fields": "ad_id,spend,impressions,reach",
     "limit": "7"},
]


def _world(m: GraphMock) -> tuple[Any, str]:
    m.clock.freeze(W.T0)
    c = m.client()
    act, world = m.world["ad_account_id"], m.world
    cr = W.creative(c, act, world)
    cbo = W.campaign(c, act, daily_budget="20000", objective="OUTCOME_SALES")
    plain = W.campaign(c, act, objective="OUTCOME_ENGAGEMENT")
    steered = W.campaign(c, act)
    targeted = {"geo_locations": {"countries": ["US", "CA", "MX"]}, "age_min": 25, "age_max": 44,
                "publisher_platforms": ["facebook", "instagram"],
                "targeting_automation": {"advantage_audience": 0}}
    ads: list[str] = []
    for i in range(2):
        aset = W.adset(c, act, world, cbo, daily_budget=None, targeting=json.dumps(targeted) if i else
                       json.dumps({"geo_locations": {"countries": ["US"]}}))
        ads += [W.ad(c, act, aset, cr) for _ in range(2)]
    for budget in (3000, 7000):
        aset = W.adset(c, act, world, plain, daily_budget=budget, goal="IMPRESSIONS")
        ads += [W.ad(c, act, aset, cr) for _ in range(3)]
    aset = W.adset(c, act, world, steered, daily_budget=4000)
    steered_ads = [W.ad(c, act, aset, cr) for _ in range(2)]
    m.insights.set_profile(aset, daily_spend=55, cpm=8)
    m.insights.set_profile(plain, spend_multiplier=0.5)
    m.clock.advance(9 * DAY + 3600 * 5)
    assert c.post(ads[0], data={"status": "PAUSED"}).status_code == 200
    assert c.post(steered_ads[1], data={"status": "PAUSED"}).status_code == 200
    m.clock.advance(4 * DAY)
    assert c.post(ads[0], data={"status": "ACTIVE"}).status_code == 200
    m.clock.advance(8 * DAY + 3600 * 7)
    return c, act


def _bodies() -> list[bytes]:
    with GraphMock(seed=7) as m:
        c, act = _world(m)
        out = []
        for params in QUERIES:
            response = c.get(f"{act}/insights", params={"limit": "500", "date_preset": "last_30d", **params})
            assert response.status_code == 200, response.text
            out.append(response.content)
        return out


PINNED = {
    0: "35e3a9688015aad3",
    1: "3e82c48c2a43fbcb",
    2: "0671959ceedd6e32",
    3: "a56b94bc29072b82",
    4: "78a169dee662c5eb",
    5: "a8fe7dc7488a5b12",
    6: "fd9072d7f3c748d5",
    7: "a25e0d9ad9cd70ef",
    8: "818c5e67760871e2",
    9: "0bb0af397b49ed3e",
    10: "5da84bc2c6f7191a",
    11: "911dec87f43512eb",
}


def test_reports_are_byte_identical_to_the_pinned_answers() -> None:
    """Every pinned report answers the same bytes (determinism across code changes, issue 13)."""
    digests = [hashlib.sha256(body).hexdigest()[:16] for body in _bodies()]
    assert {i: d for i, d in enumerate(digests)} == PINNED
