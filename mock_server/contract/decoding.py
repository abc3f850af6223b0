"""Decode wire params into typed values, driven by the request schema.

Forms carry strings; Graph decodes each by the param's declared type:
`special_ad_categories=[]` is a list, `daily_budget=5000` an integer,
`is_skadnetwork_attribution=false` a boolean, `name="My campaign"` (seed 004)
the string `My campaign`. JSON bodies (Node SDK) already carry types, but may
still hold JSON text in a string. Values that cannot be decoded are passed on
unchanged so that schema validation reports them with the param's name.
"""

from __future__ import annotations

import json
import re
from datetime import timezone, tzinfo
from typing import Any

from mock_server.contract.registry import SchemaRegistry
from mock_server.domain import timefmt
from mock_server.wire import relaxed_json

_INTEGER = re.compile(r"^-?[0-9]+$")
_TRUE = {"true", "1", "True", "TRUE"}
_FALSE = {"false", "0", "False", "FALSE"}
_TEXT_KINDS = frozenset({"string", "numeric-string"})  # text unless JSON-quoted


class Decoded:
    """A request's decoded params, the names no schema property declares, and those read as relaxed JSON.
    A slotted class, not a dataclass: one is built per request (its default_factory lists cost ~0.3 us)."""

    __slots__ = ("values", "unknown", "relaxed")

    def __init__(self, values: dict[str, Any], unknown: list[str] | None = None,
                 relaxed: list[str] | None = None) -> None:
        self.values = values
        self.unknown: list[str] = [] if unknown is None else unknown
        self.relaxed: list[str] = [] if relaxed is None else relaxed

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Decoded) and (self.values, self.unknown, self.relaxed) == \
            (other.values, other.unknown, other.relaxed)

    def __repr__(self) -> str:
        return f"Decoded(values={self.values!r}, unknown={self.unknown!r}, relaxed={self.relaxed!r})"


class ParamDecoder:
    """Per-schema decoding plan (param name -> kind), computed once."""

    def __init__(self, registry: SchemaRegistry, schema_name: str) -> None:
        schema = registry.documents[schema_name]
        self.kinds: dict[str, str] = {}
        for name, prop in schema.get("properties", {}).items():
            self.kinds[name] = _kind(registry.resolve(prop, schema_name), prop)

    def decode(self, params: dict[str, Any], tz: tzinfo = timezone.utc) -> Decoded:
        out = Decoded(values={})
        values = out.values
        for name, raw in params.items():
            kind = self.kinds.get(name)
            if kind is None:
                out.unknown.append(name)
                values[name] = raw
            elif kind in _TEXT_KINDS and isinstance(raw, str) and '"' not in raw:
                values[name] = raw  # only a JSON-quoted string decodes to something else (_decode)
            elif kind == "integer" and isinstance(raw, str) and raw.isdigit() and raw.isascii() and len(raw) <= 18:
                values[name] = int(raw)  # plain digits, within 64 bits: what _decode answers, without its steps
            elif kind == "array" and raw == "[]":
                values[name] = []  # special_ad_categories=[] on every campaign create
            else:
                value, strict = _decode(raw, kind, tz)
                if not strict:
                    out.relaxed.append(name)
                values[name] = value
        return out


def _kind(resolved: dict[str, Any], original: dict[str, Any]) -> str:
    graph_type = original.get("x-graph-type") or resolved.get("x-graph-type")
    if graph_type in ("datetime", "numeric-string"):
        return graph_type
    declared = resolved.get("type")
    if isinstance(declared, list):
        declared = next((t for t in declared if t != "null"), "any")
    return declared or "any"


def _decode(raw: Any, kind: str, tz: tzinfo) -> tuple[Any, bool]:
    if not isinstance(raw, str):
        if kind in ("string", "numeric-string") and isinstance(raw, int) and not isinstance(raw, bool):
            return str(raw), True
        if kind == "datetime":
            parsed = timefmt.parse(raw, tz)
            return (parsed if parsed is not None else raw), True
        return raw, True
    text = raw.strip()
    if kind in ("string", "numeric-string"):
        if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
            try:
                decoded = json.loads(text)
            except ValueError:
                return raw, True
            if isinstance(decoded, str):
                return decoded, True
        return raw, True
    if kind == "integer":
        candidate = _unquote(text)
        if _INTEGER.match(candidate) and len(candidate) <= 24:
            number = int(candidate)  # beyond 64 bits a float, as orjson reads the same number in a JSON body
            return (number if relaxed_json.INT_MIN <= number <= relaxed_json.INT_MAX else float(number)), True
        return raw, True
    if kind == "number":
        try:
            return float(_unquote(text)), True
        except ValueError:
            return raw, True
    if kind == "boolean":
        candidate = _unquote(text)
        if candidate in _TRUE:
            return True, True
        if candidate in _FALSE:
            return False, True
        return raw, True
    if kind == "datetime":
        parsed = timefmt.parse(_unquote(text), tz)
        if parsed is None and text in ("0", ""):
            return 0, True
        return (parsed if parsed is not None else raw), True
    if kind in ("array", "object", "any"):
        if not text:
            return raw, True
        if kind == "any" and text[0] not in "[{":
            return raw, True
        try:
            value, strict = relaxed_json.loads(text)
        except relaxed_json.RelaxedJSONError:
            return raw, True
        return value, strict
    return raw, True


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    return text
