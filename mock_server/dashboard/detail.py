"""One object's page: its JSON as `GET /<id>` renders it, children, creative preview, history and insights."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from mock_server.dashboard import graph, insights
from mock_server.dispatch import resolve
from mock_server.domain.world import Token
from mock_server.state import State
from mock_server.wire.errors import GraphError

CHILD_EDGES = {"AdAccount": ("campaigns",), "Campaign": ("adsets", "ads"), "AdSet": ("ads",), "Ad": ()}
HISTORY_LIMIT = 50
HISTORY_SECONDS = 37 * 31 * 86400  # the edge's default is one week; a mock's clock is often moved further
HISTORY_FIELDS = "event_time,event_type,translated_event_type,object_id,object_name,actor_name,extra_data"


@dataclass
class Detail:
    id: str
    type: str = ""
    error: str | None = None
    json: str = ""
    children: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)
    creative: dict[str, Any] | None = None
    history: list[dict[str, Any]] | None = None
    history_note: str | None = None
    insights: insights.Panel = field(default_factory=insights.Panel)


def build(state: State, token: Token, object_id: str, query: dict[str, str] | None = None) -> Detail:
    """`query`: the insights window (`preset`, or `preset=custom` with `since` / `until`)."""
    detail = Detail(object_id)
    try:
        with state.clock.active():
            detail.type = resolve(state, token, object_id, "GET").type
    except GraphError as error:
        detail.error = error.message
        return detail
    reply = graph.full(state, token, object_id, detail.type)
    if not reply.ok:
        detail.error = reply.error
        return detail
    body = reply.body if isinstance(reply.body, dict) else {}
    detail.json = orjson.dumps(body, option=orjson.OPT_INDENT_2).decode()
    for edge in CHILD_EDGES.get(detail.type, ()):
        kids = graph.read(state, token, object_id, edge, {"fields": "id,name,status,effective_status", "limit": 100})
        detail.children.append((edge, graph.rows(kids)))
    creative = body.get("creative")
    if detail.type == "Ad" and isinstance(creative, dict) and creative.get("id"):
        detail.creative = preview(state, token, str(creative["id"]))
    elif detail.type == "AdCreative":
        detail.creative = preview(state, token, object_id)
    _history(state, token, detail, body)
    detail.insights = insights.build(state, token, object_id, detail.type, body, query or {})
    return detail


def preview(state: State, token: Token, creative_id: str) -> dict[str, Any] | None:
    """What an ad preview shows: page, primary text, image or video, headline, description, button."""
    reply = graph.full(state, token, creative_id, "AdCreative")
    if not reply.ok or not isinstance(reply.body, dict):
        return None
    body = reply.body
    spec = body.get("object_story_spec") if isinstance(body.get("object_story_spec"), dict) else {}
    story = next((spec[k] for k in ("link_data", "video_data", "photo_data", "template_data")
                  if isinstance(spec.get(k), dict)), {})
    page_id = str(spec.get("page_id") or body.get("actor_id") or "")
    page = state.world.pages.get(page_id, {})
    action = story.get("call_to_action") if isinstance(story.get("call_to_action"), dict) else {}
    return {"id": creative_id, "name": body.get("name"), "page": page.get("name") or page_id or None,
            "message": story.get("message") or body.get("body"),
            "headline": story.get("name") or story.get("title") or body.get("title"),
            "description": story.get("description"), "link": story.get("link") or body.get("link_url"),
            "image": story.get("image_hash") or body.get("image_hash"),
            "video": story.get("video_id") or body.get("video_id"),
            "button": action.get("type") or body.get("call_to_action_type"),
            "story_id": body.get("object_story_id") or body.get("effective_object_story_id")}


def _history(state: State, token: Token, detail: Detail, body: dict[str, Any]) -> None:
    """The activity log entries about this object (the account's `/activities` edge, when graphmock has it)."""
    if not graph.served(state, "AdAccount", "activities"):
        detail.history_note = "no activity log in this graphmock build (the /act_<id>/activities edge is not served)"
        return
    account = object_id_account(detail, body)
    if account is None:
        detail.history_note = "no ad account for this object"
        return
    asked: dict[str, Any] = {"limit": HISTORY_LIMIT, "fields": HISTORY_FIELDS,
                             "since": str(max(int(state.now()) - HISTORY_SECONDS, 0))}
    if detail.type != "AdAccount":
        asked["oid"] = detail.id  # documented filter: this object's entries, not the account's newest 50
    reply = graph.read(state, token, account, "activities", asked)
    if not reply.ok:  # an edge that models fewer fields still shows its defaults
        reply = graph.read(state, token, account, "activities", {"limit": HISTORY_LIMIT})
    if not reply.ok:
        detail.history_note = f"the activity log answered an error: {reply.error}"
        return
    mine = [row for row in graph.rows(reply) if detail.type == "AdAccount" or str(row.get("object_id")) == detail.id]
    detail.history = mine


def object_id_account(detail: Detail, body: dict[str, Any]) -> str | None:
    if detail.type == "AdAccount":
        return detail.id
    account = body.get("account_id")
    return f"act_{account}" if account else None
