"""Ad labels, pixels and custom conversions (ACCOUNT-SURFACE 5.3, 5.4)."""

from __future__ import annotations

import json

from helpers_creatives import link_spec, make_adset, make_campaign, make_creative, upload
from helpers_envelope import assert_graph_error


def label(client, act, name):
    response = client.post(f"{act}/adlabels", data={"name": name})
    assert response.status_code == 200, response.text
    return response.json()["id"]


def labels_of(client, object_id):
    return client.get(object_id, params={"fields": "adlabels"}).json().get("adlabels")


def test_label_create_read_rename_delete(client, act):
    """ACCOUNT-SURFACE 5.4: POST adlabels (name*) => {id}; name is the default field; POST /<label_id> renames;
    DELETE => success."""
    label_id = label(client, act, "Q4 promo")
    assert client.get(label_id).json() == {"name": "Q4 promo", "id": label_id}
    assert client.get(f"{act}/adlabels").json()["data"] == [{"name": "Q4 promo", "id": label_id}]
    assert client.post(label_id, data={"name": "Q4 sale"}).json() == {"success": True}
    full = client.get(label_id, params={"fields": "name,account,created_time,updated_time"}).json()
    assert full["name"] == "Q4 sale" and full["account"]["id"] == act
    assert client.delete(label_id).json() == {"success": True}
    assert client.get(f"{act}/adlabels").json()["data"] == []


def test_name_required(client, act):
    assert_graph_error(client.post(f"{act}/adlabels", data={}), 100, blame="name")


def test_adlabels_on_create_replace_and_read_back_with_id_and_name(client, act, world):
    """ACCOUNT-SURFACE 5.4: adlabels=[{"name"}|{"id"}] on create or update replaces the set; a new name creates the
    label; reads show the label's id and name."""
    existing = label(client, act, "Brand")
    response = client.post(f"{act}/campaigns", data={
        "name": "C", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED", "special_ad_categories": "[]",
        "adlabels": json.dumps([{"id": existing}, {"name": "Fresh"}])})
    assert response.status_code == 200, response.text
    campaign = response.json()["id"]
    read = labels_of(client, campaign)
    assert [(item["id"], item["name"]) for item in read][0] == (existing, "Brand")
    fresh = read[1]["id"]
    assert {"name": "Fresh", "id": fresh} in client.get(f"{act}/adlabels").json()["data"]
    client.post(campaign, data={"adlabels": json.dumps([{"name": "Fresh"}])})
    assert [item["id"] for item in labels_of(client, campaign)] == [fresh]
    client.post(fresh, data={"name": "Renamed"})
    assert labels_of(client, campaign)[0]["name"] == "Renamed"


def test_adlabels_edge_adds_and_adset_delete_removes(client, act, world):
    """ACCOUNT-SURFACE 5.4: POST /<object>/adlabels adds or reuses => {success}; DELETE /<adset>/adlabels."""
    campaign = make_campaign(client, act)
    adset = make_adset(client, act, world, campaign)
    creative = make_creative(client, act, link_spec(world, upload(client, act)))
    first = label(client, act, "One")
    for target in (campaign, adset, creative):
        assert client.post(f"{target}/adlabels", data={"adlabels": json.dumps([{"id": first}])}).json() == {"success": True}
        assert client.post(f"{target}/adlabels", data={"adlabels": json.dumps([{"name": "Two"}, {"id": first}])}).json() == {"success": True}
        assert [item["name"] for item in labels_of(client, target)] == ["One", "Two"]
    assert client.delete(f"{adset}/adlabels", params={"adlabels": json.dumps([{"id": first}])}).json() == {"success": True}
    assert [item["name"] for item in labels_of(client, adset)] == ["Two"]


def test_label_of_another_account_is_refused(client, act):
    foreign = client.post("act_1000000000000011/adlabels", data={"name": "theirs"},
                          token="GMDEMO-second-account-token").json()["id"]
    response = client.post(f"{act}/campaigns", data={
        "name": "C", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED", "special_ad_categories": "[]",
        "adlabels": json.dumps([{"id": foreign}])})
    assert_graph_error(response, 100, blame="adlabels")


def test_one_pixel_per_account(client, act):
    """ACCOUNT-SURFACE 5.3: POST adspixels (name) => {id}; a second one is 6200 'A pixel already exists for this
    account'."""
    pixel = client.post(f"{act}/adspixels", data={"name": "Site pixel"}).json()["id"]
    error = assert_graph_error(client.post(f"{act}/adspixels", data={"name": "again"}), 6200)
    assert error["message"] == "A pixel already exists for this account"
    body = client.get(f"{act}/adspixels", params={"fields": "name,code,owner_ad_account,creation_time", "summary": "true"}).json()
    assert body["summary"] == {"total_count": 1}
    [row] = body["data"]
    assert row["id"] == pixel and pixel in row["code"] and row["owner_ad_account"]["id"] == act


def test_custom_conversion_create_update_delete(client, act):
    """ACCOUNT-SURFACE 5.3: name* + rule (JSON) + event_source_id + custom_event_type => {id}; POST /<id> updates
    name/description/default_conversion_value."""
    pixel = client.post(f"{act}/adspixels", data={"name": "px"}).json()["id"]
    rule = json.dumps({"url": {"i_contains": "thank-you"}})
    response = client.post(f"{act}/customconversions", data={"name": "Purchases", "rule": rule, "event_source_id": pixel,
                                                              "custom_event_type": "PURCHASE"})
    assert response.status_code == 200, response.text
    conversion = response.json()["id"]
    read = client.get(conversion, params={"fields": "name,rule,pixel,custom_event_type,is_archived,account_id"}).json()
    assert read["rule"] == rule and read["pixel"] == {"id": pixel} and read["custom_event_type"] == "PURCHASE"
    assert read["is_archived"] is False and read["account_id"] == act.removeprefix("act_")
    assert client.post(conversion, data={"default_conversion_value": "12.0"}).json() == {"success": True}
    assert client.get(conversion, params={"fields": "default_conversion_value"}).json()["default_conversion_value"] == 12
    assert_graph_error(client.post(f"{act}/customconversions", data={"rule": rule}), 100, blame="name")
    assert_graph_error(client.post(f"{act}/customconversions", data={"name": "x", "custom_event_type": "NOPE"}), 100)
    assert client.delete(conversion).json() == {"success": True}
    assert client.get(f"{act}/customconversions").json()["data"] == []


def test_custom_conversion_value_beyond_64_bits_or_not_finite_is_invalid_never_a_500(client, act):
    """A valid JSON number too large for an amount (Schemathesis found -3.97e194 answered 500: "Integer exceeds 64-bit
    range" in the store), and texts Python reads as numbers but JSON does not (nan, inf, 1e400): Graph's #100 on
    create and update, and nothing stored."""
    for value in ("-3.97e194", "1e19", "nan", "inf", "-Infinity", "1e400"):
        assert_graph_error(client.post(f"{act}/customconversions", data={"name": "x", "default_conversion_value": value}),
                           100, blame="default_conversion_value")
    conversion = client.post(f"{act}/customconversions", data={"name": "ok", "default_conversion_value": "9.2e18"}).json()["id"]
    for value in ("-3.97e194", "nan"):
        assert_graph_error(client.post(conversion, data={"default_conversion_value": value}), 100,
                           blame="default_conversion_value")
    assert client.get(conversion, params={"fields": "default_conversion_value"}).json()["default_conversion_value"] == 9200000000000000000
    assert len(client.get(f"{act}/customconversions").json()["data"]) == 1


def test_objects_by_labels_all_and_any_and_the_labels_own_edges(client, act):
    """ACCOUNT-SURFACE 5.4 'Query': GET /act_<id>/{campaigns,...}bylabels?ad_label_ids=[...]&operator=ALL|ANY, and
    GET /<label_id>/{campaigns,adsets,ads,adcreatives}."""
    a, b = label(client, act, "A"), label(client, act, "B")
    base = {"objective": "OUTCOME_TRAFFIC", "status": "PAUSED", "special_ad_categories": "[]"}
    only_a = client.post(f"{act}/campaigns", data={**base, "name": "a", "adlabels": json.dumps([{"id": a}])}).json()["id"]
    both = client.post(f"{act}/campaigns", data={**base, "name": "ab", "adlabels": json.dumps([{"id": a}, {"id": b}])}).json()["id"]
    client.post(f"{act}/campaigns", data={**base, "name": "none"})

    def ids(path, **params):
        response = client.get(path, params=params)
        assert response.status_code == 200, response.text
        return [row["id"] for row in response.json()["data"]]
    labels = json.dumps([a, b])
    assert ids(f"{act}/campaignsbylabels", ad_label_ids=labels) == [both]
    assert ids(f"{act}/campaignsbylabels", ad_label_ids=labels, operator="ANY") == [both, only_a]
    assert ids(f"{a}/campaigns") == [both, only_a] and ids(f"{b}/campaigns") == [both]
    assert ids(f"{act}/adsetsbylabels", ad_label_ids=labels) == []
    assert_graph_error(client.get(f"{act}/campaignsbylabels"), 100, blame="ad_label_ids")
    assert_graph_error(client.get(f"{a}/campaigns", token="GMDEMO-second-account-token"), 100, 33)
