"""Fault injection (issue 5 point 4): for the next N requests matching method + path (+ ad account), answer a
chosen Graph error, an HTTP 500/502/503 with a Graph JSON body, added latency, or a closed connection.
Faults are listed, counted and cleared, and fire in the order they were added (WireMock-style stubs)."""

from __future__ import annotations

import json
import logging
import time

import httpx
import pytest

from mock_server import GraphMock
from mock_server.access.faults import ConnectionDropped
from test_access import CAMPAIGN, SECOND_ACCOUNT_TOKEN, SECOND_ACT, new_campaign, assert_sdk_error

USER_LIMIT = {"code": 17, "error_subcode": 2446079, "message": "(#17) User request limit reached",
              "is_transient": True, "type": "OAuthException", "http_status": 400}


def campaigns(client, act) -> list[str]:
    return [c["id"] for c in client.get(f"{act}/campaigns").json()["data"]]


def test_next_n_matching_requests_get_the_chosen_error(client, act):
    """Any code/subcode/type/message/is_transient/HTTP status, for exactly `times` matching calls; the failed
    calls change nothing; other methods and paths are untouched; the fault is listed and counted."""
    fault = client.state.faults.add(method="POST", path="act_*/campaigns", times=2, error=USER_LIMIT)
    assert fault["id"] == "fault_1" and fault["remaining"] == 2 and fault["matched"] == 0
    assert client.get(f"{act}/campaigns").status_code == 200  # GET does not match
    for _ in range(2):
        assert_sdk_error(client.post(f"{act}/campaigns", data=CAMPAIGN), 17, 2446079, status=400, transient=True,
                  message="(#17) User request limit reached")
    assert campaigns(client, act) == []
    created = client.post(f"{act}/campaigns", data=CAMPAIGN)
    assert created.status_code == 200
    (listed,) = client.state.faults.list()
    assert (listed["matched"], listed["remaining"]) == (2, 0)
    assert campaigns(client, act) == [created.json()["id"]]


@pytest.mark.parametrize("status,code,message", [
    (500, 1, "An unknown error occurred"),
    (502, 2, "(#2) Service temporarily unavailable"),
    (503, 2, "(#2) Service temporarily unavailable"),
])
def test_server_errors_carry_a_graph_json_body(client, act, status, code, message):
    """HTTP 500/502/503 with a Graph envelope (is_transient true), so SDK retry logic can be exercised."""
    client.state.faults.add(path=act, status=status)
    response = client.get(act)
    assert response.headers["content-type"].startswith("application/json")
    assert_sdk_error(response, code, None, status=status, transient=True, message=message)
    assert client.get(act).status_code == 200


def test_a_server_error_with_a_custom_graph_error(client, act):
    client.state.faults.add(path="*", status=503, error={"code": 1, "message": "Please reduce the amount of data "
                                                          "you're asking for, then retry your request", "is_transient": True})
    assert_sdk_error(client.get(f"{act}/campaigns"), 1, None, status=503, transient=True,
              message="Please reduce the amount of data you're asking for, then retry your request")


def test_latency_then_the_normal_answer(client, act):
    client.state.faults.add(method="GET", path=act, latency_ms=120)
    started = time.perf_counter()
    response = client.get(act)
    assert time.perf_counter() - started >= 0.12
    assert response.json() == {"id": act}


def test_closed_connection_in_process_raises(client, act):
    """In process (httpx ASGI transport) the dropped connection surfaces as ConnectionDropped."""
    client.state.faults.add(method="POST", path="act_*/campaigns", close_connection=True)
    with pytest.raises(ConnectionDropped):
        client.post(f"{act}/campaigns", data=CAMPAIGN)
    assert campaigns(client, act) == []
    assert client.post(f"{act}/campaigns", data=CAMPAIGN).status_code == 200


def test_closed_connection_over_http_is_a_protocol_error(caplog):
    """Over a real server the client sees the connection close mid-answer; the server log stays free of it."""
    with GraphMock(seed=1) as mock:
        world = mock.world
        mock.state.faults.add(path=world["ad_account_id"], close_connection=True, times=1)
        url = f"{mock.url}/v25.0/{world['ad_account_id']}"
        server_log = logging.getLogger("uvicorn.error")
        server_log.addHandler(caplog.handler)
        try:
            with pytest.raises(httpx.RemoteProtocolError):
                httpx.get(url, params={"access_token": world["access_token"]}, timeout=5)
            assert httpx.get(url, params={"access_token": world["access_token"]}, timeout=5).json() == {
                "id": world["ad_account_id"]}
        finally:
            server_log.removeHandler(caplog.handler)
        assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records]


def test_account_filter_matches_objects_of_that_account(client, act):
    """`ad_account_id` matches the account a path targets: act_<id> itself or an object stored in it."""
    mine = new_campaign(client, act)
    theirs = new_campaign(client, SECOND_ACT, token=SECOND_ACCOUNT_TOKEN)
    client.state.faults.add(ad_account_id=act, times=None, error={"code": 2, "message": "(#2) Service temporarily "
                                                                  "unavailable", "is_transient": True, "http_status": 503})
    assert client.get(mine).status_code == 503
    assert client.get(f"{act}/campaigns").status_code == 503
    assert client.get(theirs, token=SECOND_ACCOUNT_TOKEN).status_code == 200
    assert client.state.faults.list()[0]["matched"] == 2


def test_faults_fire_in_order_and_are_deterministic(client, act):
    """Two matching faults: the first is used up before the second fires; `times=None` lasts until cleared."""
    first = client.state.faults.add(path="act_*", times=1, error={"code": 1, "message": "first"})
    second = client.state.faults.add(path="re:^act_[0-9]+$", times=None, error={"code": 2, "message": "second"})
    messages = [client.get(act).json()["error"]["message"] for _ in range(3)]
    assert messages == ["first", "second", "second"]
    assert client.state.faults.clear(second["id"]) == 1
    assert [f["id"] for f in client.state.faults.list()] == [first["id"]]
    assert client.get(act).status_code == 200
    assert client.state.faults.clear() == 1 and client.state.faults.list() == []


def test_batch_operations_are_matched_one_by_one(client, act):
    """Inside a batch each operation is a request: an error fault answers that operation; a closed connection
    leaves its slot null (as Graph does for operations that did not complete)."""
    client.state.faults.add(method="GET", path="act_*/campaigns", error=USER_LIMIT)
    client.state.faults.add(method="DELETE", path="*", close_connection=True)
    campaign = new_campaign(client, act)
    batch = [{"method": "GET", "relative_url": f"{act}/campaigns"}, {"method": "GET", "relative_url": act},
             {"method": "DELETE", "relative_url": campaign}]
    answer = client.post("/v25.0/", data={"batch": json.dumps(batch)}).json()
    assert answer[0]["code"] == 400 and json.loads(answer[0]["body"])["error"]["code"] == 17
    assert answer[1]["code"] == 200 and answer[2] is None
    assert client.get(campaign, params={"fields": "status"}).json()["status"] == "PAUSED"


def test_reset_clears_faults(client, act):
    client.state.faults.add(path="*", times=None, status=500)
    client.state.reset()
    assert client.state.faults.list() == [] and client.get(act).status_code == 200


@pytest.mark.parametrize("spec,message", [
    ({"path": "*"}, "needs at least one of error, status, latency_ms, close_connection"),
    ({"status": 504}, "status must be one of 500, 502, 503"),
    ({"method": "PUT", "status": 500}, "method must be GET, POST, DELETE or *"),
    ({"times": 0, "status": 500}, "times must be a positive integer"),
    ({"error": {"code": "17"}}, "error.code must be an integer"),
    ({"error": {"colour": 1}}, "unknown error key 'colour'"),
    ({"path": "re:(", "status": 500}, "path regex is invalid"),
    ({"latency_ms": -1}, "latency_ms must be a number between 0 and 60000"),
    ({"status": 500, "when": "now"}, "unknown fault key(s) when"),
])
def test_bad_fault_specs_are_refused(client, spec, message):
    with pytest.raises(ValueError) as info:
        client.state.faults.add(**spec)
    assert message in str(info.value)
    assert client.state.faults.list() == []
