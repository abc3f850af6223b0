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
import math
import re
from datetime import timezone, tzinfo
from typing import Any

import orjson

from mock_server.contract.registry import SchemaRegistry
from mock_server.domain import timefmt
from mock_server.wire import relaxed_json

_INTEGER = re.compile(r"^-?[0-9]+$")
_TRUE = {"true", "1", "True", "TRUE"}
_FALSE = {"false", "0", "False", "FALSE"}
_TEXT_KINDS = frozenset({"string", "numeric-string"})  # text unless JSON-quoted
_JSON_KINDS = frozenset({"array", "object", "any"})  # read as (relaxed) JSON when the text opens a container


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
            elif kind in _JSON_KINDS and type(raw) is str and raw in _PLAIN_JSON:
                values[name] = orjson.loads(raw)  # a text seen before that orjson reads as _decode does
            else:
                value, strict = _decode(raw, kind, tz)
                if not strict:
                    out.relaxed.append(name)
                elif kind in _JSON_KINDS and type(raw) is str:
                    _learn_plain_json(raw, value)
                values[name] = value
        return out


# JSON texts (targeting, promoted_object: what a suite sends again and again) for which orjson.loads alone answers
# what _decode answers: the relaxed reader's checks (numbers of 19+ digits, nesting, the fallbacks) cost ~1.4 us
# a targeting and hold for the text whatever the request. Each read is orjson's fresh value (nothing shared).
_PLAIN_JSON: set[str] = set()
_PLAIN_JSON_LIMIT = 512  # texts remembered; all forgotten when full (what clients send is unbounded)
_PLAIN_JSON_TEXT_LIMIT = 4096  # a longer text is decoded the full way every time


def _learn_plain_json(raw: str, value: Any) -> None:
    """Remember `raw` when orjson reads it as _decode did (`reads_as_orjson`)."""
    if len(raw) > _PLAIN_JSON_TEXT_LIMIT or raw in _PLAIN_JSON or not reads_as_orjson(raw, value):
        return
    if len(_PLAIN_JSON) >= _PLAIN_JSON_LIMIT:
        _PLAIN_JSON.clear()
    _PLAIN_JSON.add(raw)


def reads_as_orjson(raw: str, value: Any) -> bool:
    """Whether `raw` is a container's JSON text, without surrounding space, that orjson reads to exactly `value`
    (what _decode answered, strictly): types and key order alike, so reading it with orjson alone changes nothing."""
    if not raw or raw[0] not in "[{" or raw[-1] not in "]}":
        return False
    try:
        again = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return False
    return _same(again, value)


def _same(a: Any, b: Any) -> bool:
    """Equal with the same types throughout (1, 1.0 and True are not the same here) and the same key order."""
    if type(a) is not type(b):
        return False
    if type(a) is dict:
        return list(a) == list(b) and all(_same(v, b[k]) for k, v in a.items())
    if type(a) is list:
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if type(a) is float:
        return repr(a) == repr(b)  # -0.0 is not 0.0
    return bool(a == b)


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
            number = float(_unquote(text))
        except ValueError:
            return raw, True
        # "nan", "inf", "1e400": Python reads them, JSON has no such number (the schema then refuses the text)
        return (number, True) if math.isfinite(number) else (raw, True)
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
