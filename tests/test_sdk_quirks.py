"""Plain-HTTP regressions for what the official SDKs put on the wire (shared/reference/sdk-wire-*.json).

The SDK suites (tests/sdk/) drive the real SDKs; these replay the exact requests they send, in-process,
so a server change that would break an SDK fails here fast and without Node. One test per quirk.
Node-shaped requests are replayed at v26.0: the version prefix the Node SDK uses is its own concern.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest

from helpers_envelope import assert_graph_error
from mock_server.config import ServerConfig
from mock_server.testing import InProcessClient

NODE_HEADERS = {"Content-Type": "application/json", "User-Agent": "fbbizsdk-nodejs-v24.0.0",
                "Accept": "application/json, text/plain, */*"}
PYTHON_HEADERS = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "fbbizsdk-python-v26.0.3"}
PROOF = "31fa78489b3b182820fb8100e34652a7052c617116aac3ac5b320e5af0c1804c"


@pytest.fixture
def sdk_client() -> Any:
    c = InProcessClient(ServerConfig(seed=11), version="v26.0")
    yield c
    c.close()


def raw(c: InProcessClient, method: str, target: str, *, body: bytes = b"", headers: dict[str, str] | None = None
        ) -> httpx.Response:
    """Send `target` (path + query, or an absolute URL) byte for byte: no params merged, no token added."""
    async def send() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=c.app), base_url="http://graphmock.test") as h:
            return await h.request(method, target, content=body, headers=headers or {})
    return asyncio.run(send())


def campaign(c: InProcessClient, act: str, name: str = "C") -> str:
    response = c.post(f"{act}/campaigns", data={"name": name, "objective": "OUTCOME_TRAFFIC", "status": "PAUSED",
                                                 "special_ad_categories": "[]"})
    assert response.status_code == 200, response.text
    return response.json()["id"]


def test_python_trailing_slash_on_node_reads_updates_and_deletes(sdk_client):
    """sdk-wire-python.json: GET/POST/DELETE go to `/v26.0/<id>/` with token and appsecret_proof in the query."""
    c, act = sdk_client, sdk_client.world["ad_account_id"]
    cid = campaign(c, act)
    query = f"access_token={c.token}&appsecret_proof={PROOF}"
    read = raw(c, "GET", f"/v26.0/{cid}/?{query}&fields=name%2Cstatus")
    assert read.status_code == 200 and read.json() == {"name": "C", "status": "PAUSED", "id": cid}
    update = raw(c, "POST", f"/v26.0/{cid}/?{query}", body=b"name=Renamed&status=ACTIVE", headers=PYTHON_HEADERS)
    assert update.status_code == 200 and update.json() == {"success": True}
    assert c.get(cid, params={"fields": "name,status"}).json() == {"name": "Renamed", "status": "ACTIVE", "id": cid}
    delete = raw(c, "DELETE", f"/v26.0/{cid}/?{query}")
    assert delete.status_code == 200 and delete.json() == {"success": True}


def test_python_unknown_id_with_trailing_slash_is_100_33(sdk_client):
    """sdk-wire-python.json `GET /v26.0/999/`: the trailing slash must not turn 'does not exist' into a path error."""
    response = raw(sdk_client, "GET", f"/v26.0/999/?access_token={sdk_client.token}&fields=name")
    error = assert_graph_error(response, 100, 33)
    assert error["message"].startswith("Unsupported get request. Object with ID '999' does not exist")


def test_python_form_body_with_json_encoded_values(sdk_client):
    """sdk-wire-python.json, first request: lists, dicts and booleans arrive JSON-encoded inside form values."""
    c, world = sdk_client, sdk_client.world
    body = ("name=My+campaign&objective=OUTCOME_TRAFFIC&status=PAUSED&special_ad_categories=%5B%5D&daily_budget=5000"
            "&bid_strategy=LOWEST_COST_WITHOUT_CAP&is_skadnetwork_attribution=false"
            f"&promoted_object=%7B%22page_id%22%3A%22{world['page_id']}%22%7D&start_time=2026-01-02+03%3A04%3A05")
    created = raw(c, "POST", f"/v26.0/{world['ad_account_id']}/campaigns?access_token={c.token}&appsecret_proof={PROOF}",
                  body=body.encode(), headers=PYTHON_HEADERS)
    assert created.status_code == 200, created.text
    read = c.get(created.json()["id"], params={"fields": "special_ad_categories,daily_budget,is_skadnetwork_attribution"})
    assert read.json() == {"special_ad_categories": [], "daily_budget": "5000", "is_skadnetwork_attribution": False,
                           "id": created.json()["id"]}


def test_python_summary_true_gives_total_count(sdk_client):
    """GRAPH-BEHAVIOUR 3.1/3.2: the SDK Cursor always sends summary=true and reads summary.total_count."""
    c, act = sdk_client, sdk_client.world["ad_account_id"]
    for i in range(3):
        campaign(c, act, f"C{i}")
    body = c.get(f"{act}/campaigns", params={"summary": "true", "limit": "2"}).json()
    assert body["summary"] == {"total_count": 3} and len(body["data"]) == 2


def test_python_appsecret_proof_in_the_query_is_accepted_when_not_required(sdk_client):
    """The SDK adds appsecret_proof to every query when init() gets an app secret; the demo app does not require
    it, so a proof (even one for another token) changes nothing."""
    c, act = sdk_client, sdk_client.world["ad_account_id"]
    response = raw(c, "GET", f"/v26.0/{act}/campaigns?access_token={c.token}&appsecret_proof={PROOF}&summary=true")
    assert response.status_code == 200 and response.json()["summary"] == {"total_count": 0}


def test_python_multipart_image_upload_field_named_filename(sdk_client):
    """sdk-wire-python.json: create_ad_image posts multipart field `filename` (file name tmp....png), token and
    proof in the query; the answer is {"images": {"<file name>": {...}}}, the one entry the SDK pops."""
    c, act = sdk_client, sdk_client.world["ad_account_id"]
    png = (Path(__file__).parent / "assets" / "red_4x3.png").read_bytes()
    boundary = "23ad5fbe39e89d19f19d7f8939d653f4"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"filename\"; filename=\"tmpmedjrsym.png\"\r\n\r\n"
            ).encode() + png + f"\r\n--{boundary}--\r\n".encode()
    response = raw(c, "POST", f"/v26.0/{act}/adimages?access_token={c.token}&appsecret_proof={PROOF}", body=body,
                   headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert response.status_code == 200, response.text
    images = response.json()["images"]
    assert list(images) == ["tmpmedjrsym.png"]
    assert images["tmpmedjrsym.png"]["hash"] == hashlib.md5(png).hexdigest()
    assert (images["tmpmedjrsym.png"]["width"], images["tmpmedjrsym.png"]["height"]) == (4, 3)


def test_node_json_create_body_with_stray_account_id(sdk_client):
    """sdk-wire-node.json: createCampaign posts JSON with native types and `"id": "act_..."` (the parent)."""
    c, act = sdk_client, sdk_client.world["ad_account_id"]
    body = {"name": "My campaign", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED", "special_ad_categories": [],
            "daily_budget": 5000, "is_skadnetwork_attribution": False, "id": act}
    created = raw(c, "POST", f"/v26.0/{act}/campaigns?access_token={c.token}", body=json.dumps(body).encode(),
                  headers=NODE_HEADERS)
    assert created.status_code == 200, created.text
    campaign_id = created.json()["id"]
    assert created.json() == {"id": campaign_id} and campaign_id != act


def test_node_json_update_body_with_stray_node_id(sdk_client):
    """sdk-wire-node.json: update posts `{"name": ..., "status": ..., "id": "<the node's id>"}`."""
    c, act = sdk_client, sdk_client.world["ad_account_id"]
    cid = campaign(c, act)
    body = json.dumps({"name": "Renamed", "status": "ACTIVE", "id": cid}).encode()
    update = raw(c, "POST", f"/v26.0/{cid}?access_token={c.token}", body=body, headers=NODE_HEADERS)
    assert update.status_code == 200 and update.json() == {"success": True}
    assert c.get(cid, params={"fields": "name,status"}).json() == {"name": "Renamed", "status": "ACTIVE", "id": cid}


def test_node_get_with_empty_json_body(sdk_client):
    """sdk-wire-node.json: every GET carries `Content-Type: application/json` and the body `{}`."""
    c, act = sdk_client, sdk_client.world["ad_account_id"]
    cid = campaign(c, act)
    read = raw(c, "GET", f"/v26.0/{cid}?fields=name%2Cstatus&access_token={c.token}", body=b"{}", headers=NODE_HEADERS)
    assert read.status_code == 200 and read.json() == {"name": "C", "status": "PAUSED", "id": cid}
    listed = raw(c, "GET", f"/v26.0/{act}/campaigns?effective_status=%5B%22ACTIVE%22%2C%22PAUSED%22%5D&limit=2"
                 f"&fields=name&access_token={c.token}", body=b"{}", headers=NODE_HEADERS)
    assert listed.status_code == 200 and [d["id"] for d in listed.json()["data"]] == [cid]


def test_node_delete_with_id_in_the_query(sdk_client):
    """sdk-wire-node.json: delete sends `DELETE /<id>?id=<id>&access_token=...` with a `{}` JSON body."""
    c, act = sdk_client, sdk_client.world["ad_account_id"]
    cid = campaign(c, act)
    deleted = raw(c, "DELETE", f"/v26.0/{cid}?id={cid}&access_token={c.token}", body=b"{}", headers=NODE_HEADERS)
    assert deleted.status_code == 200 and deleted.json() == {"success": True}
    assert c.get(cid, params={"fields": "status"}).json() == {"status": "DELETED", "id": cid}


def test_node_follows_paging_next_verbatim(sdk_client):
    """GRAPH-BEHAVIOUR 3.1: Cursor.next() GETs the absolute `paging.next` as is (no token added), so `next` must
    carry access_token and every original param, point at the same host and version, and not leak appsecret_proof."""
    c, act = sdk_client, sdk_client.world["ad_account_id"]
    ids = [campaign(c, act, f"C{i}") for i in range(5)]
    first = raw(c, "GET", f"/v26.0/{act}/campaigns?limit=2&fields=name&summary=true&access_token={c.token}"
                f"&appsecret_proof={PROOF}", body=b"{}", headers=NODE_HEADERS).json()
    seen = [d["id"] for d in first["data"]]
    page = first
    while "next" in page["paging"]:
        url = page["paging"]["next"]
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc, parts.path) == ("http", "graphmock.test", f"/v26.0/{act}/campaigns")
        query = parse_qs(parts.query)
        assert query["access_token"] == [c.token] and query["limit"] == ["2"] and query["fields"] == ["name"]
        assert "appsecret_proof" not in query
        page = raw(c, "GET", url, body=b"{}", headers=NODE_HEADERS).json()
        seen += [d["id"] for d in page["data"]]
    assert seen == ids[::-1]


def test_python_batch_posts_to_the_version_root_with_trailing_slash_relative_urls(sdk_client):
    """sdk-wire-python.json: `POST /v26.0/` with form `batch=[...]`: unversioned relative_urls ending in `/`,
    GET params in relative_url, POST params url-encoded in `body` with JSON-encoded lists. Answers arrive in
    order as {code, headers, body: "<json string>"}; a failing op (999) does not stop the others."""
    c, act = sdk_client, sdk_client.world["ad_account_id"]
    cid = campaign(c, act, "Existing")
    ops = [{"body": "name=B1&objective=OUTCOME_SALES&status=PAUSED&special_ad_categories=%5B%5D", "method": "POST",
            "relative_url": f"{act}/campaigns"},
           {"method": "GET", "relative_url": f"{cid}/?fields=name%2Cstatus"},
           {"body": "status=ACTIVE", "method": "POST", "relative_url": f"{cid}/"},
           {"method": "DELETE", "relative_url": f"{cid}/"},
           {"method": "GET", "relative_url": f"{act}/campaigns?effective_status=%5B%22PAUSED%22%5D&fields=name"},
           {"method": "GET", "relative_url": "999/?fields=name"}]
    body = "batch=" + quote(json.dumps(ops, separators=(",", ":")), safe="")
    response = raw(c, "POST", f"/v26.0/?access_token={c.token}&appsecret_proof={PROOF}", body=body.encode(),
                   headers=PYTHON_HEADERS)
    assert response.status_code == 200, response.text
    answers = response.json()
    assert [a["code"] for a in answers] == [200, 200, 200, 200, 200, 400]
    bodies = [json.loads(a["body"]) for a in answers]
    new_id = bodies[0]["id"]
    assert bodies[1] == {"name": "Existing", "status": "PAUSED", "id": cid}
    assert bodies[2] == bodies[3] == {"success": True}
    assert [d["id"] for d in bodies[4]["data"]] == [new_id]  # the deleted one is gone from the edge
    assert (bodies[5]["error"]["code"], bodies[5]["error"]["error_subcode"]) == (100, 33)


def test_python_multi_read_with_double_slash(sdk_client):
    """sdk-wire-python.json: Campaign.get_by_ids sends `GET /v26.0//?fields=name&ids=a%2Cb` and reads a map
    keyed by id (GRAPH-BEHAVIOUR 4)."""
    c, act = sdk_client, sdk_client.world["ad_account_id"]
    first, second = campaign(c, act, "First"), campaign(c, act, "Second")
    response = raw(c, "GET", f"/v26.0//?access_token={c.token}&appsecret_proof={PROOF}&fields=name&ids={first}%2C{second}")
    assert response.status_code == 200, response.text
    assert response.json() == {first: {"name": "First", "id": first}, second: {"name": "Second", "id": second}}


def test_node_sdk_version_v24_is_auto_upgraded(sdk_client):
    """facebook-nodejs-business-sdk 24.0.1 (the newest on npm) calls /v24.0/: the version deprecated last is
    served as v25.0 with the X-Ad-Api-Version-Warning header (GRAPH-BEHAVIOUR 12)."""
    c, act = sdk_client, sdk_client.world["ad_account_id"]
    body = json.dumps({"name": "Node", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED", "special_ad_categories": [],
                       "id": act}).encode()
    created = raw(c, "POST", f"/v24.0/{act}/campaigns?access_token={c.token}", body=body, headers=NODE_HEADERS)
    assert created.status_code == 200, created.text
    assert created.headers["x-ad-api-version-warning"] == (
        "The call has been auto-upgraded to v25.0 as v24.0 has been deprecated")
