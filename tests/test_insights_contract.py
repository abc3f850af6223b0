"""The contract kit's insights strategies (contract_tests/insights.py) against the mock: every generated valid
request is served (INSIGHTS.md 2), every labelled invalid one gets its documented code (6.3)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import insights_world as W
from contract_tests.insights import invalid_insights_params, valid_insights_params
from mock_server import GraphMock

TODAY = date(2026, 1, 10)  # the clock of insights_world.build(days=10), Los Angeles


@pytest.fixture(scope="module")
def world() -> Any:
    with GraphMock(seed=21) as mock:
        yield W.build(mock, (1, 2, 1), days=10)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=valid_insights_params(TODAY))
def test_valid_insights_requests_are_served(world: Any, params: dict[str, str]) -> None:
    response = world["client"].get(f"{world['act']}/insights", params=params)
    assert response.status_code == 200, (params, response.text)
    for row in response.json()["data"]:
        assert "date_start" in row and "date_stop" in row
        assert all(isinstance(v, (str, list)) for v in row.values())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=invalid_insights_params(TODAY))
def test_labelled_invalid_insights_requests_get_their_code(world: Any, case: Any) -> None:
    params, label, code = case
    response = world["client"].get(f"{world['act']}/insights", params=params)
    assert response.status_code >= 400 and response.json()["error"]["code"] == code, (label, params, response.text)


def test_readme_example_dashboard_numbers_with_the_graph_mock_fixture(graph_mock: Any) -> None:
    """The README's pytest example: steer a campaign's delivery, then assert the dashboard's exact numbers."""
    graph_mock.clock.freeze(W.T0 - 3600)  # the evening before: the ad's review (5 minutes) is done by midnight
    c = graph_mock.client()
    act, world = graph_mock.world["ad_account_id"], graph_mock.world
    campaign = W.campaign(c, act)
    W.ad(c, act, W.adset(c, act, world, campaign), W.creative(c, act, world))
    graph_mock.insights.set_profile(campaign, daily_spend=250, cpm=12.5, ctr=0.02)
    graph_mock.clock.advance(3 * W.DAY + 3600)
    rows = c.get(f"{campaign}/insights", params={"fields": "spend,impressions,clicks,ctr,cpm", "time_increment": "1",
                                                 "date_preset": "last_3d"}).json()["data"]
    assert rows[0] == {"spend": "250", "impressions": "20000", "clicks": "400", "ctr": "2", "cpm": "12.5",
                       "date_start": "2026-01-01", "date_stop": "2026-01-01"}
    assert [r["date_start"] for r in rows] == ["2026-01-01", "2026-01-02", "2026-01-03"]
