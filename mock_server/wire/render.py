"""Render a node's fields as Graph JSON, following the `fields` selection.

`id` is always returned, after the requested fields (as the seeds show);
money renders as numeric strings and times as `2026-08-28T00:00:00-0700` in the account's zone;
object fields honour sub-selections (`object_story_spec{link_data{...}}`);
edges and references are expanded through the callbacks the caller passes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timezone, tzinfo
from typing import Any

from mock_server.domain import timefmt
from mock_server.domain.nodes import NodeType
from mock_server.wire.errors import GraphError
from mock_server.wire.fields import FieldSpec
from mock_server.wire.render_items import ItemRenderer, item_renderer

Expand = Callable[[FieldSpec, str], Any]  # (spec, node field kind) -> rendered value or None


def render_node(node_type: NodeType, values: dict[str, Any], specs: list[FieldSpec], expand: Expand,
                tz: tzinfo = timezone.utc) -> dict[str, Any]:
    """`tz`: the owning ad account's zone, in which datetimes render (domain/account_time.py)."""
    out: dict[str, Any] = {}
    fields, get = node_type.fields, values.get
    for spec in specs:
        name = spec.name
        plan = fields.get(name)
        if plan is None:
            raise GraphError("nonexisting_field", field=name, blame=[], node_type=node_type.graph_type)
        if name == "id":
            continue
        kind = plan.kind
        if kind == "edge" or kind == "ref":
            rendered = expand(spec, kind)
            if rendered is not None:
                out[name] = rendered
            continue
        value = get(name)
        if value is None and plan.alias:
            value = get(plan.alias)
        if value is None:
            continue
        # a plain field without a sub-selection is the value itself (most fields of a list page: no call)
        out[name] = value if kind == "plain" and not spec.children else render_value(value, kind, spec.children, tz)
    if "id" in values:  # every node but id-less rows (/me/permissions, previews)
        out["id"] = str(values["id"])
    return out


@dataclass(frozen=True)
class Plan:
    """A `fields` selection compiled against one node type: what `render_node` decides per field, decided once per
    selection instead of once per field of every item of a page. `reads`: every value key the selection can read
    (field names, aliases, references' id fields), so a caller knows whether stored data alone can answer it."""

    steps: tuple[tuple[str, str, str | None, FieldSpec], ...]  # (name, kind, alias, spec); kind "" = unknown field
    reads: frozenset[str]
    expands: bool  # an edge or a reference: rendering needs the record, not only its values
    item: ItemRenderer | None = field(default=None, compare=False)  # values, id, zone -> rendered (render_items.py)
    shared_item: ItemRenderer | None = field(default=None, compare=False)  # `item` for values shared between reads


def plan(node_type: NodeType, specs: list[FieldSpec]) -> Plan:
    """The compiled selection, kept per (node type, specs list): a specs list is never mutated (`parse_fields`' cache
    shares them between requests; a handler's default list is new each time, one compile); each entry holds both
    objects, so their ids cannot be reused while it is kept."""
    if not specs:  # no `fields` (a new empty list each time): id only
        return _ID_ONLY
    key = (id(node_type), id(specs))
    kept = _PLANS.get(key)
    if kept is not None and kept[0] is node_type and kept[1] is specs:
        return kept[2]
    steps: list[tuple[str, str, str | None, FieldSpec]] = []
    reads: set[str] = set()
    for spec in specs:
        field_plan = node_type.fields.get(spec.name)
        if field_plan is None:
            steps.append((spec.name, "", None, spec))  # refused when reached, in the order render_node refuses
        elif spec.name != "id":
            steps.append((spec.name, field_plan.kind, field_plan.alias, spec))
            reads.update(k for k in (spec.name, field_plan.alias, field_plan.id_field) if k)
    item = item_renderer(steps)
    compiled = Plan(tuple(steps), frozenset(reads), any(step[1] in ("edge", "ref") for step in steps), item,
                    item_renderer(steps, shared=True) if item is not None else None)
    if len(_PLANS) >= _MAX_PLANS:
        _PLANS.clear()
    _PLANS[key] = (node_type, specs, compiled)
    return compiled


_PLANS: dict[tuple[int, int], tuple[NodeType, list[FieldSpec], Plan]] = {}
_ID_ONLY = Plan((), frozenset(), False, item_renderer(()), item_renderer((), shared=True))
_MAX_PLANS = 1024


def render_planned(node_type: NodeType, compiled: Plan, values: dict[str, Any], object_id: str | None,
                   expand: Expand, tz: tzinfo = timezone.utc) -> dict[str, Any]:
    """`render_node` over a compiled selection; `object_id` is the rendered `id` (None: none, as render_node
    without an `id` value). The same answer as `render_node(node_type, values + id, specs, ...)`."""
    out: dict[str, Any] = {}
    get = values.get
    for name, kind, alias, spec in compiled.steps:
        if kind == "plain" and not spec.children:  # most fields of a list page: the value itself
            value = get(name)
            if value is None and alias:
                value = get(alias)
            if value is not None:
                out[name] = value
        elif kind == "edge" or kind == "ref":
            rendered = expand(spec, kind)
            if rendered is not None:
                out[name] = rendered
        elif kind == "":
            raise GraphError("nonexisting_field", field=name, blame=[], node_type=node_type.graph_type)
        else:
            value = get(name)
            if value is None and alias:
                value = get(alias)
            if value is not None:
                out[name] = render_value(value, kind, spec.children, tz)
    if object_id is not None:
        out["id"] = object_id
    return out


def render_value(value: Any, kind: str, children: list[FieldSpec] | None, tz: tzinfo = timezone.utc) -> Any:
    if kind == "money":
        return str(value)
    if kind == "datetime":
        return timefmt.format_graph(value, tz) if isinstance(value, (int, float)) else value
    if children:
        return select(value, children)
    return value


def select(value: Any, children: list[FieldSpec]) -> Any:
    """Sub-select keys of an object (or of each object in a list)."""
    if isinstance(value, list):
        return [select(item, children) for item in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for child in children:
        if child.name in value and value[child.name] is not None:
            inner = value[child.name]
            out[child.name] = select(inner, child.children) if child.children else inner
    return out
