"""Encode generated params the way real clients put them on the wire.

`form` is what the official Python SDK sends (sdk-wire-python.json): an
url-encoded body where strings go as they are, numbers as digits, booleans
as `true`/`false`, and lists/objects as compact JSON text. `json` is the Node
SDK's JSON body with native JSON types (sdk-wire-node.json).
"""

from __future__ import annotations

import json
from typing import Any, Literal

Style = Literal["form", "json"]
STYLES: tuple[Style, ...] = ("form", "json")


def encode_value(value: Any) -> str:
    """One param value as form text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        stripped = value.strip()
        # Graph reads a form string wrapped in double quotes as JSON text (seed 004: name="My campaign"),
        # so a value that itself looks quoted must be sent JSON-encoded to arrive unchanged.
        if len(stripped) >= 2 and stripped[0] == stripped[-1] == '"':
            return json.dumps(value, ensure_ascii=False)
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def encode(payload: dict[str, Any], style: Style = "form") -> dict[str, Any]:
    """The request body for `payload`: a dict of form strings, or the JSON object itself."""
    if style == "form":
        return {name: encode_value(value) for name, value in payload.items() if value is not None}
    if style == "json":
        return {name: value for name, value in payload.items() if value is not None}
    raise ValueError(f"unknown encoding style {style!r} (use 'form' or 'json')")


def request_kwargs(payload: dict[str, Any], style: Style = "form") -> dict[str, Any]:
    """Keyword arguments for httpx/requests: `{"data": ...}` for form, `{"json": ...}` for JSON."""
    return {"data" if style == "form" else "json": encode(payload, style)}
