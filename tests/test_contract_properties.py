"""The mock proves itself with the contract kit's strategies (issue 6, 'The mock proves itself').

Every generated valid request is accepted and reads back equal (GET of the
fields sent); every generated invalid request is rejected with exactly its
label (HTTP status, code, subcode, blamed field). Requests go in-process
through httpx.ASGITransport, half as Python-SDK forms, half as Node-SDK JSON.
The `contract` profile runs >= 500 examples per endpoint (override with
GRAPHMOCK_CONTRACT_EXAMPLES).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract_tests import strategies as s
from contract_tests.driver import Driver
from contract_tests.operations import Context
from contract_tests.targets import InProcessTarget
from mock_server.config import ServerConfig
from mock_server.contract.registry import default_registry
from mock_server.testing import InProcessClient

EXAMPLES = int(os.environ.get("GRAPHMOCK_CONTRACT_EXAMPLES", "500"))
settings.register_profile("contract", max_examples=EXAMPLES, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
CONTRACT = settings.get_profile("contract")
STYLES = st.sampled_from(s.STYLES)
OPERATIONS = ["campaign.create", "campaign.update", "adset.create", "adset.update", "adcreative.create",
              "adcreative.update", "ad.create", "ad.update"]


def per_rule(rules: list[str]) -> settings:
    """Invalid cases are parametrized over rules; together they still make >= EXAMPLES per endpoint."""
    return settings(CONTRACT, max_examples=max(5, -(-EXAMPLES // len(rules))))


@pytest.fixture(scope="module")
def driver() -> Iterator[Driver]:
    config = ServerConfig(seed=11)
    config.rate_limits = "off"  # type: ignore[attr-defined] - thousands of calls; throttling is tested elsewhere
    client = InProcessClient(config)
    yield Driver(InProcessTarget(client), client.world["ad_account_id"], Context(default_registry(), world=client.world))
    client.close()


@settings(CONTRACT)
@given(payload=s.valid_campaign_create(), style=STYLES)
def test_valid_campaign_creates_are_accepted_and_read_back_equal(driver: Driver, payload: dict, style: str) -> None:
    """Asserts through Driver.create: HTTP 200 with an id, and a GET reads back every field sent."""
    assert driver.create(s.OPERATIONS["campaign.create"], payload, style).isdigit()


@pytest.mark.parametrize("operation", OPERATIONS[1:])
def test_valid_cases_are_accepted_and_read_back_equal(driver: Driver, operation: str) -> None:
    @settings(CONTRACT)
    @given(case=s.cases(operation), style=STYLES)
    def check(case: s.Case, style: str) -> None:
        driver.accept(s.OPERATIONS[operation], case, style)
    check()


@pytest.mark.parametrize(("operation", "rule"), [(op, rule) for op in OPERATIONS for rule in s.rules(op)])
def test_invalid_cases_get_exactly_their_error(driver: Driver, operation: str, rule: str) -> None:
    @per_rule(s.rules(operation))
    @given(case=s.invalid_payloads(operation, rule=rule), style=STYLES)
    def check(case: s.Invalid, style: str) -> None:
        assert case.rule == rule
        driver.refuse(s.OPERATIONS[operation], case, style)
    check()
