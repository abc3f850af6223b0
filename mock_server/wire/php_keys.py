"""PHP-style keys folded into nested values, as Graph reads form params: `targeting[geo_locations][countries][0]=US`.

Memory is bounded by the pairs given: key depth and list index are checked against `Limits` (the Graph error
names the limit), and list indexes only order the values (`a[0]=x&a[5]=y` reads `[x, y]`), they never pad.
"""

from __future__ import annotations

import re
from typing import Any

from mock_server.wire.limits import Limits, ascii_digits, over_limit

_BRACKET = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])+)$")
_PARTS = re.compile(r"\[([^\[\]]*)\]")


class _Indexed(dict):  # type: ignore[type-arg]
    """A list being folded, by index: `a[9999]=x` costs one entry, not 10 000 slots (turned into a list at the end)."""

    def next_index(self) -> int:
        return max(self) + 1 if self else 0


def fold(pairs: list[tuple[str, Any]], limits: Limits | None = None) -> dict[str, Any]:
    """Merge pairs into a dict, folding `a[b][0]=x` keys into nested containers.

    Memory is bounded by the pairs given: depth and index are checked against `limits` (a Graph error names the
    limit), and list indexes only order the values (`a[0]=x&a[5]=y` reads `[x, y]`), they never pad."""
    for key, _ in pairs:
        if "[" in key:
            break
    else:
        return dict(pairs)
    limits = limits or Limits()
    out: dict[str, Any] = {}
    for key, value in pairs:
        match = _BRACKET.match(key) if isinstance(key, str) and "[" in key else None
        if not match:
            out[key] = value
            continue
        head, tail = match.groups()
        path = [head] + _PARTS.findall(tail)
        if len(path) - 1 > limits.max_key_depth:
            raise over_limit(limits, "max_key_depth", f"param {head} nests {len(path) - 1} brackets deep")
        node: Any = out
        for index, part in enumerate(path[:-1]):
            nxt_is_list = path[index + 1] == "" or ascii_digits(path[index + 1])
            container = _child(node, part, limits)
            if not isinstance(container, (dict, list)):
                container = _Indexed() if nxt_is_list else {}
                _assign(node, part, container, limits)
            node = container
        _assign(node, path[-1], value, limits)
    return _lists(out)


def _child(node: Any, part: str, limits: Limits) -> Any:
    if isinstance(node, _Indexed):
        return node.get(_index(part, limits)) if ascii_digits(part) else None
    return node.get(part) if isinstance(node, dict) else None


def _index(part: str, limits: Limits) -> int:
    if len(part) > 9 or int(part) > limits.max_list_index:
        raise over_limit(limits, "max_list_index", f"list index {part[:20]} is above {limits.max_list_index}")
    return int(part)


def _assign(node: Any, part: str, value: Any, limits: Limits) -> None:
    if isinstance(node, _Indexed):
        node[_index(part, limits) if ascii_digits(part) else node.next_index()] = value
    elif isinstance(node, dict):
        node[part] = value


def _lists(value: Any) -> Any:
    """Turn every `_Indexed` into a list ordered by index (only nodes that hold folded containers are walked)."""
    if isinstance(value, _Indexed):
        return [_lists(value[i]) for i in sorted(value)]
    if isinstance(value, dict):
        for key, inner in value.items():
            if isinstance(inner, dict):
                value[key] = _lists(inner)
    return value


