"""Parse the Graph `fields` expression: `a,b{c,d{e}},f.limit(5){g}`.

Modifiers (`.limit(n)`, `.after(c)`, `.before(c)`, `.summary(true)`) may sit
before or after a `{...}` block. `.as(alias)` is refused as the Marketing API
does. Malformed input raises the Graph syntax error (code 2500). A JSON array or a
Python list repr of field expressions is the same field set as the comma list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from mock_server.wire import relaxed_json
from mock_server.wire.errors import GraphError

MAX_DEPTH = 8
MAX_LENGTH = 8192
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


@dataclass
class FieldSpec:
    name: str
    modifiers: dict[str, str] = field(default_factory=dict)
    children: list[FieldSpec] | None = None


def parse_fields(text: str | None) -> list[FieldSpec]:
    """Parse `text`; an empty or missing expression selects nothing (callers default to `id`).

    Clients repeat the same few expressions, so parses are cached (specs are never mutated)."""
    if text is None:
        return []
    return _parse_cached(text)


@lru_cache(maxsize=512)
def _parse_cached(text: str) -> list[FieldSpec]:
    if len(text) > MAX_LENGTH:
        raise GraphError("fields_syntax", detail=f"fields longer than {MAX_LENGTH} characters", position=MAX_LENGTH, query=text[:80] + "...")
    text = _from_list(text)
    parser = _Parser(text)
    specs = parser.items(0)
    parser.skip()
    if parser.pos != len(text):
        raise parser.error("Expected end of string instead of \"%s\"." % text[parser.pos])
    return specs


def _from_list(text: str) -> str:
    """`["a","b{c}"]` (the SDKs' JSON) or `['a', 'b']` (Python's list repr) -> `a,b{c}`; other text unchanged.

    Graph reads a list-valued `fields` as the same field set as the comma list (issue 17: the official SDK
    sends JSON arrays for insights, a data-loading connector sends Python's repr on every list call)."""
    stripped = text.strip()
    if not stripped.startswith("["):
        return text
    try:
        value, _ = relaxed_json.loads(stripped)
    except relaxed_json.RelaxedJSONError:
        value = None
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise GraphError("fields_syntax", detail="Expected a field name instead of \"[\".", position=0,
                         query=text[:200], field="fields")
    return ",".join(item.strip() for item in value)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def error(self, detail: str) -> GraphError:
        return GraphError("fields_syntax", detail=detail, position=self.pos, query=self.text[:200], field="fields")

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
            self.pos += 1

    def peek(self) -> str:
        self.skip()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def items(self, depth: int) -> list[FieldSpec]:
        if depth > MAX_DEPTH:
            raise self.error(f"Fields nested deeper than {MAX_DEPTH} levels.")
        specs: list[FieldSpec] = []
        while True:
            ch = self.peek()
            if ch == "" or ch == "}":
                return specs
            if ch == ",":
                self.pos += 1
                continue
            specs.append(self.item(depth))
            nxt = self.peek()
            if nxt not in (",", "}", ""):
                raise self.error(f"Expected \",\" instead of \"{nxt}\".")

    def item(self, depth: int) -> FieldSpec:
        spec = FieldSpec(self.name())
        while True:
            ch = self.peek()
            if ch == ".":
                self.pos += 1
                key = self.name()
                if self.peek() != "(":
                    raise self.error("Expected \"(\" after modifier.")
                self.pos += 1
                end = self.text.find(")", self.pos)
                if end < 0:
                    raise self.error("Expected \")\".")
                value = self.text[self.pos:end].strip()
                self.pos = end + 1
                if key == "as":
                    raise GraphError("unknown_fields_alias", field=value or spec.name)
                spec.modifiers[key] = value
            elif ch == "{":
                if spec.children is not None:
                    raise self.error("Unexpected \"{\".")
                self.pos += 1
                spec.children = self.items(depth + 1)
                if self.peek() != "}":
                    raise self.error("Expected \"}\".")
                self.pos += 1
            else:
                return spec

    def name(self) -> str:
        self.skip()
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] in _NAME_CHARS:
            self.pos += 1
        if self.pos == start:
            found = self.text[self.pos] if self.pos < len(self.text) else "end of string"
            raise self.error(f"Expected a field name instead of \"{found}\".")
        return self.text[start:self.pos]
