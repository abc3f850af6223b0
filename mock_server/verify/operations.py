"""The operation index: which request schema governs `METHOD /<node>/<edge>`.

Read from the request schemas' own titles (`POST /act_<AD_ACCOUNT_ID>/campaigns`,
`GET /<ID>`, several separated by commas), so the journal and the OpenAPI
generator need no second route table. Placeholders name node types
(`<CAMPAIGN_ID>` -> Campaign, `<AD_SET_ID>` -> AdSet); `<ID>` matches any node.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from mock_server.contract.registry import SchemaRegistry

ANY_NODE = "*"
_ENTRY = re.compile(r"^(GET|POST|DELETE)\s+/(act_<AD_ACCOUNT_ID>|<([A-Z_]+)>)(?:/([a-z_]+))?$")
_ROOT = re.compile(r"^(GET|POST|DELETE)\s+/(?:\s+\(.*\))?$")  # `POST / (batch)`: the root path
ROOT = ""


@dataclass(frozen=True)
class OperationRef:
    method: str
    node: str  # node type, or ANY_NODE
    edge: str | None
    schema: str  # "requests/campaign.create"
    template: str  # "/act_<AD_ACCOUNT_ID>/campaigns"


def node_types(registry: SchemaRegistry) -> list[str]:
    return sorted(doc.get("title") or name.removeprefix("nodes/")
                  for name, doc in registry.documents.items() if name.startswith("nodes/"))


def _node_for(placeholder: str, nodes: list[str]) -> str:
    if placeholder == "ID":
        return ANY_NODE
    wanted = placeholder.removesuffix("_ID").replace("_", "").lower()
    for node in nodes:
        if node.lower() in (wanted, "ad" + wanted):
            return node
    return ANY_NODE


def index(registry: SchemaRegistry) -> list[OperationRef]:
    """Every operation some request schema's title names."""
    return _index(id(registry), registry)


@cache
def _index(_key: int, registry: SchemaRegistry) -> list[OperationRef]:
    nodes = node_types(registry)
    out: list[OperationRef] = []
    for name, doc in sorted(registry.documents.items()):
        if not name.startswith("requests/"):
            continue
        for entry in str(doc.get("title", "")).split(","):
            root = _ROOT.match(entry.strip())
            if root:
                out.append(OperationRef(root.group(1), ROOT, None, name, "/"))
                continue
            match = _ENTRY.match(entry.strip())
            if not match:
                continue
            method, head, placeholder, edge = match.groups()
            node = "AdAccount" if head.startswith("act_") else _node_for(placeholder, nodes)
            template = "/" + head + (f"/{edge}" if edge else "")
            out.append(OperationRef(method, node, edge, name, template))
    return out


def find(registry: SchemaRegistry, method: str, node: str, edge: str | None) -> OperationRef | None:
    """The specific operation for this node type, else the generic `<ID>` one (one dict lookup per request)."""
    table = _table(id(registry), registry)
    found = table.get((method, node, edge))
    return found if found is not None else table.get((method, ANY_NODE, edge))


@cache
def _table(_key: int, registry: SchemaRegistry) -> dict[tuple[str, str, str | None], OperationRef]:
    """`index` keyed by (method, node, edge); the first schema naming a key wins, as a scan of `index` would."""
    table: dict[tuple[str, str, str | None], OperationRef] = {}
    for op in index(registry):
        table.setdefault((op.method, op.node, op.edge), op)
    return table
