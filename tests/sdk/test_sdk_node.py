"""The unmodified Node SDK (facebook-nodejs-business-sdk, pinned in tests/sdk/node/package.json) against
the session's graphmock: each test runs one script under tests/sdk/node/ and checks the JSON it prints.

The only change from production use is the documented GRAPH override (lib.js). The SDK sends JSON bodies
with a stray `id`, GETs with a `{}` JSON body, DELETEs with the id in the query, and follows the absolute
`paging.next` URL verbatim (GRAPH-BEHAVIOUR 3.1, 13): all of that must simply work.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit


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
    assert missing["error"]["code"] == 100 and missing["error"]["error_subcode"] is None
    assert missing["error"]["error_data"] == '{"blame_field_specs":[["special_ad_categories"]]}'

    unknown = errors["unknown_id"]
    assert (unknown["ok"], unknown["status"]) == (False, 400)
    assert (unknown["error"]["code"], unknown["error"]["error_subcode"], unknown["error"]["type"]) == (
        100, 33, "GraphMethodException")
    assert unknown["message"].startswith("Unsupported get request. Object with ID '999' does not exist")
