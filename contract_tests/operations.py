"""One create/update operation as the strategies see it: schema, repair step, rule breakers.

Valid payloads: generate from the request schema (minus params whose effect
is not a plain stored value), then let the resource's `repair` step make the
cross-field rules hold. Invalid payloads: take a valid one and break exactly
one thing: a schema constraint (derived from the schema itself) or one
named rule (each resource lists its breakers, reading the same rule tables
the server does). The expected error comes from the intended break, never
from what a validator happens to report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from contract_tests.cases import Case, Expected, Invalid, Step
from contract_tests.schema_strategies import SchemaStrategies, graph_type, resolve
from mock_server.contract.registry import SchemaRegistry, default_registry


@dataclass(frozen=True)
class Context:
    """What a strategy may be pinned to: the account currency, the object an update applies to, fixed params."""

    registry: SchemaRegistry
    currency: str = "USD"
    existing: dict[str, Any] | None = None  # updates: the params the object was created with
    pins: dict[str, Any] = field(default_factory=dict)
    world: dict[str, Any] = field(default_factory=dict)  # demo ids (page_id, app_id, ...)
    parents: dict[str, dict[str, Any]] = field(default_factory=dict)  # "campaign" -> its create params
    steps: tuple[Step, ...] = ()  # what the setup creates, in order
    ready: bool = False  # setup already drawn

    def table(self, name: str) -> Any:
        return self.registry.rules(name)

    def replace(self, **changes: Any) -> Context:
        return Context(**{**self.__dict__, **changes})


Repair = Callable[[st.DrawFn, dict[str, Any], Context], dict[str, Any]]
# A rule breaker gets a draw function, a valid payload and the context, and returns (payload, setup, expected):
# setup is `ctx.existing` (unchanged or a new dict for the updated object) or a whole new tuple of Steps.
Breaker = Callable[[st.DrawFn, dict[str, Any], Context], tuple[dict[str, Any], Any, Expected]]
Setup = Callable[[Context], st.SearchStrategy[Context]]


@dataclass(frozen=True)
class Operation:
    name: str  # "campaign.create"
    node: str  # node schema the object reads back as ("Campaign")
    not_generated: dict[str, str]  # param -> why valid payloads leave it out
    repair: Repair
    breakers: dict[str, Breaker]  # "rule:<name>" -> breaker
    setup: Setup | None = None  # draws the parents / the object to update into a Context
    readback: Callable[[str, Any, Context], Any] = lambda field, sent, ctx: sent  # sent value -> read value
    controlled: frozenset[str] = frozenset()  # params the repair step sets from the rule tables

    @property
    def schema_name(self) -> str:
        return f"requests/{self.name}"

    @property
    def is_update(self) -> bool:
        return self.name.endswith(".update")


def registry_of(registry: SchemaRegistry | None) -> SchemaRegistry:
    return registry or default_registry()


def valid(op: Operation, ctx: Context) -> st.SearchStrategy[dict[str, Any]]:
    """Payloads of `op` the server must accept (given `ctx.existing` for updates)."""
    params = {k: v for k, v in ctx.pins.items() if not k.startswith("_")}  # `_name` pins steer the repair step
    raw = _raw(ctx.registry, op.schema_name, frozenset(op.not_generated) | op.controlled | frozenset(params))

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        payload = {**draw(raw), **params}
        return _label_names(op.repair(draw, payload, ctx))
    return build()


LABELS_PER_OBJECT = 50  # ACCOUNT-SURFACE 5.4: at most 50 labels per object spec


def _label_names(payload: dict[str, Any]) -> dict[str, Any]:
    """`adlabels` by name only: an id must name an existing label of the account (ACCOUNT-SURFACE 5.4), which a
    payload cannot know; names are unique per account and read back trimmed."""
    items = payload.get("adlabels")
    if not isinstance(items, list) or "adlabels" not in payload:
        return payload
    names: list[str] = []
    for index, item in enumerate(items):
        name = str(item.get("name") or "").strip() if isinstance(item, dict) else ""
        name = name or f"label {index}"
        if name not in names:
            names.append(name)
    return {**payload, "adlabels": [{"name": name} for name in names[:LABELS_PER_OBJECT]]}


MAX_OPTIONAL = 12  # optional params per generated payload (different ones each example)
_RAW: dict[tuple[int, str, frozenset[str]], st.SearchStrategy[dict[str, Any]]] = {}


def _raw(registry: SchemaRegistry, schema_name: str, skip: frozenset[str]) -> st.SearchStrategy[dict[str, Any]]:
    """The schema-only strategy, built once per (registry, schema, skipped params): building is the slow part."""
    key = (id(registry), schema_name, skip)
    if key not in _RAW:
        _RAW[key] = SchemaStrategies(registry).object(registry.documents[schema_name], schema_name, skip=skip,
                                                      max_optional=MAX_OPTIONAL)
    return _RAW[key]


def with_setup(op: Operation, ctx: Context, inner: Callable[[Context], st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """Draw the setup (parents, the object to update) first, then the case against it."""
    if op.setup is None or ctx.ready:
        return inner(ctx)
    return op.setup(ctx).flatmap(inner)


def valid_cases(op: Operation, ctx: Context) -> st.SearchStrategy[Case]:
    """Valid payloads together with the setup they need."""
    return with_setup(op, ctx, lambda inner: valid(op, inner).map(lambda p: Case(p, inner.steps)))


def _setup_after(ctx: Context, change: Any) -> tuple[Step, ...]:
    """A breaker's setup answer as Steps: unchanged, a new payload for the updated object, or new Steps."""
    if isinstance(change, tuple):
        return change
    if isinstance(change, dict) and ctx.steps and change is not ctx.existing:
        return ctx.steps[:-1] + (Step(ctx.steps[-1].operation, change),)
    return ctx.steps


# -- schema breakers, derived from the request schema ----------------------------------------

def schema_rules(op: Operation, registry: SchemaRegistry) -> dict[str, Breaker]:
    """`missing:<p>`, `enum:<p>`, `type:<p>`, `range:<p>`, `length:<p>` for the params valid payloads use."""
    schema = registry.documents[op.schema_name]
    properties = schema.get("properties", {})
    out: dict[str, Breaker] = {}
    for name in schema.get("required", []):
        key = (schema.get("x-graph-error") or {}).get("required", {}).get(name, "param_required")
        out[f"missing:{name}"] = _missing(name, key)
    for name, prop in properties.items():
        if name in op.not_generated:
            continue
        resolved, base = resolve(registry, prop, op.schema_name)
        kind = graph_type(registry, prop, op.schema_name)
        override = _override(prop, resolved)
        if "enum" in resolved and all(isinstance(v, str) for v in resolved["enum"]):
            out[f"enum:{name}"] = _replace_with(name, st.just("NOT_A_" + name.upper()), override.get("enum", "param_enum"))
        items, _ = resolve(registry, resolved.get("items", {}), base) if resolved.get("type") == "array" else ({}, base)
        if "enum" in items and all(isinstance(v, str) for v in items["enum"]):
            out[f"enum:{name}[0]"] = _replace_with(name, st.just(["NOT_A_" + name.upper()]), override.get("enum", "param_enum"),
                                                   field=f"{name}[0]")
        declared = resolved.get("type")
        if kind == "datetime":
            out[f"type:{name}"] = _replace_with(name, st.just("not a time"), override.get("type", "param_datetime"))
        elif declared in ("integer", "number", "boolean"):
            out[f"type:{name}"] = _replace_with(name, st.just("not-a-" + declared), override.get("type", "param_type"))
        elif declared == "array":
            out[f"type:{name}"] = _replace_with(name, st.just(7), override.get("type", "param_type"))
        if declared == "integer" and "minimum" in resolved and kind != "datetime":
            low = resolved["minimum"]
            out[f"range:{name}"] = _replace_with(name, st.integers(low - 10**6, low - 1),
                                                 override.get("minimum", "param_range"))
        if declared == "string" and "maxLength" in resolved:
            limit = resolved["maxLength"]
            out[f"length:{name}"] = _replace_with(name, st.text("abcxyz", min_size=limit + 1, max_size=limit + 20),
                                                  override.get("maxLength", "param_length"))
    return out


def _override(prop: dict[str, Any], resolved: dict[str, Any]) -> dict[str, str]:
    """A property's `x-graph-error` as keyword -> catalogue key (a plain key applies to every keyword)."""
    mapping = prop.get("x-graph-error") or resolved.get("x-graph-error")
    if isinstance(mapping, str):
        return {k: mapping for k in ("enum", "type", "minimum", "maxLength")}
    return dict(mapping or {})


def _missing(name: str, key: str) -> Breaker:
    def breaker(draw: st.DrawFn, payload: dict[str, Any], ctx: Context) -> tuple[dict[str, Any], Any, Expected]:
        return {k: v for k, v in payload.items() if k != name}, ctx.existing, Expected.of(key, field=name)
    return breaker


def _replace_with(name: str, values: st.SearchStrategy[Any], key: str, *, field: str | None = None) -> Breaker:
    def breaker(draw: st.DrawFn, payload: dict[str, Any], ctx: Context) -> tuple[dict[str, Any], Any, Expected]:
        return {**payload, name: draw(values)}, ctx.existing, Expected.of(key, field=field or name)
    return breaker


def all_rules(op: Operation, registry: SchemaRegistry) -> dict[str, Breaker]:
    return {**schema_rules(op, registry), **op.breakers}


def invalid(op: Operation, ctx: Context, rule: str | None = None) -> st.SearchStrategy[Invalid]:
    """Payloads breaking exactly `rule` (or any one rule) and labelled with the error they must get."""
    rules = all_rules(op, ctx.registry)
    if rule is not None and rule not in rules:
        raise KeyError(f"{op.name} has no rule {rule!r}; known: {', '.join(sorted(rules))}")
    names = [rule] if rule else sorted(rules)

    def for_ctx(inner_ctx: Context) -> st.SearchStrategy[Invalid]:
        @st.composite
        def build(draw: st.DrawFn) -> Invalid:
            chosen = draw(st.sampled_from(names))
            base = draw(valid(op, inner_ctx))
            payload, setup, expected = rules[chosen](draw, base, inner_ctx)
            return Invalid(payload, expected, chosen, _setup_after(inner_ctx, setup))
        return build()
    return with_setup(op, ctx, for_ctx)
