"""Read-after-write: which sent params a GET can show, and whether what came back equals what was sent.

Driven by the node schema (`schemas/nodes/<Node>.json`): only fields the node
exposes are read; money comes back as a numeric string and datetimes as Graph
datetimes (compared as UNIX seconds). Resource quirks (e.g. `NONE` dropped from
special_ad_categories) live in the resource's `readback` hook.
"""

from __future__ import annotations

import json
from typing import Any

from contract_tests.operations import Context, Operation
from mock_server.domain import timefmt
from mock_server.domain.nodes import NodeType, build_node_types

_NODE_TYPES: dict[int, dict[str, NodeType]] = {}


def node_type(ctx: Context, name: str) -> NodeType:
    key = id(ctx.registry)
    if key not in _NODE_TYPES:
        _NODE_TYPES[key] = build_node_types(ctx.registry)
    return _NODE_TYPES[key][name]


def readable_fields(op: Operation, payload: dict[str, Any], ctx: Context) -> list[str]:
    """The sent params the node exposes as plain, money or datetime fields."""
    fields = node_type(ctx, op.node).fields
    return sorted(n for n in payload if n in fields and fields[n].kind in ("plain", "money", "datetime"))


def differences(op: Operation, payload: dict[str, Any], got: dict[str, Any], ctx: Context) -> list[str]:
    """Human-readable mismatches between the sent params and a GET of the same fields (empty = equal)."""
    fields = node_type(ctx, op.node).fields
    out: list[str] = []
    for name in readable_fields(op, payload, ctx):
        want = op.readback(name, payload[name], ctx)
        have = got.get(name)
        kind = fields[name].kind
        if want is None or want == [] and have is None:
            ok = have is None or have == []
        elif kind == "money":
            ok = have == str(want)
        elif kind == "datetime":
            ok = isinstance(have, str) and timefmt.parse(have) == timefmt.parse(want)
        else:
            ok = _contains(have, want)
        if not ok:
            out.append(f"{name}: sent {json.dumps(payload[name], ensure_ascii=False)[:200]}, "
                       f"read back {json.dumps(have, ensure_ascii=False)[:200]}")
    return out


def _contains(have: Any, want: Any) -> bool:
    """Equal, except that objects may carry keys the client did not send (defaults Graph adds)."""
    if isinstance(want, dict) and isinstance(have, dict):
        return all(k in have and _contains(have[k], v) for k, v in want.items())
    if isinstance(want, list) and isinstance(have, list) and len(want) == len(have) and want \
            and all(isinstance(item, dict) for item in want):  # e.g. adlabels read back with their ids
        return all(_contains(h, w) for h, w in zip(have, want))
    return _canonical(have) == _canonical(want)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
