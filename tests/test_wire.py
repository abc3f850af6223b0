"""The Graph wire protocol shared by every endpoint: paths, versions, params, tokens, error envelopes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from helpers_envelope import assert_graph_error
from mock_server.config import ServerConfig
from mock_server.testing import InProcessClient

CAMPAIGN = {"name": "c", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED", "special_ad_categories": "[]"}


def test_trailing_and_double_slashes_are_accepted_without_redirect(client, act):
    """The Python SDK sends /v26.0/<id>/ and /v26.0//?ids=..; no 3xx, same answer."""
    cid = client.post(f"/v25.0/{act}/campaigns/", data=CAMPAIGN).json()["id"]
    response = client.get(f"/v25.0/{cid}/", params={"fields": "name"})
    assert response.status_code == 200 and response.json() == {"name": "c", "id": cid}
    assert client.get(f"/v25.0//{cid}//", params={"fields": "name"}).json() == {"name": "c", "id": cid}


def test_deprecated_version_names_the_latest():
    """GRAPH-BEHAVIOUR 12: (#2635) You are calling a deprecated version of the Ads API. Please update to the
    latest version: vXX.0. The supported set is configuration."""
    c = InProcessClient(ServerConfig(versions=("v24.0", "v25.0")))
    error = assert_graph_error(c.get("/v19.0/act_1000000000000001"), 2635)
    assert error["message"] == ("(#2635) You are calling a deprecated version of the Ads API. "
                                "Please update to the latest version: v25.0.")
    assert error["type"] == "OAuthException"
    assert c.get("/v24.0/act_1000000000000001").status_code == 200
    assert_graph_error(c.get("/v26.0/act_1000000000000001"), 2500)
    c.close()


def test_malformed_version_segment_is_unknown_path_components(client, act):
    """fbRads #97: /v3/act_X/ -> 'Unknown path components: /act_X' (code 2500)."""
    error = assert_graph_error(client.get(f"/v3/{act}/"), 2500)
    assert error["message"] == f"Unknown path components: /{act}"
    assert_graph_error(client.get(f"/v99.0/{act}"), 2500)


def test_unknown_path_depth_and_unknown_edge(client, act):
    assert_graph_error(client.get(f"{act}/campaigns/extra"), 2500, message_has="/extra")
    error = assert_graph_error(client.get(f"{act}/nope"), 100)
    assert error["message"] == "(#100) Tried accessing nonexisting field (nope) on node type (AdAccount)"


def test_unknown_object_id_is_graph_method_exception(client):
    """GRAPH-BEHAVIOUR 1.3: unknown id -> code 100, subcode 33, GraphMethodException."""
    error = assert_graph_error(client.get("999", params={"fields": "name"}), 100, 33)
    assert error["type"] == "GraphMethodException"
    assert error["message"].startswith("Unsupported get request. Object with ID '999' does not exist")
    post = assert_graph_error(client.post("999", data={"name": "x"}), 100, 33)
    assert post["message"].startswith("Unsupported post request.")
    assert_graph_error(client.get("act_999"), 100, 33)


def test_alias_that_is_not_an_id(client):
    assert_graph_error(client.get("me-and-you"), 803, status=404, message_has="me-and-you")


def test_token_locations_and_errors(client, act):
    """access_token from query, body, or Authorization: Bearer|OAuth; none -> 104; unknown -> 190."""
    assert client.get(act, token=None, headers={"Authorization": f"Bearer {client.token}"}).status_code == 200
    assert client.get(act, token=None, headers={"Authorization": f"OAuth {client.token}"}).status_code == 200
    body_token = client.post(f"{act}/campaigns", token=None, data={**CAMPAIGN, "access_token": client.token})
    assert body_token.status_code == 200
    error = assert_graph_error(client.get(act, token=None), 104)
    assert error["message"] == "An access token is required to request this resource."
    assert_graph_error(client.get(act, token="EAAunknownTOKEN"), 190)
    assert_graph_error(client.get(act, token="not a token!"), 190, message_has="Cannot parse access token")


def test_repeated_gets_are_answered_per_request_headers_and_version(client, act):
    """Bodiless GETs are parsed once per path, query and headers (wire/request.py): the same URL with another
    Authorization header is another request, and a repeated auto-upgraded call warns every time (GRAPH-BEHAVIOUR
    12), however often it is sent."""
    for _ in range(3):
        assert client.get(act, token=None, headers={"Authorization": f"Bearer {client.token}"}).json() == {"id": act}
        assert_graph_error(client.get(act, token=None, headers={"Authorization": "Bearer not-a-token"}), 190)
        assert_graph_error(client.get(act, token=None), 104)
    for _ in range(3):
        response = client.get(f"/v24.0/{act}", params={"fields": "name"})
        assert response.headers["x-ad-api-version-warning"] == ("The call has been auto-upgraded to v25.0 as v24.0 "
                                                                "has been deprecated")
        assert response.json() == client.get(f"/v25.0/{act}", params={"fields": "name"}).json()


def test_unsupported_http_method(client, act):
    assert_graph_error(client.request("PUT", act), 100, message_has="Unsupported put request")


def test_method_override_and_suppress_http_code(client, act):
    """Graph honours ?method=delete and suppress_http_code=1 (errors come back with HTTP 200)."""
    cid = client.post(f"{act}/campaigns", data=CAMPAIGN).json()["id"]
    assert client.get(cid, params={"method": "delete"}).json() == {"success": True}
    assert client.get(cid, params={"fields": "status"}).json()["status"] == "DELETED"
    suppressed = client.get("999", params={"suppress_http_code": "1"})
    assert suppressed.status_code == 200 and suppressed.json()["error"]["code"] == 100


def test_php_style_bracket_params(client, act):
    """Graph folds promoted_object[page_id]=1 and special_ad_categories[0]=HOUSING into structures."""
    response = client.post(f"{act}/campaigns", data={
        "name": "b", "objective": "OUTCOME_TRAFFIC", "special_ad_categories[0]": "HOUSING",
        "special_ad_category_country[0]": "US", "promoted_object[page_id]": "111"})
    assert response.status_code == 200, response.text
    body = client.get(response.json()["id"], params={"fields": "special_ad_categories,promoted_object"}).json()
    assert body["special_ad_categories"] == ["HOUSING"] and body["promoted_object"] == {"page_id": "111"}


def test_malformed_bodies_are_graph_errors(client, act):
    bad_json = client.post(f"{act}/campaigns", content=b'{"name": ', headers={"Content-Type": "application/json"})
    assert_graph_error(bad_json, 100, message_has="could not be parsed")
    not_object = client.post(f"{act}/campaigns", content=b"[1,2]", headers={"Content-Type": "application/json"})
    assert_graph_error(not_object, 100, message_has="must be an object")
    bad_utf8 = client.post(f"{act}/campaigns", content=b"name=%FF%FE", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_graph_error(bad_utf8, 100, message_has="UTF-8")


def test_fields_syntax_error_is_code_2500(client, act):
    error = assert_graph_error(client.get(act, params={"fields": "name,{"}), 2500)
    assert error["message"].startswith('Syntax error "')
    assert_graph_error(client.get(act, params={"fields": "name.as(x)"}), 100, message_has="Unknown fields: x.")


def test_field_expansion_with_limit_on_an_edge(client, act):
    """G-FE: fields=campaigns.limit(2){name}; nested edges use the {data, paging} envelope."""
    for i in range(3):
        client.post(f"{act}/campaigns", data={**CAMPAIGN, "name": f"c{i}"})
    body = client.get(act, params={"fields": "name,campaigns.limit(2){name}"}).json()
    assert [d["name"] for d in body["campaigns"]["data"]] == ["c2", "c1"]
    assert "next" in body["campaigns"]["paging"]


@settings(max_examples=150)
@given(body=st.binary(max_size=300), value=st.text(max_size=40),
       content_type=st.sampled_from(["application/json", "application/x-www-form-urlencoded", "multipart/form-data",
                                     "text/plain", "", "application/json; charset=utf-8"]))
def test_any_bytes_yield_a_graph_envelope_never_a_500(body, value, content_type):
    """Any byte string as a body, or any text as a param value, yields JSON: success or a Graph error (4xx)."""
    client = _shared()
    act = client.world["ad_account_id"]
    headers = {"Content-Type": content_type} if content_type else {}
    for response in (client.post(f"{act}/campaigns", content=body, headers=headers),
                     client.post(f"{act}/campaigns", data={**CAMPAIGN, "daily_budget": value, "name": value or "x"}),
                     client.get(f"{act}/campaigns", params={"fields": value, "limit": value})):
        assert response.status_code < 500, response.text
        payload = response.json()
        assert ("error" in payload and payload["error"]["code"]) or "id" in payload or "data" in payload


_CLIENT: list[InProcessClient] = []


def _shared() -> InProcessClient:
    if not _CLIENT:
        _CLIENT.append(InProcessClient(ServerConfig(seed=3)))
    return _CLIENT[0]
