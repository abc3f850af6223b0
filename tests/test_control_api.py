"""The control API under /__graphmock/ (issue 4 point 5) and the GraphMock handle (point 6).

Every answer is JSON; every failure is `{"error": {"message", "type": "GraphMockControlError", "code"}}`.
"""

from __future__ import annotations

import copy
import json

import httpx
import pytest

from helpers_envelope import assert_graph_error
from mock_server import ControlError, GraphMock, ServerConfig
from mock_server.resources import default_fixtures_file
from mock_server.testing import InProcessClient

CAMPAIGN = {"name": "c", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED", "special_ad_categories": "[]"}
OTHER_ACT = "act_1000000000000002"


def assert_control_error(response: httpx.Response, code: int, message_has: str) -> dict:
    assert response.status_code == code, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"message", "type", "code"}, body
    assert body["error"]["type"] == "GraphMockControlError" and body["error"]["code"] == code
    assert message_has in body["error"]["message"], body
    return body["error"]


def two_account_fixtures() -> dict:
    with open(default_fixtures_file(), encoding="utf-8") as fh:
        document = json.load(fh)
    document = copy.deepcopy(document)
    second = {**document["ad_accounts"][0], "id": OTHER_ACT, "name": "Second account"}
    document["ad_accounts"].append(second)
    document["users"][0]["tokens"][0]["ad_accounts"].append(OTHER_ACT)
    return document


def new_campaign(client: InProcessClient, act: str, **extra: str) -> str:
    response = client.post(f"{act}/campaigns", data={**CAMPAIGN, **extra})
    assert response.status_code == 200, response.text
    return response.json()["id"]


@pytest.fixture
def client(backend_client: InProcessClient) -> InProcessClient:
    """Reset, seed and fixtures are store contract too: each `client` test runs on SQLite and PostgreSQL."""
    return backend_client


# -- index, errors, auth ---------------------------------------------------------------------------
def test_index_lists_every_endpoint(client):
    body = client.get("/__graphmock/").json()
    assert set(body["graphmock_control"]) >= {"/reset", "/fixtures", "/snapshot", "/restore", "/seed", "/clock",
                                               "/reviews", "/reviews/policy", "/reviews/{ad_id}"}
    assert body["graphmock_control"]["/clock"] == ["GET", "POST"]


def test_errors_are_control_json_not_graph_envelopes(client):
    assert_control_error(client.post("/__graphmock/clock", content=b"{not json", headers={"content-type": "application/json"}),
                  400, "not valid JSON")
    assert_control_error(client.post("/__graphmock/clock", json=[1, 2]), 400, "must be a JSON object")
    assert_control_error(client.post("/__graphmock/clock", json={"frezee": True}), 400, "unknown key(s) in body: frezee")
    assert_control_error(client.delete("/__graphmock/clock"), 405, "DELETE is not allowed on /clock; use GET, POST")
    assert_control_error(client.post("/__graphmock/snapshot"), 405, "use GET")
    assert_control_error(client.get("/__graphmock/teleport"), 404, "unknown control endpoint /teleport")
    assert_control_error(client.get("/__graphmock/reviews", params={"bogus": "1"}), 400, "unknown key(s) in query: bogus")


def test_admin_token_protects_only_the_control_api():
    c = InProcessClient(ServerConfig(seed=1, admin_token="s3cret"))
    try:
        assert_control_error(c.get("/__graphmock/clock"), 401, "needs the admin token")
        assert_control_error(c.get("/__graphmock/clock", headers={"authorization": "Bearer wrong"}), 401, "admin token")
        assert_control_error(c.get("/__graphmock/nope"), 401, "admin token")  # unknown paths do not leak either
        assert c.get("/__graphmock/clock", headers={"authorization": "Bearer s3cret"}).status_code == 200
        assert c.get("/__graphmock/clock", headers={"x-graphmock-admin-token": "s3cret"}).status_code == 200
        # Graph calls use the access token as usual
        assert c.get(c.world["ad_account_id"], params={"fields": "name"}).status_code == 200
    finally:
        c.close()


# -- reset ----------------------------------------------------------------------------------------
def test_reset_removes_objects_and_restarts_seeded_ids(client, act):
    first = new_campaign(client, act)
    new_campaign(client, act)
    body = client.post("/__graphmock/reset").json()
    assert body["success"] is True and body["scope"] == "world" and body["world"]["ad_account_id"] == act
    assert_graph_error(client.get(first), 100, 33, message_has=f"Object with ID '{first}' does not exist")
    assert client.get(f"{act}/campaigns").json()["data"] == []
    assert new_campaign(client, act) == first  # same seed, same calls -> same ids


def test_reset_unfreezes_the_clock_and_drops_policy_overrides(client):
    client.post("/__graphmock/clock", json={"freeze": True, "at": 1_000_000_000})
    client.post("/__graphmock/reviews/policy", json={"policy": {"mode": "manual"}})
    client.post("/__graphmock/reset", json={})
    clock = client.get("/__graphmock/clock").json()
    assert clock["frozen"] is False and clock["offset"] == 0.0 and clock["now"] > 1_700_000_000
    assert client.get("/__graphmock/reviews/policy").json()["policy"]["mode"] == "after"


def test_reset_one_account_keeps_the_others():
    with GraphMock(seed=3, fixtures=two_account_fixtures()) as mock:
        c = mock.client()
        act = mock.world["ad_account_id"]
        mine, theirs = new_campaign(c, act), new_campaign(c, OTHER_ACT)
        mock.clock.freeze(1_800_000_000)
        body = c.post("/__graphmock/reset", json={"ad_account_id": OTHER_ACT}).json()
        assert body["scope"] == "ad_account" and body["ad_account_id"] == OTHER_ACT
        assert c.get(mine, params={"fields": "name"}).json() == {"name": "c", "id": mine}
        assert_graph_error(c.get(theirs), 100, 33)
        assert mock.clock.state()["frozen"] is True  # the clock belongs to the whole server
        assert_control_error(c.post("/__graphmock/reset", json={"ad_account_id": "act_999"}), 404, "unknown ad account act_999")
        assert_control_error(c.post("/__graphmock/reset", json={"ad_account_id": "999x"}), 400, "act_<digits>")


def test_reset_one_account_brings_back_its_fixture_entry_and_drops_its_policy_override(client, act):
    client.post("/__graphmock/reviews/policy", json={"policy": {"mode": "immediate"}, "ad_account_id": act})
    assert client.get("/__graphmock/reviews/policy", params={"ad_account_id": act}).json()["policy"]["mode"] == "immediate"
    client.post("/__graphmock/reset", json={"ad_account_id": act})
    assert client.get("/__graphmock/reviews/policy", params={"ad_account_id": act}).json()["policy"]["mode"] == "after"
    assert client.get(act, params={"fields": "name,currency"}).json() == {
        "name": "graphmock Demo Ad Account", "currency": "USD", "id": act}


# -- fixtures -------------------------------------------------------------------------------------
def test_fixtures_replace_the_world_and_become_the_reset_target(client, act):
    document = two_account_fixtures()
    document["ad_accounts"][0]["name"] = "Renamed by fixtures"
    body = client.post("/__graphmock/fixtures", json=document).json()
    assert body["success"] is True and body["world"]["ad_account_id"] == act
    assert client.get(OTHER_ACT, params={"fields": "name"}).json() == {"name": "Second account", "id": OTHER_ACT}
    client.post("/__graphmock/reset")
    assert client.get(act, params={"fields": "name"}).json()["name"] == "Renamed by fixtures"
    assert client.get("/__graphmock/fixtures", params={"secrets": "1"}).json() == document  # secrets on request


def test_fixtures_with_another_token_revoke_the_old_one(client, act):
    document = two_account_fixtures()
    document["users"][0]["tokens"][0]["access_token"] = "GMOTHER-token"
    client.post("/__graphmock/fixtures", json=document)
    assert_graph_error(client.get(act), 190, None, message_has="Invalid OAuth access token data.")
    assert client.get(act, params={"fields": "name"}, token="GMOTHER-token").status_code == 200


def test_bad_fixtures_are_refused_and_change_nothing(client, act):
    keep = new_campaign(client, act)
    assert_control_error(client.post("/__graphmock/fixtures", json={"ad_accounts": [{"name": "no id"}]}), 400,
                  "not a fixtures document: missing key 'id'")
    assert_control_error(client.post("/__graphmock/fixtures", json=[]), 400, "must be a JSON object")
    bad_policy = two_account_fixtures()
    bad_policy["ad_accounts"][1]["review"] = {"mode": "sometimes"}
    assert_control_error(client.post("/__graphmock/fixtures", json=bad_policy), 400, "mode must be one of immediate, after, manual")
    assert client.get(keep, params={"fields": "name"}).json() == {"name": "c", "id": keep}


# -- seed -----------------------------------------------------------------------------------------
def test_seed_makes_ids_reproducible_across_servers():
    ids = []
    for _ in range(2):
        c = InProcessClient(ServerConfig())
        try:
            assert c.post("/__graphmock/seed", json={"seed": 42}).json() == {"success": True, "seed": 42, "reset": True}
            assert c.get("/__graphmock/seed").json() == {"seed": 42}
            ids.append([new_campaign(c, c.world["ad_account_id"]) for _ in range(3)])
        finally:
            c.close()
    assert ids[0] == ids[1] and len(set(ids[0])) == 3


def test_seed_without_reset_keeps_objects_and_never_reuses_ids(client, act):
    first = new_campaign(client, act)
    client.post("/__graphmock/seed", json={"seed": 1, "reset": False})
    assert client.get(first, params={"fields": "name"}).status_code == 200
    assert new_campaign(client, act) != first


def test_seed_input_errors(client):
    assert_control_error(client.post("/__graphmock/seed", json={}), 400, "seed is required")
    assert_control_error(client.post("/__graphmock/seed", json={"seed": "7"}), 400, "non-negative integer or null")
    assert_control_error(client.post("/__graphmock/seed", json={"seed": True}), 400, "non-negative integer or null")
    assert_control_error(client.post("/__graphmock/seed", json={"seed": 1, "reset": "yes"}), 400, "reset must be true or false")


# -- reviews and policy (input handling; the lifecycle itself is in test_review.py) -------------------
def test_review_endpoints_answer_404_for_non_ads(client, act):
    campaign = new_campaign(client, act)
    assert_control_error(client.post(f"/__graphmock/reviews/{campaign}", json={"action": "approve"}), 404, f"no ad with id {campaign}")
    assert_control_error(client.get("/__graphmock/reviews/12x"), 404, "no ad with id 12x")
    assert_control_error(client.get("/__graphmock/reviews", params={"ad_account_id": "act_5"}), 404, "unknown ad account act_5")
    assert client.get("/__graphmock/reviews").json()["data"] == []


def test_review_policy_override_validation_and_clearing(client, act):
    body = client.post("/__graphmock/reviews/policy", json={"policy": {"mode": "manual", "banned_terms": ["cheap"]}}).json()
    assert body["policy"]["mode"] == "manual"
    assert body["policy"]["banned_terms"][0]["term"] == "cheap"
    account = client.post("/__graphmock/reviews/policy", json={"policy": {"delay_seconds": 5}, "ad_account_id": act}).json()
    assert account["policy"]["mode"] == "manual" and account["policy"]["delay_seconds"] == 5.0
    assert_control_error(client.post("/__graphmock/reviews/policy", json={"policy": {"mode": "later"}}), 400, "mode must be one of")
    assert_control_error(client.post("/__graphmock/reviews/policy", json={"policy": {"delay_seconds": -1}}), 400,
                  "delay_seconds must be a number >= 0")
    assert_control_error(client.post("/__graphmock/reviews/policy", json={"policy": {"banned_terms": [""]}}), 400, "banned term")
    assert_control_error(client.post("/__graphmock/reviews/policy", json={"policy": {"speed": 1}}), 400, "unknown review policy key")
    assert_control_error(client.post("/__graphmock/reviews/policy", json={}), 400, "policy is required")
    client.post("/__graphmock/reviews/policy", json={"policy": None})
    client.post("/__graphmock/reviews/policy", json={"policy": None, "ad_account_id": act})
    assert client.get("/__graphmock/reviews/policy").json()["overrides"] == {"server": None, "accounts": {}}


def test_review_policy_from_server_config_and_fixtures():
    document = two_account_fixtures()
    document["ad_accounts"][-1]["review"] = {"mode": "immediate"}
    with GraphMock(review={"mode": "manual", "delay_seconds": 60}, fixtures=document) as mock:
        assert mock.reviews.policy()["mode"] == "manual"
        assert mock.reviews.policy(OTHER_ACT) == {**mock.reviews.policy(), "mode": "immediate"}
    with pytest.raises(ValueError, match="outcome must be one of"):
        GraphMock(review={"outcome": "MAYBE"})


# -- the Python handle ----------------------------------------------------------------------------
def test_handle_is_the_same_implementation_as_http(act):
    with GraphMock(seed=5) as mock:
        c = mock.client()
        campaign = new_campaign(c, act)
        mock.reset()
        assert_graph_error(c.get(campaign), 100, 33)
        with pytest.raises(ControlError, match="unknown ad account act_9") as caught:
            mock.reset("act_9")
        assert caught.value.code == 404
        with pytest.raises(ControlError, match="no ad with id 1"):
            mock.reviews.approve("1")
        c.close()  # closing a handle client leaves the mock usable
        assert mock.client().get(act, params={"fields": "name"}).status_code == 200


def test_handle_serves_http_on_a_free_port_and_controls_it(act):
    with GraphMock(seed=5) as mock:
        url = mock.url
        assert url.startswith("http://127.0.0.1:")
        token = mock.world["access_token"]
        with httpx.Client(base_url=url) as http:
            created = http.post(f"/v25.0/{act}/campaigns", data={**CAMPAIGN, "access_token": token})
            assert created.status_code == 200, created.text
            mock.clock.freeze(1_900_000_000)  # runs on the server loop
            assert http.get("/__graphmock/clock").json()["now"] == 1_900_000_000
            mock.reset()
            gone = http.get(f"/v25.0/{created.json()['id']}", params={"access_token": token})
            assert gone.status_code == 400 and gone.json()["error"]["error_subcode"] == 33
        mock.stop()
        with pytest.raises(httpx.ConnectError):
            httpx.get(url + "/__graphmock/clock", timeout=2)
