"""`$ref` resolution that also says which document the target lives in (nested refs are relative to it)."""

from __future__ import annotations

from typing import Any

from mock_server.contract.registry import SchemaRegistry


def resolve(registry: SchemaRegistry, schema: dict[str, Any], base: str) -> tuple[dict[str, Any], str]:
    """Follow `$ref` chains; returns the target subschema and the name of its document."""
    for _ in range(16):
        ref = schema.get("$ref")
        if ref is None:
            return schema, base
        doc_part, _, pointer = ref.partition("#")
        if doc_part:
            parts = base.split("/")[:-1]
            for piece in doc_part.removesuffix(".json").split("/"):
                if piece == "..":
                    parts.pop()
                elif piece not in (".", ""):
                    parts.append(piece)
            base = "/".join(parts)
        schema = registry.documents[base]
        for token in (t for t in pointer.split("/") if t):
            schema = schema[token.replace("~1", "/").replace("~0", "~")]
    return schema, base


def graph_type(registry: SchemaRegistry, schema: dict[str, Any], base: str) -> str | None:
    """`x-graph-type` on the property or on what it references (datetime, money, numeric-string)."""
    resolved, _ = resolve(registry, schema, base)
    return schema.get("x-graph-type") or resolved.get("x-graph-type")
