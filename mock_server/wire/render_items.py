"""One generated function per compiled selection of plain, money and datetime fields (issue 18: the uncached list
page). `render_planned` loops over the plan's steps for every item of a page, unpacking each step and testing its
kind; a selection without edges, references, sub-selections or unknown fields compiles to straight-line code
instead (one `get` and one test per field), ~2x faster per item. The same answer as `render_planned` (property test
in tests/test_render_items.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import tzinfo
from typing import Any

from mock_server.domain import timefmt

ItemRenderer = Callable[[dict[str, Any], "str | None", tzinfo], dict[str, Any]]
_MAX_FIELDS = 64  # a longer selection keeps the loop: its code would be long and rarely reused


def item_renderer(steps: Sequence[tuple[str, str, str | None, Any]]) -> ItemRenderer | None:
    """`render_planned` for `steps`, compiled; None when a step needs the loop (edge, reference, sub-selection,
    unknown field: refused in order)."""
    if len(steps) > _MAX_FIELDS:
        return None
    lines = ["def render(values, object_id, tz):", "    get = values.get", "    out = {}"]
    for name, kind, alias, spec in steps:
        if kind not in ("plain", "money", "datetime") or spec.children:
            return None
        lines.append(f"    v = get({name!r})")
        if alias:
            lines.append(f"    if v is None: v = get({alias!r})")
        value = {"plain": "v", "money": "str(v)",
                 "datetime": "_format(v, tz) if isinstance(v, (int, float)) else v"}[kind]
        lines.append(f"    if v is not None: out[{name!r}] = {value}")
    lines += ["    if object_id is not None: out['id'] = object_id", "    return out"]
    namespace: dict[str, Any] = {"_format": timefmt.format_graph}
    exec("\n".join(lines), namespace)  # names are the node type's own field names, quoted by repr()
    return namespace["render"]  # type: ignore[no-any-return]
