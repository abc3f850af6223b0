"""`x-graph-recommended` limits (seed 003: a creative's title 25, body 90 characters), compiled once per schema.

Judging walked the whole request schema along the values on every request, following `$ref`s, to find the
few places that carry a recommended length; almost no schema has one. Each schema is compiled once into the
tree of only the places that lead to a limit (None when there is none: judging costs one dict lookup), then
the values are walked along that tree, in the values' own order, as before.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

from mock_server.verify.refs import resolve


@dataclass(eq=False)
class Site:
    """One schema place on the way to a limit: its own limit, and the properties / items that lead further."""

    limit: Any = None  # the recommended maxLength here, if any
    properties: dict[str, Site] = field(default_factory=dict)
    items: Site | None = None


_PLANS: weakref.WeakKeyDictionary[Any, dict[str, Site | None]] = weakref.WeakKeyDictionary()


_last: tuple[Any, dict[str, Site | None]] | None = None  # the registry judged every time, and its plans


def plan(registry: Any, schema_name: str) -> Site | None:
    """The compiled limits of `schema_name` (None: no limit anywhere in it)."""
    global _last
    if _last is not None and _last[0] is registry:
        plans = _last[1]
    else:
        plans = _PLANS.get(registry)
        if plans is None:
            plans = _PLANS[registry] = {}
        _last = (registry, plans)
    if schema_name not in plans:
        plans[schema_name] = _compile(registry, schema_name)
    return plans[schema_name]


def check(site: Site, value: Any, path: list[Any], out: list[tuple[list[Any], int, Any]]) -> None:
    """Append (path, length, limit) for each string longer than its recommended length."""
    limit = site.limit
    if limit is not None and isinstance(value, str) and len(value) > limit:
        out.append((path, len(value), limit))
    if isinstance(value, dict):
        properties = site.properties
        if properties:
            for key, inner in value.items():
                child = properties.get(key)
                if child is not None:
                    check(child, inner, path + [key], out)
    elif isinstance(value, list) and site.items is not None:
        for i, inner in enumerate(value):
            check(site.items, inner, path + [i], out)


def _compile(registry: Any, schema_name: str) -> Site | None:
    sites: dict[tuple[int, str], Site] = {}
    edges: dict[int, list[Site]] = {}  # id(site) -> the sites it leads to

    def build(schema: Any, base: str) -> Site | None:
        if not isinstance(schema, dict):
            return None
        schema, base = resolve(registry, schema, base)
        key = (id(schema), base)
        if key in sites:
            return sites[key]
        site = sites[key] = Site(limit=_limit(schema.get("x-graph-recommended")))
        children: list[Site] = []
        properties = schema.get("properties")
        for name, sub in (properties.items() if isinstance(properties, dict) else ()):
            child = build(sub, base)
            if child is not None:
                site.properties[name] = child
                children.append(child)
        if isinstance(schema.get("items"), dict):
            site.items = build(schema["items"], base)
            if site.items is not None:
                children.append(site.items)
        edges[id(site)] = children
        return site

    root = build(registry.documents[schema_name], schema_name)
    useful = {id(s) for s in sites.values() if s.limit is not None}
    grown = True
    while grown:  # a place is useful when a limit is reachable from it (schemas may be recursive)
        grown = False
        for site in sites.values():
            if id(site) not in useful and any(id(child) in useful for child in edges[id(site)]):
                useful.add(id(site))
                grown = True
    for site in sites.values():
        site.properties = {k: v for k, v in site.properties.items() if id(v) in useful}
        if site.items is not None and id(site.items) not in useful:
            site.items = None
    return root if root is not None and id(root) in useful else None


def _limit(value: Any) -> Any:
    """`x-graph-recommended`: a length, or `{"maxLength": n}` (other forms name no length)."""
    if isinstance(value, int):
        return value
    if isinstance(value, dict) and "maxLength" in value:
        return value["maxLength"]
    return None
