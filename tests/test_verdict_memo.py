"""Judging made cheap must judge the same (issue 18 point 1): the compiled `x-graph-recommended` plan, the
operation table, the handler's decoded params and the remembered verdicts give exactly the verdict a fresh,
uncached judgement gives."""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server.config import ServerConfig
from mock_server.contract.registry import default_registry
from mock_server.contract.violations import field_path
from mock_server.journal import journal_of
from mock_server.testing import InProcessClient
from mock_server.verify import memo
from mock_server.verify.operations import ANY_NODE, find, index
from mock_server.verify.refs import resolve
from mock_server.verify.verdicts import from_request, recommended
from mock_server.wire.request import GraphRequest


@pytest.fixture(scope="module")
def shared() -> Iterator[InProcessClient]:
    client = InProcessClient(ServerConfig(seed=5))
    yield client
    client.close()


def forget(state: Any) -> None:
    held = memo.of(state)
    held.requests.clear()
    held.fields.clear()
    held.parses.clear()


# -- x-graph-recommended: the compiled plan walks as the schema walk did -------------------------------------------
def walked(registry: Any, schema_name: str, values: Any) -> list[tuple[str, str]]:
    """The schema walk judging did on every request before the plan (the oracle)."""
    out: list[tuple[str, str]] = []

    def walk(schema: dict[str, Any], base: str, value: Any, path: list[Any]) -> None:
        schema, base = resolve(registry, schema, base)
        limit = schema.get("x-graph-recommended")
        if isinstance(limit, int):
            limit = {"maxLength": limit}
        if isinstance(limit, dict) and isinstance(value, str) and len(value) > limit.get("maxLength", len(value)):
            out.append((field_path(path), f"{len(value)} characters; {limit['maxLength']} or fewer are recommended"))
        if isinstance(value, dict):
            for key, inner in value.items():
                if key in schema.get("properties", {}):
                    walk(schema["properties"][key], base, inner, path + [key])
        elif isinstance(value, list) and isinstance(schema.get("items"), dict):
            for i, inner in enumerate(value):
                walk(schema["items"], base, inner, path + [i])

    walk(registry.documents[schema_name], schema_name, values, [])
    return out


class Recursive:
    """A schema whose limits sit inside a recursive `$ref` and an array, beside branches without any."""

    documents = {**default_registry().documents, "requests/x.tree": {
        "type": "object", "$defs": {"node": {"type": "object", "properties": {
            "label": {"type": "string", "x-graph-recommended": 5},
            "plain": {"type": "string"},
            "kids": {"type": "array", "items": {"$ref": "#/$defs/node"}},
            "other": {"type": "object", "properties": {"deep": {"type": "string"}}}}}},
        "properties": {"root": {"$ref": "#/$defs/node"}, "title": {"type": "string", "x-graph-recommended": {"maxLength": 3}},
                       "bounded": {"type": "string", "x-graph-recommended": {"minLength": 2}},
                       "spec": {"$ref": "../object_story_spec.json#/$defs/asset_feed_spec"}}}}


def lengths(low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(lambda n: "a" * n)


TEXT = lengths(0, 8) | lengths(20, 30) | lengths(85, 95)
LEAF = TEXT | st.integers() | st.none()
LEAF_NODE = st.fixed_dictionaries({"label": TEXT}, optional={"plain": TEXT, "other": st.dictionaries(
    st.sampled_from(["deep", "label"]), LEAF, max_size=2)})
TREE = st.fixed_dictionaries({"kids": st.lists(st.fixed_dictionaries({"label": TEXT}, optional={
    "kids": st.lists(LEAF_NODE, max_size=2) | LEAF}), max_size=3) | LEAF}, optional={"label": TEXT})
VALUES = st.fixed_dictionaries({}, optional={
    "title": TEXT | st.lists(TEXT, max_size=2), "body": TEXT, "name": TEXT, "root": TREE | LEAF, "bounded": TEXT,
    "spec": st.dictionaries(st.sampled_from(["bodies", "titles", "text"]), st.lists(
        st.fixed_dictionaries({}, optional={"text": TEXT}), max_size=2), max_size=2),
    "object_story_spec": st.fixed_dictionaries({}, optional={"link_data": st.fixed_dictionaries(
        {}, optional={"message": TEXT, "name": TEXT})}), "unknown": TREE})


@settings(max_examples=80)
@given(values=VALUES, tree=TREE)
def test_compiled_recommended_limits_equal_the_schema_walk(values: dict[str, Any], tree: dict[str, Any]) -> None:
    """Seed 003 (title 25 / body 90 recommended): the same warnings, paths and order as walking the schema."""
    for registry, name, given_values in ((default_registry(), "requests/adcreative.create", values),
                                         (Recursive(), "requests/x.tree", {**values, "root": tree}),
                                         (default_registry(), "requests/campaign.create", values)):
        found = [(v.param or "", v.message) for v in recommended(registry, name, given_values)]
        assert found == walked(registry, name, given_values)


def test_a_schema_without_recommended_limits_compiles_to_nothing() -> None:
    from mock_server.verify.recommended import plan
    registry = default_registry()
    assert plan(registry, "requests/adset.create") is None and plan(registry, "requests/campaign.create") is None
    assert plan(registry, "requests/adcreative.create") is not None


# -- the operation table: one lookup gives what the scan gave ---------------------------------------------------
def scanned(method: str, node: str, edge: str | None) -> Any:
    candidates = [op for op in index(default_registry()) if op.method == method and op.edge == edge]
    return next((op for op in candidates if op.node == node), next((op for op in candidates if op.node == ANY_NODE), None))


def test_the_operation_table_finds_what_scanning_the_index_found() -> None:
    ops = index(default_registry())
    nodes = {op.node for op in ops} | {"Campaign", "Page", "User", "Nothing"}
    edges = {op.edge for op in ops} | {"nonexistent"}
    for method in ("GET", "POST", "DELETE"):
        for node in nodes:
            for edge in edges:
                assert find(default_registry(), method, node, edge) == scanned(method, node, edge), (method, node, edge)


# -- remembered verdicts equal fresh ones -----------------------------------------------------------------------
PARAM_NAMES = ["name", "objective", "status", "fields", "special_ad_categories", "daily_budget", "bogus", "id", "limit",
               "start_time", "title", "effective_status", "date_preset"]
PARAM_VALUES = st.sampled_from(['"x"', "x", "1", "true", "[]", "[1,", "{'a': 1}", "OUTCOME_TRAFFIC", "name,bogus_field",
                                "2026-01-01T00:00:00", "t" * 30, "name,status", "{name}", "PAUSED", "['ACTIVE']", ""])
NOT_STRINGS = st.integers(0, 2) | st.just(["ACTIVE"])  # a JSON body's values: never remembered
PARAMS = st.dictionaries(st.sampled_from(PARAM_NAMES), st.integers(0, 9).flatmap(
    lambda i: NOT_STRINGS if i == 0 else PARAM_VALUES), max_size=5)


def heads(client: InProcessClient) -> list[str]:
    w = client.world
    if not hasattr(client, "_campaign"):
        r = client.post(f"{w['ad_account_id']}/campaigns", data={"name": "c", "objective": "OUTCOME_TRAFFIC",
                                                                "status": "PAUSED", "special_ad_categories": "[]"})
        client._campaign = r.json()["id"]  # type: ignore[attr-defined]
    return [w["ad_account_id"], client._campaign, w["page_id"], "me", "123456789012", "generatepreviews"]  # type: ignore[attr-defined]


SERVED = st.sampled_from([("GET", 0, None), ("GET", 0, "campaigns"), ("POST", 0, "campaigns"), ("POST", 0, "adsets"),
                          ("GET", 1, None), ("POST", 1, None), ("DELETE", 1, None), ("GET", 1, "adsets"), ("GET", 2, None),
                          ("GET", 3, None), ("GET", 5, None)])
ANY = st.tuples(st.sampled_from(["GET", "POST", "DELETE"]), st.integers(0, 5),
                st.sampled_from([None, "campaigns", "adsets", "insights", "ads"]))
REQUESTS = st.tuples(SERVED | ANY, PARAMS).map(lambda pair: (*pair[0], pair[1]))


def build(client: InProcessClient, spec: tuple[str, int, str | None, dict[str, Any]]) -> GraphRequest:
    method, head, edge, params = spec
    segments = [heads(client)[head]] + ([edge] if edge else [])
    return GraphRequest(method, "/v25.0/" + "/".join(segments), "v25.0", segments, params, {}, "http://x")


@settings(max_examples=60)
@given(first=REQUESTS, data=st.data())
def test_a_remembered_verdict_is_the_one_judged_afresh(shared: InProcessClient, first: Any, data: Any) -> None:
    """A verdict remembered for a request (or for another request judged before it) is exactly the verdict the same
    request gets with nothing remembered."""
    if data.draw(st.booleans()):  # the same operation and param names, other values: what a memo could confuse
        values = data.draw(st.lists(PARAM_VALUES, min_size=len(first[3]), max_size=len(first[3])))
        second = (*first[:3], dict(zip(first[3], values)))
    else:
        second = data.draw(REQUESTS)
    state = shared.state
    one, two = build(shared, first), build(shared, second)
    forget(state)
    from_request(state, one)
    remembered = from_request(state, two)
    again = from_request(state, two)
    forget(state)
    assert remembered == again == from_request(state, two)


@settings(max_examples=60)
@given(spec=REQUESTS, other=REQUESTS)
def test_a_copy_of_a_judged_parse_gets_the_verdict_an_equal_fresh_parse_gets(shared: InProcessClient, spec: Any,
                                                                             other: Any) -> None:
    """A repeated bodiless GET is a copy of one kept parse (its params and segments shared): the verdict kept for that
    parse (memo.same_parse) is the verdict an equal request parsed afresh gets, and another parse, another node or
    another world is judged afresh."""
    state = shared.state
    kept, fresh, unrelated = build(shared, spec), build(shared, spec), build(shared, other)
    forget(state)
    first = from_request(state, kept)
    unrelated_verdict = from_request(state, unrelated)
    assert from_request(state, kept.copy()) == first == from_request(state, fresh)
    assert from_request(state, unrelated.copy()) == unrelated_verdict
    forget(state)
    assert from_request(state, fresh) == first


def test_a_kept_parse_judged_for_another_node_or_world_is_judged_again(shared: InProcessClient) -> None:
    """The identity check covers what a verdict depends on beyond the parse: the node type the path names and the
    world (a reset with other fixtures)."""
    state = shared.state
    request = build(shared, ("GET", 1, None, {"fields": "name,bogus_field"}))
    forget(state)
    as_campaign = from_request(state, request, SimpleNamespace(node=SimpleNamespace(id="1", type="Campaign")))
    as_ad = from_request(state, request.copy(), SimpleNamespace(node=SimpleNamespace(id="1", type="Ad")))
    assert [v.kind for v in as_campaign] == [v.kind for v in as_ad] == ["unknown_field"]
    assert "a field of Campaign (" in as_campaign[0].message and "a field of Ad (" in as_ad[0].message
    world, state.world = state.world, SimpleNamespace(ad_accounts={})
    try:
        held = memo.same_parse(memo.of(state), request, "Campaign", state.world)
        assert held is None  # kept under the old world
    finally:
        state.world = world


def test_the_memos_are_bounded(shared: InProcessClient) -> None:
    """Memory stays bounded whatever clients send (brief: memory bounded)."""
    state = shared.state
    act = shared.world["ad_account_id"]
    forget(state)
    for i in range(memo.MAX_ENTRIES + 10):
        request = GraphRequest("GET", f"/v25.0/{act}", "v25.0", [act], {"fields": f"name,f{i}"}, {}, "http://x")
        from_request(state, request)
    held = memo.of(state)
    assert 0 < len(held.requests) <= memo.MAX_ENTRIES and 0 < len(held.fields) <= memo.MAX_ENTRIES
    assert 0 < len(held.parses) <= memo.MAX_ENTRIES
    huge = GraphRequest("GET", f"/v25.0/{act}", "v25.0", [act], {"fields": "name," + "x" * 5000}, {}, "http://x")
    before, parses = len(held.requests), len(held.parses)
    assert [v.kind for v in from_request(state, huge)] == ["unknown_field"]
    assert (len(held.requests), len(held.parses)) == (before, parses)  # too long to remember


# -- the handler's decoded params give the verdict a fresh decode gives ---------------------------------------------
def test_judging_from_the_handlers_decoded_params_equals_decoding_again(client: InProcessClient) -> None:
    """Dispatch hands the journal the handler's Call: its decoded params are reused only when they were decoded
    against the schema the operation index names, and the verdict is the one decoding afresh gives."""
    w = client.world
    act = w["ad_account_id"]
    campaign = {"name": "c", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED", "special_ad_categories": "[]"}
    cid = client.post(f"{act}/campaigns", data={**campaign, "bogus": "1", "special_ad_categories": "['NONE']"}).json()["id"]
    client.post(f"{act}/campaigns", data={**campaign, "objective": "NOPE"})  # 400: decoding raised
    client.post(f"{act}/adsets", data={"name": "s", "campaign_id": cid, "billing_event": "IMPRESSIONS",
                                        "optimization_goal": "REACH", "daily_budget": "1000", "bid_amount": "100",
                                        "targeting": json.dumps({"geo_locations": {"countries": ["US"]}})})
    client.post(cid, data={"name": "renamed", "fields": "name,bogus_field"})
    client.post(f"{act}/adcreatives", data={"name": "cr", "title": "t" * 30, "body": "b" * 95, "object_story_spec": json.dumps(
        {"page_id": w["page_id"], "link_data": {"link": "https://example.com/"}})})
    client.get(cid, params={"fields": "name,status,bogus_field"})
    for _ in range(2):  # the second is answered from the read cache: judged from the node it kept
        client.get(cid, params={"fields": "name,status", "bogus": "1"})
    client.post("", data={"batch": json.dumps([{"method": "GET", "relative_url": f"{cid}?fields=name,nope"},
                                               {"method": "POST", "relative_url": cid, "body": "name=b&bogus=1"}])})
    client.get("generatepreviews", params={"ad_format": "DESKTOP_FEED_STANDARD", "creative": "{}"})
    entries = journal_of(client.state).entries()
    reused = judged = 0
    for entry in entries:
        call = entry._call
        if call is None:
            continue
        reused += getattr(call, "decoded_schema", None) is not None
        judged += 1
        forget(client.state)
        with_call = from_request(client.state, entry._request, call)
        forget(client.state)
        fresh = from_request(client.state, entry._request, SimpleNamespace(node=call.node, decoded=None))
        forget(client.state)
        assert with_call == fresh == from_request(client.state, entry._request), entry.describe()
    assert reused >= 5 and judged >= len(entries) - 1  # the creates and updates took the reuse path; only the
    # batch request itself (judged from its operations) has no node
    kinds = {v.kind for e in entries for v in e.violations}
    assert {"unknown_param", "non_strict_json", "recommended_exceeded", "unknown_field"} <= kinds


def test_a_verdict_with_many_violations_is_judged_again_not_remembered() -> None:
    """Memory stays bounded whatever arrives: a fuzzer's `fields=a1,a2,...` (hundreds of unknown names) would
    otherwise keep every message in a memo of 1024 entries (tens of MB)."""
    held: dict[Any, tuple[Any, ...]] = {}
    memo.remember(held, "many", [object()] * (memo.MAX_VIOLATIONS + 1))
    memo.remember(held, "few", [object()] * memo.MAX_VIOLATIONS)
    assert list(held) == ["few"]
