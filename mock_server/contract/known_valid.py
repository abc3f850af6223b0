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

from typing import Any

import jsonschema_rs

_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "$comment", "title", "description"})
_LIMIT = 512  # texts remembered per param; cleared when full (what clients send is unbounded)
_TEXT_LIMIT = 4096  # a longer text is validated every time rather than kept
_CHARS_LIMIT = 65536  # characters kept per schema, all params together: all forgotten beyond (memory bounded)


class KnownValid:
    """One request schema's split validator and the texts of each param known valid."""

    __slots__ = ("required", "loose", "kinds", "seen", "chars")

    def __init__(self, schema: dict[str, Any], registry: Any, kinds: dict[str, str]) -> None:
        self.required = tuple(schema.get("required", ()))
        self.loose = jsonschema_rs.validator_for({k: v for k, v in schema.items() if k != "required"}, registry=registry)
        self.kinds = kinds
        self.seen: dict[str, set[str]] = {}  # param name -> texts known valid
        self.chars = 0  # their length in all

    @staticmethod
    def applies(schema: dict[str, Any]) -> bool:
        """Whether validity splits into the params' own (an object of properties; no keyword across them)."""
        return schema.get("type") == "object" and all(
            key in _ANNOTATIONS or key in ("type", "properties", "required") or key.startswith("x-") for key in schema)

    def holds(self, params: dict[str, Any], known: dict[str, Any]) -> bool:
        """True when `known` (decoded from `params`) is valid: the required params present, the params not known
        valid alone valid (then known). False: not shown valid (the whole validation decides)."""
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
        self._remember(params, rest)
        return True

    def _remember(self, params: dict[str, Any], valid: dict[str, Any]) -> None:
        """Each param of `valid` sent as text is valid alone with that text (datetimes aside: the time zone)."""
        seen, kinds = self.seen, self.kinds
        for name in valid:
            raw = params.get(name)
            if type(raw) is str and len(raw) <= _TEXT_LIMIT and kinds.get(name, "datetime") != "datetime":
                if self.chars + len(raw) > _CHARS_LIMIT:
                    seen.clear()  # the texts in use are learnt again
                    self.chars = 0
                texts = seen.get(name)
                if texts is None:
                    texts = seen[name] = set()
                elif len(texts) >= _LIMIT:
                    self.chars -= sum(len(text) for text in texts)
                    texts.clear()
                if raw not in texts:
                    texts.add(raw)
                    self.chars += len(raw)
