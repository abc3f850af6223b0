"""Ads: seed 000's ad calls as written, the documented create/update rules, lists and nested reads."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers_creatives import link_spec, make_adset, make_campaign, make_creative, upload
from helpers_envelope import assert_graph_error, explanation, validate


@pytest.fixture
def tree(client, act, world) -> dict[str, str]:
    """Seed 000 steps 1-3: an ACTIVE campaign, an ACTIVE ad set and a creative."""
    campaign = make_campaign(client, act)
    adset = make_adset(client, act, world, campaign)
    creative = make_creative(client, act, link_spec(world, upload(client, act)))
    return {"campaign": campaign, "adset": adset, "creative": creative}


def create(client, act, tree, **overrides):
    data = {"name": "Click to Instagram Ad", "adset_id": tree["adset"], "creative": {"creative_id": tree["creative"]},
            "status": "PAUSED", **overrides}
    return client.post(f"{act}/ads", data={k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items() if v is not None})


def assert_ad_created(response) -> str:
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == ["id"] and body["id"].isdigit()
    return body["id"]


# -- seed 000 -------------------------------------------------------------------------------------------
def test_seed_000_ad_publish_sequence(client, act, tree):
    """Seed 000 step 4-5: POST /act_<id>/ads (name, adset_id, creative={"creative_id"}, status=PAUSED) -> {"id"};
    GET fields=status,adset_id,campaign_id; POST /<AD_ID> status=ACTIVE -> {"success": true};
    GET fields=status,effective_status -> ACTIVE / PENDING_REVIEW."""
    response = client.post(f"{act}/ads", files={
        "name": (None, "Click to Instagram Ad"), "adset_id": (None, tree["adset"]),
        "creative": (None, '{\n"creative_id": "%s"\n}' % tree["creative"]), "status": (None, "PAUSED")})
    ad = assert_ad_created(response)
    assert client.get(ad, params={"fields": "status,adset_id,campaign_id"}).json() == {
        "status": "PAUSED", "adset_id": tree["adset"], "campaign_id": tree["campaign"], "id": ad}
    assert client.post(ad, files={"status": (None, "ACTIVE")}).json() == {"success": True}
    assert client.get(ad, params={"fields": "status,effective_status"}).json() == {
        "status": "ACTIVE", "effective_status": "PENDING_REVIEW", "id": ad}


def test_seed_000_review_ends_in_active(client, act, tree):
    """Seed 000: 'Once approved, the status will automatically update to ACTIVE' (default review: 300 s on the clock)."""
    client.state.clock.freeze(1_767_225_600)
    ad = assert_ad_created(create(client, act, tree, status="ACTIVE"))
    assert client.get(ad, params={"fields": "effective_status"}).json()["effective_status"] == "PENDING_REVIEW"
    client.state.clock.advance(300)
    assert client.get(ad, params={"fields": "effective_status"}).json()["effective_status"] == "ACTIVE"


def test_seed_000_message_page_cta_in_an_inline_creative(client, act, world, tree):
    """Seed 000: 'creative ... create a new ad creative by including all required fields', with the seed's
    call_to_action {"value": {"app_destination": "INSTAGRAM_DIRECT"}, "type": "MESSAGE_PAGE"}."""
    spec = link_spec(world, upload(client, act), call_to_action={"value": {"app_destination": "INSTAGRAM_DIRECT"},
                                                                   "type": "MESSAGE_PAGE"})
    ad = assert_ad_created(create(client, act, tree, creative={"name": "Inline creative", "object_story_spec": spec}))
    creative = client.get(ad, params={"fields": "creative{name,call_to_action_type}"}).json()["creative"]
    assert creative["name"] == "Inline creative" and creative["call_to_action_type"] == "MESSAGE_PAGE"
    assert creative["id"] != tree["creative"]
    again = assert_ad_created(create(client, act, tree, name="Twin", creative={"name": "Renamed", "object_story_spec": spec}))
    assert client.get(again, params={"fields": "creative"}).json()["creative"] == {"id": creative["id"]}


def test_sdk_wire_encodings(client, act, tree):
    """sdk-wire-python.json: form body creative={"creative_id":"..."}; sdk-wire-node.json: JSON body with typed values."""
    assert_ad_created(client.post(f"{act}/ads", content=(f"name=My+ad&adset_id={tree['adset']}&creative=%7B%22creative_id%22%3A%22"
                                             f"{tree['creative']}%22%7D&status=PAUSED").encode(),
                      headers={"content-type": "application/x-www-form-urlencoded"}))
    assert_ad_created(client.post(f"{act}/ads", json={"name": "Node ad", "adset_id": int(tree["adset"]),
                                          "creative": {"creative_id": int(tree["creative"])}, "status": "PAUSED"}))


@pytest.mark.parametrize("missing", ["name", "adset_id", "creative", "status"])
def test_each_required_param(client, act, tree, missing):
    """Seed 000 table: name, adset_id, creative and status are 'Required'."""
    assert_graph_error(create(client, act, tree, **{missing: None}), 100, blame=missing,
                       message_has=f"The parameter {missing} is required")


# -- create rules -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("status", ["ARCHIVED", "DELETED"])
def test_only_active_and_paused_at_creation(client, act, tree, status):
    """GRAPH-BEHAVIOUR 6.1 (M-AD): 'Only ACTIVE and PAUSED are valid during creation.'"""
    assert_graph_error(create(client, act, tree, status=status), 100, blame="status", message_has=status)


def test_status_enum(client, act, tree):
    assert_graph_error(create(client, act, tree, status="RUNNING"), 100, blame="status", message_has="must be one of")


def test_adset_must_be_a_live_ad_set_of_the_account(client, act, tree):
    """Seed 000: adset_id is 'The ID of the ad set'; unknown ids, other node types and deleted ad sets are refused."""
    for bad in ("120000000000999999", tree["campaign"]):
        assert_graph_error(create(client, act, tree, adset_id=bad), 100, blame="adset_id",
                           message_has="adset_id must be the id of a live ad set")
    client.delete(tree["adset"])
    error = assert_graph_error(create(client, act, tree), 100, blame="adset_id")
    assert "DELETED ad set" in explanation(client)


def test_creative_id_must_be_a_live_creative_of_the_account(client, act, tree):
    """Seed 000: creative={"creative_id": "<AD_CREATIVE_ID>"} names an existing creative."""
    assert_graph_error(create(client, act, tree, creative={"creative_id": "120000000000999999"}), 100, blame="creative",
                       message_has="creative[creative_id] must be the id of a live ad creative")
    client.delete(tree["creative"])
    error = assert_graph_error(create(client, act, tree), 100, blame="creative")
    assert "DELETED creative" in explanation(client)
    assert_graph_error(create(client, act, tree, creative={}), 100, blame="creative", message_has="creative is required")


def test_inline_creative_errors_name_the_field_inside_creative(client, act, world, tree):
    """An inline creative is checked like POST /adcreatives; its errors name `creative[...]`."""
    spec = {**link_spec(world, upload(client, act)), "page_id": "1100000000009999"}
    del spec["instagram_user_id"]
    error = assert_graph_error(create(client, act, tree, creative={"object_story_spec": spec}), 100, blame="creative",
                               message_has="creative[object_story_spec][page_id]")
    assert json.loads(error["error_data"])["blame_field_specs"] == [["creative", "object_story_spec", "page_id"]]
    bad_cta = link_spec(world, upload(client, act), call_to_action={"type": "NOPE"})
    assert_graph_error(create(client, act, tree, creative={"object_story_spec": bad_cta}), 100, 1373054, blame="creative")


def test_fifty_ads_per_ad_set(client, act, tree):
    """GRAPH-BEHAVIOUR 11: 50 non-archived ads per ad set (archived/deleted ones do not count)."""
    ads = [assert_ad_created(create(client, act, tree, name=f"Ad {i}")) for i in range(50)]
    assert_graph_error(create(client, act, tree, name="Ad 51"), 100, blame="adset_id", message_has="already has 50")
    client.post(ads[0], data={"status": "ARCHIVED"})
    assert_ad_created(create(client, act, tree, name="Ad 51"))


def test_execution_options(client, act, tree):
    """GRAPH-BEHAVIOUR 11: validate_only -> {"success": true} and nothing is created; synchronous_ad_review and
    include_recommendations must come with validate_only."""
    assert create(client, act, tree, execution_options=["validate_only", "synchronous_ad_review"]).json() == {"success": True}
    assert client.get(f"{act}/ads").json()["data"] == []
    assert_graph_error(create(client, act, tree, execution_options=["synchronous_ad_review"]), 100, blame="execution_options",
                       message_has="synchronous_ad_review")
    assert_graph_error(create(client, act, tree, execution_options=["include_recommendations"]), 100,
                       blame="execution_options", message_has="include_recommendations")


def test_read_after_write_on_create_and_update(client, act, tree):
    """GRAPH-BEHAVIOUR 11: fields on a POST are read back along with id / success."""
    body = create(client, act, tree, fields="name,status,configured_status").json()
    assert body == {"id": body["id"], "name": "Click to Instagram Ad", "status": "PAUSED", "configured_status": "PAUSED"}
    assert client.post(body["id"], data={"name": "Renamed", "fields": "name"}).json() == {
        "success": True, "name": "Renamed", "id": body["id"]}


# -- effective status -------------------------------------------------------------------------------------
def test_effective_status_follows_the_parents(client, act, tree):
    """GRAPH-BEHAVIOUR 6.2: own PAUSED -> PAUSED; ad set paused -> ADSET_PAUSED; campaign paused -> CAMPAIGN_PAUSED;
    a deleted campaign's children read DELETED."""
    ad = assert_ad_created(create(client, act, tree, status="PAUSED"))

    def effective() -> str:
        return client.get(ad, params={"fields": "effective_status"}).json()["effective_status"]
    assert effective() == "PAUSED"
    client.state.clock.advance(10_000)
    client.post(ad, data={"status": "ACTIVE"})
    client.state.clock.advance(301)
    assert effective() == "ACTIVE"
    client.post(tree["adset"], data={"status": "PAUSED"})
    assert effective() == "ADSET_PAUSED"
    client.post(tree["campaign"], data={"status": "PAUSED"})
    assert effective() == "CAMPAIGN_PAUSED"
    client.delete(tree["campaign"])
    assert effective() == "DELETED"


def test_new_creative_sends_an_active_ad_back_to_review(client, act, world, tree):
    """GRAPH-BEHAVIOUR 6.4: 'Any changes to your creative ... trigger review'; a name change does not."""
    ad = assert_ad_created(create(client, act, tree, status="ACTIVE"))
    client.state.clock.advance(301)
    client.post(ad, data={"name": "Renamed"})
    assert client.get(ad, params={"fields": "effective_status"}).json()["effective_status"] == "ACTIVE"
    other = make_creative(client, act, link_spec(world, upload(client, act), message="New text"), name="Other")
    assert client.post(ad, data={"creative": json.dumps({"creative_id": other})}).json() == {"success": True}
    body = client.get(ad, params={"fields": "effective_status,creative"}).json()
    assert body["effective_status"] == "PENDING_REVIEW" and body["creative"] == {"id": other}


# -- update rules -------------------------------------------------------------------------------------------
def test_adset_id_cannot_be_updated(client, act, world, tree):
    """GRAPH-BEHAVIOUR 11 (M-AD): 'adset_id and social_prefs can not be updated'."""
    ad = assert_ad_created(create(client, act, tree))
    other = make_adset(client, act, world, tree["campaign"])
    assert_graph_error(client.post(ad, data={"adset_id": other}), 100, blame="adset_id", message_has="cannot be updated")


def test_archived_ad_only_changes_name_or_goes_to_deleted(client, act, tree):
    """GRAPH-BEHAVIOUR 6.3 / 1.3: 1885088 'This ad has been archived and can not be edited. Only name is allowed'."""
    ad = assert_ad_created(create(client, act, tree))
    client.post(ad, data={"status": "ARCHIVED"})
    assert_graph_error(client.post(ad, data={"status": "ACTIVE"}), 100, 1885088, blame="status")
    assert_graph_error(client.post(ad, data={"bid_amount": "100"}), 100, 1885088, blame="bid_amount")
    assert client.post(ad, data={"name": "Old ad"}).json() == {"success": True}
    assert client.post(ad, data={"status": "DELETED"}).json() == {"success": True}


def test_deleted_ad_only_changes_name(client, act, tree):
    """GRAPH-BEHAVIOUR 6.3 (M-STATUS): a DELETED object 'cannot change any field, except name'; still readable by id."""
    ad = assert_ad_created(create(client, act, tree))
    assert client.delete(ad).json() == {"success": True}
    assert client.get(ad, params={"fields": "status,effective_status"}).json() == {
        "status": "DELETED", "effective_status": "DELETED", "id": ad}
    assert_graph_error(client.post(ad, data={"status": "PAUSED"}), 100, blame="status", message_has="Invalid parameter")
    assert client.post(ad, data={"name": "Gone"}).json() == {"success": True}


# -- lists and nested reads -----------------------------------------------------------------------------------
def test_list_edges_of_account_campaign_and_ad_set(client, act, world, tree):
    """GET /act_<id>/ads, /<campaign_id>/ads, /<adset_id>/ads: newest first, summary, effective_status, filtering."""
    other_adset = make_adset(client, act, world, tree["campaign"])
    first = assert_ad_created(create(client, act, tree, name="First"))
    second = assert_ad_created(create(client, act, tree, name="Second", adset_id=other_adset))
    deleted = assert_ad_created(create(client, act, tree, name="Deleted"))
    client.delete(deleted)
    listing = client.get(f"{act}/ads", params={"fields": "name,adset_id", "summary": "true"}).json()
    validate("envelopes/list", listing)
    assert [a["id"] for a in listing["data"]] == [second, first] and listing["summary"] == {"total_count": 2}
    assert [a["id"] for a in client.get(f"{tree['campaign']}/ads").json()["data"]] == [second, first]
    assert [a["id"] for a in client.get(f"{tree['adset']}/ads").json()["data"]] == [first]
    assert client.get(f"{act}/ads", params={"effective_status": '["ACTIVE"]'}).json()["data"] == []
    by_adset = client.get(f"{act}/ads", params={"filtering": json.dumps(
        [{"field": "adset.id", "operator": "EQUAL", "value": other_adset}])}).json()["data"]
    assert [a["id"] for a in by_adset] == [second]
    assert_graph_error(client.get(f"{act}/ads", params={"effective_status": '["DELETED"]'}), 100, blame="effective_status")


def test_ad_adcreatives_edge(client, act, tree):
    """graph-get-edges: GET /<AD_ID>/adcreatives lists the ad's creative."""
    ad = assert_ad_created(create(client, act, tree))
    body = client.get(f"{ad}/adcreatives", params={"fields": "name"}).json()
    assert body["data"] == [{"name": "Sample ad creative", "id": tree["creative"]}]


def test_nested_reads_across_the_hierarchy(client, act, tree):
    """Issue 3 / GRAPH-BEHAVIOUR 4: fields=name,adsets{name,ads{name,creative{id}}}; creative{object_story_spec{...}}
    and the adset / campaign references of an ad."""
    ad = assert_ad_created(create(client, act, tree))
    body = client.get(tree["campaign"], params={"fields": "name,adsets{name,ads{name,creative{id}}}"}).json()
    adset = body["adsets"]["data"][0]
    assert adset["name"] == "Click to Instagram Ad Set"
    assert adset["ads"]["data"] == [{"name": "Click to Instagram Ad", "creative": {"id": tree["creative"]}, "id": ad}]
    nested = client.get(ad, params={"fields": "creative{object_story_spec{link_data{call_to_action}}},adset{name},campaign{objective}"}).json()
    assert nested["creative"] == {"object_story_spec": {"link_data": {"call_to_action": {
        "type": "INSTAGRAM_MESSAGE", "value": {"app_destination": "INSTAGRAM_DIRECT"}}}}, "id": tree["creative"]}
    assert nested["adset"]["name"] == "Click to Instagram Ad Set" and nested["campaign"]["objective"] == "OUTCOME_ENGAGEMENT"
    account = client.get(act, params={"fields": "ads{name},adcreatives{name}"}).json()
    assert [a["id"] for a in account["ads"]["data"]] == [ad]
    assert [c["id"] for c in account["adcreatives"]["data"]] == [tree["creative"]]


def test_unknown_ad_field_is_the_graph_error(client, act, tree):
    """GRAPH-BEHAVIOUR 4: unknown field -> '(#100) Tried accessing nonexisting field (x) on node type (Adgroup)'."""
    ad = assert_ad_created(create(client, act, tree))
    assert_graph_error(client.get(ad, params={"fields": "creative_id"}), 100,
                       message_has="nonexisting field (creative_id) on node type (Adgroup)")


# -- robustness ---------------------------------------------------------------------------------------------
_KEYS = ["page_id", "link_data", "video_data", "photo_data", "image_hash", "video_id", "call_to_action", "type", "value",
         "child_attachments", "page_welcome_message", "text_format", "message", "ice_breakers", "title", "creative_id",
         "object_story_spec", "images", "hash", "instagram_user_id", "instagram_actor_id", "link", "picture", "name"]


def _values(ids: list[str]) -> st.SearchStrategy:
    leaf = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=False, allow_infinity=False),
                     st.text(max_size=20), st.sampled_from(ids + ["INSTAGRAM_MESSAGE", "1_2", "{", "[]"]))
    return st.recursive(leaf, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                      st.dictionaries(st.sampled_from(_KEYS), inner, max_size=4)), max_leaves=10)


@settings(max_examples=150)
@given(data=st.data())
def test_arbitrary_values_never_give_a_500(client, act, world, tree, data):
    """No input may produce a 500: any known param of the image, creative and ad endpoints with any JSON value,
    as a form or a JSON body, gets a 200 or a Graph error envelope."""
    from mock_server.contract.registry import default_registry
    if not hasattr(client, "fuzz_ad"):  # one ad for all examples (the client lives for the whole test)
        client.fuzz_ad = assert_ad_created(create(client, act, tree))
    ad = client.fuzz_ad
    ids = [world["page_id"], world["instagram_user_id"], world["video_id"], world["page_post_id"], tree["creative"], tree["adset"], ad]
    documents = default_registry().documents
    targets = [("POST", f"{act}/adcreatives", "adcreative.create"), ("POST", f"{act}/ads", "ad.create"),
               ("POST", ad, "ad.update"), ("POST", tree["creative"], "adcreative.update"), ("GET", f"{act}/adimages", "adimage.list"),
               ("DELETE", f"{act}/adimages", "adimage.delete"), ("POST", f"{act}/adimages", "adimage.create"),
               ("GET", f"{act}/ads", "ad.list"), ("GET", f"{ad}/adcreatives", "adcreative.list")]
    method, path, schema = data.draw(st.sampled_from(targets))
    params = data.draw(st.dictionaries(st.sampled_from(sorted(documents[f"requests/{schema}"]["properties"])), _values(ids), max_size=5))
    encoded = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    if method != "POST":
        response = client.request(method, path, params=encoded)
    elif data.draw(st.booleans()):
        response = client.post(path, json=params)
    else:
        response = client.post(path, data=encoded)
    assert response.status_code < 500, (method, path, params, response.text)
    if response.status_code != 200:
        validate("envelopes/error", response.json())
