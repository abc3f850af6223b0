"""Turn a JSON Schema validation failure into the Graph error a client would get.

The mapping is generic (required -> "The parameter X is required", enum ->
"Param X must be one of {...}", type -> "Param X must be a number", ...);
a schema overrides it with `x-graph-error`, either a catalogue key or a map
from JSON Schema keyword to catalogue key, on the property or (for
`required`) on the parent object as `{"required": {"<param>": "<key>"}}`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import jsonschema

from mock_server.contract.registry import CompiledSchema, SchemaRegistry
from mock_server.wire.errors import GraphError

_KEYWORD_ORDER = {"required": 0, "type": 1, "anyOf": 1, "enum": 2, "const": 2}
_TYPE_WORDS = {
    "integer": "a number", "number": "a number", "boolean": "a boolean", "array": "an array",
    "object": "a JSON object", "string": "a string", "numeric-string": "a numeric string or integer",
    "money": "a non-negative integer amount in the account currency's minor units",
}


def field_path(parts: Iterable[Any]) -> str:
    """(`targeting`, `geo_locations`, `countries`, 0) -> `targeting[geo_locations][countries][0]`."""
    parts = list(parts)
    if not parts:
        return ""
    return str(parts[0]) + "".join(f"[{p}]" for p in parts[1:])


def first_error(compiled: CompiledSchema, instance: Any) -> jsonschema.ValidationError | None:
    """The error Graph would report first: missing params, then wrong types, then bad values."""
    errors = list(compiled.detailed.iter_errors(instance))
    if not errors:
        return None
    return min(errors, key=lambda e: (_KEYWORD_ORDER.get(e.validator, 3), _param_order(compiled, e), len(e.absolute_path)))


def _param_order(compiled: CompiledSchema, error: jsonschema.ValidationError) -> int:
    names = list(compiled.schema.get("properties", {}))
    name = error.absolute_path[0] if error.absolute_path else _missing_name(error)
    return names.index(name) if name in names else len(names)


def _missing_name(error: jsonschema.ValidationError) -> str | None:
    if error.validator == "required":
        return str(error.message).split("'")[1] if "'" in str(error.message) else None
    return None


def to_graph_error(compiled: CompiledSchema, registry: SchemaRegistry, error: jsonschema.ValidationError) -> GraphError:
    path = list(error.absolute_path)
    keyword = str(error.validator)
    if keyword == "required":
        missing = _missing_name(error) or "?"
        name = field_path(path + [missing])
        parent = error.schema if isinstance(error.schema, dict) else {}
        override = (parent.get("x-graph-error") or {}).get("required", {}).get(missing)
        return GraphError(override or "param_required", field=name)
    name = field_path(path) or "request"
    override = _override(compiled, registry, error, keyword)
    value = error.instance
    if override:
        return GraphError(override, field=name, value=value, allowed=_allowed(error))
    resolved = error.schema if isinstance(error.schema, dict) else {}
    graph_type = resolved.get("x-graph-type") or _top_property(compiled, registry, path).get("x-graph-type")
    if keyword in ("type", "anyOf"):
        if graph_type == "datetime":
            return GraphError("param_datetime", field=name, value=value)
        expected = _TYPE_WORDS.get(graph_type or "", None) or _TYPE_WORDS.get(_first_type(error.validator_value), "valid")
        return GraphError("param_type", field=name, expected=expected, value=value)
    if keyword in ("enum", "const"):
        return GraphError("param_enum", field=name, allowed=_allowed(error), value=value)
    if keyword in ("minimum", "exclusiveMinimum"):
        return GraphError("param_range", field=name, bound=f"at least {error.validator_value}", value=value)
    if keyword in ("maximum", "exclusiveMaximum"):
        return GraphError("param_range", field=name, bound=f"at most {error.validator_value}", value=value)
    if keyword in ("maxLength", "minLength", "maxItems", "minItems"):
        unit = "characters" if "Length" in keyword else "items"
        bound = f"{'at most' if keyword.startswith('max') else 'at least'} {error.validator_value} {unit} long"
        return GraphError("param_length", field=name, bound=bound, value=value)
    if keyword == "pattern" and graph_type == "numeric-string":
        return GraphError("param_type", field=name, expected=_TYPE_WORDS["numeric-string"], value=value)
    if keyword == "additionalProperties":
        return GraphError("param_invalid", field=name, detail=str(error.message).replace("'", ""), value=value)
    return GraphError("param_invalid", field=name, detail=_short(error.message), value=value)


def _override(compiled: CompiledSchema, registry: SchemaRegistry, error: jsonschema.ValidationError,
              keyword: str) -> str | None:
    candidates = [error.schema] if isinstance(error.schema, dict) else []
    if error.absolute_path:
        top = compiled.schema.get("properties", {}).get(error.absolute_path[0], {})
        candidates += [top, registry.resolve(top, compiled.name)] if top else []
    for schema in candidates:
        mapping = schema.get("x-graph-error") if isinstance(schema, dict) else None
        if isinstance(mapping, str):
            return mapping
        if isinstance(mapping, dict) and isinstance(mapping.get(keyword), str):
            return mapping[keyword]
    return None


def _top_property(compiled: CompiledSchema, registry: SchemaRegistry, path: list[Any]) -> dict[str, Any]:
    if len(path) != 1:
        return {}
    prop = compiled.schema.get("properties", {}).get(path[0], {})
    return registry.resolve(prop, compiled.name) if prop else {}


def _allowed(error: jsonschema.ValidationError) -> str:
    value = error.validator_value
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _first_type(value: Any) -> str:
    if isinstance(value, list):
        return str(value[0]) if value else "valid"
    if isinstance(value, str):
        return value
    return "valid"


def _short(message: str) -> str:
    return message if len(message) <= 300 else message[:297] + "..."
