"""Campaign create/update strategies: repairs and rule breakers read `schemas/rules/campaign.json`.

Rules (seed 004 'Creating', GRAPH-BEHAVIOUR 7-9, 11): only ACTIVE/PAUSED at
creation; only OUTCOME_* objectives create; a real special ad category needs
special_ad_category_country; daily_budget and lifetime_budget are
alternatives; spend_cap >= $100 (local equivalent) unless it is the removal
value; bid_strategy needs a campaign budget; include_recommendations never
alone in execution_options.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from contract_tests.cases import Expected, Step
from contract_tests.operations import Breaker, Context, Operation, valid
from mock_server.domain.money import minor_units_for_usd

BUDGET_AMOUNTS = st.integers(100, 10**9)

_COMMON_SKIPS = {
    "execution_options": "validate_only/include_recommendations change the response; broken by its own rule",
    "iterative_split_test_configs": "split tests are not modelled beyond storage",
}
CREATE_SKIPS = {
    **_COMMON_SKIPS,
    "source_campaign_id": "must name an existing campaign",
    "topline_id": "must name an existing topline",
}
UPDATE_SKIPS = {
    **_COMMON_SKIPS,
    "objective": "Graph does not let an update change the objective",
    "adset_budgets": "acts on child ad sets, not stored on the campaign",
    "adset_bid_amounts": "acts on child ad sets, not stored on the campaign",
    "migrate_to_advantage_plus": "a one-off action, not a stored value",
    "special_ad_category": "deprecated singular form of special_ad_categories",
}


def _table(ctx: Context) -> dict[str, Any]:
    return ctx.table("campaign")


def spend_cap_minimum(ctx: Context) -> int:
    rule = _table(ctx)["spend_cap"]
    return minor_units_for_usd(ctx.registry, ctx.currency, rule["minimum_usd"])


def _real_categories(values: list[str] | None, ctx: Context) -> list[str]:
    exempt = _table(ctx)["special_ad_categories_without_country"]
    return [v for v in values or [] if v not in exempt]


def _countries(ctx: Context) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(ctx.registry.enum("country_code")), min_size=1, max_size=3, unique=True)


def _budgets_ok(draw: st.DrawFn, payload: dict[str, Any], existing: dict[str, Any]) -> None:
    """Seed 004: one of daily_budget / lifetime_budget (drop the payload's conflicting one)."""
    fields = ("daily_budget", "lifetime_budget")
    while all({**existing, **payload}.get(f) for f in fields):
        in_payload = [f for f in fields if payload.get(f)]
        payload.pop(draw(st.sampled_from(in_payload)) if len(in_payload) == 2 else in_payload[0])


def _common_repair(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    existing = ctx.existing or {}
    table = _table(ctx)
    if "special_ad_categories" in p or ctx.existing is None:
        country = p.get("special_ad_category_country", existing.get("special_ad_category_country"))
        if _real_categories(p.get("special_ad_categories"), ctx) and not country:
            p["special_ad_category_country"] = draw(_countries(ctx))
    _budgets_ok(draw, p, existing)
    cap = p.get("spend_cap")
    if cap is not None and cap != table["spend_cap"]["remove_value"] and cap < spend_cap_minimum(ctx):
        p["spend_cap"] = draw(st.integers(spend_cap_minimum(ctx), spend_cap_minimum(ctx) * 1000))
    merged = {**existing, **p}
    if "bid_strategy" in p and not (merged.get("daily_budget") or merged.get("lifetime_budget")):
        if "bid_strategy" in ctx.pins or draw(st.booleans()):
            p["daily_budget"] = draw(BUDGET_AMOUNTS)
        else:
            p.pop("bid_strategy")
    return p


def repair_create(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    table = _table(ctx)
    if "status" in p and p["status"] not in table["creation_statuses"]:
        p["status"] = draw(st.sampled_from(table["creation_statuses"]))
    if p["objective"] not in table["creatable_objectives"]:
        p["objective"] = draw(st.sampled_from(table["creatable_objectives"]))
    return _common_repair(draw, p, ctx)


def repair_update(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    return _common_repair(draw, p, ctx)


# -- rule breakers (each breaks one rule of mock_server/domain/rules/campaign.py) ----------------

def _break_creation_status(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> Any:
    others = [s for s in ctx.registry.enum("campaign_status") if s not in _table(ctx)["creation_statuses"]]
    return {**p, "status": draw(st.sampled_from(others))}, ctx.existing, Expected.of("creation_status_invalid")


def _break_objective(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> Any:
    legacy = [o for o in ctx.registry.enum("objective") if o not in _table(ctx)["creatable_objectives"]]
    return {**p, "objective": draw(st.sampled_from(legacy))}, ctx.existing, Expected.of("objective_deprecated")


def _break_country(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> Any:
    real = [c for c in ctx.registry.enum("special_ad_category") if _real_categories([c], ctx)]
    p = {k: v for k, v in p.items() if k != "special_ad_category_country"}
    p["special_ad_categories"] = draw(st.lists(st.sampled_from(real), min_size=1, max_size=2, unique=True))
    setup = ctx.existing
    if setup is not None:  # an update: the campaign must not already carry a country or a real category
        setup = {k: v for k, v in setup.items() if k != "special_ad_category_country"}
        setup["special_ad_categories"] = []
    return p, setup, Expected.of("special_ad_category_country_required")


def _break_budgets(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> Any:
    p = {**p, "daily_budget": draw(BUDGET_AMOUNTS), "lifetime_budget": draw(BUDGET_AMOUNTS)}
    return p, ctx.existing, Expected.of("campaign_budget_both")


def _break_spend_cap(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> Any:
    cap = draw(st.integers(0, spend_cap_minimum(ctx) - 1))
    return {**p, "spend_cap": cap}, ctx.existing, Expected.of("spend_cap_too_low")


def _break_bid_strategy(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> Any:
    budgets = ("daily_budget", "lifetime_budget", "bid_strategy")
    p = {k: v for k, v in p.items() if k not in budgets}
    p["bid_strategy"] = draw(st.sampled_from(ctx.registry.enum("bid_strategy")))
    setup = {k: v for k, v in ctx.existing.items() if k not in budgets} if ctx.existing is not None else None
    return p, setup, Expected.of("campaign_bid_strategy_without_budget")


def _break_execution_options(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> Any:
    return {**p, "execution_options": ["include_recommendations"]}, ctx.existing, Expected.of("include_recommendations_alone")


_SHARED: dict[str, Breaker] = {
    "rule:execution_options": _break_execution_options,
    "rule:special_ad_category_country": _break_country,
    "rule:one_campaign_budget": _break_budgets,
    "rule:spend_cap_minimum": _break_spend_cap,
    "rule:bid_strategy_needs_campaign_budget": _break_bid_strategy,
}

def readback(field: str, sent: Any, ctx: Context) -> Any:
    """What GET returns for a sent value (None = absent); money/datetime rendering is generic."""
    if field == "special_ad_categories":
        return [c for c in sent if c != "NONE"]
    if field == "spend_cap" and sent == _table(ctx)["spend_cap"]["remove_value"]:
        return None
    return sent


CREATE = Operation(
    name="campaign.create", node="Campaign", not_generated=CREATE_SKIPS, repair=repair_create,
    breakers={"rule:creation_status": _break_creation_status, "rule:objective_creatable": _break_objective, **_SHARED},
    readback=readback,
)


def create_params(ctx: Context, **pins: Any) -> st.SearchStrategy[dict[str, Any]]:
    """A campaign to create as setup (parent or object to update), keeping a pinned status."""
    keep = {k: v for k, v in ctx.pins.items() if k == "status"}
    return valid(CREATE, Context(ctx.registry, ctx.currency, None, {**keep, **pins}, ctx.world))


def _setup(ctx: Context) -> st.SearchStrategy[Context]:
    if ctx.existing is not None:  # the caller named the campaign's params; it is created from them
        return st.just(ctx.replace(steps=(Step("campaign.create", ctx.existing),), ready=True))
    return create_params(ctx).map(
        lambda c: ctx.replace(existing=c, steps=(Step("campaign.create", c),), ready=True))


UPDATE = Operation(name="campaign.update", node="Campaign", not_generated=UPDATE_SKIPS, repair=repair_update,
                   breakers=dict(_SHARED), setup=_setup, readback=readback)

