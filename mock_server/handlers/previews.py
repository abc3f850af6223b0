"""Ad previews (ACCOUNT-SURFACE 7): `/<creative_id>/previews`, `/<ad_id>/previews`, `/act_<id>/generatepreviews`.

Graph answers `{"data":[{"body":"<iframe src=... preview_iframe.php ...>"}]}`; graphmock's iframe URL is
its own `/__graphmock/preview` (mock_server/media.py), which renders the creative's text, image and call to
action as escaped HTML. `ad_format` is validated against the 76 documented values (enums.surface.json).
"""

from __future__ import annotations

import html
from typing import Any

from mock_server import media
from mock_server.handlers.call import Call
from mock_server.store.repository import Record
from mock_server.wire.errors import GraphError
from mock_server.wire.limits import ascii_digits

# iframe sizes per format family (the doc example: 274x213 for a right-column ad) [INFER]
_SIZES = {"RIGHT_COLUMN_STANDARD": (274, 213), "DESKTOP_FEED_STANDARD": (502, 580)}
_DEFAULT_SIZE = (320, 570)


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(*values: Any) -> str:
    """The first non-empty plain value (creative specs are client input: anything may be any JSON type)."""
    for value in values:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value):
            return str(value)
    return ""


def content(call: Call, spec: dict[str, Any], ad_format: str, image_seed: str) -> dict[str, Any]:
    """What the preview shows, read from a creative spec (stored creative or generatepreviews' `creative`)."""
    story = _obj(spec.get("object_story_spec"))
    data = next((_obj(story[k]) for k in ("link_data", "video_data", "photo_data", "template_data", "text_data")
                 if isinstance(story.get(k), dict)), {})
    cta = _obj(data.get("call_to_action")) or _obj(spec.get("call_to_action"))
    cta_type = _text(cta.get("type"), spec.get("call_to_action_type"))
    story_id = _text(spec.get("object_story_id"))
    page_id = _text(story.get("page_id"), story_id.split("_")[0], spec.get("object_id"))
    post = call.state.world.post_entries.get(story_id) or {}
    image = _text(data.get("picture"), data.get("image_url"), spec.get("image_url"))
    return {
        "ad_format": ad_format,
        "page_name": _text((call.state.world.pages.get(page_id) or {}).get("name")),
        "body": _text(spec.get("body"), data.get("message"), data.get("caption"), post.get("message")),
        "title": _text(spec.get("title"), data.get("name"), data.get("title")),
        "link": _text(data.get("link"), _obj(cta.get("value")).get("link"), spec.get("link_url"), spec.get("object_url")),
        "call_to_action": cta_type.replace("_", " ").title(),
        "image_url": image or media.image_url(call.request.base_url, "preview", image_seed, 256),
    }


def answer(call: Call, shown: dict[str, Any]) -> tuple[int, Any]:
    params = call.decoded.values if call.decoded else {}
    width, height = _SIZES.get(shown["ad_format"], _DEFAULT_SIZE)
    width, height = params.get("width") or width, params.get("height") or height
    url = html.escape(media.signer(call.state).url(call.request.base_url, shown), quote=True)
    body = f'<iframe src="{url}" width="{width}" height="{height}" scrolling="yes" style="border: none;"></iframe>'
    return 200, {"data": [{"body": body}]}


def _creative_of(call: Call, record: Record) -> Record:
    creative_id = record.data.get("creative_id") if record.type == "Ad" else record.id
    creative = call.lookup(int(creative_id)) if ascii_digits(str(creative_id or "")) else None
    if creative is None or not call.visible(creative):
        raise GraphError("unsupported_get", object_id=str(creative_id))
    return creative


def node_previews(call: Call) -> tuple[int, Any]:
    """GET /<creative_id>/previews and /<ad_id>/previews."""
    record = call.node.record
    assert record is not None
    params = call.params("adcreative.previews" if record.type == "AdCreative" else "ad.previews")
    creative = _creative_of(call, record)
    return answer(call, content(call, creative.data, params["ad_format"], str(creative.id)))


def generate(call: Call) -> tuple[int, Any]:
    """GET /act_<id>/generatepreviews (and the root GET /generatepreviews)?creative={...}&ad_format=..."""
    params = call.params("adaccount.generatepreviews")
    creative = params["creative"]
    if not isinstance(creative, dict) or not any(creative.get(k) for k in (
            "object_story_spec", "object_story_id", "object_id", "asset_feed_spec", "body", "title", "link_url")):
        raise GraphError("preview_creative_invalid")
    return answer(call, content(call, creative, params["ad_format"], f"{call.node.id or 'root'}-spec"))


ROUTES = {("AdCreative", "previews", "GET"): node_previews, ("Ad", "previews", "GET"): node_previews,
          ("AdAccount", "generatepreviews", "GET"): generate,
          ("Root", "generatepreviews", "GET"): generate}  # GET /generatepreviews: creatives not tied to an account
