"""Ad creatives: normalise the spec, deduplicate, build the stored creative, derive read fields.

A creative is immutable apart from name, status and adlabels (GRAPH-BEHAVIOUR 10),
so the fields Graph derives from the spec (object_type, effective_object_story_id,
actor_id, call_to_action_type, ...) are computed once at creation. Creating a
creative whose spec (everything but the name) equals an existing one returns the
existing creative (seed 003 'Creating'), found by `Record.key` = hash of the spec.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from typing import Any

import orjson

from mock_server.contract.registry import default_registry
from mock_server.domain.rules.creative import CREATE_RULES, CreativeContext, check, image_hash_refs, instagram_refs
from mock_server.store.repository import Record
from mock_server.wire import base_url
from mock_server.wire import relaxed_json
from mock_server.wire.errors import GraphError

TYPE = "AdCreative"
_PWM = "page_welcome_message"
_PWM_HOLDERS = ("link_data", "photo_data", "video_data", "template_data")


# -- spec -------------------------------------------------------------------------------------------
def normalise(params: dict[str, Any]) -> dict[str, Any]:
    """A deep copy with page_welcome_message JSON strings parsed into objects (seed 000 sends it as a string)."""
    spec = copy.deepcopy(params)
    _parse_pwm(spec)
    for key in _PWM_HOLDERS:
        holder = (spec.get("object_story_spec") or {}).get(key)
        if isinstance(holder, dict):
            _parse_pwm(holder)
    return spec


def _parse_pwm(holder: dict[str, Any]) -> None:
    value = holder.get(_PWM)
    if isinstance(value, str) and value.strip()[:1] == "{":
        try:
            parsed, _ = relaxed_json.loads(value.strip())
        except relaxed_json.RelaxedJSONError:
            return
        if isinstance(parsed, dict):
            holder[_PWM] = parsed


def dedup_key(spec: dict[str, Any], table: dict[str, Any]) -> str:
    """SHA-256 of the canonical spec: keys sorted, the name and other non-content params left out, ids as strings."""
    content = {k: v for k, v in spec.items() if k not in table["dedup_excluded"]}
    return hashlib.sha256(orjson.dumps(_canonical(content), option=orjson.OPT_SORT_KEYS)).hexdigest()


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def image_hashes(spec: dict[str, Any], table: dict[str, Any]) -> list[str]:
    return sorted({hash_ for _, hash_ in image_hash_refs(spec, table)})


# -- build ------------------------------------------------------------------------------------------
def build(spec: dict[str, Any], ctx: CreativeContext, object_id: int, now: float) -> Record:
    """A new creative from a normalised spec (rules raise GraphError)."""
    check(CREATE_RULES, spec, ctx)
    table = ctx.table
    data = {k: v for k, v in spec.items() if k not in ("execution_options", "fields")}
    data["status"] = table["default_status"]
    data.update({k: v for k, v in _derived(spec, ctx, object_id).items() if data.get(k) is None})
    data["created_time"] = data["updated_time"] = int(now)
    return Record(id=object_id, type=TYPE, account_id=ctx.account.account_id, status=data["status"], data=data,
                  key=dedup_key(spec, table), created=int(now))


def _derived(spec: dict[str, Any], ctx: CreativeContext, object_id: int) -> dict[str, Any]:
    """Read fields Graph fills from the spec (seed 003 field descriptions)."""
    table = ctx.table
    story_spec = spec.get("object_story_spec") or {}
    out: dict[str, Any] = {"effective_authorization_category": spec.get("authorization_category") or "NONE"}
    page = story_spec.get("page_id")
    if page is not None:
        # seed 003: inline page post -> object_story_id null, effective_object_story_id = <page>_<post>
        out["actor_id"] = str(page)
        out["effective_object_story_id"] = f"{page}_{object_id}"
    if spec.get("object_story_id"):
        out["effective_object_story_id"] = str(spec["object_story_id"])
        out["actor_id"] = str(spec["object_story_id"]).split("_")[0]
    if spec.get("source_instagram_media_id") is not None:
        out["effective_instagram_media_id"] = str(spec["source_instagram_media_id"])
        if spec.get("object_id") is not None:
            out["actor_id"] = str(spec["object_id"])
            out["effective_object_story_id"] = f"{spec['object_id']}_{object_id}"
    instagram = instagram_refs(spec, table)
    if instagram:
        out["instagram_user_id"] = instagram[0][1]
    out["object_type"] = _object_type(spec, story_spec, table)
    data = next((story_spec[k] for k in ("link_data", "template_data", "photo_data", "video_data", "text_data")
                 if isinstance(story_spec.get(k), dict)), {})
    cta = data.get("call_to_action") or spec.get("call_to_action") or {}
    if cta.get("type"):
        out["call_to_action_type"] = cta["type"]
    out["image_hash"] = data.get("image_hash")
    out["image_url"] = data.get("picture") or data.get("image_url") or data.get("url")
    out["video_id"] = str(data["video_id"]) if data.get("video_id") is not None else None
    out["object_url"] = data.get("link")
    if "video_id" not in data:
        out["body"] = data.get("message")
        out["title"] = data.get("name")
    return {k: v for k, v in out.items() if v is not None}


def _object_type(spec: dict[str, Any], story_spec: dict[str, Any], table: dict[str, Any]) -> str:
    by_source = table["object_type_by_source"]
    for key in table["story_data_keys"]:
        if story_spec.get(key):
            return by_source[key]
    for key in ("object_story_id", "source_instagram_media_id", "object_id"):
        if spec.get(key) is not None:
            return by_source[key]
    return "INVALID"


# -- update / delete --------------------------------------------------------------------------------
def check_update(record: Record, params: dict[str, Any], unknown: list[str], table: dict[str, Any]) -> None:
    """Seed 003 'Updating': account_id, adlabels, name, status only; a DELETED creative changes only its name."""
    refused = sorted(name for name in [*params, *unknown] if name not in table["updatable"])
    if refused:
        raise GraphError("creative_not_updatable", field=refused[0], allowed="name, status and adlabels")
    if record.status == "DELETED" and params.get("status", "DELETED") != "DELETED":
        raise GraphError("creative_deleted", value=str(record.id))


def update(record: Record, params: dict[str, Any], now: float) -> None:
    for key in ("name", "adlabels", "status"):
        if key in params:
            record.data[key] = params[key]
    record.status = record.data["status"]
    record.data["updated_time"] = int(now)
    if record.status == "DELETED":
        record.key = None  # a deleted creative is never returned by deduplication


# -- reads ------------------------------------------------------------------------------------------
def thumbnail_url(record: Record, table: dict[str, Any], width: int | None = None, height: int | None = None) -> str:
    """Seed 003 'Read Thumbnail': thumbnail_url at thumbnail_width x thumbnail_height (default 64x64)."""
    if record.data.get("thumbnail_url"):
        return str(record.data["thumbnail_url"])
    spec = table["thumbnail"]
    return spec["url"].format(creative_id=record.id, width=width or spec["default_width"],
                              height=height or spec["default_height"], graphmock=base_url.current())


def computed(record: Record, lookup: Callable[[int], Record | None]) -> dict[str, Any]:
    """thumbnail_url, and page_welcome_message ice breakers as seed 000's GET shows them (titles only)."""
    out: dict[str, Any] = {"thumbnail_url": thumbnail_url(record, default_registry().rules("creative"))}
    story_spec = record.data.get("object_story_spec")
    if isinstance(story_spec, dict):
        shown = copy.deepcopy(story_spec)
        for key in _PWM_HOLDERS:
            holder = shown.get(key)
            if isinstance(holder, dict) and isinstance(holder.get(_PWM), dict):
                _titles_only(holder[_PWM])
        out["object_story_spec"] = shown
    return out


def _titles_only(message: dict[str, Any]) -> None:
    """Seed 000 GET returns ice_breakers as [{"title": ...}]: the automated responses are not read back."""
    breakers = ((message.get("text_format") or {}).get("message") or {}).get("ice_breakers")
    if isinstance(breakers, list):
        for index, item in enumerate(breakers):
            if isinstance(item, dict):
                breakers[index] = {k: v for k, v in item.items() if k == "title"}
