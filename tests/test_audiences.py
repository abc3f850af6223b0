"""Custom audiences, /users, lookalikes and saved audiences (ACCOUNT-SURFACE 5.1-5.3)."""

from __future__ import annotations

import hashlib
import json

from helpers_envelope import assert_graph_error

MARY = "f1904cf1a9d73a55fa5de0ac823c4403ded71afd4c3248d00bdcd0866552bb79"  # ACCOUNT-SURFACE 5.2 test vector
PHONE = "1ef970831d7963307784fa8688e8fce101a15685d62aa765fed23f3a2c576a4e"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def make_audience(client, act, **extra) -> str:
    data = {"name": "Customers", "subtype": "CUSTOM", "customer_file_source": "USER_PROVIDED_ONLY", **extra}
    response = client.post(f"{act}/customaudiences", data=data)
    assert response.status_code == 200, response.text
    return response.json()["id"]


def test_hashing_test_vectors_are_the_documented_ones():
    """ACCOUNT-SURFACE 5.2: sha256("mary@example.com") and sha256("15559876543")."""
    assert sha("mary@example.com") == MARY and sha("15559876543") == PHONE


def test_create_read_update_delete(client, act):
    """ACCOUNT-SURFACE 5.1: create => {"id"}; update => success; delete => success and the audience leaves the list."""
    audience = make_audience(client, act, description="from the CRM")
    body = client.get(audience, params={"fields": "name,description,subtype,customer_file_source,account_id,time_created"}).json()
    assert body["name"] == "Customers" and body["subtype"] == "CUSTOM"
    assert body["customer_file_source"] == "USER_PROVIDED_ONLY" and body["account_id"] == act.removeprefix("act_")
    assert isinstance(body["time_created"], int)
    assert client.post(audience, data={"name": "Renamed"}).json() == {"success": True}
    assert client.get(audience, params={"fields": "name"}).json()["name"] == "Renamed"
    listed = client.get(f"{act}/customaudiences", params={"fields": "name"}).json()["data"]
    assert {"name": "Renamed", "id": audience} in listed
    assert client.delete(audience).json() == {"success": True}
    assert audience not in [row["id"] for row in client.get(f"{act}/customaudiences").json()["data"]]


def test_users_add_counts_and_invalid_samples(client, act):
    """ACCOUNT-SURFACE 5.2: response {audience_id, session_id, num_received, num_invalid_entries,
    invalid_entry_samples}; rows that are not lowercase SHA-256 hex are invalid."""
    audience = make_audience(client, act)
    payload = {"schema": "EMAIL_SHA256", "data": [MARY, "mary@example.com", sha("john@example.com")]}
    body = client.post(f"{audience}/users", data={"payload": json.dumps(payload)}).json()
    assert set(body) == {"audience_id", "session_id", "num_received", "num_invalid_entries", "invalid_entry_samples"}
    assert (body["audience_id"], body["num_received"], body["num_invalid_entries"]) == (audience, 3, 1)
    assert list(body["invalid_entry_samples"]) == ["1"]
    read = client.get(audience, params={"fields": "approximate_count_lower_bound,approximate_count_upper_bound,operation_status"}).json()
    assert read["approximate_count_lower_bound"] <= 2 <= read["approximate_count_upper_bound"]
    assert read["operation_status"]["code"] == 200


def test_multi_key_schema_rows_and_session_totals(client, act):
    """ACCOUNT-SURFACE 5.2: list schema with equal-length rows, "" for unknown keys; num_received is the session
    total so far."""
    audience = make_audience(client, act)
    session = {"session_id": 9876, "batch_seq": 1, "last_batch_flag": False}
    payload = {"schema": ["EMAIL", "PHONE", "FN"], "data": [[MARY, PHONE, ""], ["", "", sha("mary")]]}
    first = client.post(f"{audience}/users", data={"payload": json.dumps(payload), "session": json.dumps(session)}).json()
    assert (first["session_id"], first["num_received"], first["num_invalid_entries"]) == ("9876", 2, 0)
    session.update(batch_seq=2, last_batch_flag=True)
    second = client.post(f"{audience}/users", data={"payload": json.dumps(payload), "session": json.dumps(session)}).json()
    assert second["num_received"] == 4
    sessions = client.get(f"{audience}/sessions").json()["data"]
    assert sessions[0]["session_id"] == "9876" and sessions[0]["num_received"] == "4"


def test_row_length_mismatch_and_too_many_records_are_refused(client, act):
    """ACCOUNT-SURFACE 5.2: rows of equal length; at most 10,000 records per request."""
    audience = make_audience(client, act)
    bad = {"schema": ["EMAIL", "PHONE"], "data": [[MARY]]}
    assert_graph_error(client.post(f"{audience}/users", data={"payload": json.dumps(bad)}), 100)
    many = {"schema": "EMAIL_SHA256", "data": [MARY] * 10001}
    assert_graph_error(client.post(f"{audience}/users", json={"payload": many}), 100, message_has="10000")


def test_delete_users_removes_members(client, act):
    audience = make_audience(client, act)
    payload = json.dumps({"schema": "EMAIL_SHA256", "data": [MARY, sha("a@b.c")]})
    client.post(f"{audience}/users", data={"payload": payload})
    removed = client.delete(f"{audience}/users", params={"payload": json.dumps({"schema": "EMAIL_SHA256", "data": [MARY]})})
    assert removed.status_code == 200 and removed.json()["num_received"] == 1
    read = client.get(audience, params={"fields": "approximate_count_upper_bound"}).json()
    assert read["approximate_count_upper_bound"] <= 2


def test_lookalike_reads_minus_one_until_populated_then_blocks_deleting_its_source(client, act):
    """ACCOUNT-SURFACE 5.1: lookalike counts are -1 while inactive; populating takes hours (virtual clock);
    deleting a source with lookalikes is 2656."""
    client.post("/__graphmock/clock", json={"freeze": True})
    origin = make_audience(client, act)
    response = client.post(f"{act}/customaudiences", data={
        "name": "LAL 1% US", "subtype": "LOOKALIKE", "origin_audience_id": origin,
        "lookalike_spec": json.dumps({"ratio": 0.01, "country": "US"})})
    assert response.status_code == 200, response.text
    lal = response.json()["id"]
    fields = {"fields": "approximate_count_lower_bound,operation_status,lookalike_spec,subtype"}
    early = client.get(lal, params=fields).json()
    assert early["approximate_count_lower_bound"] == -1 and early["operation_status"]["code"] == 441
    assert early["lookalike_spec"]["ratio"] == 0.01 and early["lookalike_spec"]["country"] == "US"
    client.post("/__graphmock/clock", json={"advance": 7200})
    later = client.get(lal, params=fields).json()
    assert later["approximate_count_lower_bound"] > 0 and later["operation_status"]["code"] == 200
    assert client.get(origin, params={"fields": "lookalike_audience_ids"}).json()["lookalike_audience_ids"] == [lal]
    assert_graph_error(client.delete(origin), 2656)
    assert client.delete(lal).status_code == 200 and client.delete(origin).status_code == 200


def test_lookalike_spec_bounds(client, act):
    """ACCOUNT-SURFACE 5.1: ratio 0.01-0.20; country or location_spec; a source in the same account."""
    origin = make_audience(client, act)
    for spec in ({"ratio": 0.5, "country": "US"}, {"ratio": 0.01}, "not json"):
        response = client.post(f"{act}/customaudiences", data={
            "name": "x", "subtype": "LOOKALIKE", "origin_audience_id": origin,
            "lookalike_spec": spec if isinstance(spec, str) else json.dumps(spec)})
        assert_graph_error(response, 100)
    missing = client.post(f"{act}/customaudiences", data={"name": "x", "subtype": "LOOKALIKE", "origin_audience_id": "123",
                                                          "lookalike_spec": json.dumps({"ratio": 0.01, "country": "US"})})
    assert_graph_error(missing, 100, blame="origin_audience_id")


def test_invalid_rule_json_is_1713098(client, act):
    """ACCOUNT-SURFACE 5.1: 100/1713098 'Invalid rule JSON format'."""
    response = client.post(f"{act}/customaudiences", data={"name": "site", "subtype": "WEBSITE", "rule": "{not json"})
    assert_graph_error(response, 100, 1713098)


def test_enable_fetch_or_create_returns_the_identical_audience(client, act):
    """ACCOUNT-SURFACE 5.1: enable_fetch_or_create returns the existing CA when an identical one exists."""
    first = make_audience(client, act, enable_fetch_or_create="true")
    again = make_audience(client, act, enable_fetch_or_create="true")
    assert again == first


def test_users_on_a_lookalike_is_refused(client, act):
    origin = make_audience(client, act)
    lal = client.post(f"{act}/customaudiences", data={"name": "l", "subtype": "LOOKALIKE", "origin_audience_id": origin,
                                                      "lookalike_spec": json.dumps({"type": "similarity", "country": "US"})}).json()["id"]
    payload = json.dumps({"schema": "EMAIL_SHA256", "data": [MARY]})
    assert_graph_error(client.post(f"{lal}/users", data={"payload": payload}), 100)


def test_customer_file_audience_needs_the_terms(client, act):
    """ACCOUNT-SURFACE 5.1: customer-file CAs need tos_accepted.custom_audience_tos == 1 (200/1870090)."""
    from helpers_creatives import with_world

    def decline(document):
        document["ad_accounts"][0]["tos_accepted"] = {"custom_audience_tos": 0}
    with_world(client, decline)
    assert_graph_error(client.post(f"{act}/customaudiences", data={"name": "c", "subtype": "CUSTOM"}), 200, 1870090,
                       status=403)


def test_saved_audiences_are_read_only_fixtures(client, act):
    """ACCOUNT-SURFACE 5.3: only GET /act_<id>/saved_audiences and GET /<id> exist."""
    body = client.get(f"{act}/saved_audiences", params={"fields": "name,targeting,account,time_created"}).json()
    [row] = body["data"]
    assert row["targeting"]["geo_locations"] == {"countries": ["US"]}
    assert row["account"]["id"] == act and row["time_created"].endswith("-0800")  # the account's zone in November
    assert client.get(row["id"], params={"fields": "name"}).json()["name"] == row["name"]
    assert_graph_error(client.post(row["id"], data={"name": "x"}), 100, 33)


def test_strict_mode_knows_every_documented_param_of_the_new_operations():
    """Issue 14 point 7: every new param has its schema, so strict mode refuses an unknown one and accepts the
    documented ones (graph-surface-fields POST /act_<ID>/customaudiences, /<AUDIENCE_ID>/users)."""
    from mock_server.config import ServerConfig
    from mock_server.testing import InProcessClient
    client = InProcessClient(ServerConfig(seed=5, strict=True))
    act = client.world["ad_account_id"]
    documented = {"name": "c", "subtype": "CUSTOM", "customer_file_source": "USER_PROVIDED_ONLY", "description": "d",
                  "retention_days": "30", "is_value_based": "false"}
    created = client.post(f"{act}/customaudiences", data=documented)
    assert created.status_code == 200, created.text
    assert client.post(f"{act}/customaudiences", data={**documented, "colour": "red"}).status_code == 400
    users = {"payload": json.dumps({"schema": "EMAIL_SHA256", "data": [MARY]}), "session": json.dumps({"session_id": 1})}
    assert client.post(f"{created.json()['id']}/users", data=users).status_code == 200
    assert client.post(f"{act}/adlabels", data={"name": "x", "colour": "red"}).status_code == 400
    client.close()
