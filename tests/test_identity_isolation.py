"""Isolation of the fixture world (issue 14 point 1 'every list obeys the token's reach'; brief: 'a token never
reaches what it was not granted (by id, list, ids=, nesting or batch)')."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

TOKENS = ["GMDEMO-ads-management-token", "GMDEMO-second-account-token", "GMDEMO-ads-read-token",
          "GMDEMO-pages-only-token", "GMDEMO-two-factor-passed-token", "GMDEMO-dev-app-token"]
NODES = ["me", "1500000000000001", "1500000000000002", "1500000000000003", "1300000000000001", "1300000000000002",
         "1300000000000003", "1100000000000001", "1100000000000002", "1100000000000001_1110000000000001",
         "1100000000000001_1110000000000002", "17841400000000001", "17900000000000001", "act_1000000000000001",
         "act_1000000000000011", "act_1000000000000021"]
EDGES = ["me/adaccounts", "me/businesses", "me/accounts", "me/business_users",
         "1300000000000001/owned_ad_accounts", "1300000000000002/owned_ad_accounts", "1300000000000003/client_ad_accounts",
         "1300000000000001/business_users", "1100000000000001/posts", "1100000000000001/promotable_posts?include_inline=true",
         "1100000000000001/instagram_accounts", "17841400000000001/media", "act_1000000000000001/instagram_accounts",
         "act_1000000000000001/connected_instagram_accounts_with_iabp", "act_1000000000000011/users",
         "act_1000000000000001/users"]
# What the second ad account's system-user token must never see: the demo account's world.
DEMO_ONLY = {"act_1000000000000001", "1100000000000001", "17841400000000001", "17900000000000001",
             "1100000000000001_1110000000000001", "1100000000000001_1110000000000002", "1300000000000002"}


def listed(client, token, path, how):
    """The ids a list edge shows, fetched directly, inside a batch, or nested in `fields` of its owner."""
    if how == "batch":
        answer = client.post("", token=token, data={"batch": json.dumps([{"method": "GET", "relative_url": path}])}).json()
        if answer[0]["code"] != 200:
            return None
        return [row["id"] for row in json.loads(answer[0]["body"])["data"]]
    if how == "nested" and "?" not in path:
        owner, edge = path.split("/")
        body = client.get(owner, token=token, params={"fields": f"{edge}{{id}}"}).json()
        if "error" in body:
            return None
        return [row["id"] for row in body.get(edge, {"data": []})["data"]]
    base, _, query = path.partition("?")
    body = client.get(base, token=token, params=dict(p.split("=") for p in query.split("&") if p)).json()
    return None if "error" in body else [row["id"] for row in body["data"]]


def readable(client, token, object_id):
    """Visible to the token: anything but Graph's 'does not exist' answer (100/33). A development-tier app's 270 or
    a throttled 80004 is a refusal of a visible object, not a hidden one."""
    error = client.get(object_id, token=token).json().get("error")
    return error is None or (error["code"], error.get("error_subcode")) != (100, 33)


@settings(max_examples=60)
@given(token=st.sampled_from(TOKENS), path=st.sampled_from(EDGES), how=st.sampled_from(["direct", "batch", "nested"]))
def test_a_list_never_shows_what_the_token_cannot_read_by_id(client, token, path, how):
    ids = listed(client, token, path, how)
    for object_id in ids or []:
        if object_id.startswith("act_") or not path.startswith(("act_", "me/business_users", "1300000000000001/business")):
            assert readable(client, token, object_id), (token, path, how, object_id)


@settings(max_examples=40)
@given(object_id=st.sampled_from(sorted(DEMO_ONLY)), how=st.sampled_from(["id", "ids", "batch", "nested"]))
def test_the_second_accounts_token_never_reaches_the_demo_world(client, object_id, how):
    token = "GMDEMO-second-account-token"
    if how == "id":
        error = client.get(object_id, token=token).json()["error"]
        assert (error["code"], error["error_subcode"]) == (100, 33)
    elif how == "ids":
        assert "error" in client.get("", token=token, params={"ids": f"me,{object_id}"}).json()
    elif how == "batch":
        answer = client.post("", token=token, data={"batch": json.dumps([{"method": "GET", "relative_url": object_id}])})
        assert answer.json()[0]["code"] == 400
    else:
        for edge in ("adaccounts", "businesses", "accounts"):
            body = client.get("me", token=token, params={"fields": f"{edge}{{id}}"}).json()
            assert object_id not in [row["id"] for row in body[edge]["data"]]


@settings(max_examples=40)
@given(token=st.sampled_from(TOKENS), object_id=st.sampled_from(NODES))
def test_ids_batch_and_single_reads_agree(client, token, object_id):
    """The same visibility through every door: GET /<id>, GET /?ids=, and a batch operation."""
    single = readable(client, token, object_id)
    many = client.get("", token=token, params={"ids": object_id}).json().get("error")
    batch = client.post("", token=token, data={"batch": json.dumps([{"method": "GET", "relative_url": object_id}])}).json()
    batch_error = json.loads(batch[0]["body"]).get("error") if isinstance(batch, list) else batch.get("error")
    hidden = [e is not None and (e["code"], e.get("error_subcode")) == (100, 33) for e in (many, batch_error)]
    assert hidden == [not single, not single], (token, object_id)
