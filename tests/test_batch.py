"""Batch requests (issue 5 point 6; GRAPH-BEHAVIOUR 5): `POST /` or `/vNN.N/` with batch=[...].

G-BATCH: up to 50 operations, each {method, relative_url, body, name, depends_on, omit_response_on_success,
attached_files}; the answer is an array of {"code", "headers": [{"name", "value"}], "body": "<JSON text>"} in
request order; {result=<name>:<JSONPath>} references ($.id, $.data.*.id, $.images.*.hash); a dependency on an
unresolved name is a GraphBatchException. The Python SDK posts unversioned relative URLs with url-encoded bodies,
the Node SDK a JSON body with raw k=v bodies and a stray `name` (shared/reference/sdk-wire-*.json).
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers_creatives import CTA_IG, RED
from mock_server.access.policy import appsecret_proof
from test_access import SECOND_ACCOUNT_TOKEN, SECOND_ACT, new_campaign, assert_sdk_error

FORM_CAMPAIGN = "name=B1&objective=OUTCOME_SALES&status=PAUSED&special_ad_categories=%5B%5D"


def run(client, ops: list[dict[str, Any]], path: str = "/v25.0/", **extra: Any) -> httpx.Response:
    return client.post(path, data={"batch": json.dumps(ops), **extra})


def bodies(response: httpx.Response) -> list[Any]:
    """Each element's (code, decoded body), or None."""
    assert response.status_code == 200, response.text
    return [None if e is None else (e["code"], json.loads(e["body"])) for e in response.json()]


def test_python_sdk_encoding(client, act):
    """sdk-wire-python.json: POST /v26.0/ with access_token and appsecret_proof in the query, batch=[...] in a
    form body; relative URLs without version (with a trailing slash), POST bodies url-encoded."""
    existing = new_campaign(client, act)
    ops = [{"body": FORM_CAMPAIGN, "method": "POST", "relative_url": f"{act}/campaigns"},
           {"method": "GET", "relative_url": f"{existing}/?fields=name%2Cstatus"},
           {"body": "status=ARCHIVED", "method": "POST", "relative_url": f"{existing}/"},
           {"method": "DELETE", "relative_url": f"{existing}/"},
           {"method": "GET", "relative_url": f"{act}/campaigns?effective_status=%5B%22PAUSED%22%5D&fields=name"},
           {"method": "GET", "relative_url": "999/?fields=name"}]
    proof = appsecret_proof(client.token, "graphmock-demo-app-secret")
    response = client.post("/v26.0/", params={"appsecret_proof": proof}, data={"batch": json.dumps(ops)})
    answers = bodies(response)
    created = answers[0][1]["id"]
    assert answers[:5] == [(200, {"id": created}), (200, {"name": "c", "status": "PAUSED", "id": existing}),
                           (200, {"success": True}), (200, {"success": True}),
                           (200, {"data": [{"name": "B1", "id": created}], "paging": answers[4][1]["paging"]})]
    code, error = answers[5]
    assert code == 400 and (error["error"]["code"], error["error"]["error_subcode"]) == (100, 33)
    assert client.get(existing, params={"fields": "status"}).json()["status"] == "DELETED"


def test_node_sdk_encoding(client, act):
    """sdk-wire-node.json: POST /v24.0 (no trailing slash) with a JSON body {"batch": [...]}; raw `k=v` bodies
    (unencoded brackets) and a stray `name` that nothing depends on (so its answer is kept)."""
    existing = new_campaign(client, act)
    raw = {"batch": [{"method": "GET", "relative_url": f"{existing}?fields=name"},
                     {"method": "POST", "relative_url": f"{act}/campaigns", "name": "B1",
                      "body": "name=B1&special_ad_categories=[]&objective=OUTCOME_TRAFFIC&status=PAUSED"}]}
    response = client.post("/v25.0", json=raw)
    (first, second) = bodies(response)
    assert first == (200, {"name": "c", "id": existing})
    assert second[0] == 200 and client.get(second[1]["id"], params={"fields": "name"}).json()["name"] == "B1"


def test_element_shape_and_include_headers(client, act):
    """{"code", "headers": [{"name", "value"}], "body": "<JSON text>"}; include_headers=false drops headers
    (query string, form field or JSON body)."""
    ops = [{"method": "GET", "relative_url": act}]
    (element,) = run(client, ops).json()
    assert set(element) == {"code", "headers", "body"} and element["code"] == 200
    assert json.loads(element["body"]) == {"id": act}
    headers = {h["name"]: h["value"] for h in element["headers"]}
    assert all(set(h) == {"name", "value"} for h in element["headers"])
    assert headers["Content-Type"] == "text/javascript; charset=UTF-8"
    assert set(json.loads(headers["x-business-use-case-usage"])) == {act.removeprefix("act_")}
    for response in (client.post("/v25.0/", params={"include_headers": "false"}, data={"batch": json.dumps(ops)}),
                     run(client, ops, include_headers="false"),
                     client.post("/v25.0/", json={"batch": ops, "include_headers": False})):
        assert response.json() == [{"code": 200, "body": json.dumps({"id": act}, separators=(",", ":"))}]


def test_more_than_50_operations_is_a_batch_exception(client, act):
    """'Batch requests are limited to 50 requests per batch': 51 -> GraphBatchException (HTTP 400), nothing runs."""
    op = {"method": "POST", "relative_url": f"{act}/campaigns", "body": FORM_CAMPAIGN}
    assert_sdk_error(run(client, [op] * 51), 100, None, status=400, type_="GraphBatchException",
              message="Too many requests in batch message. Maximum batch size is 50")
    assert client.get(f"{act}/campaigns").json()["data"] == []
    assert [e["code"] for e in run(client, [op] * 50).json()] == [200] * 50


@pytest.mark.parametrize("ops,index,name", [
    ([{"method": "GET", "relative_url": "{act}", "depends_on": "later"},
      {"method": "GET", "relative_url": "{act}", "name": "later"}], 0, "later"),
    ([{"method": "POST", "relative_url": "{act}/campaigns", "body": FORM_CAMPAIGN},
      {"method": "GET", "relative_url": "{result=f:$.id}"}], 1, "f"),
])
def test_dependency_on_an_unresolved_name_fails_the_batch(client, act, ops, index, name):
    """G-BATCH (koala spec): 'Request 0 cannot depend on an  unresolved request with  name f. Requests can only
    depend on preceding requests' (GraphBatchException, HTTP 400); no operation runs."""
    ops = json.loads(json.dumps(ops).replace("{act}", act))
    assert_sdk_error(run(client, ops), 100, None, status=400, type_="GraphBatchException",
              message=f"Request {index} cannot depend on an  unresolved request with  name {name}. "
                      "Requests can only depend on preceding requests")
    assert client.get(f"{act}/campaigns").json()["data"] == []


def test_failed_dependency_is_reported_per_operation(client, act):
    """An operation whose dependency failed is not run; its slot holds a GraphBatchException error, the failed
    one its own error, and independent operations still succeed."""
    ops = [{"method": "POST", "relative_url": f"{act}/campaigns", "name": "bad", "body": "name=x&status=PAUSED"},
           {"method": "GET", "relative_url": "{result=bad:$.id}?fields=name"},
           {"method": "POST", "relative_url": f"{act}/campaigns", "depends_on": "bad", "body": FORM_CAMPAIGN},
           {"method": "POST", "relative_url": f"{act}/campaigns", "body": FORM_CAMPAIGN}]
    answers = bodies(run(client, ops))
    assert answers[0][0] == 400 and answers[0][1]["error"]["message"] == "(#100) The parameter objective is required"
    for index in (1, 2):
        code, body = answers[index]
        assert code == 400 and set(body) == {"error"}
        error = body["error"]
        assert (error["type"], error["code"]) == ("GraphBatchException", 100) and "is_transient" not in error
        assert error["message"] == (f"Request {index} cannot be executed because the request with name bad it "
                                    "depends on failed")
    assert answers[3][0] == 200
    assert [c["id"] for c in client.get(f"{act}/campaigns").json()["data"]] == [answers[3][1]["id"]]


def test_data_star_id_feeds_an_ids_read(client, act):
    """G-BATCH: `?ids={result=get:$.data.*.id}` joins every matched id with commas."""
    ids = [new_campaign(client, act, name=f"n{i}") for i in range(3)]
    ops = [{"method": "GET", "relative_url": f"{act}/campaigns?fields=id", "name": "get"},
           {"method": "GET", "relative_url": "?ids={result=get:$.data.*.id}&fields=name"}]
    answers = bodies(run(client, ops))
    assert answers[0] is None  # a named operation another one depends on is omitted on success
    assert answers[1] == (200, {i: {"name": f"n{n}", "id": i} for n, i in enumerate(ids)})


def test_omit_response_on_success(client, act):
    """Referenced + successful -> null unless omit_response_on_success=false; true omits even unreferenced ones."""
    ops = [{"method": "GET", "relative_url": act, "name": "a"},
           {"method": "GET", "relative_url": act, "name": "b", "omit_response_on_success": False},
           {"method": "GET", "relative_url": act, "omit_response_on_success": True},
           {"method": "GET", "relative_url": act, "depends_on": "a"},
           {"method": "GET", "relative_url": "{result=b:$.id}"}]
    assert bodies(run(client, ops)) == [None, (200, {"id": act}), None, (200, {"id": act}), (200, {"id": act})]


def test_tokens_top_level_required_and_per_operation(client, act):
    """The top-level access_token is required (104) even if every operation has its own; an operation's own
    token (in relative_url or body) wins over the top-level one, which is the fallback."""
    ops = [{"method": "GET", "relative_url": f"{SECOND_ACT}?access_token={SECOND_ACCOUNT_TOKEN}"}]
    assert_sdk_error(client.post("/v25.0/", token=None, data={"batch": json.dumps(ops)}), 104, None, status=400)
    ops += [{"method": "GET", "relative_url": SECOND_ACT},
            {"method": "POST", "relative_url": f"{SECOND_ACT}/campaigns",
             "body": f"{FORM_CAMPAIGN}&access_token={SECOND_ACCOUNT_TOKEN}"},
            {"method": "GET", "relative_url": f"{act}?access_token=GMDEMO-no-such-token"}]
    response = run(client, ops)
    answers = bodies(response)
    assert answers[0] == (200, {"id": SECOND_ACT})
    assert answers[1][0] == 400 and answers[1][1]["error"]["error_subcode"] == 33
    assert answers[2][0] == 200
    assert answers[3][0] == 400 and answers[3][1]["error"]["code"] == 190
    headers = {h["name"] for h in response.json()[3]["headers"]}
    assert "WWW-Authenticate" in headers


def test_versioned_relative_urls_and_malformed_batches(client, act):
    """relative_url may carry its own version (M-ASYNC '<API_VERSION>/act_.../adimages'); a deprecated one is 2635
    for that operation. A batch that is not an array, or an operation without relative_url, is a (#100) error."""
    answers = bodies(run(client, [{"method": "GET", "relative_url": f"v26.0/{act}"},
                                  {"method": "GET", "relative_url": f"/v19.0/{act}"}]))
    assert answers[0] == (200, {"id": act}) and answers[1][1]["error"]["code"] == 2635
    assert_sdk_error(client.post("/v25.0/", data={"batch": "not json"}), 100, None, status=400,
              message="(#100) Param batch must be an array")
    assert_sdk_error(run(client, [{"method": "GET"}]), 100, None, status=400,
              message="(#100) The parameter batch[0][relative_url] is required")


def test_attached_files_upload_an_image(client, act):
    """attached_files names multipart fields of the batch request; `$.images.*.hash` reads the upload's hash."""
    ops = [{"method": "POST", "relative_url": f"{act}/adimages", "attached_files": "file1", "name": "img"},
           {"method": "GET", "relative_url": f"{act}/adimages?hashes=[\"{{result=img:$.images.*.hash}}\"]&fields=hash"}]
    response = client.post("/v25.0/", data={"batch": json.dumps(ops)}, files={"file1": ("red.png", RED, "image/png")})
    answers = bodies(response)
    assert answers[0] is None
    listed = answers[1][1]["data"]
    assert len(listed) == 1 and len(listed[0]["hash"]) == 32


# -- a batch of 50: campaign, ad set, image, creative and ad, ten times ----------------------------------
def _chain(i: int, act: str, world: dict[str, Any], *, python_sdk: bool, adset_targeting: bool = True) -> list[dict]:
    """Five operations linked by JSONPath; even chains url-encode bodies (Python SDK), odd ones send raw k=v."""
    def encode(params: dict[str, str]) -> str:
        return urlencode(params) if python_sdk else "&".join(f"{k}={v}" for k, v in params.items())
    spec = {"page_id": world["page_id"], "instagram_user_id": world["instagram_user_id"],
            "link_data": {"message": f"Chat {i}", "image_hash": f"{{result=img{i}:$.images.*.hash}}",
                          "call_to_action": CTA_IG}}
    adset = {"name": f"S{i}", "campaign_id": f"{{result=c{i}:$.id}}", "bid_strategy": "LOWEST_COST_WITHOUT_CAP",
             "billing_event": "IMPRESSIONS", "daily_budget": "5000", "destination_type": "INSTAGRAM_DIRECT",
             "optimization_goal": "CONVERSATIONS", "promoted_object": json.dumps({"page_id": world["page_id"]}),
             "status": "PAUSED", "targeting": json.dumps({"geo_locations": {"countries": ["US"]}})}
    if not adset_targeting:
        del adset["targeting"]
    return [
        {"method": "POST", "name": f"c{i}", "relative_url": f"{act}/campaigns",
         "body": encode({"name": f"C{i}", "objective": "OUTCOME_ENGAGEMENT", "status": "PAUSED",
                         "special_ad_categories": "[]"})},
        {"method": "POST", "name": f"s{i}", "relative_url": f"{act}/adsets", "body": encode(adset)},
        {"method": "POST", "name": f"img{i}", "relative_url": f"{act}/adimages",
         "body": urlencode({"bytes": base64.b64encode(RED).decode()})},
        {"method": "POST", "name": f"cr{i}", "relative_url": f"{act}/adcreatives",
         "body": encode({"name": f"CR{i}", "object_story_spec": json.dumps(spec)})},
        {"method": "POST", "relative_url": f"{act}/ads",
         "body": encode({"name": f"A{i}", "adset_id": f"{{result=s{i}:$.id}}", "status": "PAUSED",
                         "creative": json.dumps({"creative_id": f"{{result=cr{i}:$.id}}"})})},
    ]


def test_batch_of_50_builds_ten_ads_through_jsonpath(client, act, world):
    """Ten chains campaign -> ad set -> image -> creative -> ad: every named step is referenced, so it answers
    null; each ad answers its id and points at its own chain's ad set, campaign, creative and image."""
    ops = [op for i in range(10) for op in _chain(i, act, world, python_sdk=i % 2 == 0)]
    assert len(ops) == 50
    answers = bodies(run(client, ops))
    for i in range(10):
        assert answers[5 * i:5 * i + 4] == [None] * 4
        code, body = answers[5 * i + 4]
        assert code == 200 and list(body) == ["id"], body
        ad = client.get(body["id"], params={"fields": "name,adset{name},campaign{name},creative{name}"}).json()
        assert (ad["name"], ad["adset"]["name"], ad["campaign"]["name"], ad["creative"]["name"]) == (
            f"A{i}", f"S{i}", f"C{i}", f"CR{i}")
        creative = client.get(ad["creative"]["id"], params={"fields": "object_story_spec"}).json()
        image_hash = creative["object_story_spec"]["link_data"]["image_hash"]
        assert len(image_hash) == 32 and "result" not in image_hash
    assert len(client.get(f"{act}/ads", params={"limit": "100"}).json()["data"]) == 10


def test_batch_of_50_with_a_broken_step_reports_per_operation_errors(client, act, world):
    """Chain 3's ad set lacks targeting: that operation answers its own (#100) error, the ad depending on it
    answers a GraphBatchException naming s3, chain 3's image and creative still succeed (omitted), every other
    chain builds its ad."""
    ops = [op for i in range(10) for op in _chain(i, act, world, python_sdk=i % 2 == 0, adset_targeting=i != 3)]
    response = run(client, ops)
    answers = bodies(response)
    code, body = answers[16]
    assert code == 400 and body["error"]["code"] == 100 and "targeting" in body["error"]["message"]
    assert answers[15] is None and answers[17] is None and answers[18] is None
    code, body = answers[19]
    assert code == 400 and body == {"error": {
        **body["error"], "type": "GraphBatchException", "code": 100,
        "message": "Request 19 cannot be executed because the request with name s3 it depends on failed"}}
    element = response.json()[19]
    assert {"name": "Content-Type", "value": "text/javascript; charset=UTF-8"} in element["headers"]
    assert [answers[5 * i + 4][0] for i in range(10)] == [200, 200, 200, 400, 200, 200, 200, 200, 200, 200]
    assert len(client.get(f"{act}/ads", params={"limit": "100"}).json()["data"]) == 9


# -- hostile batches ---------------------------------------------------------------------------------------
JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                       max_size=3), max_leaves=8)
URLS = st.one_of(st.text(max_size=40), st.sampled_from([
    "act_1000000000000001/campaigns", "v25.0/act_1000000000000001", "/v99.0/x", "?ids={result=a:$.data.*.id}",
    "{result=a:$.id}/adsets", "%7Bresult%3Da%3A%24.id%7D", "{result=a:$..[}", "/__graphmock/reset", "",
    "act_1000000000000001?access_token=bad token", "act_1000000000000011/campaigns"]))
OPS = st.fixed_dictionaries({}, optional={
    "method": st.sampled_from(["GET", "POST", "DELETE", "get", "PUT", ""]) | st.text(max_size=5),
    "relative_url": URLS, "body": st.one_of(st.text(max_size=40), JSON_VALUES, st.just("batch=[]&name=x")),
    "name": st.sampled_from(["a", "b", ""]) | st.text(max_size=5), "depends_on": st.sampled_from(["a", "b", ["a"]]),
    "omit_response_on_success": st.sampled_from([True, False, "false", 1]), "attached_files": st.text(max_size=5),
    "headers": JSON_VALUES})


@settings(max_examples=300)
@given(batch=st.one_of(st.lists(OPS, max_size=6), JSON_VALUES), form=st.booleans())
def test_any_batch_gets_a_graph_answer_never_a_500(client, batch, form):
    """Arbitrary operations (and arbitrary non-arrays) give a JSON array or a Graph error envelope, never a 5xx."""
    response = client.post("/v25.0/", data={"batch": json.dumps(batch)}) if form else \
        client.post("/v25.0/", json={"batch": batch})
    assert response.status_code < 500, response.text
    body = response.json()
    if response.status_code == 200:
        assert isinstance(body, list) and len(body) == len(batch)
        for element in body:
            assert element is None or (element["code"] < 500 and isinstance(json.loads(element["body"]), (dict, list)))
    else:
        assert set(body) == {"error"} and body["error"]["code"] in (100, 104, 190, 2500), body


def test_a_batch_cannot_include_two_ad_sets_under_the_same_campaign(client, act, world):
    """GRAPH-BEHAVIOUR 5 [DOC]: 'Batch requests cannot include multiple Adsets under the same Campaign.' The
    second ad set create under one campaign is refused (code 100 blaming campaign_id; Meta documents no code),
    the journal flags it, and ad sets under other campaigns in the same batch are created."""
    chain = _chain(0, act, world, python_sdk=True)
    campaign, adset = chain[0], chain[1]
    other = {**_chain(1, act, world, python_sdk=True)[0], "name": "c1"}
    second = {**adset, "name": "s0b"}
    third = {**adset, "name": "s1", "body": adset["body"].replace("c0", "c1")}
    answers = bodies(run(client, [campaign, adset, second, other, third]))
    code, body = answers[2]
    assert code == 400 and body["error"]["code"] == 100
    assert "cannot include multiple ad sets under the same campaign" in body["error"]["message"]
    assert json.loads(body["error"]["error_data"])["blame_field_specs"] == [["campaign_id"]]
    assert answers[1][0] == 200 and answers[4][0] == 200  # the first under c0, and one under c1
    created = client.get(f"{act}/adsets", params={"fields": "campaign_id"}).json()["data"]
    assert len(created) == 2 and len({a["campaign_id"] for a in created}) == 2
    flagged = [e for e in client.state.journal.entries() if not e.conforming]
    assert [(e.path, e.status) for e in flagged] == [(f"/v25.0/{act}/adsets", 400)]


def test_repeated_operations_are_each_served_and_journaled(client, act):
    """G-BATCH: each operation is a request of its own, even when several are the same (batch.py parses each
    distinct one once): repeated creates create one campaign each, repeated reads each see the store as it is
    after the operations before them, and the journal has one entry per operation."""
    before = client.state.journal.last_seq
    create = {"method": "POST", "relative_url": f"{act}/campaigns", "body": FORM_CAMPAIGN}
    count = {"method": "GET", "relative_url": f"{act}/campaigns?fields=name&limit=50"}
    answers = bodies(run(client, [count, create, count, create, count]))
    assert [code for code, _ in answers] == [200] * 5
    first, second = answers[1][1]["id"], answers[3][1]["id"]
    assert first != second
    seen = [[c["id"] for c in answers[i][1]["data"]] for i in (0, 2, 4)]
    assert first not in seen[0] and first in seen[1] and second not in seen[1] and {first, second} <= set(seen[2])
    entries = client.state.journal.entries(since=before)
    assert [(e.method, e.path.rsplit("/", 1)[-1]) for e in entries][:5] == [("GET", "campaigns"), ("POST", "campaigns")] * 2 + [("GET", "campaigns")]
