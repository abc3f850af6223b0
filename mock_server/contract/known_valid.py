"""Request params known valid by the text sent (issue 18, cold paths: docs/cold-writes.md).

Every request schema is an object of independent properties: `type`, `properties`, `required` and annotations,
nothing that relates one param to another (`KnownValid.applies` checks it when the schema is loaded). Its
instance is valid exactly when the required params are present and each param is valid alone. A param's decoded
value depends only on its text and its declared kind (not on the account's time zone, except for datetimes,
never remembered), so a param whose text was part of a valid request is valid again: only the params not yet
seen are validated, against the schema without `required`. A request that is not found valid this way is
validated whole, as before, and its first violation reported.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

import jsonschema_rs
import orjson

from mock_server.contract.decoding import Decoded, ParamDecoder, reads_as_orjson

_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "$comment", "title", "description"})
_LIMIT = 512  # texts remembered per param; cleared when full (what clients send is unbounded)
_TEXT_LIMIT = 4096  # a longer text is validated every time rather than kept
_CHARS_LIMIT = 65536  # characters kept per schema, all params together: all forgotten beyond (memory bounded)
_UNKEPT = object()  # a text known valid whose value is decoded again (read relaxed, or a container orjson reads apart)
_FRESH = object()  # a container's text orjson reads to its value: each request reads its own (never shared)
_VALUES = frozenset({str, int, float, bool, type(None)})  # decoded values kept as they are (immutable)


class KnownValid:
    """One request schema's split validator and the texts of each param known valid."""

    __slots__ = ("required", "loose", "kinds", "seen", "chars")

    def __init__(self, schema: dict[str, Any], registry: Any, kinds: dict[str, str]) -> None:
        self.required = tuple(schema.get("required", ()))
        self.loose = jsonschema_rs.validator_for({k: v for k, v in schema.items() if k != "required"}, registry=registry)
        self.kinds = kinds
        self.seen: dict[str, dict[str, Any]] = {}  # param name -> text known valid -> its value (_FRESH, _UNKEPT)
        self.chars = 0  # their length in all

    @staticmethod
    def applies(schema: dict[str, Any]) -> bool:
        """Whether validity splits into the params' own (an object of properties; no keyword across them)."""
        return schema.get("type") == "object" and all(
            key in _ANNOTATIONS or key in ("type", "properties", "required") or key.startswith("x-") for key in schema)

    def decode(self, decoder: ParamDecoder, params: dict[str, Any], tz: tzinfo) -> Decoded | None:
        """`params` decoded and shown valid with the known texts' values reused: only the other params are decoded
        (by `decoder`, the schema's) and validated, alone. A value depends only on the text and the param's kind
        (datetimes, which read the zone, are never kept), so it is what decoding again answers. None: a required
        param missing, a name no property declares, a value read relaxed or not valid alone: the whole path
        decides (and reports). ~1 us less than decoding and `holds` for an ad set create whose texts repeat."""
        seen = self.seen
        values: dict[str, Any] = {}
        missing: dict[str, Any] | None = None
        for name, raw in params.items():
            if type(raw) is str:
                texts = seen.get(name)
                if texts is not None:
                    value = texts.get(raw, _UNKEPT)
                    if value is not _UNKEPT:
                        values[name] = orjson.loads(raw) if value is _FRESH else value
                        continue
            if missing is None:
                missing = {}
            missing[name] = raw
            values[name] = None  # its place, in the params' order
        for name in self.required:
            if name not in values:
                return None
        if missing is not None:
            fresh = decoder.decode(missing, tz)
            if fresh.unknown or fresh.relaxed or not self.loose.is_valid(fresh.values):
                return None
            self._remember(params, fresh.values, ())
            values.update(fresh.values)
        return Decoded(values)

    def decode_one(self, decoder: ParamDecoder, name: str, raw: Any, tz: tzinfo) -> tuple[bool, Any]:
        """One param alone, as `decode` treats each param: (True, its value) when its text is valid alone, from the
        known texts or decoded and validated now; (False, None) for a datetime (its value reads the zone), a name
        no property declares, a value read relaxed or not valid alone: the whole path decides."""
        kind = self.kinds.get(name)
        if kind is None or kind == "datetime" or type(raw) is not str:
            return False, None
        texts = self.seen.get(name)
        if texts is not None:
            value = texts.get(raw, _UNKEPT)
            if value is not _UNKEPT:
                return True, (orjson.loads(raw) if value is _FRESH else value)
        fresh = decoder.decode({name: raw}, tz)
        if fresh.unknown or fresh.relaxed or not self.loose.is_valid(fresh.values):
            return False, None
        self._remember({name: raw}, fresh.values, ())
        return True, fresh.values[name]

    def holds(self, params: dict[str, Any], known: dict[str, Any], relaxed: list[str] | tuple[str, ...] = ()) -> bool:
        """True when `known` (decoded from `params`) is valid: the required params present, the params not known
        valid alone valid (then known). False: not shown valid (the whole validation decides). `relaxed`: the
        params read as relaxed JSON (known valid, their values not kept)."""
        for name in self.required:
            if name not in known:
                return False
        seen, rest = self.seen, None
        for name, value in known.items():
            texts = seen.get(name)
            if texts is not None:
                raw = params.get(name)
                if type(raw) is str and raw in texts:  # text only (a JSON body's list is not hashable)
                    continue
            if rest is None:
                rest = {}
            rest[name] = value
        if rest is None:
            return True
        if not self.loose.is_valid(rest):
            return False
        self._remember(params, rest, relaxed)
        return True

    def _remember(self, params: dict[str, Any], valid: dict[str, Any], relaxed: list[str] | tuple[str, ...]) -> None:
        """Each param of `valid` sent as text is valid alone with that text (datetimes aside: the time zone), and
        decodes to its value there (kept unless read relaxed; a container as orjson reads it, or not at all)."""
        seen, kinds = self.seen, self.kinds
        for name, value in valid.items():
            raw = params.get(name)
            if type(raw) is str and len(raw) <= _TEXT_LIMIT and kinds.get(name, "datetime") != "datetime":
                if self.chars + len(raw) > _CHARS_LIMIT:
                    seen.clear()  # the texts in use are learnt again
                    self.chars = 0
                texts = seen.get(name)
                if texts is None:
                    texts = seen[name] = {}
                elif len(texts) >= _LIMIT:
                    self.chars -= sum(len(text) for text in texts)
                    texts.clear()
                if raw not in texts:
                    self.chars += len(raw)
                if name in relaxed:
                    texts[raw] = _UNKEPT
                elif type(value) in _VALUES:
                    texts[raw] = value
                else:
                    texts[raw] = _FRESH if reads_as_orjson(raw, value) else _UNKEPT
