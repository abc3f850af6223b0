"""Helpers for the insights tests: a small advertising world built over the Graph API on a frozen clock."""

from __future__ import annotations

import json
from typing import Any

T0 = 1_767_254_400  # 2026-01-01T08:00:00Z = midnight America/Los_Angeles
DAY = 86400


def campaign(c: Any, act: str, *, objective: str = "OUTCOME_TRAFFIC", status: str = "ACTIVE", **extra: Any) -> str:
    data = {"name": "Insights campaign", "objective": objective, "status": status, "special_ad_categories": "[]", **extra}
    response = c.post(f"{act}/campaigns", data=data)
    assert response.status_code == 200, response.text
    return response.json()["id"]


def adset(c: Any, act: str, world: dict[str, Any], campaign_id: str, *, daily_budget: int | None = 5000,
          status: str = "ACTIVE", goal: str = "LINK_CLICKS", **extra: Any) -> str:
    data = {"name": "Insights ad set", "campaign_id": campaign_id, "bid_strategy": "LOWEST_COST_WITHOUT_CAP",
            "billing_event": "IMPRESSIONS", "optimization_goal": goal, "status": status,
            "targeting": json.dumps({"geo_locations": {"countries": ["US", "CA"]}}), **extra}
    if daily_budget is not None:
        data["daily_budget"] = str(daily_budget)
    response = c.post(f"{act}/adsets", data=data)
    assert response.status_code == 200, response.text
    return response.json()["id"]


def creative(c: Any, act: str, world: dict[str, Any]) -> str:
    spec = {"page_id": world["page_id"], "link_data": {"message": "Visit us", "link": "https://example.com/"}}
    response = c.post(f"{act}/adcreatives", data={"name": "Insights creative", "object_story_spec": json.dumps(spec)})
    assert response.status_code == 200, response.text
    return response.json()["id"]


def ad(c: Any, act: str, adset_id: str, creative_id: str, *, status: str = "ACTIVE") -> str:
    response = c.post(f"{act}/ads", data={"name": "Insights ad", "adset_id": adset_id,
                                          "creative": json.dumps({"creative_id": creative_id}), "status": status})
    assert response.status_code == 200, response.text
    return response.json()["id"]


def build(mock: Any, shape: tuple[int, int, int] = (2, 2, 2), *, days: int = 10, at: int = T0) -> dict[str, Any]:
    """campaigns x ad sets x ads, all ACTIVE from `at`, then `days` days of delivery on the frozen clock."""
    mock.clock.freeze(at)
    c = mock.client()
    act, world = mock.world["ad_account_id"], mock.world
    made: dict[str, Any] = {"act": act, "campaigns": [], "adsets": [], "ads": []}
    cr = creative(c, act, world)
    for _ in range(shape[0]):
        camp = campaign(c, act)
        made["campaigns"].append(camp)
        for _ in range(shape[1]):
            aset = adset(c, act, world, camp)
            made["adsets"].append(aset)
            for _ in range(shape[2]):
                made["ads"].append(ad(c, act, aset, cr))
    mock.clock.advance(days * DAY)
    made["client"] = c
    return made
