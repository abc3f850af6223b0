"""Ad set promoted_object rules (seed 000, GRAPH-BEHAVIOUR 7.3/7.6): what the objective, destination_type and
optimization_goal require it to hold, and that the Page and application it names exist. Tables:
`schemas/rules/adset.json` "promoted_object" (compiled: rules/adset_tables.py). Run by rules/adset.py's rule tuples."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mock_server.wire.errors import GraphError

if TYPE_CHECKING:
    from mock_server.domain.rules.adset import AdSetContext, Spec


def promoted_object_requirements(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 7.3/7.6, seed 000: the goal / destination decides what promoted_object must hold (1885154)."""
    objective, destination, goal = ctx.objective, spec.get("destination_type"), spec.get("optimization_goal")
    entries = ctx.tables.requirements_for(objective, destination, goal)  # the entries whose "when" holds
    if not entries:
        return None
    promoted = spec.get("promoted_object") or {}
    for entry in entries:
        if _holds_one_of(promoted, entry["any_of"]):
            continue
        facts = {"objective": objective, "destination_type": destination, "optimization_goal": goal}
        missing = next(f for f in entry["any_of"][0] if promoted.get(f) in (None, ""))
        context = " with ".join(f"{key} {facts[key]}" for key in entry["when"])
        needed = " or ".join("+".join(fields) for fields in entry["any_of"])
        return GraphError("adset_promoted_object_required", field=f"promoted_object[{missing}]", context=context, needed=needed)
    return None


def _holds_one_of(promoted: dict[str, Any], any_of: list[list[str]]) -> bool:
    """Whether `promoted` has a value for every field of one of the alternatives."""
    for fields in any_of:
        for name in fields:
            if promoted.get(name) in (None, ""):
                break
        else:
            return True
    return False


def promoted_page_known(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """A promoted page_id must be a fixture Page this token may advertise for."""
    page = (spec.get("promoted_object") or {}).get("page_id")
    if page is None or (str(page) in ctx.world.pages and str(page) in ctx.token.pages):
        return None
    return GraphError("adset_promoted_page_unknown", field="promoted_object[page_id]", value=page)


def promoted_app_known(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """M-ADSET create errors: '(#900) No such application exists.'"""
    app = (spec.get("promoted_object") or {}).get("application_id")
    if app is None or str(app) in ctx.world.apps:
        return None
    return GraphError("adset_application_unknown", field="promoted_object[application_id]", value=app)
