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
    for spec in specs:
        plan = node_type.fields.get(spec.name)
        if plan is None:
            raise GraphError("nonexisting_field", field=spec.name, blame=[], node_type=node_type.graph_type)
        if spec.name == "id":
            continue
        if plan.kind in ("edge", "ref"):
            rendered = expand(spec, plan.kind)
            if rendered is not None:
                out[spec.name] = rendered
            continue
        value = values.get(spec.name)
        if value is None and plan.alias:
            value = values.get(plan.alias)
        if value is None:
            continue
        out[spec.name] = render_value(value, plan.kind, spec.children, tz)
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
