"""Fault injection and rate limits over the control API (issue: faults listed, counted and cleared)."""

from __future__ import annotations

from helpers_envelope import assert_graph_error


def test_fault_fires_for_the_next_n_matching_requests_then_stops(client, act):
    fault = client.post("/__graphmock/faults", json={
        "method": "GET", "path": f"/v25.0/{act}/campaigns", "times": 2,
        "error": {"code": 2, "message": "Service temporarily unavailable", "is_transient": True, "http_status": 503}}).json()
    assert fault["remaining"] == 2 and fault["matched"] == 0
    for _ in range(2):
        error = assert_graph_error(client.get(f"{act}/campaigns"), 2, status=503)
        assert error["is_transient"] is True and error["message"] == "Service temporarily unavailable"
    assert client.get(act).status_code == 200  # other paths never matched
    assert client.get(f"{act}/campaigns").status_code == 200
    listed = client.get("/__graphmock/faults").json()["data"]
    assert listed[0]["matched"] == 2 and listed[0]["remaining"] == 0


def test_faults_are_cleared_one_or_all_and_bad_specs_are_refused(client, act):
    first = client.post("/__graphmock/faults", json={"path": "/v25.0/*", "times": 5, "status": 502}).json()
    client.post("/__graphmock/faults", json={"path": "/v25.0/*", "times": 5, "status": 500})
    assert client.delete(f"/__graphmock/faults/{first['id']}").json() == {"success": True, "cleared": 1}
    assert client.delete("/__graphmock/faults/fault_999").status_code == 404
    assert client.delete("/__graphmock/faults").json() == {"success": True, "cleared": 1}
    assert client.get(act).status_code == 200
    refused = client.post("/__graphmock/faults", json={"path": "/x", "colour": "red"})
    assert refused.status_code == 400 and refused.json()["error"]["type"] == "GraphMockControlError"


def test_rate_limits_switch_on_for_an_account_over_http(client, act):
    settings = {"enabled": True, "max_score": 6, "decay_seconds": 300, "block_seconds": 60}
    assert client.post("/__graphmock/rate_limits", json={"settings": settings, "ad_account_id": act}).status_code == 200
    client.state.clock.freeze(1_767_225_600)
    statuses = [client.get(f"{act}/campaigns").status_code for _ in range(8)]
    assert 400 in statuses
    error = assert_graph_error(client.get(f"{act}/campaigns"), 80004, 2446079)
    assert error["is_transient"] is True
    assert client.get("/__graphmock/rate_limits").json()["accounts"]


def test_openapi_is_served_under_the_control_prefix(client):
    document = client.get("/__graphmock/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert any(path.endswith("/campaigns") for path in document["paths"])
