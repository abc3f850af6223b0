"""Decode JSON the way Graph does: strict JSON first, then a relaxed dialect.

Graph accepts values that are not strict JSON (the seeds send
`{'type':MESSAGE_PAGE,'value':{'app_destination':'MESSENGER'}}`, objects with a
trailing comma, and members separated only by a newline). The relaxed reader
accepts single-quoted strings, bare-word keys and values, trailing commas and
missing commas between members. Whether a value needed the relaxed reader is
reported, so the contract journal can flag it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

MAX_DEPTH = 64
INT_MIN, INT_MAX = -(2**63), 2**64 - 1  # the integers orjson reads as int (and the store writes)
_LONG_NUMBER = re.compile(r"[0-9]{19}")


class RelaxedJSONError(ValueError):
    pass


def loads(text: str) -> tuple[Any, bool]:
    """Parse `text`; return (value, was_strict_json). Raise RelaxedJSONError if neither reader can."""
    try:
        if _LONG_NUMBER.search(text):
            raise orjson.JSONDecodeError("integers beyond 64 bits", text, 0)  # orjson would read them as floats
        value = orjson.loads(text)  # strict RFC 8259, ~10x faster; anything it refuses gets the lenient readers
    except orjson.JSONDecodeError:
        try:
            value = json.loads(text, strict=False)
        except (ValueError, RecursionError):
            return _Reader(text).document(), False
        return checked(value), True
    # orjson refuses lone surrogates and reads integers as checked() does; nesting needs as many brackets as levels
    if text.count("[") + text.count("{") > MAX_DEPTH:
        checked(value)
    return value, True


def checked(value: Any, depth: int = 0) -> Any:
    """Refuse nesting deeper than MAX_DEPTH and lone surrogates (`"\\ud800"`), which no store can encode; read an
    integer outside 64 bits as a float, as orjson reads a JSON body, so a form value and a JSON body decode alike
    and every decoded value can be stored. Containers are fixed in place; the value is returned."""
    if depth > MAX_DEPTH:
        raise RelaxedJSONError(f"nesting deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        _check_text(value)
    elif isinstance(value, int) and not isinstance(value, bool) and not INT_MIN <= value <= INT_MAX:
        try:
            return float(value)
        except OverflowError:
            raise RelaxedJSONError("number is infinity when parsed as a double") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            value[key] = checked(item, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            value[index] = checked(item, depth + 1)
    return value


def _check_text(text: str) -> None:
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        raise RelaxedJSONError("invalid \\u escape: lone surrogate")


_BARE_END = set(",:{}[]'\"") | set(" \t\r\n")
_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, what: str) -> RelaxedJSONError:
        return RelaxedJSONError(f"{what} at character {self.pos}")

    def skip(self) -> None:
        text, n = self.text, len(self.text)
        while self.pos < n and text[self.pos] in " \t\r\n":
            self.pos += 1

    def peek(self) -> str:
        self.skip()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def document(self) -> Any:
        value = self.value(0)
        if self.peek():
            raise self.fail("unexpected trailing text")
        return checked(value)

    def value(self, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise self.fail(f"nesting deeper than {MAX_DEPTH} levels")
        ch = self.peek()
        if not ch:
            raise self.fail("unexpected end of input")
        if ch == "{":
            return self.obj(depth)
        if ch == "[":
            return self.arr(depth)
        if ch in "\"'":
            return self.string()
        return self.bare()

    def obj(self, depth: int) -> dict[str, Any]:
        self.pos += 1
        out: dict[str, Any] = {}
        while True:
            ch = self.peek()
            if not ch:
                raise self.fail("unterminated object")
            if ch == "}":
                self.pos += 1
                return out
            if ch == ",":
                self.pos += 1
                continue
            key = self.string() if ch in "\"'" else self.bare_word()
            if self.peek() != ":":
                raise self.fail("expected ':' after object key")
            self.pos += 1
            out[str(key)] = self.value(depth + 1)

    def arr(self, depth: int) -> list[Any]:
        self.pos += 1
        out: list[Any] = []
        while True:
            ch = self.peek()
            if not ch:
                raise self.fail("unterminated array")
            if ch == "]":
                self.pos += 1
                return out
            if ch == ",":
                self.pos += 1
                continue
            out.append(self.value(depth + 1))

    def string(self) -> str:
        quote = self.text[self.pos]
        self.pos += 1
        parts: list[str] = []
        text, n = self.text, len(self.text)
        while self.pos < n:
            ch = text[self.pos]
            if ch == quote:
                self.pos += 1
                return "".join(parts)
            if ch == "\\" and self.pos + 1 < n:
                nxt = text[self.pos + 1]
                if nxt == "u" and self.pos + 6 <= n:
                    try:
                        parts.append(chr(int(text[self.pos + 2:self.pos + 6], 16)))
                    except ValueError:
                        raise self.fail("bad \\u escape") from None
                    self.pos += 6
                    continue
                parts.append(_ESCAPES.get(nxt, nxt))
                self.pos += 2
                continue
            parts.append(ch)
            self.pos += 1
        raise self.fail("unterminated string")

    def bare_word(self) -> str:
        start = self.pos
        text, n = self.text, len(self.text)
        while self.pos < n and text[self.pos] not in _BARE_END:
            self.pos += 1
        if self.pos == start:
            raise self.fail(f"unexpected character {text[self.pos]!r}" if self.pos < n else "unexpected end of input")
        return text[start:self.pos]

    def bare(self) -> Any:
        word = self.bare_word()
        if word in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[word]
        try:
            return json.loads(word)
        except ValueError:
            return word
