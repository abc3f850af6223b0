"""Issue 15 point 5: the object view's insights chart (from the real `GET /<id>/insights`) and its delivery-profile
controls, which go through the control API's operations (docs/insights.md "Steering a delivery profile").

No browser: the app in-process, as the page's fetch POSTs and htmx GETs reach it (test_dashboard_browser.py drives
the same panel in Chromium).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from mock_server.config import ServerConfig
from mock_server.dashboard.insights import KEYS
from mock_server.domain.delivery.profiles import check
from test_dashboard import UI, BrowserLike
from test_lifecycle_state_machine import make_ad, make_adset, make_campaign, make_creative

LOCAL_MIDNIGHT = 1_767_254_400  # 2026-01-01T00:00 in America/Los_Angeles, the demo account's time zone
PROFILES = "/__graphmock/insights/profiles"


@pytest.fixture(scope="module")
def client() -> Iterator[BrowserLike]:
    with BrowserLike(ServerConfig(seed=0)) as client:
        yield client


@pytest.fixture
def tree(client: BrowserLike) -> dict[str, str]:
    """A fresh ACTIVE campaign -> ad set -> approved ad (seed 000's objects), on a frozen clock at local midnight."""
    client.post(UI + "act/reset", json={"confirm": True})
    client.post(UI + "act/clock", json={"do": "set", "at": str(LOCAL_MIDNIGHT)})
    act, world = client.world["ad_account_id"], client.world
    campaign = make_campaign(client, act)
    adset = make_adset(client, act, world, campaign)
    ad = make_ad(client, act, adset, make_creative(client, act, world), "ACTIVE")
    assert client.post(UI + "act/review", json={"ad_id": ad, "action": "approve"}).json()["ok"]
    return {"act": act, "campaign": campaign, "adset": adset, "ad": ad}


def act(client: BrowserLike, body: dict[str, Any]) -> Any:
    return client.post(UI + "act/profile", json=body)


def bars(html: str, metric: str) -> dict[str, str]:
    """day -> the value the chart's bar carries (its data-value and <title>) for one metric."""
    figure = html[html.index(f'data-metric="{metric}"'):]
    figure = figure[:figure.index("</figure>")]
    found = dict(re.findall(r'data-day="([\d-]+)" data-value="([^"]*)"><title>\1: ' + metric + r" \2</title>", figure))
    assert found, figure[:500]
    return found


def test_profile_keys_are_exactly_the_control_apis():
    """The form offers what control/insights.set_profile accepts, no more (docs/control-api.md)."""
    for key in KEYS:
        check({key: True if key == "no_delivery" else 0.5})
    with pytest.raises(ValueError, match="known: no_delivery, daily_spend"):
        check({"budget": 1})


def test_a_fixed_daily_spend_set_from_the_dashboard_is_charted_day_by_day(client: BrowserLike, tree: dict[str, str]):
    """docs/insights.md: `daily_spend` makes the object spend exactly that per full active day; `cpm` and `ctr` fix
    impressions (spend / cpm x 1000) and clicks (impressions x ctr). The chart reads GET <id>/insights."""
    answer = act(client, {"object_id": tree["adset"], "daily_spend": "40", "cpm": "10", "ctr": "0.02",
                          "no_delivery": False})
    assert answer.status_code == 200 and answer.json() == {
        "ok": True, "message": f"delivery profile of {tree['adset']}: daily_spend 40, cpm 10, ctr 0.02"}
    assert client.get(PROFILES).json()["profiles"] == {tree["adset"]: {"daily_spend": 40, "cpm": 10, "ctr": 0.02}}
    assert client.post(UI + "act/clock", json={"do": "advance", "by": "3d"}).json()["ok"]
    page = client.get(UI + f"object/{tree['ad']}").text  # default window: last_7d, ending yesterday
    days = ["2025-12-28", "2025-12-29", "2025-12-30", "2025-12-31", "2026-01-01", "2026-01-02", "2026-01-03"]
    assert bars(page, "spend") == dict(zip(days, ["0"] * 4 + ["40"] * 3))  # days without rows drawn as 0
    assert bars(page, "impressions") == dict(zip(days, ["0"] * 4 + ["4000"] * 3))
    assert bars(page, "clicks") == dict(zip(days, ["0"] * 4 + ["80"] * 3))
    assert "Today on the virtual clock: 2026-01-04 (America/Los_Angeles" in page
    assert f"inherited from ad set <code>{tree['adset']}</code>" in page  # the ad's numbers come from its ad set
    graph = client.get(f"{tree['ad']}/insights", params={"time_increment": 1, "fields": "spend", "date_preset": "last_7d"})
    assert [row["spend"] for row in graph.json()["data"]] == ["40", "40", "40"]  # what a client is answered

    custom = client.get(UI + f"object/{tree['campaign']}",
                        params={"preset": "custom", "since": "2026-01-02", "until": "2026-01-04"}).text
    assert bars(custom, "spend") == {"2026-01-02": "40", "2026-01-03": "40", "2026-01-04": "0"}  # today: no full day


def test_clearing_and_no_delivery_go_through_the_control_api(client: BrowserLike, tree: dict[str, str]):
    assert act(client, {"object_id": tree["campaign"], "no_delivery": True}).json()["ok"]
    assert client.get(PROFILES).json()["profiles"] == {tree["campaign"]: {"no_delivery": True}}
    client.post(UI + "act/clock", json={"do": "advance", "by": "2d"})
    page = client.get(UI + f"object/{tree['adset']}", params={"preset": "last_3d"}).text
    assert set(bars(page, "spend").values()) == {"0"} and "no_delivery" in page
    cleared = act(client, {"object_id": tree["campaign"], "clear": True})
    assert cleared.json() == {"ok": True, "message": f"cleared the delivery profile of {tree['campaign']}"}
    assert client.get(PROFILES).json()["profiles"] == {}
    assert act(client, {"object_id": tree["act"], "daily_spend": 12.5}).json()["ok"]  # an account too
    assert client.get(PROFILES).json()["profiles"] == {tree["act"]: {"daily_spend": 12.5}}
    account = client.get(UI + f"object/{tree['act']}", params={"preset": "yesterday"}).text
    assert bars(account, "spend") == {"2026-01-02": "12.5"}  # as the insights row sends it


@pytest.mark.parametrize("body, status, message", [
    ({}, 400, "choose the ad account, campaign, ad set or ad"),
    ({"object_id": "999"}, 400, "fill in at least one delivery setting"),
    ({"object_id": "{adset}", "daily_spend": "lots"}, 400, "Fixed daily spend must be a number, got 'lots'"),
    ({"object_id": "{adset}", "daily_spend": "-5"}, 400, "daily_spend must be a number >= 0"),
    ({"object_id": "{adset}", "ctr": "1.5"}, 400, "ctr must be between 0 and 1"),
    ({"object_id": "{adset}", "cpm": "inf"}, 400, "CPM must be a number"),
    ({"object_id": "{adset}", "cpm": "1,5"}, 400, "CPM must be a number, got '1,5'"),
    ({"object_id": "{adset}", "cpm": [1]}, 400, "CPM must be a number"),
    ({"object_id": "{adset}", "no_delivery": "maybe"}, 400, "No delivery must be checked or not"),
    ({"object_id": "{adset}", "clear": "yes"}, 400, "clear must be true or false"),
    ({"object_id": "{adset}", "budget": 1}, 400, "unknown key(s) in body: budget"),
    ({"object_id": "999", "cpm": 1}, 404, "unknown object 999"),
    ({"object_id": "act_42", "cpm": 1}, 404, "unknown ad account act_42"),
    ({"object_id": "{creative}", "cpm": 1}, 400, "is not a campaign, ad set or ad"),
])
def test_bad_profile_input_gets_a_readable_4xx(client: BrowserLike, tree: dict[str, str], body: dict, status: int,
                                               message: str):
    """Issue 15 'Bad input and safety': every form validates with a readable message, never a 500."""
    if body.get("object_id") == "{creative}":
        body["object_id"] = make_creative(client, tree["act"], client.world)
    body = {key: value.format(**tree) if isinstance(value, str) else value for key, value in body.items()}
    answer = act(client, body)
    assert answer.status_code == status and answer.json()["ok"] is False
    assert message in answer.json()["message"]
    assert client.get(PROFILES).json()["profiles"] == {}  # nothing half-written


@pytest.mark.parametrize("query, note", [
    ({"preset": "custom", "since": "2026-01-05", "until": "2026-01-02"}, "starts (2026-01-05) after it ends"),
    ({"preset": "custom", "since": "yesterday", "until": "2026-01-02"}, "as dates (YYYY-MM-DD)"),
    ({"preset": "custom", "since": "2019-01-01", "until": "2019-01-02"}, "insights not available"),  # 37 months
])
def test_a_bad_custom_window_is_explained_in_the_panel(client: BrowserLike, tree: dict[str, str], query: dict,
                                                       note: str):
    answer = client.get(UI + f"object/{tree['ad']}", params=query)
    assert answer.status_code == 200 and note in answer.text and 'id="insights-chart"' not in answer.text


def test_an_unknown_preset_falls_back_to_the_default_window(client: BrowserLike, tree: dict[str, str]):
    page = client.get(UI + f"object/{tree['ad']}", params={"preset": "<script>"}).text
    assert '<option value="last_7d" selected>' in page and "<script>" not in page


def test_history_reads_the_activities_edge_when_served(client: BrowserLike, tree: dict[str, str],
                                                       monkeypatch: pytest.MonkeyPatch):
    """Issue 15 point 1: history from the account's activity log; only this object's entries. Without the
    `/act_<id>/activities` edge (another branch adds it) the panel says so instead of failing."""
    from mock_server.handlers import routes

    before = client.get(UI + f"object/{tree['ad']}").text
    if ("AdAccount", "activities", "GET") not in routes.ROUTES:
        assert 'id="history-note"' in before and "activities edge is not served" in before

    asked: list[dict] = []

    def activities(call: Any) -> tuple[int, dict]:  # stands in for the activities edge
        asked.append(dict(call.request.params))
        return 200, {"data": [{"event_time": "2026-01-01T00:00:00+0000", "event_type": "update_ad_run_status",
                               "object_id": tree["ad"], "actor_name": "Tester"},
                              {"event_time": "2026-01-01T00:00:00+0000", "event_type": "create_campaign_group",
                               "object_id": tree["campaign"], "actor_name": "Tester"}]}

    monkeypatch.setitem(routes.ROUTES, ("AdAccount", "activities", "GET"), activities)
    page = client.get(UI + f"object/{tree['ad']}").text
    history = page[page.index("<h4>History</h4>"):page.index("<h4>JSON")]
    assert "update_ad_run_status" in history and "create_campaign_group" not in history
    assert asked[0]["oid"] == tree["ad"] and int(asked[0]["since"]) < LOCAL_MIDNIGHT - 365 * 86400  # not one week


def test_history_from_the_real_activities_edge(client: BrowserLike, tree: dict[str, str]):
    """Once graphmock serves `/act_<id>/activities` (issue 14's account assets), a status change made through the
    Graph API shows in that object's history, and another object's entries do not."""
    from mock_server.handlers import routes

    if ("AdAccount", "activities", "GET") not in routes.ROUTES:
        pytest.skip("this tree does not serve /act_<id>/activities yet (the panel's fallback is tested above)")
    assert client.post(tree["campaign"], data={"status": "PAUSED"}).json() == {"success": True}
    page = client.get(UI + f"object/{tree['campaign']}").text
    history = page[page.index("<h4>History</h4>"):page.index("<h4>JSON")]
    assert "update_campaign_run_status" in history and "create_ad_set" not in history
