"""`graphmock verify` (issue 6 'Done when'): passes against the mock; a deliberately broken rule fails it
with a shrunk curl reproduction."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from mock_server import GraphMock
from mock_server.app import create_app
from mock_server.cli import main
from mock_server.config import ServerConfig
from mock_server.contract.registry import SchemaRegistry
from mock_server.resources import schemas_dir
from mock_server.state import State


def serve(registry: SchemaRegistry | None = None) -> GraphMock:
    config = ServerConfig(seed=2)
    config.rate_limits = "off"  # type: ignore[attr-defined] - verify makes hundreds of calls
    mock = GraphMock(config)
    if registry is not None:
        mock.app = create_app(config, state=State(config, registry=registry))
    return mock


@pytest.fixture
def mock() -> Iterator[GraphMock]:
    m = serve()
    yield m
    m.close()


def run(mock: GraphMock, *extra: str) -> int:
    return main(["verify", "--target", mock.url, "--token", mock.world["access_token"],
                 "--account", mock.world["ad_account_id"], *extra])


def test_verify_passes_against_the_mock_and_cleans_up(mock: GraphMock, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(mock, "--examples", "20", "--seed", "3") == 0
    out = capsys.readouterr().out
    for check in ("positive_data_acceptance [campaign.create]", "positive_data_acceptance [campaign.update]",
                  "positive_data_acceptance [adset.create]", "positive_data_acceptance [adcreative.create]",
                  "negative_data_rejection [adcreative.create]", "negative_data_rejection [campaign.create]",
                  "positive_data_acceptance [ad.create]", "negative_data_rejection [ad.create]",
                  "positive_data_acceptance [adset.update]", "negative_data_rejection [adset.update]",
                  "positive_data_acceptance [ad.update]", "negative_data_rejection [ad.update]",
                  "positive_data_acceptance [adcreative.update]",
                  "negative_data_rejection [campaign.update]", "negative_data_rejection [adset.create]",
                  "paging_invariants", "status_derivation [campaign]", "insights_params [GET /act_<id>/insights]",
                  "insights_async_nested [POST /act_<id>/insights]"):
        assert check in out
    assert "[ 1/20] positive_data_acceptance [campaign.create] ..." in out  # progress (check i of n) while running
    assert "20 passed, 0 failed" in out and "FAILED" not in out
    client = mock.client()
    listed = client.get(f"{mock.world['ad_account_id']}/campaigns", params={"effective_status": '["ACTIVE","PAUSED","ARCHIVED"]'})
    assert listed.json()["data"] == []  # everything it made is deleted
    adsets = client.get(f"{mock.world['ad_account_id']}/adsets", params={"effective_status": '["ACTIVE","PAUSED","ARCHIVED"]'})
    assert adsets.status_code == 200 and adsets.json()["data"] == []


def test_verify_fails_on_a_broken_rule_and_prints_the_shrunk_curl(capsys: pytest.CaptureFixture[str]) -> None:
    """Seed 004 spend_cap minimum is $100; a server that lets $1 through must be caught, minimally."""
    broken = SchemaRegistry(schemas_dir())
    broken.documents["rules/campaign"]["spend_cap"]["minimum_usd"] = 1
    mock = serve(broken)
    try:
        assert run(mock, "--examples", "20", "--seed", "1") == 1
    finally:
        mock.close()
    out = capsys.readouterr().out
    assert "19 passed, 1 failed" in out or "18 passed, 2 failed" in out  # the update check may catch it too
    assert ("FAILED negative_data_rejection [campaign.create]: campaign.create breaking rule:spend_cap_minimum: "
            "expected error spend_cap_too_low (HTTP 400, code 100/2446307) blaming spend_cap, got HTTP 200") in out
    curl = next(line.strip() for line in out.splitlines() if line.strip().startswith("curl "))
    assert curl.startswith("curl -sS -X POST 'http://127.0.0.1:")
    assert "/v25.0/act_1000000000000001/campaigns?access_token=GMDEMO-ads-management-token'" in curl
    assert "--data-urlencode 'spend_cap=100'" in curl  # shrunk to the smallest wrongly accepted cap
    assert "--data-urlencode 'name='" in curl  # and everything else to its simplest value


def test_suite_uses_the_current_contract_tests_modules_after_sys_modules_is_restored() -> None:
    """pytester (tests/test_plugin.py) imports contract_tests.strategies in-process and then puts sys.modules back,
    leaving the dropped module as an attribute of the still-loaded `contract_tests` package. The suite must not
    pick up that stale module: its `Ref`s would not be the driver's, stay unresolved and fail every check with
    setup steps ("Object of type Ref is not JSON serializable"). Run in a subprocess: it rebuilds sys.modules."""
    script = textwrap.dedent("""
        import sys
        import contract_tests  # loaded for the whole session, as the pytest11 plugin is
        saved = dict(sys.modules)
        import contract_tests.strategies  # an in-process pytester run imports it ...
        sys.modules.clear()
        sys.modules.update(saved)  # ... and restores sys.modules afterwards
        from mock_server.verify import suite
        driver = sys.modules["contract_tests.driver"]
        assert suite.s is sys.modules.get("contract_tests.strategies"), "suite uses a stale contract_tests.strategies"
        assert driver.resolve({"campaign_id": suite.s.Ref(0)}, ["42"]) == {"campaign_id": "42"}
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).resolve().parents[1],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
