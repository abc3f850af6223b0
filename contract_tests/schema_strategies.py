"""Hypothesis strategies for values valid under our JSON Schema subset.

`schemas/` uses a small, known subset of JSON Schema (type, enum, const,
anyOf, $ref, bounds, lengths, numeric patterns, items/uniqueItems,
properties/required/additionalProperties, `x-graph-type`). Building
strategies for that subset directly, with public Hypothesis API only, is
two orders of magnitude faster than a general JSON-Schema-to-strategy
translator and never needs `filter` (cross-field rules are handled by
per-resource repair steps, not here).
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from mock_server.contract.registry import SchemaRegistry
from mock_server.verify.refs import graph_type, resolve

__all__ = ["SchemaStrategies", "graph_type", "json_values", "resolve"]

# Realistic instants for Graph datetimes (2020-01-01 .. 2037-12-31 UTC): the schema allows 0..9999,
# but clients schedule campaigns in the near past or future, and readback compares UNIX seconds.
DATETIME_RANGE = (1577836800, 2145916799)
MAX_ITEMS = 4  # keep generated arrays small: examples per second matter more than long lists
TEXT = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Co", "Cn"))


class SchemaStrategies:
    """Strategies for schema values, cached per (document, pointer)."""

    def __init__(self, registry: SchemaRegistry) -> None:
        self.registry = registry

    def value(self, schema: dict[str, Any], base: str) -> st.SearchStrategy[Any]:
        """Any value valid under `schema` (a subschema of document `base`)."""
        kind = graph_type(self.registry, schema, base)
        schema, base = resolve(self.registry, schema, base)
        if "const" in schema:
            return st.just(schema["const"])
        if "enum" in schema:
            return st.sampled_from(schema["enum"])
        if kind == "datetime":
            return st.integers(*DATETIME_RANGE)
        if "anyOf" in schema:
            return st.one_of([self.value(branch, base) for branch in schema["anyOf"]])
        declared = schema.get("type")
        if isinstance(declared, list):
            return st.one_of([self.value({**schema, "type": t}, base) for t in declared])
        if declared == "string":
            return self._string(schema)
        if declared == "integer":
            return st.integers(schema.get("minimum", -(2**31)), schema.get("maximum", 2**31))
        if declared == "number":
            return st.floats(schema.get("minimum", -1e9), schema.get("maximum", 1e9), allow_nan=False)
        if declared == "boolean":
            return st.booleans()
        if declared == "array":
            return self._array(schema, base)
        if declared == "object":
            return self.object(schema, base)
        return json_values()

    def object(self, schema: dict[str, Any], base: str, *, skip: frozenset[str] = frozenset(),
               only: frozenset[str] | None = None, max_optional: int | None = None) -> st.SearchStrategy[dict[str, Any]]:
        """Required properties always, optional ones sometimes; `skip`/`only` narrow the optional set and
        `max_optional` caps how many appear at once (drawing 70 optional values per example is slow)."""
        schema, base = resolve(self.registry, schema, base)
        properties = schema.get("properties", {})
        required = [n for n in schema.get("required", []) if n in properties and n not in skip]
        optional = [n for n in properties if n not in required and n not in skip and (only is None or n in only)]
        if not properties and schema.get("additionalProperties", True) is not False:
            return st.dictionaries(st.text("abcdefgh_", min_size=1, max_size=8), json_values(), max_size=3)
        values = {n: self.value(properties[n], base) for n in required + optional}
        if max_optional is None or len(optional) <= max_optional:
            return st.fixed_dictionaries({n: values[n] for n in required}, optional={n: values[n] for n in optional})

        @st.composite
        def some(draw: st.DrawFn) -> dict[str, Any]:
            chosen = draw(st.lists(st.sampled_from(optional), unique=True, max_size=max_optional))
            return {n: draw(values[n]) for n in required + sorted(chosen, key=optional.index)}
        return some()

    def _string(self, schema: dict[str, Any]) -> st.SearchStrategy[str]:
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True)
        low = schema.get("minLength", 0)
        high = max(low, min(schema.get("maxLength", 40), 40))
        return st.text(TEXT, min_size=low, max_size=high)

    def _array(self, schema: dict[str, Any], base: str) -> st.SearchStrategy[list[Any]]:
        items = self.value(schema.get("items", {}), base)
        low = schema.get("minItems", 0)
        resolved_items, _ = resolve(self.registry, schema.get("items", {}), base)
        high = max(low, min(schema.get("maxItems", MAX_ITEMS), MAX_ITEMS if items_simple(resolved_items) else 2))
        if schema.get("uniqueItems"):
            return st.lists(items, min_size=low, max_size=high, unique_by=_canonical)
        return st.lists(items, min_size=low, max_size=high)


def items_simple(items: dict[str, Any]) -> bool:
    """Arrays of scalars may hold MAX_ITEMS values; arrays of objects/arrays at most 2 (they draw slowly)."""
    return not (items.get("type") in ("object", "array") or "properties" in items)


def json_values() -> st.SearchStrategy[Any]:
    """Small JSON scalars for schema-less slots."""
    return st.one_of(st.none(), st.booleans(), st.integers(-1000, 1000), st.text(TEXT, max_size=12))


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
