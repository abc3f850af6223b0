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
