"""Business-use-case throttling and usage headers (issue 5 point 3; GRAPH-BEHAVIOUR 2).

M-RL: an ad account's score gains 1 point per read and 3 per write; development tier max 60, decay 300 s,
block 300 s; standard ('Full') max 9000, decay 300 s, block 60 s. Over it: 80004/2446079, HTTP 400,
is_transient, with estimated_time_to_regain_access (minutes). Time is the virtual clock.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest

from mock_server.config import ServerConfig
from mock_server.testing import InProcessClient
from test_access import CAMPAIGN, assert_sdk_error

DEV_TOKEN = "GMDEMO-dev-app-token"  # development-tier app; the demo account is a test account
THROTTLED = ("(#80004) There have been too many calls to this ad-account. Wait a bit and try again. For more info, "
             "please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting#ads-management.")
T0 = 1_800_000_000


def usage(response: httpx.Response, act: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(the BUC entry of `act`, x-ad-account-usage, x-app-usage), each parsed from its JSON header."""
    buc = json.loads(response.headers["x-business-use-case-usage"])
    assert set(buc) == {act.removeprefix("act_")}, buc
    (entry,) = buc[act.removeprefix("act_")]
    assert set(entry) == {"type", "call_count", "total_cputime", "total_time", "estimated_time_to_regain_access",
                          "ads_api_access_tier"}
    account = json.loads(response.headers["x-ad-account-usage"])
    assert set(account) == {"acc_id_util_pct", "reset_time_duration", "ads_api_access_tier"}
    app = json.loads(response.headers["x-app-usage"])
    assert set(app) == {"call_count", "total_cputime", "total_time"}
    return entry, account, app


def write(client: InProcessClient, act: str, token: Any = DEV_TOKEN) -> httpx.Response:
    return client.post(f"{act}/campaigns", data=CAMPAIGN, token=token)


def test_development_tier_account_goes_over_its_limit_and_back_under(client, act):
    """20 writes of 3 points fill the development-tier budget of 60 (call_count climbs 5% per write); the 21st
    is refused with 80004/2446079 and blocks the account for 300 s (estimated_time_to_regain_access 5 minutes);
    the score drains linearly over the decay window, so usage falls as the clock advances."""
    client.state.clock.freeze(T0)
    counts = []
    for _ in range(20):
        response = write(client, act)
        assert response.status_code == 200, response.text
        entry, account, _ = usage(response, act)
        counts.append(entry["call_count"])
        assert entry["type"] == "ads_management" and entry["ads_api_access_tier"] == "development_access"
        assert entry["estimated_time_to_regain_access"] == 0
    assert counts == list(range(5, 105, 5))
    assert account == {"acc_id_util_pct": 100.0, "reset_time_duration": 300, "ads_api_access_tier": "development_access"}

    refused = write(client, act)
    error = assert_sdk_error(refused, 80004, 2446079, status=400, transient=True, message=THROTTLED)
    assert error.body()["error"]["estimated_time_to_regain_access"] == 5
    entry, account, _ = usage(refused, act)
    assert entry["estimated_time_to_regain_access"] == 5 and entry["call_count"] == 100
    assert len(client.get(f"{act}/campaigns", params={"limit": "100"}).json()["data"]) == 20  # nothing written

    client.state.clock.advance(150)  # half the block: reads are refused too, the score has drained by half
    blocked = client.get(f"{act}/campaigns", token=DEV_TOKEN)
    assert_sdk_error(blocked, 80004, 2446079, status=400, transient=True)
    entry, account, _ = usage(blocked, act)
    assert (entry["call_count"], entry["estimated_time_to_regain_access"]) == (50, 3)
    assert account["acc_id_util_pct"] == 50.0 and account["reset_time_duration"] == 150

    client.state.clock.advance(150)  # block over, score drained: calls go through again
    again = write(client, act)
    assert again.status_code == 200
    entry, account, _ = usage(again, act)
    assert (entry["call_count"], entry["estimated_time_to_regain_access"]) == (5, 0)
    assert account == {"acc_id_util_pct": 5.0, "reset_time_duration": 15, "ads_api_access_tier": "development_access"}


def test_reads_cost_one_point_and_writes_three(client, act):
    """M-RL: read = 1 point, write = 3 (60-point development budget: 4 points = 6.67 %)."""
    client.state.clock.freeze(T0)
    client.get(act, token=DEV_TOKEN)
    response = write(client, act)
    _, account, _ = usage(response, act)
    assert account["acc_id_util_pct"] == 6.67


def test_ids_and_batch_operations_count_one_call_each(client, act):
    """G-RL FAQ / G-BATCH: each id of ?ids= counts as one call; a batch of N counts as N."""
    client.state.clock.freeze(T0)
    first = write(client, act).json()["id"]
    second = write(client, act).json()["id"]  # 6 points
    multi = client.get("", token=DEV_TOKEN, params={"ids": f"{first},{second}"})  # +2
    assert usage(multi, act)[1]["acc_id_util_pct"] == 13.33
    batch = [{"method": "POST", "relative_url": f"{act}/campaigns", "body": "name=b&objective=OUTCOME_TRAFFIC&"
              "status=PAUSED&special_ad_categories=[]"} for _ in range(4)]  # +12
    response = client.post("/v25.0/", token=DEV_TOKEN, data={"batch": json.dumps(batch)})
    assert [e["code"] for e in response.json()] == [200] * 4
    assert usage(response, act)[1]["acc_id_util_pct"] == 33.33


def test_standard_tier_is_not_throttled_unless_asked(client, act):
    """The demo app is standard tier: no throttling by default (property suites make thousands of writes); the
    headers are still there and report 0."""
    client.state.clock.freeze(T0)
    for _ in range(30):
        response = write(client, act, token=...)
    entry, account, app = usage(response, act)
    assert entry["call_count"] == 0 and entry["ads_api_access_tier"] == "standard_access"
    assert account == {"acc_id_util_pct": 0.0, "reset_time_duration": 0, "ads_api_access_tier": "standard_access"}
    assert app == {"call_count": 0, "total_cputime": 0, "total_time": 0}


def test_account_override_turns_standard_limits_on(client, act):
    """Runtime settings per account (a small budget draining in 60 s); the standard block time is 60 s."""
    client.state.clock.freeze(T0)
    client.state.ratelimits.configure({"max_score": 6, "decay_seconds": 60}, ad_account_id=act)
    assert write(client, act, token=...).status_code == 200
    assert write(client, act, token=...).status_code == 200
    refused = write(client, act, token=...)
    assert assert_sdk_error(refused, 80004, 2446079, status=400, transient=True).body()["error"][
        "estimated_time_to_regain_access"] == 1
    assert usage(refused, act)[1]["ads_api_access_tier"] == "standard_access"
    client.state.clock.advance(60)
    assert write(client, act, token=...).status_code == 200
    client.state.ratelimits.configure(None, ad_account_id=act)
    assert usage(write(client, act, token=...), act)[1]["acc_id_util_pct"] == 0


def test_off_for_an_app_or_an_account(client, act):
    """'off' at the app or account level beats the development tier's default."""
    client.state.clock.freeze(T0)
    client.state.ratelimits.configure("off", app_id="1200000000000002")
    assert all(write(client, act).status_code == 200 for _ in range(25))
    client.state.ratelimits.configure(None, app_id="1200000000000002")
    client.state.ratelimits.configure("off", ad_account_id=act)
    assert write(client, act).status_code == 200
    client.state.ratelimits.configure("on", ad_account_id=act)  # off counted nothing: a full budget again
    assert all(write(client, act).status_code == 200 for _ in range(20))
    assert_sdk_error(write(client, act), 80004, 2446079, status=400, transient=True)


def test_fixture_and_server_settings():
    """Fixtures (top level, app, account) and ServerConfig.rate_limits set the layers; the account wins."""
    c = InProcessClient(ServerConfig(seed=1))
    act = c.world["ad_account_id"]
    document = copy.deepcopy(c.state.fixtures_document)
    document["rate_limits"] = {"max_score": 3}
    document["ad_accounts"][0]["rate_limits"] = {"max_score": 9, "block_seconds": 600}
    c.state.load_fixtures(document)
    c.state.clock.freeze(T0)
    assert [write(c, act, token=...).status_code for _ in range(4)] == [200, 200, 200, 400]
    assert write(c, act, token=...).json()["error"]["estimated_time_to_regain_access"] == 10
    assert write(c, "act_1000000000000011", token="GMDEMO-second-account-token").status_code == 200
    assert_sdk_error(write(c, "act_1000000000000011", token="GMDEMO-second-account-token"), 80004, 2446079, status=400,
              transient=True)
    c.close()
    config = ServerConfig(seed=1)
    config.rate_limits = "on"  # type: ignore[attr-defined]
    c = InProcessClient(config)
    c.state.ratelimits.configure({"max_score": 3}, ad_account_id=act)
    assert [write(c, act, token=...).status_code for _ in range(2)] == [200, 400]
    c.close()


def test_environment_switch(monkeypatch):
    """GRAPHMOCK_RATE_LIMITS=off|on|<JSON> for servers started from the CLI."""
    monkeypatch.setenv("GRAPHMOCK_RATE_LIMITS", '{"max_score": 3}')
    c = InProcessClient(ServerConfig(seed=1))
    act = c.world["ad_account_id"]
    assert [write(c, act, token=...).status_code for _ in range(2)] == [200, 400]
    c.close()
    monkeypatch.setenv("GRAPHMOCK_RATE_LIMITS", "sometimes")
    with pytest.raises(ValueError, match="GRAPHMOCK_RATE_LIMITS"):
        InProcessClient(ServerConfig(seed=1))


def test_app_hourly_call_limit_is_code_4(client, act):
    """G-RL: '(#4) Application request limit reached' (HTTP 403, transient) once the app's calls in the last hour
    pass app_calls_per_hour; x-app-usage climbs to 100 and falls as the hour drains."""
    client.state.clock.freeze(T0)
    client.state.ratelimits.configure({"app_calls_per_hour": 4}, app_id="1200000000000001")
    seen = [usage(client.get(act), act)[2]["call_count"] for _ in range(4)]
    assert seen == [25, 50, 75, 100]
    assert_sdk_error(client.get(act), 4, None, status=403, transient=True, message="(#4) Application request limit reached")
    client.state.clock.advance(900)  # a quarter of the hour drains one call
    response = client.get(act)
    assert response.status_code == 200 and usage(response, act)[2]["call_count"] == 100


def test_headers_on_responses_without_an_account(client, act):
    """Every response carries the three headers; without an ad account the BUC map is empty."""
    response = client.get(act, token=None)
    assert response.status_code == 400
    assert json.loads(response.headers["x-business-use-case-usage"]) == {}
    assert json.loads(response.headers["x-ad-account-usage"])["acc_id_util_pct"] == 0
    assert json.loads(response.headers["x-app-usage"]) == {"call_count": 0, "total_cputime": 0, "total_time": 0}


def test_reset_forgets_scores(client, act):
    """A reset (control API, plugin between tests) brings every account back to a zero score."""
    client.state.clock.freeze(T0)
    for _ in range(20):
        write(client, act)
    client.state.reset()
    client.state.clock.freeze(T0)
    assert usage(write(client, act), act)[0]["call_count"] == 5


@pytest.mark.parametrize("settings,message", [
    ("sometimes", 'must be "off", "on" or an object'),
    ({"max_score": 0}, "max_score must be a positive number"),
    ({"tier": "gold"}, "tier must be development or standard"),
    ({"burst": 3}, "unknown key(s) burst"),
    ({"app_calls_per_hour": 1.5}, "app_calls_per_hour must be a positive integer"),
])
def test_bad_settings_are_refused(client, settings, message):
    with pytest.raises(ValueError) as info:
        client.state.ratelimits.configure(settings)
    assert message in str(info.value)
