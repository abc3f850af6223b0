"""Ad set budget and schedule rules (seed 000, GRAPH-BEHAVIOUR 8): one budget, the ad set's or the campaign's;
a lifetime budget's end_time; the schedule's order; the minimum daily budget per billing event and account country.
Tables: `schemas/rules/adset.json` "budget". Run by rules/adset.py's rule tuples like every other ad set rule."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from mock_server.domain import timefmt
from mock_server.domain.rules.adset_bidding import strategy_in_force
from mock_server.wire.errors import GraphError

if TYPE_CHECKING:
    from mock_server.domain.rules.adset import AdSetContext, Spec


def first_set(values: dict[str, Any], names: list[str]) -> str | None:
    """The first of `names` with a truthy value in `values` (a plain loop: several rules ask on every write)."""
    for name in names:
        if values.get(name):
            return name
    return None


def budget_not_under_campaign_budget(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 8 / M-ERR: 'You can only set an ad set budget or a campaign budget.' (1885621)."""
    fields = ctx.table["budget"]["fields"]
    if not ctx.campaign_budget or not ctx.touched(*fields):
        return None
    for name in fields:
        if spec.get(name):
            return GraphError("adset_budget_with_campaign_budget", field=name, campaign_id=str(ctx.campaign.id))
    return None


def campaign_budget_only_fields(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 8: min spend targets / spend caps need a campaign budget of the same type."""
    for name, needs in ctx.table["budget"]["campaign_budget_only_fields"].items():
        if spec.get(name) and ctx.touched(name) and not ctx.campaign.data.get(needs):
            return GraphError("adset_campaign_budget_field", field=name, budget=needs)
    return None


def budget_required(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """Seed 000: 'Either daily_budget or lifetime_budget must be greater than 0' (no campaign budget)."""
    if ctx.campaign_budget or first_set(spec, ctx.table["budget"]["fields"]):
        return None
    return GraphError("adset_budget_required")


def one_budget(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """Seed 000: daily_budget 'Required if lifetime_budget is not set' - they are alternatives."""
    if spec.get("daily_budget") and spec.get("lifetime_budget"):
        return GraphError("adset_budget_both")
    return None


def lifetime_budget_needs_end_time(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """Seed 000: lifetime_budget 'If specified, you must also specify an end_time.'"""
    if spec.get("lifetime_budget") and not spec.get("end_time"):
        return GraphError("adset_end_time_required")
    return None


def end_after_start(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """An ad set's schedule runs forwards: end_time after start_time."""
    start, end = spec.get("start_time"), spec.get("end_time")
    if start and end and end <= start:
        return GraphError("adset_end_before_start", value=timefmt.format_graph(end), start=timefmt.format_graph(start))
    return None


def end_in_future(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """M-ERR 1487033: 'Your campaign's end date must be in the future.' (checked when end_time is written)."""
    end = spec.get("end_time")
    if end and end <= ctx.now and ctx.touched("end_time", "time_stop"):
        return GraphError("adset_end_time_past", value=timefmt.format_graph(end))
    return None


def daily_budget_duration(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """Seed 000: daily_budget is 'Allowed only for ad sets with a duration ... longer than 24 hours.'"""
    start, end = spec.get("start_time"), spec.get("end_time")
    if spec.get("daily_budget") and start and end and end - start <= ctx.table["budget"]["daily_min_duration_seconds"]:
        return GraphError("adset_daily_budget_duration", hours=round((end - start) / 3600, 2))
    return None


def budget_minimum(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 8 'Minimum daily budgets' per billing event, in the account currency (1885272)."""
    if ctx.campaign_budget:
        return None
    name = first_set(spec, ctx.table["budget"]["fields"])
    if name is None:
        return None
    daily, how = _daily_minimum(spec, ctx)
    minimum, days = daily, 0
    if name == "lifetime_budget" and spec.get("end_time") and spec.get("start_time"):
        days = max(1, math.ceil((spec["end_time"] - spec["start_time"]) / 86400))
        minimum = daily * days
    if spec[name] < minimum:
        basis = _basis(how) + (f", {days} day(s) x {daily}" if days else "")
        return GraphError("adset_budget_too_low", field=name, minimum=minimum, currency=ctx.account.currency,
                          billing_event=spec.get("billing_event"), basis=basis)
    return None


def daily_minimum(spec: Spec, ctx: AdSetContext) -> tuple[int, str]:
    """The minimum daily budget in minor units and a short note on how it was computed."""
    daily, how = _daily_minimum(spec, ctx)
    return daily, _basis(how)


def _daily_minimum(spec: Spec, ctx: AdSetContext) -> tuple[int, tuple[Any, ...]]:
    """daily_minimum's amount, and the facts its note is written from (the note only when a budget is refused)."""
    table = ctx.table["budget"]
    billing = spec.get("billing_event") or "IMPRESSIONS"
    strategy = strategy_in_force(spec, ctx)[0]
    bid = spec.get("bid_amount")
    if strategy in ctx.table["bidding"]["needs_bid_amount"] and bid:
        multiplier = table["manual_bid_multiplier"].get(billing, table["manual_bid_multiplier"]["default"])
        return bid * multiplier, ("manual", multiplier)
    usd = table["min_daily_usd"].get(billing, table["min_daily_usd"]["default"])
    country = account_country(ctx)
    if type(country) is str and country in ctx.tables.double_minimum_countries and \
            billing not in table["low_frequency_billing_events"]:  # a country not text is in no list of codes
        return ctx.tables.minor_units_for_usd(ctx.account.currency, usd * 2), ("usd", usd * 2, country)
    return ctx.tables.minor_units_for_usd(ctx.account.currency, usd), ("usd", usd, None)


def _basis(how: tuple[Any, ...]) -> str:
    if how[0] == "manual":
        return f" (manual bid: {how[1]} x bid_amount)"
    usd, country = how[1], how[2]
    return f" (USD {usd:.2f}, account in {country})" if country is not None else f" (USD {usd:.2f})"


def account_country(ctx: AdSetContext) -> str | None:
    raw = ctx.account.raw
    return raw.get("business_country_code") or raw.get("country") or \
        ctx.table["budget"]["country_by_currency"].get(ctx.account.currency)
