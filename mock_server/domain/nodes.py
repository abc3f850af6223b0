"""Node types, read from the node schemas (`x-graph-node-type`, `x-graph-edge`, `x-graph-type`).

The schema is the single description of what a node exposes: which fields
exist (anything else is "nonexisting field"), which are edges to other nodes,
and how each is rendered (money as numeric strings, times as Graph datetimes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mock_server.contract.registry import SchemaRegistry


@dataclass(frozen=True)
class FieldPlan:
    name: str
    kind: str  # plain | money | datetime | edge | ref
    target: str | None = None  # edge/ref node type
    id_field: str | None = None  # ref: which data field holds the referenced id
    alias: str | None = None  # x-graph-alias-of: read the value of another field when this one has none


@dataclass(frozen=True)
class NodeType:
    name: str
    graph_type: str
    fields: dict[str, FieldPlan] = field(default_factory=dict)
    default_fields: tuple[str, ...] = ("id",)  # x-graph-default-fields: what a read without `fields` returns

    @property
    def edges(self) -> dict[str, str]:
        return {n: p.target or "" for n, p in self.fields.items() if p.kind == "edge"}


def build_node_types(registry: SchemaRegistry) -> dict[str, NodeType]:
    types: dict[str, NodeType] = {}
    for name, doc in registry.documents.items():
        if not name.startswith("nodes/"):
            continue
        plans: dict[str, FieldPlan] = {}
        for prop_name, prop in doc.get("properties", {}).items():
            plans[prop_name] = _plan(registry, name, prop_name, prop)
        node_name = doc.get("title") or name.removeprefix("nodes/")
        types[node_name] = NodeType(node_name, doc.get("x-graph-node-type", node_name), plans,
                                    tuple(doc.get("x-graph-default-fields", ("id",))))
    return types


def _plan(registry: SchemaRegistry, doc_name: str, prop_name: str, prop: dict[str, Any]) -> FieldPlan:
    if "x-graph-edge" in prop:
        return FieldPlan(prop_name, "edge", prop["x-graph-edge"])
    if "x-graph-ref" in prop:
        ref = prop["x-graph-ref"]
        return FieldPlan(prop_name, "ref", ref["node"], ref.get("id_field", f"{prop_name}_id"))
    resolved = registry.resolve(prop, doc_name)
    kind = resolved.get("x-graph-type") or prop.get("x-graph-type")
    return FieldPlan(prop_name, kind if kind in ("money", "datetime") else "plain", alias=prop.get("x-graph-alias-of"))


