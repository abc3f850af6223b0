"""Render a node's fields as Graph JSON, following the `fields` selection.

`id` is always returned, after the requested fields (as the seeds show);
money renders as numeric strings and times as `2026-08-28T00:00:00-0700` in the account's zone;
object fields honour sub-selections (`object_story_spec{link_data{...}}`);
edges and references are expanded through the callbacks the caller passes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timezone, tzinfo
from typing import Any

from mock_server.domain import timefmt
from mock_server.domain.nodes import NodeType
from mock_server.wire.errors import GraphError
from mock_server.wire.fields import FieldSpec

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
