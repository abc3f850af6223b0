"""Ad previews (issue 14 point 5; ACCOUNT-SURFACE 7): iframe bodies whose URL graphmock serves as HTML."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import parse_qsl

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers_creatives import link_spec, make_adset, make_campaign, make_creative, upload
from mock_server.contract.registry import default_registry

FORMATS = default_registry().documents["enums.surface"]["$defs"]["ad_format"]["enum"]


def iframe_src(body):
    """ACCOUNT-SURFACE 7: {"data":[{"body":"<iframe src=\\"...\\" width=.. height=.. scrolling=\\"yes\\" ...>"}]}."""
    assert list(body) == ["data"] and len(body["data"]) == 1
    match = re.fullmatch(r'<iframe src="([^"]+)" width="\d+" height="\d+" scrolling="yes" style="border: none;"></iframe>',
                         body["data"][0]["body"])
    assert match, body
    return html.unescape(match.group(1))


def fetch(client, url):
    path, _, query = url.split("graphmock.test", 1)[1].partition("?")
    return client.get(path, params=dict(parse_qsl(query)), token=None)


@pytest.fixture
def creative(client, act, world):
    image = upload(client, act)
    spec = link_spec(world, image, message="Spring <sale> & more", name="Shop now",
                     call_to_action={"type": "SHOP_NOW", "value": {"link": "https://example.com/shop"}})
    return make_creative(client, act, spec)


def test_creative_preview_renders_text_image_and_call_to_action_escaped(client, creative):
    src = iframe_src(client.get(f"{creative}/previews", params={"ad_format": "DESKTOP_FEED_STANDARD"}).json())
    page = fetch(client, src)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Spring &lt;sale&gt; &amp; more" in page.text and "<sale>" not in page.text
    assert "Shop Now" in page.text and "<img src=" in page.text


@pytest.mark.parametrize("ad_format", FORMATS)
def test_every_documented_ad_format_is_accepted(client, creative, ad_format):
    """The 76 ad_format values of Meta's spec, identical on the three preview edges."""
    assert client.get(f"{creative}/previews", params={"ad_format": ad_format}).status_code == 200


def test_ad_format_is_required_and_checked(client, creative):
    """ACCOUNT-SURFACE 7: ad_format is required (code 100); an unknown value is refused as an enum error."""
    missing = client.get(f"{creative}/previews").json()["error"]
    assert (missing["code"], missing["message"]) == (100, "(#100) The parameter ad_format is required")
    assert client.get(f"{creative}/previews", params={"ad_format": "BILLBOARD"}).json()["error"]["code"] == 100


def test_ad_previews_show_the_ads_creative(client, act, world, creative):
    campaign = make_campaign(client, act)
    adset = make_adset(client, act, world, campaign)
    ad = client.post(f"{act}/ads", data={"name": "a", "adset_id": adset, "status": "PAUSED",
                                         "creative": json.dumps({"creative_id": creative})}).json()["id"]
    src = iframe_src(client.get(f"{ad}/previews", params={"ad_format": "MOBILE_FEED_STANDARD"}).json())
    assert "Spring &lt;sale&gt;" in fetch(client, src).text


def test_generatepreviews_takes_a_creative_spec(client, act, world):
    """ACCOUNT-SURFACE 7: /act_<id>/generatepreviews with ad_format* and creative* (an AdCreative spec as JSON)."""
    spec = {"object_story_spec": {"page_id": world["page_id"], "link_data": {
        "message": "Hello <b>", "link": "https://example.com", "call_to_action": {"type": "LEARN_MORE"}}}}
    body = client.get(f"{act}/generatepreviews", params={"ad_format": "RIGHT_COLUMN_STANDARD",
                                                         "creative": json.dumps(spec)}).json()
    assert 'width="274" height="213"' in body["data"][0]["body"]  # the doc example's right-column size
    page = fetch(client, iframe_src(body)).text
    assert "Hello &lt;b&gt;" in page and "Learn More" in page and "graphmock Demo Page" in page
    error = client.get(f"{act}/generatepreviews", params={"ad_format": "RIGHT_COLUMN_STANDARD"}).json()["error"]
    assert error["message"] == "(#100) The parameter creative is required"


def test_a_tampered_preview_url_is_not_served(client, creative):
    src = iframe_src(client.get(f"{creative}/previews", params={"ad_format": "DESKTOP_FEED_STANDARD"}).json())
    assert fetch(client, src[:-2] + "00").status_code == 404

_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                         st.sampled_from(["object_story_spec", "link_data", "video_data", "call_to_action", "type",
                                          "value", "link", "message", "page_id", "object_story_id", "body", "picture"]),
                         inner, max_size=4), max_leaves=12)


@settings(max_examples=50)
@given(creative=st.dictionaries(st.sampled_from(["object_story_spec", "object_story_id", "object_id", "body", "title"]),
                                _JSON, min_size=1, max_size=3))
def test_generatepreviews_never_fails_on_any_creative_json(client, act, creative):
    """No input yields a 500: any JSON creative answers a preview or a Graph error."""
    response = client.get(f"{act}/generatepreviews", params={"ad_format": "MOBILE_FEED_STANDARD",
                                                             "creative": json.dumps(creative)})
    assert response.status_code in (200, 400), response.text[:300]
    if response.status_code == 200:
        assert fetch(client, iframe_src(response.json())).status_code == 200


def test_root_generatepreviews_serves_creatives_not_tied_to_an_account(client, world):
    """ACCOUNT-SURFACE 7: 'A root GET /generatepreviews exists for creatives not tied to an account.'"""
    spec = {"object_story_spec": {"page_id": world["page_id"], "link_data": {"message": "Root preview"}}}
    body = client.get("generatepreviews", params={"ad_format": "MOBILE_FEED_STANDARD", "creative": json.dumps(spec)}).json()
    assert "Root preview" in fetch(client, iframe_src(body)).text
    assert client.get("generatepreviews", token=None).json()["error"]["code"] == 104
    assert client.get("somethingelse").json()["error"]["code"] == 803
