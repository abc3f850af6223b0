"""One generated function per compiled selection of plain, money and datetime fields (issue 18: the uncached list
page). `render_planned` loops over the plan's steps for every item of a page, unpacking each step and testing its
kind; a selection without edges, references, sub-selections or unknown fields compiles to straight-line code
instead, ~2x faster per item: an item whose fields are all present is one dict display of subscripted values (no
`get` call, no test per field: 25 items ~8 -> ~6 us), any other takes a field-by-field `slow` function. The same
answer as `render_planned` (property tests in tests/test_cold_reads.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import tzinfo
from typing import Any

import orjson

from mock_server.domain import timefmt

ItemRenderer = Callable[[dict[str, Any], "str | None", tzinfo], dict[str, Any]]
_MAX_FIELDS = 64  # a longer selection keeps the loop: its code would be long and rarely reused


def item_renderer(steps: Sequence[tuple[str, str, str | None, Any]], shared: bool = False) -> ItemRenderer | None:
    """`render_planned` for `steps`, compiled; None when a step needs the loop (edge, reference, sub-selection,
    unknown field: refused in order). `shared`: the values are shared with other reads (store/sqlite_pages.py
    `decoded`), so a list or object value is copied into the answer rather than put there as it is (whatever
    later touches an answer can never reach a kept value)."""
    if len(steps) > _MAX_FIELDS:
        return None
    gets, tests, display, stores = [], [], [], []
    seen: set[str] = set()
    for i, (name, kind, alias, spec) in enumerate(steps):
        if kind not in ("plain", "money", "datetime") or spec.children:
            return None
        v = f"v{i}"
        gets.append(f"    {v} = get({name!r})")
        if alias:
            gets.append(f"    if {v} is None: {v} = get({alias!r})")
        plain = f"{v} if {v}.__class__ is not list and {v}.__class__ is not dict else _copy({v})" if shared else v
        value = {"plain": plain, "money": f"str({v})",
                 "datetime": f"_format({v}, tz) if isinstance({v}, (int, float)) else {plain}"}[kind]
        stores.append(f"    if {v} is not None: out[{name!r}] = {value}")
        if name not in seen:  # a repeated field keeps its first place, with the same value
            seen.add(name)
            tests.append(f"{v} is not None")
            text_first = f"{v} if {v}.__class__ is str else {value}"  # the class tests of `plain` for text: one
            display.append(f"{name!r}: {text_first if kind == 'plain' and shared else value}")
    # the usual item of a list page: every field present. Looked up by subscript (no `get` call) and built as one
    # dict display; anything else (a missing or None field, an alias in use, no id) takes `slow`, field by field
    slow = ["def slow(values, object_id, tz):", "    get = values.get", *gets, "    out = {}",
            *stores, "    if object_id is not None: out['id'] = object_id", "    return out"]
    if not tests:
        return _compile(slow, "slow")
    fast = ["def render(values, object_id, tz):", "    try:",
            *[f"        v{i} = values[{name!r}]" for i, (name, *_) in enumerate(steps)],
            "    except KeyError:", "        return slow(values, object_id, tz)",
            f"    if object_id is not None and {' and '.join(tests)}:",
            f"        return {{{', '.join(display)}, 'id': object_id}}", "    return slow(values, object_id, tz)"]
    return _compile([*slow, *fast], "render")


def _compile(lines: list[str], name: str) -> ItemRenderer:
    namespace: dict[str, Any] = {"_format": timefmt.format_graph, "_copy": _copy}
    exec("\n".join(lines), namespace)  # names are the node type's own field names, quoted by repr()
    return namespace[name]  # type: ignore[no-any-return]


def _copy(value: Any) -> Any:
    """A decoded JSON list or object, copied whole (a JSON round trip: the fastest deep copy of such values)."""
    return orjson.loads(orjson.dumps(value))
