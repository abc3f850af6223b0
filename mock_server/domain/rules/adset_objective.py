"""Ad set rules the campaign's objective decides (seed 000, GRAPH-BEHAVIOUR 7.2-7.5): objective -> destination_type
-> optimization_goal -> billing_event. Tables: `schemas/rules/adset.json` "objectives", "billing_events".
Run by rules/adset.py's rule tuples like every other ad set rule."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mock_server.wire.errors import GraphError

if TYPE_CHECKING:
    from mock_server.domain.rules.adset import AdSetContext, Spec


def _objective_row(ctx: AdSetContext) -> dict[str, Any] | None:
    return ctx.table["objectives"].get(ctx.objective or "")


def destination_for_objective(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 7.5: an objective-incompatible destination_type -> 2446509."""
    row, destination = _objective_row(ctx), spec.get("destination_type")
    if row is None or destination is None or destination in row["destinations"]:
        return None
    allowed = ", ".join(row["destinations"]) or "none (omit destination_type)"
    return GraphError("adset_destination_invalid", value=destination, objective=ctx.objective, allowed=allowed)


def goal_for_objective(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """Seed 000 / GRAPH-BEHAVIOUR 7.2-7.3: the objective decides the optimization goals (2490408)."""
    row, goal, destination = _objective_row(ctx), spec.get("optimization_goal"), spec.get("destination_type")
    if row is None or goal is None:
        return None
    allowed = row["destinations"].get(destination, []) if destination else row["without_destination"]
    if goal in allowed:
        return None
    where = f" with destination_type {destination}" if destination else ""
    return GraphError("adset_goal_unavailable", value=goal, objective=ctx.objective, where=where, allowed=", ".join(allowed))


def billing_event_for_goal(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 7.4: each optimization_goal allows certain billing events."""
    table = ctx.table["billing_events"]
    goal, billing = spec.get("optimization_goal"), spec.get("billing_event")
    allowed = table["by_goal"].get(goal, table["default"])
    if goal is None or billing is None or billing in allowed:
        return None
    return GraphError("adset_billing_event_invalid", value=billing, goal=goal, allowed=", ".join(allowed))
