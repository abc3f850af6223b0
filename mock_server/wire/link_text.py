"""What a list's paging links carry as text: a param's value, and a `fields` selection written out again (the
inverse of wire/fields.py `parse_fields`, for a nested edge's links)."""

from __future__ import annotations

from typing import Any

import orjson

from mock_server.wire.fields import FieldSpec


def link_value(value: Any) -> str:
    return value if isinstance(value, str) else orjson.dumps(value).decode()


def unparse(specs: list[FieldSpec]) -> str:
    """A selection as `fields` text again (a nested edge's links carry it). `parse_fields` shares its lists between
    requests and nobody changes them: the text is kept per list (the entry holds it, so its id is not reused)."""
    if not specs:
        return ""
    kept = _UNPARSED.get(id(specs))
    if kept is not None and kept[0] is specs:
        return kept[1]
    text = unparsed(specs)
    if len(_UNPARSED) >= 256:
        _UNPARSED.clear()
    _UNPARSED[id(specs)] = (specs, text)
    return text


_UNPARSED: dict[int, tuple[list[FieldSpec], str]] = {}


def unparsed(specs: list[FieldSpec]) -> str:
    parts = []
    for spec in specs:
        text = spec.name + "".join(f".{k}({v})" for k, v in spec.modifiers.items())
        if spec.children is not None:
            text += "{" + unparse(spec.children) + "}"
        parts.append(text)
    return ",".join(parts)
