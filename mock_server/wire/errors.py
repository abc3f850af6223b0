"""Graph errors: one exception type, rendered as the Graph error envelope.

Every error graphmock returns is an entry of `schemas/rules/errors.json`; handlers
raise `GraphError("<catalogue key>", field=..., ...)` and never build envelopes.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from mock_server.resources import schemas_dir


@cache
def catalogue() -> dict[str, dict[str, Any]]:
    """All entries of `schemas/rules/errors*.json` (one file per area, keys unique across files)."""
    entries: dict[str, dict[str, Any]] = {}
    for path in sorted((schemas_dir() / "rules").glob("errors*.json")):
        with open(path, encoding="utf-8") as fh:
            for key, entry in json.load(fh)["errors"].items():
                if key in entries:
                    raise ValueError(f"duplicate error catalogue key {key!r} in {path.name}")
                entries[key] = entry
    return entries


class _Blank(dict):
    """Formatting map that leaves unknown {placeholders} visible instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class GraphError(Exception):
    """A Graph API error. `key` names a catalogue entry; keyword args fill its placeholders.

    `field` (if given) is also the blamed param in `error_data.blame_field_specs`;
    `overrides` may replace any envelope key (used by fault injection).
    """

    def __init__(self, key: str, *, field: str | None = None, blame: list[list[str]] | None = None,
                 overrides: dict[str, Any] | None = None, **values: Any) -> None:
        entry = catalogue()[key]
        self.key = key
        self.values = _Blank({k: _text(v) for k, v in values.items()})
        if field is not None:
            self.values["field"] = field
        blamed = field or entry.get("blame")
        self.blame = blame if blame is not None else ([[part for part in _split_path(blamed)]] if blamed else None)
        self.entry = entry
        self.overrides = overrides or {}
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.overrides.get("message") or self.entry["message"].format_map(self.values)

    @property
    def code(self) -> int:
        return int(self.overrides.get("code", self.entry["code"]))

    @property
    def subcode(self) -> int | None:
        return self.overrides.get("error_subcode", self.entry.get("error_subcode"))

    @property
    def http_status(self) -> int:
        return int(self.overrides.get("http_status", self.entry["http_status"]))

    @property
    def keys(self) -> tuple[str, ...]:
        """The optional envelope keys this error may carry (schemas/rules/error_envelope.json)."""
        rules = envelope_rules()
        if "keys" in self.entry:
            keys = set(self.entry["keys"])
        else:
            validation = bool(self.entry.get("error_subcode")) or self.entry["message"] in rules["validation_messages"]
            keys = set(rules["default_keys"]["validation" if validation else "simple"])
        keys |= {k for k in rules["optional"] if k in self.overrides}  # a fault that names a key sends it
        return tuple(keys)

    def envelope(self, fbtrace_id: str) -> dict[str, Any]:
        """The exact JSON body Graph sends for this error: no key with a null or empty value."""
        entry, rules, keys = self.entry, envelope_rules(), self.keys
        transient = bool(self.overrides.get("is_transient", entry.get("is_transient", False)))
        values: dict[str, Any] = {
            "message": self.message,
            "type": self.overrides.get("type", entry["type"]),
            "code": self.code,
            "fbtrace_id": fbtrace_id,
        }
        if "error_subcode" in keys and self.subcode:
            values["error_subcode"] = int(self.subcode)
        if "is_transient" in keys or (transient and rules["is_transient_when_true"]):
            values["is_transient"] = transient
        for key in ("error_user_title", "error_user_msg"):
            if key in keys:
                text = str(self.overrides.get(key, entry.get(key, ""))).format_map(self.values)
                if text:
                    values[key] = text
        if self.blame and "error_data" in keys:
            values["error_data"] = json.dumps({"blame_field_specs": self.blame}, separators=(",", ":"))
        if isinstance(self.overrides.get("error_data"), dict):  # a structured error_data (video 1363037 offsets)
            values["error_data"] = self.overrides["error_data"]
        error = {key: values[key] for key in rules["order"] if key in values}
        for extra in ("estimated_time_to_regain_access",):
            if extra in self.overrides:
                error[extra] = self.overrides[extra]
        return {"error": error}


@cache
def envelope_rules() -> dict[str, Any]:
    """schemas/rules/error_envelope.json: the key order, the always-present keys and the default key sets."""
    with open(schemas_dir() / "rules" / "error_envelope.json", encoding="utf-8") as fh:
        return json.load(fh)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value[:4000]
    try:
        return json.dumps(value, separators=(",", ":"), default=str)[:200]
    except (TypeError, ValueError):
        return repr(value)[:200]


def _split_path(path: str) -> list[str]:
    """`targeting[geo_locations][countries]` -> ["targeting", "geo_locations", "countries"]."""
    return [p for p in path.replace("]", "").split("[") if p]
