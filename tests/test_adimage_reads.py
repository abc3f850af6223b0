"""AdImage reads (ACCOUNT-SURFACE 4): `hashes=[...]` with every documented field, the `<account_id>:<hash>` id,
delete by hash."""

from __future__ import annotations

import json

from helpers_creatives import BLUE, RED, upload
from helpers_envelope import assert_graph_error

ALL_FIELDS = ["id", "account_id", "hash", "name", "url", "url_128", "permalink_url", "width", "height", "original_width",
              "original_height", "status", "creatives", "is_associated_creatives_in_adgroups", "created_time",
              "updated_time", "owner_business"]


def test_python_sdk_remote_read_by_hashes_with_every_documented_field(client, act):
    """ACCOUNT-SURFACE 4: Python remote_read calls GET /act_<id>/adimages?hashes=["<hash>"]; 17 documented fields."""
    red, blue = upload(client, act, RED, "red.png"), upload(client, act, BLUE, "blue.png")
    response = client.get(f"{act}/adimages", params={"hashes": json.dumps([red]), "fields": ",".join(ALL_FIELDS)})
    assert response.status_code == 200, response.text
    [row] = response.json()["data"]
    assert row["id"] == f"{act.removeprefix('act_')}:{red}" and row["hash"] == red
    assert (row["width"], row["height"], row["name"], row["status"]) == (4, 3, "red.png", "ACTIVE")
    assert row["created_time"][-5:] in ("-0700", "-0800") and row["creatives"] == []
    assert blue not in json.dumps(row)


def test_image_reads_by_its_graph_id(client, act):
    """ACCOUNT-SURFACE 4: id = <account_id without act_>:<hash>; graph-surface-fields lists 'AdImage #get'."""
    red = upload(client, act, RED, "red.png")
    image_id = f"{act.removeprefix('act_')}:{red}"
    assert client.get(image_id).json() == {"hash": red, "id": image_id}
    body = client.get(image_id, params={"fields": "name,width,height,url"}).json()
    assert (body["name"], body["width"], body["height"]) == ("red.png", 4, 3)
    in_ids = client.get("", params={"ids": image_id, "fields": "hash"}).json()
    assert in_ids == {image_id: {"hash": red, "id": image_id}}


def test_image_id_of_another_account_is_invisible(client, act):
    red = upload(client, act, RED, "red.png")
    image_id = f"{act.removeprefix('act_')}:{red}"
    assert_graph_error(client.get(image_id, token="GMDEMO-second-account-token"), 100, 33)
    assert_graph_error(client.get(f"1000000000000001:{'0' * 32}"), 100, 33)


def test_delete_by_hash_then_the_id_reads_deleted(client, act):
    """ACCOUNT-SURFACE 4: DELETE /act_<id>/adimages with hash => {"success": true}."""
    red = upload(client, act, RED, "red.png")
    assert client.delete(f"{act}/adimages", params={"hash": red}).json() == {"success": True}
    assert client.get(f"{act}/adimages", params={"hashes": json.dumps([red])}).json()["data"] == []
    image_id = f"{act.removeprefix('act_')}:{red}"
    assert client.get(image_id, params={"fields": "status"}).json()["status"] == "DELETED"


def test_updated_time_filtering_as_connectors_send_it(client, act):
    """Connectors page adimages with filtering on updated_time (issue 14 'sync client')."""
    upload(client, act, RED, "red.png")
    later = [{"field": "updated_time", "operator": "GREATER_THAN", "value": 4_000_000_000}]
    assert client.get(f"{act}/adimages", params={"filtering": json.dumps(later)}).json()["data"] == []
    earlier = [{"field": "updated_time", "operator": "GREATER_THAN", "value": 0}]
    assert len(client.get(f"{act}/adimages", params={"filtering": json.dumps(earlier)}).json()["data"]) == 1
