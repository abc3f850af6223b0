"""A sync client written the way data-loading connectors work (issue 14 'Done when'): read the ad account, then
page every stream with `filtering` on `updated_time` (activities by `since`), requesting each node's full field
list as graphmock's node schemas document it, never dropping a field to get past an error."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from helpers_creatives import link_spec, make_adset, make_campaign, make_creative, upload
from mock_server.contract.registry import default_registry

STREAMS = {  # edge -> node type; the connector's incremental streams and the ones it reads in full
    "campaigns": "Campaign", "adsets": "AdSet", "ads": "Ad", "adcreatives": "AdCreative", "adimages": "AdImage",
    "advideos": "AdVideo", "customaudiences": "CustomAudience", "saved_audiences": "SavedAudience",
    "customconversions": "CustomConversion", "adspixels": "AdsPixel", "adlabels": "AdLabel",
}
NO_UPDATED_TIME = {"AdCreative"}  # Graph's AdCreative has no updated_time: connectors read it in full


def documented_fields(node_type: str) -> list[str]:
    """Every readable field of the node (edges are streams of their own, not fields)."""
    properties = default_registry().documents[f"nodes/{node_type}"]["properties"]
    return [name for name, spec in properties.items() if "x-graph-edge" not in spec]


def page_all(client, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    rows, query = [], {**params, "limit": "2"}
    for _ in range(100):
        response = client.get(path, params=query)
        assert response.status_code == 200, (path, response.text[:500])
        body = response.json()
        rows += body["data"]
        if "next" not in body.get("paging", {}):
            return rows
        query = {**query, "after": body["paging"]["cursors"]["after"]}
    raise AssertionError(f"{path}: paging never ended")


def populate(client, act, world) -> None:
    campaign = make_campaign(client, act)
    for _ in range(2):
        adset = make_adset(client, act, world, campaign)
    creative = make_creative(client, act, link_spec(world, upload(client, act)), adlabels=[{"name": "synced"}])
    client.post(f"{act}/ads", data={"name": "Ad", "adset_id": adset, "status": "PAUSED",
                                    "creative": json.dumps({"creative_id": creative})})
    audience = client.post(f"{act}/customaudiences", data={"name": "CRM", "subtype": "CUSTOM",
                                                           "customer_file_source": "USER_PROVIDED_ONLY"}).json()["id"]
    client.post(f"{audience}/users", data={"payload": json.dumps({"schema": "EMAIL_SHA256",
                                                                  "data": [hashlib.sha256(b"a@b.c").hexdigest()]})})
    pixel = client.post(f"{act}/adspixels", data={"name": "px"}).json()["id"]
    client.post(f"{act}/customconversions", data={"name": "Leads", "event_source_id": pixel, "custom_event_type": "LEAD",
                                                  "rule": json.dumps({"url": {"i_contains": "thanks"}})})
    client.post(f"{act}/advideos", data={"title": "Spot"}, files={"source": ("spot.mp4", b"\0" * 2048, "video/mp4")})
    client.post(campaign, data={"status": "PAUSED"})


def test_connector_style_sync_reads_every_stream_with_every_field(client, act, world):
    populate(client, act, world)
    account_fields = documented_fields("AdAccount")
    account = client.get(act, params={"fields": ",".join(account_fields)})
    assert account.status_code == 200, account.text
    assert account.json()["id"] == act
    since = 0
    counts = {}
    for edge, node_type in STREAMS.items():
        fields = documented_fields(node_type)
        params = {"fields": ",".join(fields)}
        if node_type not in NO_UPDATED_TIME:
            params["filtering"] = json.dumps([{"field": "updated_time", "operator": "GREATER_THAN", "value": since}])
        rows = page_all(client, f"{act}/{edge}", params)
        assert all(set(row) <= set(fields) for row in rows), edge
        assert len({row["id"] for row in rows}) == len(rows), f"{edge}: a row was paged twice"
        counts[edge] = len(rows)
    assert counts == {"campaigns": 1, "adsets": 2, "ads": 1, "adcreatives": 1, "adimages": 1, "advideos": 2,
                      "customaudiences": 1, "saved_audiences": 1, "customconversions": 1, "adspixels": 1, "adlabels": 1}
    activities = page_all(client, f"{act}/activities", {"fields": ",".join(documented_fields("AdActivity")),
                                                         "since": "0"})
    assert {row["event_type"] for row in activities} >= {"create_campaign_group", "create_ad_set", "create_ad",
                                                         "create_audience", "update_campaign_run_status"}


def test_incremental_sync_only_returns_what_changed_since_the_last_cursor(client, act, world):
    """The second run of a connector filters updated_time > the last run's time and gets only the changes."""
    client.post("/__graphmock/clock", json={"freeze": True, "at": 1_780_000_000})
    populate(client, act, world)
    client.post("/__graphmock/clock", json={"advance": 3600})
    cursor = 1_780_000_000 + 1800
    label = client.get(f"{act}/adlabels").json()["data"][0]["id"]
    client.post(label, data={"name": "renamed"})
    changed = {}
    for edge, node_type in STREAMS.items():
        if node_type in NO_UPDATED_TIME:
            continue
        rows = page_all(client, f"{act}/{edge}", {"fields": "id", "filtering": json.dumps(
            [{"field": "updated_time", "operator": "GREATER_THAN", "value": cursor}])})
        changed[edge] = [row["id"] for row in rows]
    assert changed["adlabels"] == [label]
    assert all(not ids for edge, ids in changed.items() if edge != "adlabels"), changed
