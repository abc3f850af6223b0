"""Issue 16, in process: request limits, the byte-bounded journal, one redaction, the control guard, envelopes for
odd input, the journal query, `graphmock sample-image` (docs/hardening.md)."""

from __future__ import annotations

import asyncio
import json
import re
import tracemalloc
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from mock_server.app import create_app
from mock_server.cli import main
from mock_server.config import ServerConfig
from mock_server.journal import Journal
from mock_server.testing import InProcessClient
from mock_server.wire.php_keys import fold as _fold
from mock_server.wire.request import GraphRequest, Limits

ROOT = Path(__file__).resolve().parent.parent
SECRETS = ("GMDEMO-ads-management-token", "S3CRET-IN-URL", "S3CRET-IN-BODY", "S3CRET-IN-HEADER", "S3CRET-INPUT",
           "S3CRET-EXCHANGE", "S3CRET-PROOF", "S3CRET-CLIENT")


def raw(client: InProcessClient, method: str, path: str, *, headers: dict[str, str] | None = None,
        content: bytes | None = None, host: str = "127.0.0.1:8787") -> httpx.Response:
    """A request exactly as given (no demo token added), with the Host header a browser would send."""
    return client.request(method, path, headers={"host": host, **(headers or {})}, content=content, token=None)


def error_of(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["content-type"].startswith("application/json"), response.headers
    return response.json()["error"]


# -- (1) bounded memory per request ---------------------------------------------------------------
def test_php_key_deeper_than_the_limit_is_refused_naming_it(client, act):
    response = client.post(f"{act}/adsets", content=b"targeting" + b"[0]" * 13 + b"=x",
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400
    assert "max_key_depth=12" in error_of(response)["message"]


def test_list_index_above_the_limit_is_refused_naming_it(client, act):
    response = client.post(f"{act}/campaigns", content=b"special_ad_categories[10000]=NONE",
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400
    assert "max_list_index=9999" in error_of(response)["message"]


def test_sparse_indexes_order_values_and_allocate_nothing_for_the_gaps():
    """`k[9999][9999]...` once cost 80 KB per bracket (a list padded with None); now one entry per value."""
    assert _fold([("a[0]", "x"), ("a[9999]", "y"), ("a[5]", "z")]) == {"a": ["x", "z", "y"]}
    pairs = [(f"k{i}" + "[9999]" * 12, "v") for i in range(900)]
    tracemalloc.start()
    _fold(pairs, Limits())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 5_000_000, f"folding 900 sparse keys peaked at {peak} bytes"


def test_a_json_body_with_too_many_values_is_refused_naming_the_limit(client, act):
    body = b'{"name": "x", "v": [' + b",".join([b"[]"] * 200_001) + b"]}"
    response = client.post(f"{act}/campaigns", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert "max_json_values=200000" in error_of(response)["message"]


def test_a_body_shorter_than_its_content_length_times_out_with_json_408():
    app = create_app(ServerConfig(limits=Limits(body_timeout=0.2)))
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        await asyncio.sleep(3600)  # the client never sends the rest
        return {}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/v25.0/act_1/campaigns", "raw_path": b"", "query_string": b"",
             "headers": [(b"host", b"127.0.0.1"), (b"content-length", b"100")], "http_version": "1.1",
             "scheme": "http", "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1)}
    asyncio.run(asyncio.wait_for(app(scope, receive, send), 5))
    assert sent[0]["status"] == 408
    assert "no body bytes for 0.2s" in orjson.loads(sent[1]["body"])["error"]["message"]


# -- (1) the journal, bounded in bytes -------------------------------------------------------------
class _State:
    def now(self) -> float:
        return 0.0


def _request(params: dict[str, Any]) -> GraphRequest:
    return GraphRequest(method="POST", path="/v25.0/act_1/campaigns", version="v25.0", segments=["act_1", "campaigns"],
                        params=params, query={}, base_url="http://x")


def test_journal_is_bounded_in_bytes_and_keeps_long_values_truncated_with_their_length():
    from mock_server.journal import MAX_VALUE_CHARS
    journal = Journal(_State(), size=1000, max_bytes=200_000)
    for index in range(100):
        journal.record(_request({"name": "x" * 50_000, "n": str(index)}), 400, None, violations=[])
    assert journal.bytes <= 200_000
    kept = journal.entries()
    assert kept and kept[-1].params["n"] == "99"
    name = kept[-1].params["name"]
    assert len(name) < MAX_VALUE_CHARS and name.endswith("<truncated, 50000 chars>")
    journal.clear()
    assert journal.bytes == 0 and not journal.entries()


def test_journal_query_takes_limit_and_violations(client, act):
    for _ in range(3):
        client.get(act)
    client.post(f"{act}/campaigns", data={"name": "no objective"})
    everything = client.get("/__graphmock/journal").json()["data"]
    last_two = client.get("/__graphmock/journal", params={"limit": "2"}).json()["data"]
    assert [e["seq"] for e in last_two] == [e["seq"] for e in everything[-2:]]
    violating = client.get("/__graphmock/journal", params={"violations": "1"}).json()["data"]
    assert violating and all(e["verdict"] != "conforming" for e in violating)


# -- (2) secrets -----------------------------------------------------------------------------------
def test_no_secret_reaches_the_journal_the_log_line_or_an_error(client, act):
    from mock_server.request_log import line
    batch = [{"method": "GET", "relative_url": f"{act}?fields=name&access_token=S3CRET-IN-URL"},
             {"method": "POST", "relative_url": f"{act}/campaigns", "body": "name=x&access_token=S3CRET-IN-BODY",
              "headers": ["Authorization: Bearer S3CRET-IN-HEADER"]}]
    client.post("/v25.0/", data={"batch": json.dumps(batch)})
    client.get("debug_token", params={"input_token": "S3CRET-INPUT"})
    client.get("oauth/access_token", params={"grant_type": "fb_exchange_token", "fb_exchange_token": "S3CRET-EXCHANGE",
                                             "client_secret": "S3CRET-CLIENT"})
    client.get(act, params={"appsecret_proof": "S3CRET-PROOF"})
    journal = client.get("/__graphmock/journal").text
    lines = "\n".join(line(entry) + entry.describe() for entry in client.state.journal.entries())
    for secret in SECRETS:
        assert secret not in journal, secret
        assert secret not in lines, secret
    assert "fb_exchange_token" in journal  # the grant type, a value that is not a secret, stays readable


def test_error_texts_mask_secrets():
    from mock_server import redaction
    body = {"error": {"message": "Param x is invalid: access_token=S3CRET-IN-URL&y=1", "error_user_msg": "ok"}}
    assert "S3CRET" not in json.dumps(redaction.error_body(body))
    assert redaction.text("Invalid OAuth access token data.") == "Invalid OAuth access token data."


def test_snapshots_and_fixtures_exports_keep_secrets_only_when_asked(client, act):
    campaign = client.post(f"{act}/campaigns", data={"name": "kept", "objective": "OUTCOME_TRAFFIC",
                                                     "special_ad_categories": "[]", "status": "PAUSED"}).json()["id"]
    redacted = client.get("/__graphmock/snapshot").text
    assert "GMDEMO-ads-management-token" not in redacted and "graphmock-demo-app-secret" not in redacted
    assert "graphmock-demo-app-secret" not in client.get("/__graphmock/fixtures").text
    full = client.get("/__graphmock/snapshot", params={"secrets": "1"}).text
    assert "GMDEMO-ads-management-token" in full and "graphmock-demo-app-secret" in full
    client.post("/__graphmock/reset")
    assert client.post("/__graphmock/restore", content=redacted.encode(),
                       headers={"content-type": "application/json"}).status_code == 200
    assert client.get(campaign, params={"fields": "name"}).json()["name"] == "kept"  # the token still works


# -- (3) control API guard -------------------------------------------------------------------------
def test_a_cross_site_text_plain_post_cannot_reset_the_world(client, act):
    campaign = client.post(f"{act}/campaigns", data={"name": "survives", "objective": "OUTCOME_TRAFFIC",
                                                     "special_ad_categories": "[]"}).json()["id"]
    refused = raw(client, "POST", "/__graphmock/reset", headers={"content-type": "text/plain",
                                                                 "origin": "http://127.0.0.1:8787"}, content=b"{}")
    assert refused.status_code == 403 and "JSON" in error_of(refused)["message"] and "JSON" in refused.json()["message"]
    foreign = raw(client, "POST", "/__graphmock/reset", headers={"content-type": "application/json",
                                                                 "origin": "https://evil.example"}, content=b"{}")
    assert foreign.status_code == 403 and "evil.example" in error_of(foreign)["message"]
    fetched = raw(client, "POST", "/__graphmock/reset", headers={"content-type": "application/json",
                                                                 "sec-fetch-site": "cross-site"}, content=b"{}")
    assert fetched.status_code == 403
    assert client.get(campaign, params={"fields": "name"}).json()["name"] == "survives"


def test_dns_rebinding_cannot_read_a_snapshot_but_the_own_origin_can(client):
    for path in ("/__graphmock/snapshot", "/__graphmock/journal", "/__graphmock/ui/", "/__graphmock/"):
        assert raw(client, "GET", path, host="rebind.evil.example:8787").status_code == 403, path
    assert raw(client, "GET", "/__graphmock/snapshot", host="localhost:8787").status_code == 200
    same_origin = raw(client, "POST", "/__graphmock/clock", content=b'{"advance": 1}', host="127.0.0.1:8787",
                      headers={"content-type": "application/json", "origin": "http://127.0.0.1:8787"})
    assert same_origin.status_code == 200  # what the dashboard's page sends
    assert raw(client, "GET", "/__graphmock/ui/", host="127.0.0.1:8787").status_code != 403


class _client:
    """A client whose app allows one extra Host (a proxy's name) and has an admin token."""

    def __enter__(self) -> InProcessClient:
        self.c = InProcessClient(ServerConfig(allowed_hosts=("mock.internal",), admin_token="adm"))
        return self.c

    def __exit__(self, *exc: Any) -> None:
        self.c.close()


def test_allowed_hosts_and_the_admin_token_open_the_host_check():
    with _client() as c:
        token = {"authorization": "Bearer adm"}
        assert raw(c, "GET", "/__graphmock/clock", host="mock.internal", headers=token).status_code == 200
        assert raw(c, "GET", "/__graphmock/clock", host="10.1.2.3:8787", headers=token).status_code == 200
        assert raw(c, "GET", "/__graphmock/clock", host="10.1.2.3:8787").status_code == 403


def test_head_and_odd_methods_on_control_paths_answer_json(client):
    head = raw(client, "HEAD", "/__graphmock/clock")
    assert head.status_code == 200 and head.content == b"" and head.headers["content-type"].startswith("application/json")
    odd = raw(client, "PROPFIND", "/__graphmock/clock")
    assert odd.status_code == 405 and error_of(odd)["code"] == 405


def test_graph_answers_keep_access_control_allow_origin(client, act):
    assert client.get(act).headers["access-control-allow-origin"] == "*"


# -- (4) envelopes for odd input -------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/v1%0A", "/v25.0%00/me", "/v25.0%0A/me", "/v25.0/me%0D%0AX-Injected:%201"])
def test_control_characters_in_the_path_get_a_graph_envelope(client, path):
    response = raw(client, "GET", path)
    assert response.status_code < 500 and "code" in error_of(response)
    assert re.fullmatch(r"v\d+\.\d+", response.headers["facebook-api-version"])  # a served version, not the path
    assert "x-injected" not in response.headers


def test_head_on_a_graph_node_is_get_without_a_body(client, act):
    get = client.get(act, params={"fields": "name"})
    head = client.request("HEAD", act, params={"fields": "name"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]


# -- (7) the walk-through's image ------------------------------------------------------------------
def test_sample_image_writes_the_walkthroughs_pixel_png_and_it_uploads(tmp_path, client, act):
    target = tmp_path / "pixel.png"
    assert main(["sample-image", str(target)]) == 0
    with open(target, "rb") as fh:
        upload = client.post(f"{act}/adimages", files={"filename": ("pixel.png", fh, "image/png")})
    assert upload.status_code == 200 and upload.json()["images"]["pixel.png"]["hash"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.index("graphmock sample-image pixel.png") < readme.index("filename=@pixel.png")
    assert "Python ≥ 3.11" in readme and "Node ≥ 18" in readme and "graphmock[sdk]" in readme
    assert 'sdk = ["facebook-business' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("digits", ["³", "٣", "①", "1²"])
def test_an_id_of_unicode_digits_is_a_graph_error_not_a_500(client, act, digits):
    """`str.isdigit` accepts superscripts and other scripts' digits, which `int()` refuses or reads as ASCII ones:
    every id a client sends is numeric only in ASCII digits, so these answer Graph's error for a missing or
    invalid object, never a server error (Schemathesis found `DELETE /act_.../advideos?video_id=³`)."""
    calls = [("DELETE", f"{act}/advideos", {"video_id": digits}),
             ("POST", f"{act}/adsets", {"campaign_id": digits, "name": "x", "billing_event": "IMPRESSIONS",
                                          "optimization_goal": "REACH", "daily_budget": "5000",
                                          "targeting": '{"geo_locations":{"countries":["US"]}}'}),
             ("POST", f"{act}/ads", {"adset_id": digits, "name": "x", "creative": '{"creative_id":"1"}'}),
             ("GET", f"{act}/insights", {"date_preset": f"last_{digits}d"}),
             ("GET", digits, {"fields": "name"}),
             ("GET", f"{act}/generatepreviews", {"creative": '{"object_story_id":"1"}', "ad_format": "DESKTOP_FEED_STANDARD",
                                                 "creative_id": digits}),
             ("GET", f"{act}/insights", {"since": digits})]
    for method, path, params in calls:
        response = client.request(method, path, params=params if method != "POST" else None,
                                  data=params if method == "POST" else None)
        assert response.status_code < 500, (method, path, response.status_code, response.text[:200])
        assert response.status_code == 200 or error_of(response)["code"] != 1, (method, path, response.text[:200])
