"""A sync client written the way data-loading connectors work (issue 14 'Done when'): discover the accounts
through /me/adaccounts, read each account with its full documented field list, then page every stream with
`filtering` on updated_time, asking for every documented field of the stream's node. No error, no field removed."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

from helpers_creatives import link_spec, make_adset, make_campaign, make_creative, upload
from mock_server.contract.registry import default_registry
from mock_server.domain.nodes import build_node_types
from mock_server.handlers.routes import ROUTES

NODE_TYPES = build_node_types(default_registry())
# stream edge -> node type of its rows; streams another part of graphmock serves join once they are routed
STREAMS = {"campaigns": "Campaign", "adsets": "AdSet", "ads": "Ad", "adcreatives": "AdCreative",
           "adimages": "AdImage", "users": "AdAccountUser", "instagram_accounts": "IGUser",
           "advideos": "AdVideo", "customaudiences": "CustomAudience", "saved_audiences": "SavedAudience",
           "customconversions": "CustomConversion", "adspixels": "AdsPixel", "adlabels": "AdLabel",
           "activities": "AdActivity"}
FILTERED = {"campaigns", "adsets", "ads"}


def every_field(node: str) -> str:
    return ",".join(n for n, p in NODE_TYPES[node].fields.items() if p.kind != "edge")


def pages(client, path, params):
    """Follow paging.next as connectors do (the absolute URL, verbatim)."""
    rows, query = [], dict(params)
    while True:
        response = client.get(path, params=query)
        assert response.status_code == 200, (path, response.text[:500])
        body = response.json()
        rows += body["data"]
        following = body.get("paging", {}).get("next")
        if not following:
            return rows
        parts = urlsplit(following)
        path, query = parts.path, dict(parse_qsl(parts.query))


def test_a_connector_syncs_every_stream_of_the_demo_world(client, act, world):
    campaign = make_campaign(client, act)
    adset = make_adset(client, act, world, campaign)
    creative = make_creative(client, act, link_spec(world, upload(client, act)))
    client.post(f"{act}/ads", data={"name": "a", "adset_id": adset, "status": "PAUSED",
                                    "creative": json.dumps({"creative_id": creative})})
    accounts = pages(client, "me/adaccounts", {"fields": "id,account_id,name", "limit": 1})
    assert [a["id"] for a in accounts] == [act]
    synced = {}
    for account in accounts:
        full = client.get(account["id"], params={"fields": every_field("AdAccount")})
        assert full.status_code == 200, full.text[:500]
        for edge, node in STREAMS.items():
            if ("AdAccount", edge, "GET") not in ROUTES or node not in NODE_TYPES:
                continue
            params = {"fields": every_field(node), "limit": 2}
            if edge in FILTERED:
                params["filtering"] = json.dumps([{"field": "updated_time", "operator": "GREATER_THAN", "value": 0}])
            synced[edge] = pages(client, f"{account['id']}/{edge}", params)
    assert {"campaigns", "adsets", "ads", "adcreatives", "adimages", "users", "instagram_accounts"} <= set(synced)
    assert len(synced["campaigns"]) == len(synced["adsets"]) == len(synced["ads"]) == 1
