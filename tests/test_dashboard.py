"""The dashboard without a browser (issue 15): where browsers are sent, the admin token, the cross-site guard,
readable refusals for bad input, and that no action or panel ever answers 500."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mock_server.config import ServerConfig
from mock_server.dashboard import prefers_html
from mock_server.dashboard.actions import ACTIONS, seconds
from mock_server.dashboard.chart import build as chart
from mock_server.domain.money import display
from mock_server.domain.status import derive, explain
from mock_server.contract.registry import default_registry
from mock_server.control.errors import ControlError
from mock_server.testing import InProcessClient

UI = "/__graphmock/ui/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
PANELS = ("tree", "clock", "reviews", "journal", "world", "object/act_1000000000000001", "object/999", "journal/99")


class BrowserLike(InProcessClient):
    """The app in-process, as a browser reaches it: no Graph token added, redirects not followed."""

    def __init__(self, config: ServerConfig) -> None:
        super().__init__(config)

    def request(self, method: str, path: str, **kwargs: Any) -> Any:  # type: ignore[override]
        if path.startswith("/__graphmock") or path == "/":
            kwargs.setdefault("token", None)
        kwargs.pop("follow_redirects", None)
        return super().request(method, path, **kwargs)

    def __enter__(self) -> BrowserLike:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@pytest.fixture(scope="module")
def client() -> Iterator[BrowserLike]:
    with BrowserLike(ServerConfig(seed=0)) as client:
        yield client


def test_a_browser_asking_for_the_root_is_sent_to_the_dashboard(client: BrowserLike):
    for path in ("/", "/__graphmock", "/__graphmock/"):
        answer = client.get(path, headers={"accept": BROWSER}, follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (303, UI)
    # SDKs, curl and JSON clients keep Graph's answer and the control index
    assert client.get("/", follow_redirects=False).json()["error"]["code"] == 104
    assert client.get("/", headers={"accept": "application/json"}).status_code == 400
    assert "graphmock_control" in client.get("/__graphmock/", headers={"accept": "*/*"}).json()
    assert client.post("/", headers={"accept": BROWSER}, follow_redirects=False).status_code != 303
    assert client.get("/__graphmock/ui", follow_redirects=False).headers["location"] == UI


@pytest.mark.parametrize("accept, html", [(BROWSER, True), ("text/html", True), ("*/*", False), ("", False),
                                          ("application/json, text/html;q=0.5", False), ("text/html;q=0", False),
                                          ("application/json;q=0.5, text/html", True), ("text/html;q=oops", False)])
def test_prefers_html(accept: str, html: bool):
    assert prefers_html(accept) is html


def test_the_page_and_its_vendored_assets_are_served_offline(client: BrowserLike):
    page = client.get(UI)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "http://" not in page.text.replace("http://www.w3.org", "") and "https://" not in page.text  # no CDN
    for asset in ("htmx.min.js", "htmx.LICENSE", "dashboard.js", "dashboard.css"):
        assert client.get(UI + "static/" + asset).status_code == 200


@pytest.mark.parametrize("panel", PANELS)
def test_every_panel_renders_even_for_unknown_ids(client: BrowserLike, panel: str):
    answer = client.get(UI + panel)
    assert answer.status_code == 200, answer.text
    assert "Traceback" not in answer.text


def test_the_admin_token_guards_panels_and_actions_not_the_shell():
    """Follows the control API's setting: same header, same 401."""
    with BrowserLike(ServerConfig(seed=0, admin_token="s3cret")) as client:
        assert client.get(UI).status_code == 200
        assert client.get(UI + "tree").status_code == 401
        assert client.get(UI + "tree", headers={"x-graphmock-admin-token": "s3cret"}).status_code == 200
        assert client.post(UI + "act/clock", json={"do": "freeze"}).status_code == 403
        ok = client.post(UI + "act/clock", json={"do": "freeze"}, headers={"x-graphmock-admin-token": "s3cret"})
        assert ok.json()["ok"] is True


def refusal(answer: Any) -> str:
    """The readable reason: the dashboard's {"ok", "message"}, or the control guard's error envelope in front of it
    (issue 16's guard now answers first; the page shows either)."""
    body = answer.json()
    return body.get("message") or body["error"]["message"]


def test_actions_refuse_cross_site_and_form_posts(client: BrowserLike):
    """Hardening issue: a state change needs JSON and an Origin that is graphmock's own Host."""
    forged = client.post(UI + "act/reset", json={"confirm": True}, headers={"origin": "https://evil.example"})
    assert forged.status_code == 403 and "evil.example" in refusal(forged)
    form = client.post(UI + "act/reset", content=b"confirm=true", headers={"content-type": "application/x-www-form-urlencoded"})
    assert form.status_code in (403, 415) and "application/json" in refusal(form)
    sneaky = client.post(UI + "act/reset", json={"confirm": True}, headers={"sec-fetch-site": "cross-site"})
    assert sneaky.status_code == 403
    same = client.post(UI + "act/clock", json={"do": "release"}, headers={"origin": "http://graphmock.test"})
    assert same.status_code == 200


@pytest.mark.parametrize("name, body, message", [
    ("reset", {}, "needs confirmation"), ("restore", {"confirm": True, "snapshot": "x"}, "snapshot file"),
    ("restore", {"confirm": True, "snapshot": {"a": 1}}, "not a graphmock snapshot"),
    ("clock", {"do": "advance", "by": "tomorrow"}, "not a duration"), ("clock", {"do": "advance"}, "how far"),
    ("clock", {"do": "set", "at": "noon"}, "at must be"), ("clock", {"do": "jump"}, "do must be"),
    ("review", {"ad_id": "1", "action": "approve"}, "no ad with id 1"),
    ("review", {"ad_id": "1", "action": "disapprove"}, "feedback"), ("strict", {"strict": "yes"}, "true or false"),
    ("fault", {"status": "abc"}, "whole number"), ("fault", {"path": "*"}, "at least one of"),
    ("rate_limits", {"settings": "maybe"}, "on, off or default"), ("nope", {}, "unknown action"),
    ("clock", {"dx": 1}, "unknown key"),
])
def test_bad_input_gets_a_readable_message(client: BrowserLike, name: str, body: dict, message: str):
    answer = client.post(UI + f"act/{name}", json=body)
    assert 400 <= answer.status_code < 500 and answer.json()["ok"] is False
    assert message in answer.json()["message"]


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                           max_leaves=6)


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(sorted(ACTIONS)), body=st.dictionaries(
    st.sampled_from(["do", "by", "at", "ad_id", "action", "reason", "strict", "settings", "path", "status", "times",
                     "fault_id", "confirm", "ad_account_id", "latency_ms", "error", "method", "object_id", "clear",
                     "daily_spend", "no_delivery", "ctr"]), json_values, max_size=4))
def test_no_action_ever_answers_500(client: BrowserLike, name: str, body: dict):
    body.pop("confirm", None)  # never reset or restore the shared world here
    answer = client.post(UI + f"act/{name}", json=body)
    assert answer.status_code < 500 and isinstance(answer.json()["message"], str)
    client.post(UI + "act/clear_faults", json={})
    client.post(UI + "act/clock", json={"do": "release"})


def test_durations():
    assert seconds("3600") == seconds("1h") == seconds("60m") == 3600
    assert seconds("1d 6h") == 108_000 and seconds("1w") == 604_800 and seconds("-2h") == -7200
    for bad in ("", "h", "1x", "1h and", "99999d"):
        with pytest.raises(ControlError):
            seconds(bad)


def test_explain_follows_derive():
    """GRAPH-BEHAVIOUR 6 precedence, told in words (the reason next to every effective status)."""
    cases = [("ACTIVE", ("1", "PAUSED"), ("2", "ACTIVE"), "campaign 1 is PAUSED"),
             ("ACTIVE", ("1", "ACTIVE"), ("2", "PAUSED"), "ad set 2 is PAUSED"),
             ("PAUSED", ("1", "PAUSED"), ("2", "PAUSED"), "configured status is PAUSED"),
             ("ACTIVE", ("1", "ARCHIVED"), ("2", "PAUSED"), "campaign 1 is ARCHIVED"),
             ("DELETED", ("1", "ARCHIVED"), None, "configured status is DELETED")]
    for own, campaign, adset, text in cases:
        effective = derive(own, campaign[1], adset[1] if adset else None)
        assert explain(effective, own, campaign, adset) == text


def test_money_and_chart_helpers():
    registry = default_registry()
    assert display(registry, "USD", "5000") == "50.00 USD" and display(registry, "USD", None) is None
    assert display(registry, "USD", "12.5") is None
    drawn = chart([{"date_start": "2026-01-02", "spend": "2.5", "clicks": "x"}, {"date_start": "2026-01-01", "spend": "5"}],
                  ("spend", "clicks"))
    assert drawn.days == ["2026-01-01", "2026-01-02"]
    spend, clicks = drawn.series
    assert spend.total == 7.5 and spend.bars[0].height > spend.bars[1].height and clicks.peak == 0


@pytest.mark.parametrize("token, accounts, shown", [
    ("", ["act_1000000000000001", "act_1000000000000011", "act_1000000000000021"], "No campaigns"),
    ("GMDEMO-second-account-token", ["act_1000000000000011"], "No campaigns in graphmock Second Ad Account"),
    ("GMDEMO-expired-token", ["act_1000000000000001"], "Session has expired"),
    ("GMDEMO-pages-only-token", ["act_1000000000000001"], "(#200)"),
    ("GMDEMO-two-factor-token", ["act_1000000000000021"], "Two factor authentication required"),
])
def test_the_tree_is_a_tokens_view(client: BrowserLike, token: str, accounts: list[str], shown: str):
    """A fixture token sees what Graph would show it: its accounts, and its own expiry / permission / 2FA errors
    (GRAPH-BEHAVIOUR 1.3, access.json); the admin view sees every account."""
    page = client.get(UI + "tree", params={"token": token}).text
    assert re.findall(r'option value="(act_\d+)"', page) == accounts
    assert shown in page


def test_names_from_clients_are_escaped(client: BrowserLike):
    """Whatever a client stored is shown as text, never run as markup in the developer's browser."""
    token = "GMDEMO-ads-management-token"
    made = client.post("/v25.0/act_1000000000000001/campaigns", data={
        "name": "<script>alert(1)</script>", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED",
        "special_ad_categories": "[]", "access_token": token})
    assert made.status_code == 200, made.text
    for panel in ("tree", f"object/{made.json()['id']}"):
        page = client.get(UI + panel).text
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_archived_objects_show_on_request_with_what_they_hide():
    """M-STATUS: lists leave ARCHIVED out by default; children of an archived ad set inherit ARCHIVED
    (GRAPH-BEHAVIOUR 6), and the tree says so when asked to show archived objects."""
    from mock_server.testing import InProcessClient
    from test_lifecycle_state_machine import make_ad, make_adset, make_campaign, make_creative

    client = InProcessClient(ServerConfig(seed=0))
    act, world = client.world["ad_account_id"], client.world
    adset = make_adset(client, act, world, make_campaign(client, act))
    ad = make_ad(client, act, adset, make_creative(client, act, world))
    assert client.post(adset, data={"status": "ARCHIVED"}).json() == {"success": True}
    hidden = client.get(UI + "tree", token=None).text
    assert f'data-id="{adset}"' not in hidden
    shown = client.get(UI + "tree", params={"archived": "on"}, token=None).text
    assert f'data-id="{adset}"' in shown and f"ARCHIVED</strong>: ad set {adset} is ARCHIVED" in shown
    client.close()


def test_world_actions_use_the_control_operations():
    """Snapshot → restore, a fault from the form, strict mode: each action has the control API's effect."""
    with BrowserLike(ServerConfig(seed=0)) as client:
        token = {"access_token": "GMDEMO-ads-management-token"}
        act = "/v25.0/act_1000000000000001"
        saved = client.get("/__graphmock/snapshot").json()
        made = client.post(f"{act}/campaigns", params=token, data={
            "name": "later", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED", "special_ad_categories": "[]"}).json()
        restored = client.post(UI + "act/restore", json={"confirm": True, "snapshot": saved}).json()
        assert restored["ok"] and client.get(f"/v25.0/{made['id']}", params=token).status_code == 400
        fault = client.post(UI + "act/fault", json={"method": "GET", "path": "act_*/campaigns", "status": "503",
                                                    "times": "1", "close_connection": False}).json()
        assert fault["ok"], fault
        assert client.get(f"{act}/campaigns", params=token).status_code == 503
        assert client.get(f"{act}/campaigns", params=token).status_code == 200
        assert client.post(UI + "act/strict", json={"strict": True}).json()["ok"]
        refused = client.get(f"{act}/campaigns", params={**token, "bogus_param": "1"})
        assert client.post(UI + "act/strict", json={"strict": False}).json()["ok"]
        assert refused.status_code == 400 and client.get(f"{act}/campaigns", params={**token, "bogus_param": "1"}).status_code == 200


def test_unknown_dashboard_paths_and_methods_answer_json(client: BrowserLike):
    for method, path, code in (("GET", "nope", 404), ("POST", "tree", 405), ("DELETE", "act/clock", 405),
                               ("GET", "static/missing.js", 404), ("PUT", "", 405)):
        answer = client.request(method, UI + path)
        assert answer.status_code == code and answer.json()["error"]["code"] == code, (method, path, answer.text)
