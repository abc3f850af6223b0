"""Every documented field of every node graphmock serves is readable (issue 14 point 2; graph-node-fields.txt,
graph-surface-fields.txt, ACCOUNT-SURFACE 2.2, 4, 6.2, 9)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from helpers_creatives import link_spec, make_adset, make_campaign, make_creative, upload
from mock_server.contract.registry import default_registry
from mock_server.domain.nodes import build_node_types

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"  # ../shared beside the clone
NODE_TYPES = build_node_types(default_registry())
_SPLIT = re.compile(r",\s+(?=[a-z0-9_]+:)")


def documented(node: str) -> list[str]:
    for name in ("graph-node-fields.txt", "graph-surface-fields.txt"):
        path = REFERENCE / name
        if not path.exists():
            continue
        lines = path.read_text().splitlines()
        for i, line in enumerate(lines):
            if re.match(rf"^## {node} \(\d+ fields\)$", line):
                return [p.split(":", 1)[0] for p in _SPLIT.split(lines[i + 1].strip())]
    pytest.skip(f"reference field list for {node} not available")


SERVED = ["Campaign", "AdSet", "Ad", "AdCreative", "AdAccount", "AdImage", "User", "Business", "BusinessUser",
          "AdAccountUser", "AssignedUser", "Page", "PagePost", "IGUser", "IGMedia", "AdPreview", "Permission"]


@pytest.mark.parametrize("node", SERVED)
def test_every_documented_field_is_in_the_node_schema(node):
    """The node schema lists every field of Meta's specs, so none is refused as nonexisting."""
    missing = [f for f in documented(node) if f not in NODE_TYPES[node].fields]
    assert missing == []


def test_the_legacy_table_and_the_node_schemas_agree():
    """schemas/legacy_fields.json is the one table of fields the specs dropped; the nodes carry exactly those."""
    registry = default_registry()
    table = registry.documents["legacy_fields"]
    listed = {(e["node"], e["field"]) for e in table["fields"]}
    flagged = {(name.removeprefix("nodes/"), field) for name, doc in registry.documents.items() if name.startswith("nodes/")
               for field, prop in doc["properties"].items() if prop.get("x-graph-legacy")}
    assert listed == flagged
    assert {("AdImage", "filename"), ("IGUser", "profile_pic"), ("Ad", "bid_type"), ("Ad", "bid_info"),
            ("Ad", "conversion_specs")} <= listed
    assert all(e["evidence"] for e in table["fields"])


def _all_fields(node: str) -> str:
    plans = NODE_TYPES[node].fields
    return ",".join(n for n, p in plans.items() if p.kind != "edge")


def test_stored_nodes_read_with_every_field(client, act, world):
    """A client asking for the full documented field list gets an answer, never 'nonexisting field'."""
    campaign = make_campaign(client, act)
    adset = make_adset(client, act, world, campaign)
    image = upload(client, act)
    creative = make_creative(client, act, link_spec(world, image))
    ad = client.post(f"{act}/ads", data={"name": "a", "adset_id": adset, "status": "PAUSED",
                                         "creative": json.dumps({"creative_id": creative})}).json()["id"]
    for node, object_id in (("Campaign", campaign), ("AdSet", adset), ("Ad", ad), ("AdCreative", creative),
                            ("AdAccount", act)):
        response = client.get(object_id, params={"fields": _all_fields(node)})
        assert response.status_code == 200, (node, response.text[:300])
    images = client.get(f"{act}/adimages", params={"fields": _all_fields("AdImage"), "hashes": json.dumps([image])})
    assert images.status_code == 200, images.text[:300]


def test_adimage_filename_reads_as_the_images_name(client, act):
    """ACCOUNT-SURFACE 4: not a spec field, but a connector requests it on every sync; served as the name."""
    image = upload(client, act)
    row = client.get(f"{act}/adimages", params={"fields": "hash,name,filename"}).json()["data"][0]
    assert row["hash"] == image and row["filename"] == row["name"]


def test_ad_legacy_fields_are_accepted(client, act, world):
    """ACCOUNT-SURFACE 9: bid_type, bid_info, conversion_specs are readable (stored or empty values)."""
    campaign = make_campaign(client, act)
    adset = make_adset(client, act, world, campaign)
    image = upload(client, act)
    creative = make_creative(client, act, link_spec(world, image))
    client.post(f"{act}/ads", data={"name": "a", "adset_id": adset, "status": "PAUSED",
                                    "creative": json.dumps({"creative_id": creative})})
    response = client.get(f"{act}/ads", params={"fields": "name,bid_type,bid_info,conversion_specs,tracking_specs,placement,source_ad"})
    assert response.status_code == 200 and response.json()["data"][0]["name"] == "a"


def test_account_fixture_values_a_client_displays(client, act):
    """ACCOUNT-SURFACE 2.2: address, capabilities, funding source (FundingSourceDetails), ToS map, offset, created."""
    fields = ("business_name,business_street,business_city,business_state,business_zip,business_country_code,"
              "capabilities,funding_source,funding_source_details,tos_accepted,timezone_offset_hours_utc,created_time,"
              "age,is_prepay_account,tax_id_status,spend_cap,amount_spent,balance")
    body = client.get(act, params={"fields": fields}).json()
    assert body["business_country_code"] == "US"
    assert body["funding_source_details"]["type"] == 1 and body["funding_source_details"]["id"] == body["funding_source"]
    assert body["tos_accepted"]["custom_audience_tos"] == 1
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}$", body["created_time"])
    assert isinstance(body["age"], float) and body["age"] > 0
    assert body["spend_cap"] == "0"  # '0' = no cap, a numeric string in minor units (ACCOUNT-SURFACE 2.1)


def test_only_names_graph_would_refuse_are_refused(client, act):
    """GRAPH-BEHAVIOUR 4: an unknown field is still (#100) nonexisting field, on every node."""
    for path in (act, "me", "1100000000000001"):
        error = client.get(path, params={"fields": "id,not_a_graph_field"}).json()["error"]
        assert error["code"] == 100 and "nonexisting field (not_a_graph_field)" in error["message"]


@pytest.mark.parametrize(("node", "object_id"), [
    ("User", "me"), ("Business", "1300000000000001"), ("Page", "1100000000000001"),
    ("PagePost", "1100000000000001_1110000000000001"), ("IGUser", "17841400000000001"), ("IGMedia", "17900000000000001")])
def test_fixture_nodes_read_with_every_documented_field(client, node, object_id):
    """Every field of Meta's spec is accepted on the fixture nodes; the ones the fixtures set come back."""
    response = client.get(object_id, params={"fields": _all_fields(node)})
    assert response.status_code == 200, response.text[:300]
    assert response.json()["id"] != "me"
