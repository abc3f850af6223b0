"""One generated function per compiled selection of plain, money and datetime fields (issue 18: the uncached list
page). `render_planned` loops over the plan's steps for every item of a page, unpacking each step and testing its
kind; a selection without edges, references, sub-selections or unknown fields compiles to straight-line code
instead (one `get` and one test per field), ~2x faster per item. The same answer as `render_planned` (property test
in tests/test_cold_reads.py)."""

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
    lines = ["def render(values, object_id, tz):", "    get = values.get", "    out = {}"]
    for name, kind, alias, spec in steps:
        if kind not in ("plain", "money", "datetime") or spec.children:
            return None
        lines.append(f"    v = get({name!r})")
        if alias:
            lines.append(f"    if v is None: v = get({alias!r})")
        plain = "v if v.__class__ is not list and v.__class__ is not dict else _copy(v)" if shared else "v"
        value = {"plain": plain, "money": "str(v)",
                 "datetime": f"_format(v, tz) if isinstance(v, (int, float)) else {plain}"}[kind]
        lines.append(f"    if v is not None: out[{name!r}] = {value}")
    lines += ["    if object_id is not None: out['id'] = object_id", "    return out"]
    namespace: dict[str, Any] = {"_format": timefmt.format_graph, "_copy": _copy}
    exec("\n".join(lines), namespace)  # names are the node type's own field names, quoted by repr()
    return namespace["render"]  # type: ignore[no-any-return]


def _copy(value: Any) -> Any:
    """A decoded JSON list or object, copied whole (a JSON round trip: the fastest deep copy of such values)."""
    return orjson.loads(orjson.dumps(value))
