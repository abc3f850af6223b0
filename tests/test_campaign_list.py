"""GET /act_<id>/campaigns: paging, summary, filters, default visibility, bulk delete (seed 004)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from hypothesis import given, settings
from hypothesis import strategies as st

from helpers_envelope import assert_graph_error, validate
from mock_server.config import ServerConfig
from mock_server.testing import InProcessClient

BASE = {"objective": "OUTCOME_TRAFFIC", "status": "PAUSED", "special_ad_categories": "[]"}


def make(client, act, name="c", **extra):
    response = client.post(f"{act}/campaigns", data={**BASE, "name": name, **extra})
    assert response.status_code == 200, response.text
    return response.json()["id"]


def follow(client, url):
    """Request an absolute `paging.next` URL exactly as the Node SDK does (no token added)."""
    parsed = urlparse(url)
    return client.get(parsed.path, params={k: v[0] for k, v in parse_qs(parsed.query).items()}, token=None)


def test_default_page_size_is_25_and_next_is_an_absolute_url_with_the_token(client, act):
    """GRAPH-BEHAVIOUR 3.1: default limit 25; `next` carries the query incl. access_token, not appsecret_proof."""
    ids = [make(client, act, f"c{i}") for i in range(30)]
    page = client.get(f"{act}/campaigns", params={"fields": "name", "appsecret_proof": "x" * 64}).json()
    validate("envelopes/list", page)
    assert len(page["data"]) == 25
    assert [d["id"] for d in page["data"]] == ids[::-1][:25]  # newest first
    assert "previous" not in page["paging"]
    nxt = urlparse(page["paging"]["next"])
    assert nxt.scheme == "http" and nxt.netloc == "graphmock.test" and nxt.path == f"/v25.0/{act}/campaigns"
    query = parse_qs(nxt.query)
    assert query["access_token"] == [client.token] and query["fields"] == ["name"] and "appsecret_proof" not in query
    second = follow(client, page["paging"]["next"]).json()
    assert [d["id"] for d in second["data"]] == ids[::-1][25:]
    assert "next" not in second["paging"] and "previous" in second["paging"]
    back = follow(client, second["paging"]["previous"]).json()
    assert [d["id"] for d in back["data"]] == ids[::-1][:25]


def test_summary_total_count(client, act):
    """Seed 004: summary=true -> "summary": {"total_count": N} (the Python SDK always sends it)."""
    for i in range(3):
        make(client, act, f"c{i}")
    body = client.get(f"{act}/campaigns", params={"summary": "true", "limit": "1"}).json()
    assert body["summary"] == {"total_count": 3} and len(body["data"]) == 1


def test_limit_and_cursor_errors(client, act):
    assert_graph_error(client.get(f"{act}/campaigns", params={"limit": "-1"}), 100, blame="limit")
    assert_graph_error(client.get(f"{act}/campaigns", params={"limit": "999999"}), 100, blame="limit",
                       message_has="should not exceed")
    assert_graph_error(client.get(f"{act}/campaigns", params={"after": "not a cursor!"}), 100, blame="after")


@settings(max_examples=25)
@given(st.integers(1, 40), st.integers(1, 9), st.lists(st.integers(0, 3), min_size=1, max_size=12))
def test_walking_pages_sees_every_existing_object_exactly_once_while_objects_are_created(count, limit, inserts):
    """Keyset cursors: every campaign that existed when the walk began appears exactly once, nothing appears
    twice, even though new campaigns are created between page requests."""
    client = InProcessClient(ServerConfig(seed=1))
    act = client.world["ad_account_id"]
    existing = {make(client, act, f"c{i}") for i in range(count)}
    seen: list[str] = []
    params = {"limit": str(limit)}
    step = 0
    while True:
        page = client.get(f"{act}/campaigns", params=params).json()
        seen.extend(d["id"] for d in page["data"])
        for _ in range(inserts[step % len(inserts)]):
            make(client, act, "new")
        step += 1
        if "next" not in page["paging"]:
            break
        params = {"limit": str(limit), "after": page["paging"]["cursors"]["after"]}
    client.close()
    assert len(seen) == len(set(seen))
    assert existing <= set(seen)


def test_archived_and_deleted_hidden_without_filter(client, act):
    """Seed 004: 'A request with no filters returns only campaigns that were not archived or deleted.'"""
    live, archived, deleted = make(client, act, "live"), make(client, act, "arch"), make(client, act, "del")
    client.post(archived, data={"status": "ARCHIVED"})
    client.delete(deleted)
    assert [d["id"] for d in client.get(f"{act}/campaigns").json()["data"]] == [live]
    only_archived = client.get(f"{act}/campaigns", params={"effective_status": '["ARCHIVED"]'}).json()
    assert [d["id"] for d in only_archived["data"]] == [archived]


def test_effective_status_filter(client, act):
    active = make(client, act, "a", status="ACTIVE")
    paused = make(client, act, "p")
    body = client.get(f"{act}/campaigns", params={"effective_status": '["ACTIVE"]'}).json()
    assert [d["id"] for d in body["data"]] == [active]
    body = client.get(f"{act}/campaigns", params={"effective_status": '["ACTIVE","PAUSED"]'}).json()
    assert {d["id"] for d in body["data"]} == {active, paused}


def test_effective_status_filter_errors(client, act):
    """Invalid run status -> 100/1487561 (GRAPH-BEHAVIOUR 1.3); DELETED in an edge filter is refused (6.3)."""
    assert_graph_error(client.get(f"{act}/campaigns", params={"effective_status": '["NOPE"]'}), 100, 1487561,
                       blame="effective_status")
    assert_graph_error(client.get(f"{act}/campaigns", params={"effective_status": '["DELETED"]'}), 100,
                       blame="effective_status")


def test_filtering_operators(client, act):
    """GRAPH-BEHAVIOUR 3.3: filtering=[{field, operator, value}] with the documented operators."""
    a = make(client, act, "Summer sale", daily_budget="5000")
    b = make(client, act, "Winter sale", daily_budget="9000")
    c = make(client, act, "Brand")

    def ids(filters):
        import json
        response = client.get(f"{act}/campaigns", params={"filtering": json.dumps(filters)})
        assert response.status_code == 200, response.text
        return {d["id"] for d in response.json()["data"]}

    assert ids([{"field": "name", "operator": "CONTAIN", "value": "sale"}]) == {a, b}
    assert ids([{"field": "campaign.name", "operator": "NOT_CONTAIN", "value": "sale"}]) == {c}
    assert ids([{"field": "daily_budget", "operator": "GREATER_THAN", "value": 6000}]) == {b}
    assert ids([{"field": "daily_budget", "operator": "IN_RANGE", "value": [4000, 9000]}]) == {a, b}
    assert ids([{"field": "id", "operator": "IN", "value": [a, c]}]) == {a, c}
    assert ids([{"field": "id", "operator": "NOT_IN", "value": [a]}]) == {b, c}
    assert ids([{"field": "name", "operator": "EQUAL", "value": "Brand"}]) == {c}
    assert ids([{"field": "objective", "operator": "EQUAL", "value": "OUTCOME_TRAFFIC"},
                {"field": "name", "operator": "NOT_EQUAL", "value": "Brand"}]) == {a, b}


def test_filtering_relaxed_json_and_unsupported_field(client, act):
    """M-ASYNC shows relaxed JSON (unquoted keys, single quotes); an unknown field is refused by name."""
    a = make(client, act, "x")
    body = client.get(f"{act}/campaigns", params={"filtering": "[{field:'id',operator:'IN',value:['%s']}]" % a}).json()
    assert [d["id"] for d in body["data"]] == [a]
    error = assert_graph_error(client.get(f"{act}/campaigns", params={
        "filtering": '[{"field":"ad_active_time","operator":"EQUAL","value":1}]'}), 100)
    assert error["message"] == "(#100) Filtering field 'ad_active_time' is not supported"


def test_is_completed_and_time_params(client, act):
    """Seed 004 params: is_completed filters on stop_time; date_preset/time_range are accepted; a since older
    than 37 months -> 3018."""
    done = make(client, act, "done", start_time="2020-01-01T00:00:00+0000", stop_time="2020-02-01T00:00:00+0000")
    running = make(client, act, "running")
    completed = client.get(f"{act}/campaigns", params={"is_completed": "true"}).json()
    assert [d["id"] for d in completed["data"]] == [done]
    not_completed = client.get(f"{act}/campaigns", params={"is_completed": "false"}).json()
    assert [d["id"] for d in not_completed["data"]] == [running]
    assert client.get(f"{act}/campaigns", params={"date_preset": "last_7d"}).status_code == 200
    assert_graph_error(client.get(f"{act}/campaigns", params={"date_preset": "last_8d"}), 100, blame="date_preset")
    assert_graph_error(client.get(f"{act}/campaigns", params={"time_range": '{"since":"2019-01-01","until":"2019-02-01"}'}),
                       3018)


def test_bulk_delete_strategies(client, act):
    """Seed 004 DELETE /act_<id>/campaigns: delete_strategy, object_count, before_date ->
    {objects_left_to_delete_count, deleted_object_ids}."""
    ids = [make(client, act, f"c{i}") for i in range(5)]
    body = client.delete(f"{act}/campaigns", params={"delete_strategy": "DELETE_OLDEST", "object_count": "2"}).json()
    validate("envelopes/bulk_delete", body)
    assert body == {"objects_left_to_delete_count": 3, "deleted_object_ids": ids[:2]}
    client.post(ids[2], data={"status": "ARCHIVED"})
    body = client.delete(f"{act}/campaigns", params={"delete_strategy": "DELETE_ARCHIVED_BEFORE",
                                                      "before_date": "2100-01-01T00:00:00+0000"}).json()
    assert body == {"objects_left_to_delete_count": 0, "deleted_object_ids": [ids[2]]}
    assert_graph_error(client.delete(f"{act}/campaigns", params={"delete_strategy": "DELETE_ARCHIVED_BEFORE"}), 100,
                       blame="before_date")
    assert_graph_error(client.delete(f"{act}/campaigns"), 100, blame="delete_strategy")
    body = client.delete(f"{act}/campaigns", params={"delete_strategy": "DELETE_ANY"}).json()
    assert set(body["deleted_object_ids"]) == set(ids[3:]) and body["objects_left_to_delete_count"] == 0
    assert client.get(ids[3], params={"fields": "status"}).json()["status"] == "DELETED"


def test_unknown_field_is_refused_even_on_an_empty_page(client, act):
    """GRAPH-BEHAVIOUR 4: '(#100) Tried accessing nonexisting field (bogus) on node type (AdCampaignGroup)'."""
    error = assert_graph_error(client.get(f"{act}/campaigns", params={"fields": "name,bogus"}), 100)
    assert error["message"] == "(#100) Tried accessing nonexisting field (bogus) on node type (AdCampaignGroup)"
