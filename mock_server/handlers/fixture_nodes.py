"""Fixture-backed nodes and edges: `me`, users, businesses, pages, posts, IG accounts and media (issue 14).

Reads are generic: a node's values are its fixture entry (plus the few fields
graphmock derives: pictures pointing at graphmock, links), rendered through its
node schema. List edges come from `schemas/rules/fixture_edges.json`: each entry
names a source in domain/discovery.py; this module pages, selects fields and
renders. A new read-only edge needs no code here.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from mock_server import media
from mock_server.domain import discovery, reach
from mock_server.domain.nodes import FieldPlan, NodeType
from mock_server.handlers import accounts
from mock_server.handlers.call import Call
from mock_server.state import NodeRef, State
from mock_server.wire import paging
from mock_server.wire.errors import GraphError
from mock_server.wire.fields import FieldSpec, parse_fields
from mock_server.wire.link_text import link_value, unparse
from mock_server.wire.render import render_node

_INTERNAL = frozenset({"tokens", "posts", "media", "business_roles", "business_tasks", "two_factor_required",
                       "system_user", "is_system_user", "page_id", "iabp_id", "instagram_user_id"})


def edge_table(state: State) -> dict[str, dict[str, Any]]:
    return state.registry.rules("fixture_edges")["edges"]


def row_type(state: State, key: str) -> NodeType:
    """The node type of an edge's rows: the row node's schema plus the edge's own `row_fields`."""
    cache = state.__dict__.setdefault("_fixture_row_types", {})
    if key not in cache:
        entry = edge_table(state)[key]
        base = state.node_types[entry["node"]]
        fields = {**base.fields, **{n: FieldPlan(n, "plain") for n in entry.get("row_fields", {})}}
        cache[key] = NodeType(base.name, base.graph_type, fields, tuple(entry.get("default_fields", base.default_fields)))
    return cache[key]


# -- values ---------------------------------------------------------------------------------------------
def values(call: Call, node: NodeRef) -> dict[str, Any]:
    """What a read of a fixture node (or an ad account) can show."""
    if node.type == "AdAccount":
        assert node.account is not None
        return accounts.values(call, node.account)
    raw = node.world or {}
    out = {k: v for k, v in raw.items() if k not in _INTERNAL}
    out["id"] = node.id
    derive = _DERIVED.get(node.type)
    if derive is not None:
        for key, value in derive(call, node, raw).items():
            out.setdefault(key, value)
    return out


def _picture(call: Call, kind: str, node_id: str) -> dict[str, Any]:
    url = media.image_url(call.request.base_url, kind, node_id, 50)
    return {"data": {"height": 50, "width": 50, "is_silhouette": False, "url": url}}


def _user(call: Call, node: NodeRef, raw: dict[str, Any]) -> dict[str, Any]:
    return {"picture": _picture(call, "user", node.id),
            "profile_pic": media.image_url(call.request.base_url, "user", node.id, 50)}


def _page(call: Call, node: NodeRef, raw: dict[str, Any]) -> dict[str, Any]:
    ig = raw.get("instagram_user_id")
    out: dict[str, Any] = {"picture": _picture(call, "page", node.id), "link": f"https://www.facebook.com/{node.id}"}
    if ig:
        out["instagram_business_account"] = out["connected_instagram_account"] = {"id": str(ig)}
    return out


def _post(call: Call, node: NodeRef, raw: dict[str, Any]) -> dict[str, Any]:
    page_id, _, post_id = node.id.partition("_")
    return {"full_picture": media.image_url(call.request.base_url, "post", node.id, 256),
            "permalink_url": f"https://www.facebook.com/{page_id}/posts/{post_id}",
            "from": {"id": page_id, "name": (call.state.world.pages.get(page_id) or {}).get("name")}}


def _ig_user(call: Call, node: NodeRef, raw: dict[str, Any]) -> dict[str, Any]:
    return {"profile_picture_url": media.image_url(call.request.base_url, "iguser", node.id, 150),
            "name": raw.get("username")}


def _ig_media(call: Call, node: NodeRef, raw: dict[str, Any]) -> dict[str, Any]:
    url = media.image_url(call.request.base_url, "igmedia", node.id, 256)
    owner = call.state.world.instagram_media.get(node.id, "")
    return {"media_url": url, "thumbnail_url": url, "media_type": "IMAGE", "media_product_type": "FEED",
            "permalink": f"https://www.instagram.com/p/{node.id}/",
            "username": (call.state.world.instagram_accounts.get(owner) or {}).get("username")}


_DERIVED = {"User": _user, "Page": _page, "PagePost": _post, "IGUser": _ig_user, "IGMedia": _ig_media}


# -- rendering -----------------------------------------------------------------------------------------
def render(call: Call, node: NodeRef, node_type: NodeType, specs: list[FieldSpec], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    specs = specs or [FieldSpec(name) for name in node_type.default_fields]
    data = {**values(call, node), **(extra or {})}
    if node_type.name in ("Permission", "AdPreview"):
        data.pop("id", None)
    return render_node(node_type, data, specs, partial(_expand, call, node))


def _expand(call: Call, node: NodeRef, spec: FieldSpec, kind: str) -> Any:
    """A nested edge (`fields=adaccounts.limit(5){name}`) or reference of a fixture node or ad account."""
    if kind != "edge":
        return None
    key = f"{node.type} {spec.name}"
    if key in edge_table(call.state):
        limit = paging.parse_limit(spec.modifiers.get("limit"), call.state.config.max_page_size)
        after = paging.decode_cursor(spec.modifiers["after"], "after") if spec.modifiers.get("after") else None
        link = {"fields": unparse(spec.children or []), "access_token": call.request.access_token or ""}
        return page_rows(call, key, node, {}, spec.children or [], limit=limit, after=after, before=None,
                         link_base=call.link_base(node.id, spec.name), link_params=link, summary=False)
    if node.type == "AdAccount" and node.account is not None:
        child = call.state.node_types["AdAccount"].edges.get(spec.name)
        if child:  # a stored edge of the account (campaigns, ads, advideos, adlabels, customaudiences, ...)
            return call.expand_edge(node.account.id, call.edge_query(child, account_id=node.account.account_id), spec)
    return None


def page_rows(call: Call, key: str, owner: NodeRef, params: dict[str, Any], specs: list[FieldSpec], *, limit: int,
              after: int | None, before: int | None, link_base: str, link_params: dict[str, str], summary: bool) -> dict[str, Any]:
    """One page of an edge's rows. Cursors hold a row's position (1-based) in the source's stable order."""
    entry = edge_table(call.state)[key]
    node_type = row_type(call.state, key)
    _check_fields(node_type, specs)
    rows = discovery.SOURCES[entry["source"]](call.state.world, call.token, owner, params)
    positions = list(range(1, len(rows) + 1))
    if after is not None:
        chosen = [p for p in positions if p > after][:limit + 1]
    elif before is not None:
        chosen = [p for p in positions if p < before][-(limit + 1):]
    else:
        chosen = positions[:limit + 1]
    more = len(chosen) > limit
    if more:
        chosen = chosen[1:] if before is not None and after is None else chosen[:limit]
    data = [render(call, rows[p - 1].node, node_type, specs, rows[p - 1].extra) for p in chosen]
    return paging.envelope(data, chosen, more=more, backwards=before is not None and after is None,
                           had_cursor=after is not None or before is not None, link_base=link_base,
                           link_params=link_params, limit=limit, total=len(rows) if summary else None)


def _check_fields(node_type: NodeType, specs: list[FieldSpec]) -> None:
    """Unknown fields are refused even when the list is empty, as Graph does (GRAPH-BEHAVIOUR 4)."""
    for spec in specs:
        if spec.name not in node_type.fields:
            raise GraphError("nonexisting_field", field=spec.name, blame=[], node_type=node_type.graph_type)


# -- handlers ------------------------------------------------------------------------------------------
def read(call: Call) -> tuple[int, Any]:
    """GET /<id> (or /me) of a fixture node."""
    call.params("node.get")
    node_type = call.state.node_types[call.node.type]
    return 200, render(call, call.node, node_type, call.specs())


def list_edge(key: str, call: Call) -> tuple[int, Any]:
    """GET /<owner>/<edge> of a fixture-backed edge."""
    entry = edge_table(call.state)[key]
    params = call.params(entry["params"])
    limit = paging.parse_limit(call.request.params.get("limit"), call.state.config.max_page_size)
    after_raw, before_raw = params.get("after"), params.get("before")
    after = paging.decode_cursor(after_raw, "after") if after_raw else None
    before = paging.decode_cursor(before_raw, "before") if before_raw and not after_raw else None
    summary = str(params.get("summary", "")).strip().strip('"').lower() not in ("", "false", "0")
    link_params = {k: link_value(v) for k, v in call.request.params.items()}
    if call.request.access_token:
        link_params["access_token"] = call.request.access_token
    segments = [call.request.segments[0], key.split()[1]]
    return 200, page_rows(call, key, call.node, params, parse_fields(call.request.fields), limit=limit, after=after,
                          before=before, link_base=call.link_base(*segments), link_params=link_params, summary=summary)


def _routes() -> dict[tuple[str, str | None, str], Any]:
    import json

    from mock_server.resources import schemas_dir

    with open(schemas_dir() / "rules" / "fixture_edges.json", encoding="utf-8") as fh:
        table = json.load(fh)["edges"]
    routes: dict[tuple[str, str | None, str], Any] = {(t, None, "GET"): read for t in reach.COLLECTIONS}
    for key in table:
        owner, edge = key.split()
        routes[(owner, edge, "GET")] = partial(list_edge, key)
    return routes


ROUTES = _routes()
