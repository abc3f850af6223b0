"""The cold read paths' shortcuts answer exactly what the plain paths answer (issue 18 point 1).

A list page renders each item with the values its effective_status predicate computed, a read seeds its children's
parent lookups with its own record, a batch parses a bodiless GET once per URL and reads the store version once,
and the read cache runs a handler pinned at the version it looked up. Each must be invisible: the same ad set reads
the same by id, in its campaign's nested edge, in the campaign's list edge and as a batch operation, whatever the
mix of statuses, fields and limits; and a batch still sees its own writes (GRAPH-BEHAVIOUR 5, 6.3).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers_creatives import link_spec, make_adset, make_campaign, make_creative, upload
from mock_server.config import ServerConfig
from mock_server.store.sqlite import SQLiteRepository
from mock_server.testing import InProcessClient

FIELDS = ["name", "status", "effective_status", "configured_status", "daily_budget", "targeting", "created_time",
          "campaign_id", "campaign{name,effective_status}"]


@pytest.fixture(scope="module")
def file_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessClient]:
    """A file store (data_version, the pinned version) with the read cache on, as `graphmock serve` runs."""
    db = Path(tmp_path_factory.mktemp("cold")) / "graph.sqlite3"
    client = InProcessClient(ServerConfig(seed=7, db=str(db)))
    yield client
    client.close()


def _batch(client: InProcessClient, operations: list[dict[str, Any]]) -> list[Any]:
    response = client.post("", data={"batch": json.dumps(operations), "include_headers": "false"})
    assert response.status_code == 200, response.text
    return [None if item is None else (item["code"], json.loads(item["body"])) for item in response.json()]


@settings(max_examples=25)
@given(campaign_status=st.sampled_from(["ACTIVE", "PAUSED"]),
       adsets=st.lists(st.sampled_from(["ACTIVE", "PAUSED", "ARCHIVED", "DELETED"]), min_size=1, max_size=6),
       fields=st.lists(st.sampled_from(FIELDS), min_size=1, max_size=4, unique=True),
       limit=st.integers(1, 7))
def test_an_ad_set_reads_the_same_by_id_nested_listed_and_batched(file_client, campaign_status, adsets, fields, limit):
    client = file_client
    act, world = client.world["ad_account_id"], client.world
    campaign = make_campaign(client, act, status=campaign_status)
    for status in adsets:
        adset = make_adset(client, act, world, campaign, status="PAUSED")  # only ACTIVE/PAUSED at creation
        if status == "DELETED":
            assert client.delete(adset).status_code == 200
        elif status != "PAUSED":
            assert client.post(adset, data={"status": status}).status_code == 200
    selection = ",".join(fields)
    nested = client.get(campaign, params={"fields": f"name,adsets.limit({limit}){{{selection}}}"})
    listed = client.get(f"{campaign}/adsets", params={"fields": selection, "limit": str(limit)})
    assert nested.status_code == listed.status_code == 200, (nested.text, listed.text)
    items = listed.json()["data"]
    assert nested.json()["adsets"]["data"] == items
    assert len(items) == min(limit, sum(s in ("ACTIVE", "PAUSED") for s in adsets))  # no ARCHIVED/DELETED by default
    singles = [client.get(item["id"], params={"fields": selection}) for item in items]
    assert [s.json() for s in singles] == items
    if items:
        batched = _batch(client, [{"method": "GET", "relative_url": f"{item['id']}?fields={selection}"}
                                  for item in items * 2])  # twice: the second run of each URL reuses its parse
        assert batched == [(200, item) for item in items * 2]


def test_a_batch_reads_its_own_writes_and_a_repeated_get_sees_them(file_client):
    """The batch pins the store version once, yet an update inside it shows in the next operation's read, also when
    the same GET already ran (and was kept by the read cache) earlier in the batch."""
    client = file_client
    act, world = client.world["ad_account_id"], client.world
    adset = make_adset(client, act, world, make_campaign(client, act))
    read = {"method": "GET", "relative_url": f"{adset}?fields=name,status"}
    answers = _batch(client, [read, {"method": "POST", "relative_url": adset, "body": "name=renamed&status=ACTIVE"},
                              read])
    assert answers[0] == (200, {"name": "Click to Instagram Ad Set", "status": "ACTIVE", "id": adset})
    assert answers[1] == (200, {"success": True})
    assert answers[2] == (200, {"name": "renamed", "status": "ACTIVE", "id": adset})


# -- stored fields read without the view (domain/views.py `derived`, handlers/rendering.py `_stored_only`) -----------
_EDGES = {"Campaign": "campaigns", "AdSet": "adsets", "Ad": "ads", "AdCreative": "adcreatives", "AdLabel": "adlabels"}


@pytest.fixture(scope="module")
def mixed() -> Iterator[tuple[InProcessClient, dict[str, list[str]]]]:
    """Campaigns, ad sets, ads and creatives in every status and review state, labelled and not; read cache off, so
    every read renders afresh."""
    client = InProcessClient(ServerConfig(seed=11, read_cache=False))
    act, world = client.world["ad_account_id"], client.world
    label = client.post(f"{act}/adlabels", data={"name": "Q4"}).json()["id"]
    ids: dict[str, list[str]] = {"Campaign": [], "AdSet": [], "Ad": [], "AdCreative": [], "AdLabel": [label]}
    groups = [("ACTIVE", "ACTIVE", "ACTIVE", {"action": "disapprove"}), ("ACTIVE", "ACTIVE", "ACTIVE", {"state": "WITH_ISSUES"}),
              ("ACTIVE", "ACTIVE", "ACTIVE", {"action": "approve"}), ("ACTIVE", "ACTIVE", "ACTIVE", None),
              ("ACTIVE", "ACTIVE", "PAUSED", None), ("ACTIVE", "PAUSED", "ACTIVE", None), ("PAUSED", "ACTIVE", "ACTIVE", None),
              ("ARCHIVED", "ACTIVE", "ACTIVE", None)]  # (campaign, ad set, ad, review decision)
    for campaign_status, adset_status, ad_status, decision in groups:
        campaign = make_campaign(client, act)
        adset = make_adset(client, act, world, campaign)
        creative = make_creative(client, act, link_spec(world, upload(client, act)))
        ad = client.post(f"{act}/ads", data={"name": f"ad {len(ids['Ad'])}", "adset_id": adset, "status": ad_status,
                                             "creative": json.dumps({"creative_id": creative}),
                                             "adlabels": json.dumps([{"id": label}])}).json()["id"]
        for node, status in ((adset, adset_status), (campaign, campaign_status)):
            assert client.post(node, data={"status": status}).status_code == 200
        if decision is not None:
            assert client.post(f"/__graphmock/reviews/{ad}", json=decision).status_code == 200
        ids["Campaign"].append(campaign), ids["AdSet"].append(adset), ids["Ad"].append(ad)
        ids["AdCreative"].append(creative)
    yield client, ids
    client.close()


def _answers(client: InProcessClient, path: str, params: dict[str, str]) -> tuple[Any, Any]:
    """The answer with the shortcuts (stored fields as stored, derived ones alone), then with every read built
    through the full view."""
    from mock_server.domain import views
    from mock_server.handlers import kept_reads, list_queries, rendering
    from mock_server.wire import render
    from mock_server.wire import paging
    first = client.get(path, params=params)
    fast = client.get(path, params=params)  # the same request again: a copy of its kept parse (the params' memos)
    assert _comparable(first) == _comparable(fast)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(kept_reads, "keep_same", lambda memo, params, entry: None)  # params, fields, paging afresh
        for memo in ("SAME_PARAMS", "SAME_FIELDS", "SAME_PAGING"):
            patch.setattr(kept_reads, memo, {})
        patch.setattr(paging, "_LINK_QUERIES", {})  # links' queries built afresh
        patch.setattr(rendering, "_stored_only", lambda record_type, compiled: False)
        patch.setattr(views, "alone", lambda record_type, keys: None)
        patch.setattr(views, "effective_of_own", lambda node_type, scope, lookup: None)  # the predicate per record
        patch.setattr(render, "item_renderer", lambda steps, shared=False: None)  # plans compiled afresh, rendered by the loop
        patch.setattr(render, "_PLANS", {})
        patch.setattr(SQLiteRepository, "page_rendered", None)  # pages read as records (Call.stored_page)
        patch.setattr(list_queries, "_KEPT_DEFAULT", frozenset())  # list queries built afresh (Call._default_query)
        slow = client.get(path, params=params)
    return _comparable(fast), _comparable(slow)


def _comparable(response: Any) -> tuple[int, Any]:
    body = response.json()
    if "error" in body:
        body["error"].pop("fbtrace_id")  # one per answer
    return response.status_code, body


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_read_of_stored_fields_answers_as_the_full_view(mixed, data):
    """By id and listed, any field set (derived, stored, references, an unknown name) reads the same whether the
    stored data answers it directly (derived keys computed alone) or the node's view is built first
    (GRAPH-BEHAVIOUR 4)."""
    client, ids = mixed
    node_type = data.draw(st.sampled_from(sorted(ids)))
    names = [name for name, plan in client.state.node_types[node_type].fields.items() if plan.kind != "edge"]
    fields = data.draw(st.lists(st.sampled_from([*names, "no_such_field"]), min_size=1, max_size=6, unique=True))
    selection = ",".join(fields)
    fast, slow = _answers(client, data.draw(st.sampled_from(ids[node_type])), {"fields": selection})
    assert fast == slow
    listed = _answers(client, f"{client.world['ad_account_id']}/{_EDGES[node_type]}",
                      {"fields": selection, "limit": str(data.draw(st.integers(1, 4)))})
    assert listed[0] == listed[1]


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_a_stored_page_pages_as_records_do(mixed, data):
    """A page of stored fields read as (id, data) pairs (`Call.stored_page`) answers what the page of records answers,
    page after page forwards with `after` and back with `before`, with and without a status filter (GRAPH-BEHAVIOUR
    3: cursors, next/previous links; 6.3: ARCHIVED listed only when asked)."""
    client, ids = mixed
    node_type = data.draw(st.sampled_from(["Campaign", "AdCreative"]))
    stored = sorted(name for name, plan in client.state.node_types[node_type].fields.items()
                    if plan.kind in ("plain", "money", "datetime") and name not in ("id", "account_id"))
    fields = data.draw(st.lists(st.sampled_from(stored), min_size=1, max_size=5))
    params = {"fields": ",".join(fields), "limit": str(data.draw(st.integers(1, 3)))}
    if node_type == "Campaign" and data.draw(st.booleans()):
        params["effective_status"] = json.dumps(data.draw(st.sampled_from([["ARCHIVED"], ["ACTIVE", "ARCHIVED"]])))
    path = f"{client.world['ad_account_id']}/{_EDGES[node_type]}"
    base, pages, link = params, 0, "next"
    while pages < 8:
        fast, slow = _answers(client, path, params)
        assert fast == slow
        pages += 1
        paging = fast[1].get("paging", {})
        if link not in paging:
            if link == "previous" or "previous" not in paging:
                break
            link = "previous"  # the last page forwards: back again with `before`
        cursor = "after" if link == "next" else "before"
        params = {**base, cursor: paging["cursors"][cursor]}


def test_every_key_a_view_returns_is_declared(mixed):
    """`views.COMPUTED` names every key each view sets (in every status and review state): a key left out would
    let a read of it skip the view and answer the stored value instead."""
    from mock_server.domain import views
    client, ids = mixed
    store = client.state.store
    for node_type, declared in views.COMPUTED.items():
        for object_id in ids[node_type]:
            record = store.get(int(object_id))
            assert record is not None
            assert set(views.VIEWS[node_type](record, store.get)) <= declared, node_type


def _value_strategy() -> st.SearchStrategy[Any]:
    scalar = st.one_of(st.none(), st.integers(0, 2_000_000_000), st.text(max_size=5), st.booleans())
    return st.one_of(scalar, st.dictionaries(st.sampled_from(["a", "b", "c"]), scalar, max_size=3),
                     st.lists(st.dictionaries(st.sampled_from(["a", "b"]), scalar, max_size=2), max_size=2))


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_compiled_selection_renders_as_render_node(mixed, data):
    """`render_planned` over `plan(node_type, specs)` answers what `render_node` answers for the same values:
    money, datetimes in the account's zone, sub-selections, aliases, references and unknown fields, in order."""
    from mock_server.domain import account_time
    from mock_server.wire.errors import GraphError
    from mock_server.wire.fields import FieldSpec
    from mock_server.wire.render import plan, render_node, render_planned
    client, _ = mixed
    node_type = client.state.node_types[data.draw(st.sampled_from(["Campaign", "AdSet", "Ad", "AdCreative"]))]
    names = sorted(node_type.fields)
    chosen = data.draw(st.lists(st.sampled_from([*names, "no_such_field"]), min_size=1, max_size=6, unique=True))
    specs = [FieldSpec(name, children=data.draw(st.sampled_from([None, [], [FieldSpec("a"), FieldSpec("b")]])))
             for name in chosen]
    values = data.draw(st.dictionaries(st.sampled_from(names), _value_strategy(), max_size=12))
    if data.draw(st.booleans()):
        values["id"] = data.draw(st.sampled_from(["1", "120200000000000001"]))
    zone = account_time.zone("America/Los_Angeles")

    def expand(spec: FieldSpec, kind: str) -> Any:
        return {"expanded": spec.name, "kind": kind} if len(spec.name) % 2 else None

    def outcome(render: Any) -> Any:
        try:
            return render()
        except GraphError as error:
            return error.code, error.message
    expected = outcome(lambda: render_node(node_type, values, specs, expand, zone))
    object_id = str(values["id"]) if "id" in values else None
    assert outcome(lambda: render_planned(node_type, plan(node_type, specs), values, object_id, expand, zone)) == expected


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_selection_compiled_to_code_renders_as_render_node(mixed, data):
    """A selection of plain, money and datetime fields (aliases, repeats, `id` anywhere) compiles to one generated
    function per plan (wire/render_items.py); it answers what `render_node` answers for any values: money as
    strings, datetimes in the account's zone, absent and null fields left out, `id` last. A selection it cannot
    compile (edges, references, sub-selections, unknown fields) keeps the loop."""
    from mock_server.domain import account_time
    from mock_server.wire.fields import FieldSpec
    from mock_server.wire.render import plan, render_node
    client, _ = mixed
    node_type = client.state.node_types[data.draw(st.sampled_from(["Campaign", "AdSet", "Ad", "AdCreative", "AdImage"]))]
    names = sorted(name for name, field_plan in node_type.fields.items() if field_plan.kind not in ("edge", "ref"))
    aliased = [name for name in names if node_type.fields[name].alias]
    chosen = data.draw(st.lists(st.sampled_from([*names, *aliased, "id"]), min_size=0, max_size=8))
    specs = [FieldSpec(name) for name in chosen]
    keys = sorted({*names, *(node_type.fields[n].alias for n in aliased)})
    values = data.draw(st.dictionaries(st.sampled_from(keys), st.one_of(_value_strategy(), st.floats(0, 2e9)),
                                       max_size=16))
    if data.draw(st.booleans()):  # every field chosen present (a list page's usual item: one dict display)
        for name in chosen:
            values.setdefault(name, data.draw(st.one_of(st.text(max_size=3), _value_strategy(), st.floats(0, 2e9))))
    if data.draw(st.booleans()):
        values["id"] = data.draw(st.sampled_from([1, "120200000000000001"]))
    zone = account_time.zone(data.draw(st.sampled_from(["America/Los_Angeles", "Asia/Kolkata", None])))
    compiled = plan(node_type, specs)
    assert compiled.item is not None
    object_id = str(values["id"]) if "id" in values else None
    assert compiled.item(values, object_id, zone) == render_node(node_type, values, specs, _no_expand, zone)
    assert list(compiled.item(values, object_id, zone)) == list(render_node(node_type, values, specs, _no_expand, zone))
    shared = compiled.shared_item(values, object_id, zone)  # values shared between reads (sqlite_pages.decoded)
    assert list(shared.items()) == list(compiled.item(values, object_id, zone).items())
    assert not any(isinstance(v, (list, dict)) and any(v is kept for kept in values.values()) for v in shared.values())
    if data.draw(st.booleans()):  # anything else in the selection: no generated code, the loop renders it
        other = data.draw(st.sampled_from([FieldSpec("no_such_field"), FieldSpec(names[0], children=[FieldSpec("a")]),
                                           *(FieldSpec(n) for n, p in node_type.fields.items() if p.kind in ("edge", "ref"))]))
        assert plan(node_type, [*specs, other]).item is None


def _no_expand(spec: Any, kind: str) -> Any:
    raise AssertionError("nothing to expand")


def test_derived_keys_alone_are_the_views(mixed):
    """`views.ALONE` (effective_status for a list's default filter, configured_status) derives what the full view
    reads, for every campaign, ad set and ad in every own, parent and review state (GRAPH-BEHAVIOUR 6); `narrow`
    reads any key set `alone` accepts as the view holds it."""
    from mock_server.domain import views
    client, ids = mixed
    store = client.state.store
    seen = set()
    for node_type, functions in views.ALONE.items():
        names = sorted(client.state.node_types[node_type].fields)
        for object_id in ids[node_type]:
            record = store.get(int(object_id))
            assert record is not None
            full = views.values(record, store.get)
            for key, function in functions.items():
                assert function(record, store.get) == full[key], (node_type, key)
            seen.add(full["effective_status"])
            for keys in ({"effective_status", "name"}, {"configured_status", "account_id", "status"}, set(names)):
                reading = views.alone(node_type, frozenset(keys))
                if reading is not None:
                    assert views.narrow(record, store.get, reading) == {key: full.get(key) for key in keys}
    assert seen == {"ACTIVE", "ADSET_PAUSED", "ARCHIVED", "CAMPAIGN_PAUSED", "DISAPPROVED", "PAUSED", "PENDING_REVIEW",
                    "WITH_ISSUES"}  # the world covers every outcome


def test_stored_data_decodes_once_per_stored_bytes_and_the_memo_is_bounded(monkeypatch):
    """`sqlite_pages.decoded` answers what `orjson.loads` answers, the same object for the same stored bytes, and
    keeps at most its bounds (memory bounded whatever the pages read)."""
    import orjson

    from mock_server.store import sqlite_pages
    monkeypatch.setattr(sqlite_pages, "_DECODED", {})
    monkeypatch.setattr(sqlite_pages, "_DECODED_BYTES", 0)
    monkeypatch.setattr(sqlite_pages, "_DECODED_ENTRIES", 10)
    raw = orjson.dumps({"name": "a", "special_ad_categories": [], "targeting": {"geo_locations": {"countries": ["US"]}}})
    first = sqlite_pages.decoded(raw)
    assert first == orjson.loads(raw) and sqlite_pages._DECODED.get(bytes(bytearray(raw))) is first
    for i in range(25):
        assert sqlite_pages.decoded(orjson.dumps({"n": i})) == {"n": i}
        assert len(sqlite_pages._DECODED) <= 10
    monkeypatch.setattr(sqlite_pages, "_DECODED_MAX_BYTES", 64)
    for i in range(25):
        sqlite_pages.decoded(orjson.dumps({"text": "x" * 20, "n": i}))
        assert sqlite_pages._DECODED_BYTES <= 64


def test_a_page_read_again_after_an_update_shows_the_update(mixed):
    """A page whose objects' data was decoded before (and kept) answers an object's new stored value once it is
    updated, and an answer's list and object values are its own: a client's page never changes the next one
    (GRAPH-BEHAVIOUR 3)."""
    client, ids = mixed
    path, fields = f"{client.world['ad_account_id']}/campaigns", "name,special_ad_categories,pacing_type,status"
    campaign = ids["Campaign"][1]
    before = client.get(path, params={"fields": fields, "limit": "50"}).json()["data"]
    listed = {item["id"]: item for item in before}
    old_name = listed[campaign]["name"]
    try:
        assert client.post(campaign, data={"name": "renamed after a read"}).status_code == 200
        after = {item["id"]: item for item in client.get(path, params={"fields": fields, "limit": "50"}).json()["data"]}
        assert after[campaign]["name"] == "renamed after a read"
        assert {k: v for k, v in after.items() if k != campaign} == {k: v for k, v in listed.items() if k != campaign}
    finally:
        assert client.post(campaign, data={"name": old_name}).status_code == 200


@settings(max_examples=40, deadline=None)
@given(params=st.dictionaries(st.sampled_from(["fields", "limit", "summary", "effective_status", "after", "date_preset",
                                               "unknown_param"]),
                              st.sampled_from(["", "25", "x", "name,status", "true", '["ACTIVE"]', '"quoted"', "-1", "[]"]),
                              max_size=4))
def test_a_reads_params_decode_the_same_kept_or_not(mixed, params):
    """A GET's params decoded once and kept (`kept_reads.decoded_read`) are what a fresh decode answers (values,
    unknown and relaxed names, or the same error), the second time too; values decoded to a list or an object are never
    kept (a handler could change them)."""
    from mock_server.domain import account_time
    from mock_server.handlers import kept_reads
    from mock_server.wire.errors import GraphError
    client, _ = mixed
    contract, zone = client.state.contract, account_time.zone("America/Los_Angeles")

    def outcome(decode: Any) -> Any:
        try:
            decoded = decode()
        except GraphError as error:
            return error.code, error.message
        return decoded.values, decoded.unknown, decoded.relaxed
    fresh = outcome(lambda: contract.decode("requests/campaign.list", params, zone))
    for _ in range(2):
        assert outcome(lambda: kept_reads.decoded_read(contract, "requests/campaign.list", params, zone)) == fresh
    if not isinstance(fresh[0], int):
        kept = kept_reads.READ_PARAMS.get((id(contract), "requests/campaign.list", zone, *params.items()))
        assert (kept is not None) == all(not isinstance(v, (list, dict)) for v in fresh[0].values())
    # a JSON body's values are never kept (Call.params decodes them): 1 and True are equal keys, yet decode apart
    for value in (1, True, 1.0):
        assert kept_reads.decoded_read(contract, "requests/campaign.list", {**params, "limit": value}, zone) is None
    # a long read is decoded every time, never kept: 1024 kept reads of 100 KB each would hold 100 MB (review)
    long = {**params, "unknown_param": "x" * (kept_reads.MAX_KEPT_CHARS + 1)}
    assert outcome(lambda: kept_reads.decoded_read(contract, "requests/campaign.list", long, zone) or
                   contract.decode("requests/campaign.list", long, zone)) == \
        outcome(lambda: contract.decode("requests/campaign.list", long, zone))
    assert (id(contract), "requests/campaign.list", zone, *long.items()) not in kept_reads.READ_PARAMS


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_ad_sets_under_a_campaign_list_by_status_as_by_predicate(mixed, data):
    """An ad set's effective_status under one campaign depends on its own status alone (`views.effective_of_own`):
    the edge `{campaign}/adsets` and the nested `adsets.limit(n){...}` keep the statuses that pass instead of testing
    each record, and answer what the per-record predicate answers, for every campaign state, with and without an
    effective_status filter, page after page (GRAPH-BEHAVIOUR 3, 6.3: ARCHIVED/DELETED hidden unless asked)."""
    client, ids = mixed
    campaign = data.draw(st.sampled_from(ids["Campaign"]))
    fields = ",".join(data.draw(st.lists(st.sampled_from(["name", "status", "effective_status", "daily_budget",
                                                          "configured_status"]), min_size=1, max_size=3)))
    params = {"fields": fields, "limit": str(data.draw(st.integers(1, 3)))}
    effective = data.draw(st.none() | st.lists(st.sampled_from(["ACTIVE", "PAUSED", "CAMPAIGN_PAUSED", "ARCHIVED"]),
                                               min_size=1, max_size=2, unique=True))
    if effective is not None:
        params["effective_status"] = json.dumps(effective)
    for _ in range(3):
        fast, slow = _answers(client, f"{campaign}/adsets", params)
        assert fast == slow
        after = fast[1].get("paging", {}).get("cursors", {}).get("after")
        if "next" not in fast[1].get("paging", {}):
            break
        params = {**params, "after": after}
    nested = {"fields": f"name,adsets.limit({data.draw(st.integers(1, 3))}){{{fields}}}"}
    fast, slow = _answers(client, campaign, nested)
    assert fast == slow


def test_an_ad_sets_effective_status_of_its_own_status_is_the_views(mixed):
    """`views.effective_of_own` under the ad set's campaign gives, from the ad set's own status, its view's
    effective_status, for every own, campaign and review state of the world and every own status an ad set can
    hold (GRAPH-BEHAVIOUR 6)."""
    from mock_server.domain import views
    from mock_server.store.repository import Record
    client, ids = mixed
    store = client.state.store
    for object_id in ids["AdSet"]:
        record = store.get(int(object_id))
        assert record is not None
        of_own = views.effective_of_own("AdSet", {"account_id": record.account_id, "campaign_id": record.campaign_id},
                                        store.get)
        assert of_own is not None
        for own in ("ACTIVE", "PAUSED", "ARCHIVED", "DELETED", "IN_PROCESS"):
            other = Record(record.id, record.type, record.account_id, own, {**record.data, "status": own},
                           record.campaign_id, record.adset_id, record.key, record.created)
            assert of_own(own) == views.values(other, store.get)["effective_status"], (own, record.campaign_id)
    assert views.effective_of_own("AdSet", {"account_id": "1"}, store.get) is None  # parents vary: per record
    assert views.effective_of_own("Ad", {"adset_id": 1}, store.get) is None  # the review state reads the clock


@pytest.fixture(scope="module")
def statuses_store() -> Iterator[tuple[SQLiteRepository, list[int]]]:
    """Campaigns of two accounts in every status, interleaved ids (a private store: nothing else writes)."""
    from mock_server.store.repository import Record
    store = SQLiteRepository()
    records = [Record(1000 + i, "Campaign", "1" if i % 3 else "2", ["ACTIVE", "PAUSED", "ARCHIVED", "DELETED"][i % 4],
                      {"name": f"c{i}", "status": "x"}) for i in range(40)]
    store.insert_many(records)
    yield store, [r.id for r in records]
    store.close()


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_kept_page_statement_reads_what_the_page_scope_reads(statuses_store, data):
    """`page_values` of a query with a frozenset of statuses runs a statement kept per query shape
    (`sqlite_pages._shape`); it reads the same page as the statement built per call (`_page_scope`), forwards,
    backwards and from the start, for any statuses (none included) and limit (GRAPH-BEHAVIOUR 3: cursor paging)."""
    from mock_server.store.repository import ListQuery
    store, ids = statuses_store
    wanted = data.draw(st.sets(st.sampled_from(["ACTIVE", "PAUSED", "ARCHIVED", "DELETED", "NOPE"])))
    account = data.draw(st.sampled_from(["1", "2", "3"]))
    cursor = data.draw(st.sampled_from([None, *ids, 0, 2**63 + 5]))
    which = data.draw(st.sampled_from(["after", "before"]))
    after, before = (cursor, None) if which == "after" else (None, cursor)
    limit = data.draw(st.integers(1, 12))
    kept = store.page_values(ListQuery("Campaign", account_id=account, statuses=frozenset(wanted)), after=after,
                             before=before, limit=limit)
    built = store.page_values(ListQuery("Campaign", account_id=account, statuses=set(wanted)), after=after,
                              before=before, limit=limit)
    assert kept == built
    records, more = store.page(ListQuery("Campaign", account_id=account, statuses=set(wanted)), after=after,
                               before=before, limit=limit)
    assert [(r.id, r.data) for r in records] == kept[0] and more == kept[1]
    items, ends, more = store.page_rendered(ListQuery("Campaign", account_id=account, statuses=frozenset(wanted)),
                                            lambda data, object_id, tz: (object_id, data, tz), "zone", after=after,
                                            before=before, limit=limit)
    assert items == [(str(r.id), r.data, "zone") for r in records] and more == kept[1]
    assert ends == ([records[0].id, records[-1].id] if records else [])


@settings(max_examples=30, deadline=None)
@given(params=st.dictionaries(st.sampled_from(["fields", "limit", "summary", "effective_status", "unknown_param"]),
                              st.sampled_from(["", "25", "x", "name,status", "true", '["ACTIVE"]', "-1", "name{"]),
                              max_size=4))
def test_a_repeated_reads_kept_parse_decodes_and_selects_as_a_fresh_one(mixed, params):
    """A repeated bodiless GET shares one kept parse's params dict (wire/request.py): `Call.params` and `Call.specs`
    answer it from what that very dict decoded to before (`kept_reads.SAME_PARAMS`, `SAME_FIELDS`), the same values, unknown
    names and fields as a fresh decode and parse of equal params (or the same error); a write's params never are."""
    from mock_server.handlers.call import Call
    from mock_server.state import NodeRef
    from mock_server.wire.errors import GraphError
    from mock_server.wire.request import GraphRequest
    client, _ = mixed
    state, world = client.state, client.state.world
    account = world.ad_accounts[client.world["ad_account_id"]]
    token = world.tokens[client.world["access_token"]]

    def call(method: str, request_params: dict[str, Any]) -> Call:
        request = GraphRequest(method=method, path="/x", version="v25.0", segments=[account.id], params=request_params,
                               query={}, base_url="http://127.0.0.1")
        return Call(state, request, token, NodeRef("AdAccount", account.id, account=account))

    def outcome(run: Any) -> Any:
        try:
            return run()
        except GraphError as error:
            return error.code, error.message
    fresh = (outcome(lambda: call("GET", dict(params)).params("campaign.list")),
             outcome(lambda: call("GET", dict(params)).specs()))
    shared = dict(params)
    for _ in range(3):  # the first decodes and keeps, the next answer from the kept parse
        assert (outcome(lambda: call("GET", shared).params("campaign.list")),
                outcome(lambda: call("GET", shared).specs())) == fresh
    kept = call("GET", shared)
    if isinstance(fresh[0], dict):
        assert kept.params("campaign.list") == fresh[0]
        writing = call("POST", shared)  # a write's params are decoded afresh, never a read's kept decode
        assert writing.params("campaign.list") == fresh[0] and writing.decoded is not kept.decoded


def test_a_nested_edges_links_carry_its_selection_read_after_read(mixed):
    """A nested edge's `next` link carries the edge's own selection as `fields` text (GRAPH-BEHAVIOUR 3: the SDKs
    follow it verbatim); kept per parsed selection (`link_text.unparse`), it reads the same on every read."""
    from urllib.parse import parse_qs, urlsplit

    from mock_server.wire import link_text
    from mock_server.wire.fields import parse_fields
    client, ids = mixed
    selection = "campaigns.limit(1){name,daily_budget,adsets{name},insights.date_preset(maximum){spend}}"
    links = []
    for _ in range(3):
        body = client.get(client.world["ad_account_id"], params={"fields": selection}).json()
        links.append(body["campaigns"]["paging"].get("next"))
    assert links[0] is not None and links == [links[0]] * 3
    assert parse_qs(urlsplit(links[0]).query)["fields"] == [link_text.unparsed(parse_fields(selection)[0].children)]
    assert link_text.unparsed(parse_fields(selection)[0].children) == \
        "name,daily_budget,adsets{name},insights.date_preset(maximum){spend}"


def test_a_long_reads_params_are_not_kept_by_identity(mixed):
    """The identity memos (`kept_reads.SAME_FIELDS`, `SAME_PAGING`, `SAME_PARAMS`) keep a read's params only up to
    MAX_KEPT_CHARS, as `decoded_read` does: 1024 list reads with 90 KB query strings held ~40 MB more (found by
    review); a short one is still kept."""
    from mock_server.handlers import kept_reads
    client, _ = mixed
    act = client.world["ad_account_id"]
    memos = (kept_reads.SAME_FIELDS, kept_reads.SAME_PAGING, kept_reads.SAME_PARAMS)
    for memo in memos:
        memo.clear()
    long = client.get(f"{act}/campaigns", params={"fields": "name", "limit": "2", "x_pad": "p" * 60_000})
    assert long.status_code == 200, long.text
    assert all(not memo for memo in memos)
    short = client.get(f"{act}/campaigns", params={"fields": "name", "limit": "2"})
    assert short.status_code == 200 and short.json()["data"] == long.json()["data"]
    assert kept_reads.SAME_FIELDS and kept_reads.SAME_PAGING
