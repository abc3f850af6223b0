"""Ad creatives: every creative call of seeds 000 and 003 as written, one test per documented rule, dedup property."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers_creatives import BLUE, CTA_IG, WELCOME, fill, link_spec, make_creative, upload, with_world
from helpers_envelope import assert_graph_error, explanation, validate

SEED_GET = {"name": "Sample ad creative", "object_story_spec": {"link_data": {
    "call_to_action": {"type": "INSTAGRAM_MESSAGE", "value": {"app_destination": "INSTAGRAM_DIRECT"}},
    "page_welcome_message": {"type": "VISUAL_EDITOR", "version": 2, "landing_screen_type": "welcome_message",
                             "media_type": "text", "text_format": {"customer_action_type": "ice_breakers", "message": {
                                 "text": "Sample greeting message", "ice_breakers": [
                                     {"title": "Sample icebreaker 1"}, {"title": "Sample icebreaker 2"},
                                     {"title": "Sample icebreaker 3"}]}}}}}}

# Seed 000's object_story_spec arguments, verbatim (missing commas, trailing commas and all).
SEED_LINK = '''{
"page_id": "<PAGE_ID>",
"instagram_actor_id": "<INSTAGRAM_ACCOUNT_ID>",
"link_data": {
"message": "<AD_PRIMARY_TEXT>",
"image_hash": "<IMAGE_HASH>"
"page_welcome_message": "<PAGE_WELCOME_MESSAGE>",
"call_to_action": {
"type": "INSTAGRAM_MESSAGE",
"value": {
"app_destination": "INSTAGRAM_DIRECT"
}
}
}
}'''
SEED_VIDEO = '''{
"message": "<AD_PRIMARY_TEXT>",
"page_id": "<PAGE_ID>",
"instagram_actor_id": "<INSTAGRAM_ACCOUNT_ID>",
"video_data": {
"video_id": "<VIDEO_ID>",
"image_url": "<THUMBNAIL_URL>"
"page_welcome_message": "<PAGE_WELCOME_MESSAGE>",
"call_to_action": {
"type": "INSTAGRAM_MESSAGE",
"value": {
"app_destination": "INSTAGRAM_DIRECT"
}
}
}
}'''
SEED_FLOW_SPEC = ('{ "page_id": "<PAGE_ID>", "instagram_actor_id": "<INSTAGRAM_ACCOUNT_ID>", "link_data": { "message": '
                  '"<AD_PRIMARY_TEXT>", "image_hash": "<IMAGE_HASH>" "call_to_action": { "type": "INSTAGRAM_MESSAGE", '
                  '"value": { "app_destination": "INSTAGRAM_DIRECT" } } } }')
SEED_FLOW_FEED = '{ "additional_data": { "partner_app_welcome_message_flow_id": "<FLOW_ID>", } }'
SEED_CAROUSEL = '''{
"page_id": "<PAGE_ID>",
"instagram_actor_id": "<INSTAGRAM_ACCOUNT_ID>",
"link_data": {
"message": "<AD_PRIMARY_TEXT>",
"page_welcome_message": "<PAGE_WELCOME_MESSAGE>",
"call_to_action": {
"type": "INSTAGRAM_MESSAGE",
"value": {
"app_destination": "INSTAGRAM_DIRECT"
}
},
"child_attachments": [
{
"image_hash": "<IMAGE_HASH>",
"call_to_action": {
"type": "INSTAGRAM_MESSAGE",
"value": {
"app_destination": "INSTAGRAM_DIRECT"
}
},
"name": "<AD_HEADLINE>"
},
{
"video_id": "<VIDEO_ID>",
"picture": "<THUMBNAIL_URL>",
"call_to_action": {
"type": "INSTAGRAM_MESSAGE",
"value": {
"app_destination": "INSTAGRAM_DIRECT"
}
},
"name": "<AD_HEADLINE>"
}
],
}
}'''
SEED_IG_CTA = '''{
"type": "INSTAGRAM_MESSAGE",
"value": {
"link": "https://www.instagram.com"
}
}'''
SEED_PICTURE = '''{
"page_id": "<PAGE_ID>",
"instagram_actor_id": "<INSTAGRAM_ACTOR_ID>",
"link_data": {
"message": "<AD_PRIMARY_TEXT>",
"picture": "<IMAGE_URL>"
"page_welcome_message": "<PAGE_WELCOME_MESSAGE>",
"call_to_action": {
"type": "INSTAGRAM_MESSAGE",
"value": {
"app_destination": "INSTAGRAM_DIRECT"
}
}
}
}'''


@pytest.fixture
def image_hash(client, act) -> str:
    return upload(client, act)


@pytest.fixture
def values(world, image_hash) -> dict[str, str]:
    """Seed placeholders filled from the fixtures; <PAGE_WELCOME_MESSAGE> is the seed's object as a JSON string."""
    ig = world["instagram_user_id"]
    return {"PAGE_ID": world["page_id"], "INSTAGRAM_ACCOUNT_ID": ig, "INSTAGRAM_ACTOR_ID": ig, "INSTAGRAM_USER_ID": ig,
            "IG_USER_ID": ig, "AD_PRIMARY_TEXT": "Chat with us on Instagram", "IMAGE_HASH": image_hash,
            "PAGE_WELCOME_MESSAGE": json.dumps(json.dumps(WELCOME))[1:-1], "VIDEO_ID": world["video_id"],
            "THUMBNAIL_URL": "https://example.com/thumb.jpg", "IMAGE_URL": "https://example.com/image.jpg",
            "AD_HEADLINE": "Chat now", "FLOW_ID": "778899", "INSTAGRAM_POST_ID": world["instagram_media_id"],
            "IG_ORGANIC_MEDIA_ID": world["instagram_media_id"], "postOwnerID_postID": world["page_post_id"],
            "IABP_ID": world["page_id"]}


def post_form(client, act, fields: dict[str, str], version: str = "v25.0"):
    """curl -F ... (multipart form fields)."""
    return client.post(f"/{version}/{act}/adcreatives", files={k: (None, v) for k, v in fields.items()})


def assert_created(response) -> str:
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == ["id"] and body["id"].isdigit()
    return body["id"]


# -- seed 000, every creative variant as written -------------------------------------------------------
def test_seed_000_link_data_creative_and_the_seed_get(client, act, values):
    """Seed 000: link_data with image_hash, page_welcome_message (a JSON string) and INSTAGRAM_MESSAGE -> {"id"};
    GET fields=name,object_story_spec{link_data{call_to_action,page_welcome_message}} returns the seed's body
    (ice breakers read back with their titles only)."""
    creative = assert_created(post_form(client, act, {"name": "Sample ad creative", "object_story_spec": fill(SEED_LINK, values)}))
    body = client.get(creative, params={"fields": "name,object_story_spec{link_data{call_to_action,page_welcome_message}}"}).json()
    assert body == {**SEED_GET, "id": creative}


def test_seed_000_page_welcome_message_as_an_object_reads_the_same(client, act, world, image_hash):
    """Seed 000: page_welcome_message may be given as the object itself."""
    spec = link_spec(world, image_hash, page_welcome_message=WELCOME)
    creative = make_creative(client, act, spec)
    body = client.get(creative, params={"fields": "name,object_story_spec{link_data{call_to_action,page_welcome_message}}"}).json()
    assert body["object_story_spec"]["link_data"]["page_welcome_message"] == SEED_GET["object_story_spec"]["link_data"]["page_welcome_message"]


def test_seed_000_video_data_creative(client, act, values):
    """Seed 000: video_data with video_id, image_url thumbnail and a top-level `message` in object_story_spec."""
    creative = assert_created(post_form(client, act, {"name": "Sample ad creative", "object_story_spec": fill(SEED_VIDEO, values)}))
    body = client.get(creative, params={"fields": "object_type,video_id,call_to_action_type"}).json()
    assert body == {"object_type": "VIDEO", "video_id": values["VIDEO_ID"], "call_to_action_type": "INSTAGRAM_MESSAGE", "id": creative}


def test_seed_000_partner_flow_as_written_on_v19_is_a_deprecated_version(client, act, values):
    """Seed 000's asset_feed_spec example targets v19.0, which this server no longer serves (2635, GRAPH-BEHAVIOUR 12)."""
    fields = {"name": "Sample ad creative", "object_story_spec": fill(SEED_FLOW_SPEC, values),
              "asset_feed_spec": fill(SEED_FLOW_FEED, values)}
    assert_graph_error(post_form(client, act, fields, version="v19.0"), 2635)


def test_seed_000_partner_welcome_flow_asset_feed_spec(client, act, values):
    """Seed 000: the same call on v25.0 -> {"id"}; asset_feed_spec (with its trailing comma) is stored as sent."""
    fields = {"name": "Sample ad creative", "object_story_spec": fill(SEED_FLOW_SPEC, values),
              "asset_feed_spec": fill(SEED_FLOW_FEED, values)}
    creative = assert_created(post_form(client, act, fields))
    assert client.get(creative, params={"fields": '"asset_feed_spec"'}).json()["asset_feed_spec"] == {
        "additional_data": {"partner_app_welcome_message_flow_id": "778899"}}


def test_seed_000_carousel_child_attachments(client, act, values):
    """Seed 000: child_attachments with an image card and a video card -> { "id": "<AD_CREATIVE_ID>" }."""
    creative = assert_created(post_form(client, act, {"name": "Sample ad creative", "object_story_spec": fill(SEED_CAROUSEL, values)}))
    cards = client.get(creative, params={"fields": "object_story_spec{link_data{child_attachments{name,video_id}}}"}).json()
    assert cards["object_story_spec"]["link_data"]["child_attachments"] == [
        {"name": "Chat now"}, {"name": "Chat now", "video_id": values["VIDEO_ID"]}]


def test_seed_000_creative_from_instagram_post(client, act, values):
    """Seed 000: object_id=<PAGE_ID>, instagram_user_id, source_instagram_media_id and a call_to_action with a link."""
    creative = assert_created(post_form(client, act, {
        "name": "Sample ad creative from Instagram post", "object_id": values["PAGE_ID"],
        "instagram_user_id": values["INSTAGRAM_USER_ID"], "source_instagram_media_id": values["INSTAGRAM_POST_ID"],
        "call_to_action": SEED_IG_CTA}))
    body = client.get(creative, params={"fields": "effective_instagram_media_id,instagram_user_id,call_to_action"}).json()
    assert body["effective_instagram_media_id"] == values["INSTAGRAM_POST_ID"]
    assert body["call_to_action"] == {"type": "INSTAGRAM_MESSAGE", "value": {"link": "https://www.instagram.com"}}


def test_seed_000_creative_from_image_url(client, act, values):
    """Seed 000: link_data with picture=<IMAGE_URL> instead of an image hash."""
    creative = assert_created(post_form(client, act, {"name": "Sample ad creative from Instagram image",
                                                  "object_story_spec": fill(SEED_PICTURE, values)}))
    assert client.get(creative, params={"fields": "image_url"}).json()["image_url"] == "https://example.com/image.jpg"


def test_seed_000_existing_post_in_the_query_string(client, act, values):
    """Seed 000: POST ...adcreatives?object_story_id=<postOwnerID_postID>&instagram_actor_id=<IG_USER_ID>
    &call_to_action={'type':MESSAGE_PAGE,'value':{'app_destination':'MESSENGER'}} (not strict JSON)."""
    response = client.post(f"{act}/adcreatives", params={
        "object_story_id": values["postOwnerID_postID"], "instagram_actor_id": values["IG_USER_ID"],
        "call_to_action": "{'type':MESSAGE_PAGE,'value':{'app_destination':'MESSENGER'}}"})
    creative = assert_created(response)
    body = client.get(creative, params={"fields": "object_story_id,effective_object_story_id,call_to_action"}).json()
    assert body["object_story_id"] == body["effective_object_story_id"] == values["postOwnerID_postID"]
    assert body["call_to_action"] == {"type": "MESSAGE_PAGE", "value": {"app_destination": "MESSENGER"}}


def test_seed_000_iabp_creative_in_the_query_string(client, act, values):
    """Seed 000: ?object_id=<IABP_ID>&instagram_user_id=<IG_USER_ID>&source_instagram_media_id=<IG_ORGANIC_MEDIA_ID>."""
    response = client.post(f"{act}/adcreatives", params={
        "object_id": values["IABP_ID"], "instagram_user_id": values["IG_USER_ID"],
        "source_instagram_media_id": values["IG_ORGANIC_MEDIA_ID"]})
    assert_created(response)


def test_seed_000_iabp_id_from_the_fixtures(client, act, world):
    """Seed 000: object_id may be the Page-backed Instagram account id (fixtures `iabp_id`)."""
    with_world(client, lambda d: d["instagram_accounts"][0].update(iabp_id="1190000000000001"))
    response = client.post(f"{act}/adcreatives", params={
        "object_id": "1190000000000001", "instagram_user_id": world["instagram_user_id"],
        "source_instagram_media_id": world["instagram_media_id"]})
    assert_created(response)


# -- seed 003 examples --------------------------------------------------------------------------------
def test_seed_003_link_ad_and_inline_post_ids(client, act, world, image_hash):
    """Seed 003: link_data {image_hash, link, message} -> id; object_story_id is null for an inline
    object_story_spec and effective_object_story_id is <page_id>_<post id>."""
    creative = assert_created(post_form(client, act, {"name": "Sample Creative", "object_story_spec": json.dumps(
        {"link_data": {"image_hash": image_hash, "link": "https://example.com/", "message": "try it out"},
         "page_id": world["page_id"]})}))
    body = client.get(creative, params={"fields": "name,object_story_id,effective_object_story_id,object_type,object_url,body"}).json()
    assert "object_story_id" not in body and body["name"] == "Sample Creative"
    page, _, post = body["effective_object_story_id"].partition("_")
    assert page == world["page_id"] and post.isdigit()
    assert (body["object_type"], body["object_url"], body["body"]) == ("SHARE", "https://example.com/", "try it out")


def test_seed_003_inline_post_can_be_promoted_again(client, act, world, image_hash):
    """Seed 003 'Inline Page Post Creation': the unpublished post's id can be used as object_story_id."""
    first = make_creative(client, act, link_spec(world, image_hash))
    story = client.get(first, params={"fields": "effective_object_story_id"}).json()["effective_object_story_id"]
    assert_created(post_form(client, act, {"name": "Again", "object_story_id": story}))


@pytest.mark.parametrize("category", ["POLITICAL", "POLITICAL_WITH_DIGITALLY_CREATED_MEDIA"])
def test_seed_003_authorization_category(client, act, world, image_hash, category):
    """Seed 003: authorization_category=POLITICAL / POLITICAL_WITH_DIGITALLY_CREATED_MEDIA with object_story_spec."""
    creative = assert_created(post_form(client, act, {"authorization_category": category,
                                                  "object_story_spec": json.dumps(link_spec(world, image_hash))}))
    body = client.get(creative, params={"fields": "authorization_category,effective_authorization_category"}).json()
    assert body["authorization_category"] == body["effective_authorization_category"] == category


def test_seed_003_link_ad_with_call_to_action(client, act, world):
    """Seed 003: link_data {call_to_action {type SIGN_UP, value {link}}, link, message} (no image: scraped from link)."""
    spec = {"link_data": {"call_to_action": {"type": "SIGN_UP", "value": {"link": "https://example.com/signup"}},
                          "link": "https://example.com/", "message": "try it out"}, "page_id": world["page_id"]}
    creative = assert_created(post_form(client, act, {"name": "Sample Creative", "object_story_spec": json.dumps(spec)}))
    assert client.get(creative, params={"fields": "call_to_action_type"}).json()["call_to_action_type"] == "SIGN_UP"


def test_seed_003_carousel(client, act, world, image_hash):
    """Seed 003: child_attachments with description, image_hash, escaped-slash links, name and video_id."""
    spec = ('{ "link_data": { "child_attachments": [ { "description": "$8.99", "image_hash": "%(h)s", "link": '
            '"https:\\/\\/www.link.com\\/product1", "name": "Product 1", "video_id": "%(v)s" }, { "description": "$9.99", '
            '"image_hash": "%(h)s", "link": "https:\\/\\/www.link.com\\/product2", "name": "Product 2", "video_id": "%(v)s" }, '
            '{ "description": "$10.99", "image_hash": "%(h)s", "link": "https:\\/\\/www.link.com\\/product3", "name": '
            '"Product 3" } ], "link": "https://example.com/" }, "page_id": "%(p)s" }') % {
        "h": image_hash, "v": world["video_id"], "p": world["page_id"]}
    creative = assert_created(post_form(client, act, {"name": "Sample Creative", "object_story_spec": spec}))
    cards = client.get(creative, params={"fields": "object_story_spec{link_data{child_attachments{link}}}"}).json()
    assert cards["object_story_spec"]["link_data"]["child_attachments"][0] == {"link": "https://www.link.com/product1"}


def test_seed_003_video_page_like(client, act, world):
    """Seed 003: video_data {call_to_action {type LIKE_PAGE, value {page}}, image_url, video_id}."""
    spec = {"page_id": world["page_id"], "video_data": {
        "call_to_action": {"type": "LIKE_PAGE", "value": {"page": world["page_id"]}},
        "image_url": "https://example.com/thumb.jpg", "video_id": world["video_id"]}}
    assert_created(post_form(client, act, {"name": "Sample Creative", "object_story_spec": json.dumps(spec)}))


def test_seed_003_promoted_post_and_url_tags(client, act, world):
    """Seed 003: object_story_id=<POST_ID> (name 'Sample Promoted Post'); url_tags=key1=val1&key2=val2."""
    post = world["page_post_id"]
    creative = assert_created(post_form(client, act, {"name": "Sample Promoted Post", "object_story_id": post}))
    assert client.get(creative, params={"fields": "name,object_story_id"}).json() == {
        "name": "Sample Promoted Post", "object_story_id": post, "id": creative}
    tagged = assert_created(post_form(client, act, {"object_story_id": post, "url_tags": "key1=val1&key2=val2"}))
    assert tagged != creative
    assert client.get(tagged, params={"fields": "url_tags"}).json()["url_tags"] == "key1=val1&key2=val2"


def test_seed_003_photo_with_branded_content(client, act, world, image_hash):
    """Seed 003: photo_data {branded_content_sponsor_page_id, image_hash}."""
    spec = {"page_id": world["page_id"], "photo_data": {"branded_content_sponsor_page_id": "1100000000009999", "image_hash": image_hash}}
    creative = assert_created(post_form(client, act, {"name": "Sample Creative", "object_story_spec": json.dumps(spec)}))
    assert client.get(creative, params={"fields": "object_type,image_hash"}).json()["object_type"] == "PHOTO"


def test_seed_003_partnership_ad(client, act, world):
    """Seed 003 'Partnership Ads Posts': facebook_branded_content {sponsor_page_id} / instagram_branded_content
    {sponsor_id} with object_story_id (the seed's quoting is broken; this is the intended call)."""
    assert_created(post_form(client, act, {"facebook_branded_content": json.dumps({"sponsor_page_id": world["page_id"]}),
                                       "object_story_id": world["page_post_id"]}))
    assert_created(post_form(client, act, {"instagram_branded_content": json.dumps({"sponsor_id": world["instagram_user_id"]}),
                                       "object_story_id": world["page_post_id"], "name": "IG partnership"}))


def test_seed_003_thumbnail_url_follows_the_read_params(client, act, world, image_hash):
    """Seed 003 'Read Thumbnail': thumbnail_width=150, thumbnail_height=120, fields=thumbnail_url (default 64)."""
    creative = make_creative(client, act, link_spec(world, image_hash))
    sized = client.get(creative, params={"thumbnail_width": "150", "thumbnail_height": "120", "fields": "thumbnail_url"}).json()
    assert "w=150&h=120" in sized["thumbnail_url"]
    assert "w=64&h=64" in client.get(creative, params={"fields": "thumbnail_url"}).json()["thumbnail_url"]
    assert_graph_error(client.get(creative, params={"thumbnail_width": "0"}), 100, blame="thumbnail_width")


def test_seed_003_update_name_and_delete(client, act, world, image_hash):
    """Seed 003 'Updating': name=New creative name -> {"success": true}; 'Deleting' -> {"success": true}; a deleted
    creative is no longer listed but is still readable by id."""
    creative = make_creative(client, act, link_spec(world, image_hash))
    assert client.post(creative, data={"name": "New creative name 1517287550"}).json() == {"success": True}
    assert client.get(creative, params={"fields": "name"}).json()["name"] == "New creative name 1517287550"
    answer = client.post(creative, data={"adlabels": '[{"name": "spring"}]', "fields": "adlabels"}).json()
    [label] = answer["adlabels"]  # issue 14: the name became an ad label of the account, read with its id
    assert answer["success"] is True and answer["id"] == creative
    assert label["name"] == "spring" and label["id"].isdigit()
    assert client.delete(creative).json() == {"success": True}
    assert client.get(f"{act}/adcreatives").json()["data"] == []
    assert client.get(creative, params={"fields": "status"}).json()["status"] == "DELETED"


# -- documented rules ---------------------------------------------------------------------------------
def spec_call(client, act, world, image_hash, **overrides: Any):
    """The seed-000 link creative as JSON form values, with overrides (None removes a param)."""
    base = {"name": "Sample ad creative", "object_story_spec": link_spec(world, image_hash)}
    base.update(overrides)
    return client.post(f"{act}/adcreatives", data={k: v if isinstance(v, str) else json.dumps(v)
                                                   for k, v in base.items() if v is not None})


def test_object_story_spec_removed_needs_content(client, act, world, image_hash):
    """Seed 000 table: object_story_spec 'Required' (or another documented source: object_story_id, IG post, ...)."""
    assert_graph_error(spec_call(client, act, world, image_hash, object_story_spec=None), 100, blame="object_story_spec",
                       message_has="object_story_spec is required")


def test_page_id_is_required_in_object_story_spec(client, act, world, image_hash):
    """GRAPH-BEHAVIOUR 10: object_story_spec = {page_id (required), ...}."""
    spec = link_spec(world, image_hash)
    del spec["page_id"]
    assert_graph_error(spec_call(client, act, world, image_hash, object_story_spec=spec), 100,
                       blame="object_story_spec", message_has="The parameter object_story_spec[page_id] is required")


def test_object_story_spec_needs_creative_details(client, act, world, image_hash):
    """Wire (nodejs-business-sdk #36): 'Object story spec is ill formed. Maybe missing Page ID or creative details'."""
    response = spec_call(client, act, world, image_hash, object_story_spec={"page_id": world["page_id"]})
    assert_graph_error(response, 100, blame="object_story_spec", message_has="link_data")


def test_name_is_at_most_100_characters(client, act, world, image_hash):
    """Seed 003: name 'has a limit of 100 characters'."""
    assert spec_call(client, act, world, image_hash, name="n" * 100).status_code == 200
    assert_graph_error(spec_call(client, act, world, image_hash, name="m" * 101), 100, blame="name",
                       message_has="Param name must be at most 100 characters long")


def test_url_is_at_most_1000_characters(client, act, world, image_hash):
    """Seed 003 'Maximum length of a URL: 1000 characters'."""
    ok = link_spec(world, image_hash, link="https://example.com/" + "a" * 980)
    assert spec_call(client, act, world, image_hash, object_story_spec=ok).status_code == 200
    long = link_spec(world, image_hash, link="https://example.com/" + "a" * 981)
    assert_graph_error(spec_call(client, act, world, image_hash, object_story_spec=long), 100, blame="object_story_spec",
                       message_has="object_story_spec[link_data][link] must be at most 1000 characters")


TEXT_CASES = [
    ("", "at least 1 character", "Seed 003: minimum title/body length 1 character"),
    ("!Sale today", "cannot start with punctuation", r"Seed 003: cannot start with punctuation \ / ! . ? - * ( ) , ; :"),
    ("Great deals!! today", "consecutive punctuation", "Seed 003: no consecutive punctuation except three full stops"),
    ("Supercalifragilisticexpialidocious12 deal", "longer than 30", "Seed 003: words no longer than 30 characters"),
    ("a b c d deal", "one-character words", "Seed 003: only three 1-character words allowed"),
    ("Price <low>", "not allowed", "Seed 003: the characters ^~_={}[]|<> are not allowed"),
    ("Caf\u0301e", "standalone diacritical marks", "Seed 003: standalone diacritical marks are not allowed"),
    ("Water H\u2082O", "superscript and subscript", "Seed 003: superscript and subscript characters are not allowed"),
    ("The \u0250 sound", "IPA symbols", "Seed 003: IPA symbols are not allowed"),
]


@pytest.mark.parametrize("field", ["title", "body"])
@pytest.mark.parametrize("text,message,rule", TEXT_CASES, ids=[c[2].split(": ")[1][:30] for c in TEXT_CASES])
def test_title_and_body_limits(client, act, world, image_hash, field, text, message, rule):
    """Seed 003 'Title and Body Limits' (one case per rule; the rule quoted in the case id)."""
    response = spec_call(client, act, world, image_hash, **{field: text})
    assert_graph_error(response, 100, blame=field, message_has=message)


@pytest.mark.parametrize("char", list("^~_={}[]|<>"))
def test_each_forbidden_character(client, act, world, image_hash, char):
    """Seed 003: 'These characters ^~_={}[]|<>' are not allowed."""
    assert_graph_error(spec_call(client, act, world, image_hash, title=f"Buy {char} now"), 100, blame="title",
                       message_has=f"'{char}'")


@pytest.mark.parametrize("text", ["Wait for it... deals", "A b c deal", "Schwa \u0259 and \u025b allowed", "Brand\u2122 and \u2120",
                                  "Price: $9.99 (today)", "x" * 200])
def test_text_the_rules_accept(client, act, world, image_hash, text):
    """Seed 003: '...' is allowed; three 1-character words; the IPA exceptions; (TM) and (SM); 'recommended' lengths
    (title 25, body 90) are not enforced when words stay within 30 characters."""
    text = text if not text.startswith("x") else " ".join(["word"] * 40)
    assert spec_call(client, act, world, image_hash, title=text, body=text).status_code == 200


def test_page_welcome_message_text_is_not_subject_to_link_ad_rules(client, act, world, image_hash):
    """Seed 003 'Exceptions': page post ads allow special characters (only the creative's title/body are link-ad text)."""
    spec = link_spec(world, image_hash, message="Hi!! Use code [SAVE_10] <today>")
    assert spec_call(client, act, world, image_hash, object_story_spec=spec).status_code == 200


def test_image_hash_must_be_in_the_library(client, act, world, image_hash):
    """Seed 003: image_hash names an image of 'your ad account's image library'."""
    response = spec_call(client, act, world, image_hash, object_story_spec=link_spec(world, "f" * 32))
    assert_graph_error(response, 100, blame="object_story_spec", message_has="object_story_spec[link_data][image_hash]")
    carousel = link_spec(world, image_hash, child_attachments=[{"image_hash": image_hash}, {"image_hash": "e" * 32}])
    assert_graph_error(spec_call(client, act, world, image_hash, object_story_spec=carousel), 100,
                       message_has="object_story_spec[link_data][child_attachments][1][image_hash]")


def test_video_must_be_a_video_of_the_account(client, act, world, image_hash):
    spec = {"page_id": world["page_id"], "video_data": {"video_id": "1400000000009999", "image_url": "https://example.com/t.jpg"}}
    assert_graph_error(spec_call(client, act, world, image_hash, object_story_spec=spec), 100,
                       message_has="object_story_spec[video_data][video_id]")


def test_video_needs_a_thumbnail(client, act, world, image_hash):
    """GRAPH-BEHAVIOUR 10: video_data takes image_hash or image_url (a thumbnail; one is required)."""
    spec = {"page_id": world["page_id"], "video_data": {"video_id": world["video_id"]}}
    assert_graph_error(spec_call(client, act, world, image_hash, object_story_spec=spec), 100,
                       message_has="object_story_spec[video_data] needs a thumbnail")


def test_link_post_without_link_or_image_is_missing_image(client, act, world, image_hash):
    """Wire (nodejs-business-sdk #134): 100 / 1487212 'Missing Image: Please specify an image to run with this ad.'"""
    spec = {"page_id": world["page_id"], "link_data": {"message": "hello", "call_to_action": CTA_IG}}
    error = assert_graph_error(spec_call(client, act, world, image_hash, object_story_spec=spec), 100, 1487212,
                               blame="object_story_spec")
    assert error["error_user_title"] == "Missing Image"


def test_page_must_be_a_page_of_the_token(client, act, world, image_hash):
    """Seed 000: the Page of the creative must exist and be one the token manages (pages_manage_ads)."""
    with_world(client, lambda d: d["pages"].append({"id": "1100000000000002", "name": "Not mine"}))
    image_hash = upload(client, act)
    for page in ("1100000000009999", "1100000000000002"):
        spec = {**link_spec(world, image_hash), "page_id": page}
        del spec["instagram_user_id"]
        assert_graph_error(spec_call(client, act, world, image_hash, object_story_spec=spec), 100, blame="object_story_spec",
                           message_has=f"object_story_spec[page_id] must be the id of a Page this access token can use: {page}")


def test_instagram_account_must_exist_and_be_connected(client, act, world, image_hash):
    """Seed 000: instagram_actor_id is 'either a Page-connected Instagram account ID or the Page-backed Instagram account ID'."""
    with_world(client, lambda d: d["instagram_accounts"].append({"id": "17841400000000002", "username": "elsewhere"}))
    image_hash = upload(client, act)
    unknown = {**link_spec(world, image_hash), "instagram_user_id": "17841400000009999"}
    assert_graph_error(spec_call(client, act, world, image_hash, object_story_spec=unknown), 100,
                       message_has="object_story_spec[instagram_user_id] must be the id of an Instagram account")
    other = {**link_spec(world, image_hash), "instagram_user_id": "17841400000000002"}
    assert_graph_error(spec_call(client, act, world, image_hash, object_story_spec=other), 100,
                       message_has="is not connected to Page")


def test_instagram_actor_id_and_user_id_together(client, act, world, image_hash):
    """GRAPH-BEHAVIOUR 10: instagram_user_id replaces instagram_actor_id; passing both -> 2446149."""
    spec = {**link_spec(world, image_hash), "instagram_actor_id": world["instagram_user_id"]}
    assert_graph_error(spec_call(client, act, world, image_hash, object_story_spec=spec), 100, 2446149,
                       blame="object_story_spec")


def test_object_story_id_must_resolve_to_a_post(client, act, world):
    """Wire (nodejs-business-sdk #108): 'The page-id and/or post-id didn't resolve to a valid story.'"""
    for story in (f"{world['page_id']}_999", "abc"):
        error = assert_graph_error(post_form(client, act, {"object_story_id": story}), 100, blame="object_story_id")
        if story != "abc":  # "abc" is already explained by the schema (not a <page>_<post> id)
            assert "didn't resolve to a valid story" in explanation(client)


def test_object_story_id_and_object_story_spec_are_ambiguous(client, act, world, image_hash):
    """GRAPH-BEHAVIOUR 1.3: 1487929 'The object you are trying to promote is ambiguous.'"""
    response = spec_call(client, act, world, image_hash, object_story_id=world["page_post_id"])
    assert_graph_error(response, 100, 1487929, blame="object_story_id")


def test_source_instagram_media_must_belong_to_the_account(client, act, world):
    response = post_form(client, act, {"object_id": world["page_id"], "instagram_user_id": world["instagram_user_id"],
                                       "source_instagram_media_id": "17900000000009999"})
    assert_graph_error(response, 100, blame="source_instagram_media_id", message_has="17900000000009999")


@pytest.mark.parametrize("cta", [{"type": "TAP_HERE"}, {"value": {"link": "https://example.com"}}])
def test_call_to_action_type_must_be_parseable(client, act, world, image_hash, cta):
    """GRAPH-BEHAVIOUR 1.3: 1373054 'No Call To Action Type was parseable.' (unknown or missing type)."""
    spec = link_spec(world, image_hash, call_to_action=cta)
    assert_graph_error(spec_call(client, act, world, image_hash, object_story_spec=spec), 100, 1373054,
                       blame="object_story_spec", message_has="[call_to_action][type]")
    assert_graph_error(post_form(client, act, {"object_story_id": world["page_post_id"], "call_to_action": json.dumps(cta)}),
                       100, 1373054, blame="call_to_action")


def test_every_call_to_action_type_of_the_enum_is_accepted(client, act, world, image_hash):
    """GRAPH-BEHAVIOUR 10: the type enum (schemas/enums.json call_to_action_type) with its value object."""
    from mock_server.contract.registry import default_registry
    for cta_type in default_registry().enum("call_to_action_type"):
        spec = link_spec(world, image_hash, call_to_action={"type": cta_type, "value": {"link": "https://example.com/"}})
        assert spec_call(client, act, world, image_hash, object_story_spec=spec).status_code == 200, cta_type


def test_authorization_category_enum(client, act, world, image_hash):
    assert_graph_error(spec_call(client, act, world, image_hash, authorization_category="ELECTIONS"), 100,
                       blame="authorization_category", message_has="POLITICAL_WITH_DIGITALLY_CREATED_MEDIA")


def test_ice_breakers_need_a_title(client, act, world, image_hash):
    """Seed 000: each ice breaker is {title, response}; a JSON-string welcome message is checked like the object."""
    welcome = json.loads(json.dumps(WELCOME))
    welcome["text_format"]["message"]["ice_breakers"][1] = {"response": "no title"}
    spec = link_spec(world, image_hash, page_welcome_message=json.dumps(welcome))
    assert_graph_error(spec_call(client, act, world, image_hash, object_story_spec=spec), 100,
                       message_has="[ice_breakers][1][title] is required")


@pytest.mark.parametrize("param,value", [("object_story_spec", "{}"), ("url_tags", "a=b"), ("body", "New body"),
                                         ("image_hash", "0" * 32)])
def test_update_only_name_status_adlabels(client, act, world, image_hash, param, value):
    """GRAPH-BEHAVIOUR 10: creatives 'cannot be edited after they have been created except for name and run status'."""
    creative = make_creative(client, act, link_spec(world, image_hash))
    assert_graph_error(client.post(creative, data={"name": "x", param: value}), 100, blame=param,
                       message_has=f"Param {param} cannot be updated")


def test_update_status_enum_and_deleted_creative(client, act, world, image_hash):
    """Seed 003: status {ACTIVE, IN_PROCESS, WITH_ISSUES, DELETED}; a deleted creative only changes its name."""
    creative = make_creative(client, act, link_spec(world, image_hash))
    assert_graph_error(client.post(creative, data={"status": "PAUSED"}), 100, blame="status")
    assert client.post(creative, data={"status": "WITH_ISSUES"}).json() == {"success": True}
    assert [c["id"] for c in client.get(f"{act}/adcreatives").json()["data"]] == [creative]
    client.delete(creative)
    assert_graph_error(client.post(creative, data={"status": "ACTIVE"}), 100, blame="status")
    assert client.post(creative, data={"name": "renamed"}).json() == {"success": True}


def test_validate_only_creates_nothing(client, act, world, image_hash):
    """GRAPH-BEHAVIOUR 11: execution_options=["validate_only"] -> {"success": true} without creating."""
    response = spec_call(client, act, world, image_hash, execution_options=["validate_only"])
    assert response.json() == {"success": True}
    assert client.get(f"{act}/adcreatives").json()["data"] == []


def test_read_after_write_and_list(client, act, world, image_hash):
    """GRAPH-BEHAVIOUR 11: fields on the POST are read back; GET /act_<id>/adcreatives lists newest first."""
    body = spec_call(client, act, world, image_hash, fields="name,status,actor_id").json()
    assert body == {"id": body["id"], "name": "Sample ad creative", "status": "ACTIVE", "actor_id": world["page_id"]}
    second = make_creative(client, act, link_spec(world, image_hash, message="Second"), name="Second")
    listing = client.get(f"{act}/adcreatives", params={"fields": "name", "summary": "true"}).json()
    validate("envelopes/list", listing)
    assert [c["id"] for c in listing["data"]] == [second, body["id"]] and listing["summary"] == {"total_count": 2}
    filtered = client.get(f"{act}/adcreatives", params={"filtering": '[{"field":"name","operator":"EQUAL","value":"Second"}]'})
    assert [c["id"] for c in filtered.json()["data"]] == [second]


# -- dedup ----------------------------------------------------------------------------------------------
def test_identical_creative_returns_the_existing_id_even_with_another_name(client, act, world, image_hash):
    """Seed 003 'Creating': 'If you try to add an creative that isn't unique, we do not generate it and return the
    creative ID of the existing ad creative' (GRAPH-BEHAVIOUR 10: same id even with a different name)."""
    first = make_creative(client, act, link_spec(world, image_hash), name="One")
    assert make_creative(client, act, link_spec(world, image_hash), name="Two") == first
    assert client.get(first, params={"fields": "name"}).json()["name"] == "One"
    assert make_creative(client, act, link_spec(world, image_hash, message="Other")) != first
    client.delete(first)
    assert make_creative(client, act, link_spec(world, image_hash), name="Three") != first


def _shuffled(value: Any, rnd: random.Random) -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        rnd.shuffle(items)
        return {k: _shuffled(v, rnd) for k, v in items}
    if isinstance(value, list):
        return [_shuffled(v, rnd) for v in value]
    return value


@settings(max_examples=30)
@given(message=st.text(st.characters(categories=["L", "N", "Zs"]), min_size=1, max_size=40),
       headline=st.one_of(st.none(), st.text("abcdefgh ", min_size=1, max_size=12)),
       with_link=st.booleans(), as_json=st.booleans(), rnd=st.randoms(use_true_random=False))
def test_dedup_property_same_spec_any_key_order(client, act, world, message, headline, with_link, as_json, rnd):
    """Property (seed 003 / GRAPH-BEHAVIOUR 10 dedup): the same spec in any key order, under any name and any wire
    encoding, gives the same creative id; the spec's content decides it."""
    image_hash = upload(client, act, BLUE, "blue.png")
    extra = {"link": "https://example.com/"} if with_link else {}
    if headline is not None:
        extra["name"] = headline
    spec = link_spec(world, image_hash, message=message, **extra)
    params = {"object_story_spec": spec, "url_tags": "utm_source=graphmock"}

    def send(name: str) -> str:
        body = _shuffled({**params, "name": name}, rnd)
        if as_json:
            response = client.post(f"{act}/adcreatives", json=body)
        else:
            response = client.post(f"{act}/adcreatives", data={k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()})
        assert response.status_code == 200, response.text
        return response.json()["id"]

    first = send("first")
    assert send("second") == first
    changed = _shuffled({**params, "object_story_spec": link_spec(world, image_hash, message=message + " more", **extra)}, rnd)
    assert client.post(f"{act}/adcreatives", json=changed).json()["id"] != first
