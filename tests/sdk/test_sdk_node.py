"""The unmodified Node SDK (facebook-nodejs-business-sdk, pinned in tests/sdk/node/package.json) against
the session's graphmock: each test runs one script under tests/sdk/node/ and checks the JSON it prints.

The only change from production use is the documented GRAPH override (lib.js). The SDK sends JSON bodies
with a stray `id`, GETs with a `{}` JSON body, DELETEs with the id in the query, and follows the absolute
`paging.next` URL verbatim (GRAPH-BEHAVIOUR 3.1, 13): all of that must simply work.
"""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

from pngs import png_bytes


def test_node_campaign_create_read_update_page_delete(node, graphmock):
    """Seed 000 step 1 through the Node SDK, then paging by paging.next (7 campaigns, limit 3 -> 3+3+1)."""
    out = node.run("campaigns", act=graphmock.act, count=7, limit=3)

    campaign_id = out["created"]["id"]
    assert out["created"] == {"id": campaign_id} and campaign_id.isdigit()
    assert out["read"] == {"id": campaign_id, "name": "Click to Instagram Campaign", "status": "ACTIVE",
                           "objective": "OUTCOME_ENGAGEMENT"}
    assert out["update"] == {"success": True}
    assert out["renamed"] == {"id": campaign_id, "name": "Renamed", "status": "PAUSED"}

    pages = out["pages"]
    assert [len(page) for page in pages] == [3, 3, 1]
    flat = [i for page in pages for i in page]
    assert len(set(flat)) == 7 and flat[-1] == campaign_id  # newest first, each once
    assert out["total"] == 7
    for url in out["next_urls"]:  # followed verbatim: must point back at this mock with token and params
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == graphmock.url
        query = parse_qs(parts.query)
        assert query["access_token"] == [graphmock.token] and query["limit"] == ["3"] and query["fields"] == ["name"]

    assert out["deleted"] == {"success": True}
    assert out["after_delete"] == {"id": campaign_id, "status": "DELETED", "effective_status": "DELETED"}


def test_node_errors_reject_with_facebook_request_error(node, graphmock):
    """GRAPH-BEHAVIOUR 1.2: the Node SDK rejects only on a non-2xx status, with the Graph error object."""
    errors = node.run("campaigns", act=graphmock.act, count=1, limit=25)["errors"]

    missing = errors["missing_special_ad_categories"]
    assert (missing["ok"], missing["name"], missing["status"]) == (False, "FacebookRequestError", 400)
    assert missing["message"] == "(#100) The parameter special_ad_categories is required"
    assert missing["error"]["code"] == 100 and "error_subcode" not in missing["error"]  # no null keys (issue 17)
    assert missing["error"]["error_data"] == '{"blame_field_specs":[["special_ad_categories"]]}'

    unknown = errors["unknown_id"]
    assert (unknown["ok"], unknown["status"]) == (False, 400)
    assert (unknown["error"]["code"], unknown["error"]["error_subcode"], unknown["error"]["type"]) == (
        100, 33, "GraphMethodException")
    assert unknown["message"].startswith("Unsupported get request. Object with ID '999' does not exist")


def test_node_seed_000_flow_to_active(node, graphmock):
    """Seed 000 with the Node SDK: campaign -> ad set -> image (base64 bytes) -> creative with that hash -> ad
    PAUSED -> ACTIVE reads PENDING_REVIEW; approved over the control API, the Node SDK reads ACTIVE."""
    png = png_bytes(3, 2)
    world = graphmock.world
    out = node.run("flow", act=graphmock.act, page_id=world["page_id"], instagram_user_id=world["instagram_user_id"],
                   png_base64=base64.b64encode(png).decode())

    assert out["ad_set_read"] == {"id": out["ad_set_id"], "name": "Click to Instagram Ad Set",
                                  "destination_type": "INSTAGRAM_DIRECT", "optimization_goal": "CONVERSATIONS",
                                  "bid_strategy": "LOWEST_COST_WITHOUT_CAP", "status": "ACTIVE"}
    assert out["image_hash"] == hashlib.md5(png).hexdigest()
    assert (out["images"]["bytes"]["width"], out["images"]["bytes"]["height"]) == (3, 2)
    assert out["creative_read"]["object_story_spec"] == {"link_data": {
        "call_to_action": {"type": "INSTAGRAM_MESSAGE", "value": {"app_destination": "INSTAGRAM_DIRECT"}},
        "image_hash": out["image_hash"]}}
    assert out["ad_read"] == {"id": out["ad_id"], "status": "PAUSED", "adset_id": out["ad_set_id"],
                              "campaign_id": out["campaign_id"]}
    assert out["activated"] == {"success": True}
    assert out["pending"] == {"id": out["ad_id"], "status": "ACTIVE", "effective_status": "PENDING_REVIEW"}

    graphmock.control("POST", f"reviews/{out['ad_id']}", {"action": "approve"})
    read = node.run("read", type="Ad", id=out["ad_id"], fields=["status", "effective_status"])
    assert read == {"ok": True, "value": {"id": out["ad_id"], "status": "ACTIVE", "effective_status": "ACTIVE"}}


def test_node_assets_video_upload_audience_users_and_copy(node, graphmock, tmp_path):
    """Issue 14 through the Node SDK: videos on the SDK's GRAPH_VIDEO host (pointed at graphmock like GRAPH;
    ACCOUNT-SURFACE 3), /users add and remove with {schema, data} (5.2), POST /<campaign_id>/copies (8).

    The pinned SDK's AdVideo.create() sends its multipart requests without a body (http.js deletes options.data),
    so graphmock answers the Graph error that names what is missing, never a 500; file_url and upload_phase=start
    (JSON bodies) work."""
    path = tmp_path / "node-spot.mp4"
    path.write_bytes(bytes(range(256)) * 6000)
    hashes = [hashlib.sha256(f"user{i}@example.com".encode()).hexdigest() for i in range(3)]
    out = node.run("assets", act=graphmock.act, filepath=str(path), hashes=hashes)
    assert out["uploaded"]["status"] == 400 and out["uploaded"]["error"]["code"] == 100
    assert "No video was uploaded" in out["uploaded"]["error"]["message"]
    assert out["urlRead"]["title"] == "From URL" and out["urlRead"]["status"]["video_status"] in ("processing", "ready")
    started = out["started"]
    assert started["video_id"].isdigit() and (started["start_offset"], started["end_offset"]) == ("0", "1048576")
    assert out["added"]["num_received"] == 3 and out["added"]["session_id"] == "42"
    assert out["removed"]["num_received"] == 1 and out["removed"]["num_invalid_entries"] == 0
    assert out["counts"]["approximate_count_upper_bound"] >= 1
    assert out["copy"]["ad_object_ids"][0]["ad_object_type"] == "campaign"
    assert out["copyRead"] == {"id": out["copy"]["copied_campaign_id"], "name": "Node campaign - Copy", "status": "PAUSED"}
