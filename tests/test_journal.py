"""The request journal and its verdicts (issue 6, 'Request journal with verdicts'), and strict mode."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server.config import ServerConfig
from mock_server.contract.registry import default_registry
from mock_server.journal import CONFORMING, Journal, journal_of, query
from mock_server.testing import InProcessClient
from mock_server.verify.verdicts import WARNING, recommended

SEED_004_CREATE = {"name": "My campaign", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED", "special_ad_categories": "[]"}


def make(strict: bool = False, size: int | None = None) -> InProcessClient:
    return InProcessClient(ServerConfig(seed=5, strict=strict, journal_size=size or 1000))


@pytest.fixture
def c() -> Iterator[InProcessClient]:
    client = make()
    yield client
    client.close()


def journal(client: InProcessClient) -> Journal:
    return journal_of(client.state)


def kinds(entry: Any) -> list[tuple[str, str | None]]:
    return [(v.kind, v.param) for v in entry.violations]


def test_conforming_seed_004_create_is_recorded_without_token(c: InProcessClient) -> None:
    """Seed 004's create call as the Python SDK sends it is conforming; the token never enters the journal."""
    act = c.world["ad_account_id"]
    r = c.post(f"{act}/campaigns", data=SEED_004_CREATE)
    assert r.status_code == 200, r.text
    [entry] = journal(c).entries()
    assert entry.verdict == CONFORMING
    assert (entry.seq, entry.method, entry.path, entry.status) == (1, "POST", f"/v25.0/{act}/campaigns", 200)
    assert entry.params["name"] == "My campaign" and "access_token" not in entry.params
    assert c.token not in repr(entry.to_dict())


def test_secrets_in_params_are_redacted_and_entries_keep_their_request_details(c: InProcessClient) -> None:
    """The journal never shows a secret (brief: the server never logs access tokens in full); an entry read long
    after its request still has the method, path, body kind and user agent it was sent with."""
    act = c.world["ad_account_id"]
    c.post(f"{act}/campaigns", data={**SEED_004_CREATE, "client_secret": "s3cr3t"}, headers={"User-Agent": "fbbizsdk-python-v26.0.3"})
    for _ in range(5):
        c.get(act)
    entry = journal(c).entries()[0]
    assert entry.params["client_secret"] == "<redacted>" and "s3cr3t" not in repr(entry.to_dict())
    assert (entry.method, entry.path, entry.body_kind, entry.user_agent) == (
        "POST", f"/v25.0/{act}/campaigns", "form", "fbbizsdk-python-v26.0.3")
    assert [e.seq for e in journal(c).entries()] == [1, 2, 3, 4, 5, 6]


def test_unknown_param_is_a_violation_though_graph_accepts_it(c: InProcessClient) -> None:
    r = c.post(f"{c.world['ad_account_id']}/campaigns", data={**SEED_004_CREATE, "colour": "red"})
    assert r.status_code == 200
    [entry] = journal(c).entries()
    assert kinds(entry) == [("unknown_param", "colour")]
    assert "not a parameter of POST /act_<AD_ACCOUNT_ID>/campaigns" in entry.violations[0].message


def test_node_sdk_stray_id_and_fields_are_not_unknown(c: InProcessClient) -> None:
    """sdk-wire-node.json: the Node SDK repeats the path id as `id` in the body; `fields` is universal."""
    act = c.world["ad_account_id"]
    body = {"name": "n", "objective": "OUTCOME_TRAFFIC", "special_ad_categories": [], "id": act}
    r = c.post(f"{act}/campaigns", json=body, params={"fields": "name"})
    assert r.status_code == 200, r.text
    assert journal(c).entries()[0].verdict == CONFORMING


def test_bad_enum_missing_required_and_wrong_type(c: InProcessClient) -> None:
    act = c.world["ad_account_id"]
    c.post(f"{act}/campaigns", data={**SEED_004_CREATE, "objective": "OUTCOME_NOPE"})
    c.post(f"{act}/campaigns", data={"name": "n", "special_ad_categories": "[]"})
    c.post(f"{act}/campaigns", data={**SEED_004_CREATE, "daily_budget": "lots"})
    bad_enum, missing, wrong = journal(c).entries()
    assert kinds(bad_enum) == [("bad_enum", "objective")] and bad_enum.status == 400
    assert kinds(missing) == [("missing_required", "objective")]
    assert kinds(wrong) == [("wrong_type", "daily_budget")]


def test_rule_broken_names_the_blamed_field(c: InProcessClient) -> None:
    """GRAPH-BEHAVIOUR 8: bid_strategy without a campaign budget -> 1885737, recorded as a broken rule."""
    c.post(f"{c.world['ad_account_id']}/campaigns", data={**SEED_004_CREATE, "bid_strategy": "COST_CAP"})
    [entry] = journal(c).entries()
    assert kinds(entry) == [("rule_broken", "bid_strategy")]
    assert "code 100/1885737" in entry.violations[0].message


def test_non_strict_json_needs_the_relaxed_reader(c: InProcessClient) -> None:
    c.post(f"{c.world['ad_account_id']}/campaigns", data={**SEED_004_CREATE, "special_ad_categories": "['NONE',]"})
    [entry] = journal(c).entries()
    assert entry.status == 200 and kinds(entry) == [("non_strict_json", "special_ad_categories")]


def test_deprecated_version_and_unknown_field(c: InProcessClient) -> None:
    act = c.world["ad_account_id"]
    c.get(f"/v1.0/{act}/campaigns")
    c.get(f"{act}/campaigns", params={"fields": "name,colour"})
    old, unknown = journal(c).entries()
    assert kinds(old) == [("deprecated_version", None)] and "2635" in old.violations[0].message
    assert kinds(unknown) == [("unknown_field", "fields")]
    assert unknown.violations[0].message == "'colour' is not a field of Campaign (AdCampaignGroup)"


def test_filters_and_control_query(c: InProcessClient) -> None:
    act = c.world["ad_account_id"]
    c.post(f"{act}/campaigns", data=SEED_004_CREATE)
    c.post(f"{act}/campaigns", data={**SEED_004_CREATE, "colour": "red"})
    c.get(f"{act}/campaigns")
    j = journal(c)
    assert [e.seq for e in j.entries(method="get")] == [3]
    assert [e.seq for e in j.entries(verdict="conforming")] == [1, 3]
    assert [e.seq for e in j.entries(verdict="violation")] == [2]
    assert [e.seq for e in j.entries(verdict="unknown_param", path="/campaigns")] == [2]
    assert [e.seq for e in j.entries(since=2)] == [3]
    answer = query(c.state, {"path": "campaigns", "method": "POST", "verdict": "unknown_param"})
    assert answer["last_seq"] == 3 and len(answer["data"]) == 1
    assert answer["data"][0]["verdict"][0] == {"kind": "unknown_param", "param": "colour", "severity": "warning",
                                               "message": answer["data"][0]["verdict"][0]["message"]}


def test_ring_is_bounded() -> None:
    client = make(size=3)
    for _ in range(5):
        client.get(f"{client.world['ad_account_id']}/campaigns")
    assert [e.seq for e in journal(client).entries()] == [3, 4, 5]
    assert journal(client).size == 3
    client.close()


def test_strict_header_refuses_silent_violations_before_anything_is_written(c: InProcessClient) -> None:
    act = c.world["ad_account_id"]
    r = c.post(f"{act}/campaigns", data={**SEED_004_CREATE, "colour": "red"}, headers={"X-Graphmock-Strict": "1"})
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == 100 and "strict mode" in error["message"] and "colour" in error["message"]
    assert error["error_data"] == '{"blame_field_specs":[["colour"]]}'
    assert c.get(f"{act}/campaigns").json()["data"] == []
    assert kinds(journal(c).entries()[0]) == [("unknown_param", "colour")]


def test_strict_mode_server_wide_and_header_can_turn_it_off() -> None:
    client = make(strict=True)
    act = client.world["ad_account_id"]
    assert client.post(f"{act}/campaigns", data={**SEED_004_CREATE, "colour": "red"}).status_code == 400
    assert client.post(f"{act}/campaigns", data={**SEED_004_CREATE, "colour": "red"},
                       headers={"X-Graphmock-Strict": "0"}).status_code == 200
    assert client.post(f"{act}/campaigns", data=SEED_004_CREATE).status_code == 200
    client.close()


def test_record_accepts_a_graph_error_body_directly() -> None:
    """The app.py integration passes the GraphError itself; the verdict uses its catalogue key."""
    from mock_server.wire.errors import GraphError
    from mock_server.wire.request import GraphRequest

    client = make()
    request = GraphRequest("POST", "/v25.0/act_1/campaigns", "v25.0", ["act_1000000000000001", "campaigns"],
                           {"name": "n"}, {}, "http://x")
    entry = journal(client).record(request, 400, GraphError("param_required", field="objective"))
    assert entry is not None and ("missing_required", "objective") in kinds(entry)
    client.close()


def test_recommended_limit_is_a_warning() -> None:
    """Seed 003: title 25 / body 90 characters are *recommended*: exceeding them warns, never rejects."""
    registry = default_registry()

    class Fake:
        documents = {**registry.documents, "requests/x.create": {
            "type": "object", "properties": {"title": {"type": "string", "x-graph-recommended": {"maxLength": 25}},
                                             "spec": {"type": "object", "properties": {
                                                 "body": {"type": "string", "x-graph-recommended": 90}}}}}}

    found = recommended(Fake(), "requests/x.create", {"title": "t" * 26, "spec": {"body": "b" * 90}})
    assert [(v.kind, v.param, v.severity) for v in found] == [("recommended_exceeded", "title", WARNING)]
    assert "26 characters; 25 or fewer" in found[0].message


def test_seed_003_recommended_title_and_body_warn_on_an_accepted_creative(c: InProcessClient) -> None:
    """Seed 003: title 25 / body 90 characters are recommended; the creative is created, the journal warns."""
    w = c.world
    story = '{"page_id": "%s", "link_data": {"link": "https://example.com/"}}' % w["page_id"]
    title, body = "Spring sale on every shoe", "Great deals " * 8  # 25 characters (at the limit), 96 characters
    r = c.post(f"{w['ad_account_id']}/adcreatives", data={"name": "c", "title": title + "s", "body": body,
                                                          "object_story_spec": story})
    assert r.status_code == 200, r.text
    [entry] = journal(c).entries()
    assert [(v.kind, v.param, v.severity) for v in entry.violations] == [
        ("recommended_exceeded", "title", WARNING), ("recommended_exceeded", "body", WARNING)]
    assert journal(c).violations(warnings=False) == [] and journal(c).violations() == [entry]


def _batch(c: InProcessClient, headers: dict[str, str] | None = None) -> Any:
    act = c.world["ad_account_id"]
    operations = [{"method": "POST", "relative_url": f"{act}/campaigns", "body": urlencode(SEED_004_CREATE)},
                  {"method": "POST", "relative_url": f"{act}/campaigns",
                   "body": urlencode({**SEED_004_CREATE, "name": "with colour", "colour": "red"})}]
    return c.post("", data={"batch": json.dumps(operations)}, headers=headers or {})


def test_each_batch_operation_is_journaled_and_judged_like_a_request_of_its_own(c: InProcessClient) -> None:
    """GRAPH-BEHAVIOUR 5: a batch runs each operation as its own call. A violation inside a batch (an unknown
    param Graph would ignore) shows in the journal on that operation, where the plugin's graph_contract sees it."""
    act = c.world["ad_account_id"]
    response = _batch(c)
    assert response.status_code == 200 and [op["code"] for op in response.json()] == [200, 200]
    first, second, batch = journal(c).entries()
    assert (first.method, first.path, first.status, first.verdict) == ("POST", f"/v25.0/{act}/campaigns", 200, CONFORMING)
    assert kinds(second) == [("unknown_param", "colour")] and second.params["name"] == "with colour"
    assert batch.path == "/v25.0/" and batch.verdict == CONFORMING
    assert journal(c).violations() == [second]


def test_strict_mode_refuses_the_violating_batch_operation_only(c: InProcessClient) -> None:
    """In strict mode the operation with a silent violation answers the strict error inside the batch (nothing of
    it is written); the conforming one is created, as each would be on its own."""
    act = c.world["ad_account_id"]
    answers = _batch(c, headers={"X-Graphmock-Strict": "1"}).json()
    assert answers[0]["code"] == 200 and answers[1]["code"] == 400
    error = json.loads(answers[1]["body"])["error"]
    assert error["code"] == 100 and "strict mode" in error["message"] and "colour" in error["message"]
    names = [item["name"] for item in c.get(f"{act}/campaigns", params={"fields": "name"}).json()["data"]]
    assert names == ["My campaign"]


def _weight_by_definition(value: Any, depth: int) -> tuple[int, bool]:
    """The journal's weight as documented: each string's length, 16 bytes per container item plus its key, and
    whether any key or string is longer than MAX_VALUE_CHARS (journal._weigh has a fast path for flat dicts)."""
    from mock_server.journal import MAX_VALUE_CHARS
    if isinstance(value, str):
        return len(value), len(value) > MAX_VALUE_CHARS
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, (list, tuple)):
        items = ((None, v) for v in value)
    else:
        return (0 if value is None else 16), False
    total, over = 0, depth > 32
    for key, inner in items:
        size, big = _weight_by_definition(inner, depth + 1)
        total += size + (len(key) if isinstance(key, str) else 8) + 16
        over = over or big or (isinstance(key, str) and len(key) > MAX_VALUE_CHARS)
    return total, over


_VALUES = st.recursive(st.none() | st.integers() | st.text(max_size=4200),
                       lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4200), inner, max_size=3),
                       max_leaves=6)


@given(st.dictionaries(st.text(max_size=4200), _VALUES, max_size=5))
@settings(max_examples=60)
def test_request_weight_is_the_documented_measure(params: dict[str, Any]) -> None:
    """The byte bound of the journal (issue 16) rests on this weight; the flat-dict fast path must agree with it."""
    from mock_server.journal import _weigh
    assert _weigh(params, 0) == _weight_by_definition(params, 0)


def test_an_entry_keeps_what_judging_reads_not_the_handlers_call(c: InProcessClient) -> None:
    """Issue 16's byte bound counts what an entry holds: a list page's Call (its parent records, decoded params,
    renders) must not stay pinned by an entry nobody has judged yet."""
    act = c.world["ad_account_id"]
    assert c.get(f"{act}/campaigns", params={"fields": "name", "limit": "5"}).status_code == 200
    entry = journal_of(c.state).entries()[-1]
    kept = entry._call
    held = set(vars(kept)) if hasattr(kept, "__dict__") else set(type(kept).__slots__)
    assert kept is not None and not hasattr(kept, "_parents") and held == {"node", "decoded", "decoded_schema"}
    assert entry.conforming  # and it is still judged from what was kept


def test_an_unjudged_entry_does_not_pin_the_node_it_wrote(c: InProcessClient) -> None:
    """Memory stays bounded whatever arrives: the journal's byte bound counts a request, not the object its path
    names. Renaming a campaign that holds a large list, again and again, must not keep each rename's copy of the
    campaign alive in entries nobody has judged yet (a review measured ~2.4 MB held per rename of a 190 KB one)."""
    import gc
    import tracemalloc

    act = c.world["ad_account_id"]
    configs = json.dumps([{"k": "x" * 10} for _ in range(5_000)])
    campaign = c.post(f"{act}/campaigns", data={"name": "big", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED",
                                                "special_ad_categories": "[]",
                                                "iterative_split_test_configs": configs}).json()["id"]
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(20):
            assert c.post(campaign, data={"name": f"big {i}"}).status_code == 200
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held < 4_000_000, held
    entry = journal_of(c.state).entries()[-1]
    assert not hasattr(entry._call.node, "record") and entry.conforming
