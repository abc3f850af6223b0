"""Ad set create/update rules (seed 000 ad set table; GRAPH-BEHAVIOUR 7-8).

Each rule is a small function `(spec, context) -> GraphError | None` over the
ad set as it would be after the write (create: the params; update: stored
fields merged with the params). The tables they read are in
`schemas/rules/adset.json`; targeting rules live in `rules/targeting.py`, the EU DSA ones in `rules/dsa.py`.
The ordered tuples at the bottom are what the domain runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mock_server.contract.registry import SchemaRegistry
from mock_server.domain import timefmt
from mock_server.domain.rules import dsa, targeting
from mock_server.domain.rules.adset_tables import AdSetTables, compiled
from mock_server.domain.rules.campaign import execution_options
from mock_server.domain.world import AdAccount, Token, World
from mock_server.store.repository import ListQuery, Record
from mock_server.wire.errors import GraphError

Spec = dict[str, Any]


@dataclass(slots=True, eq=False)
class AdSetContext:
    """What the rules read besides the spec. Built on every create and update: a plain slotted class (a frozen
    dataclass sets each field through object.__setattr__, ~1.5 us per request)."""

    registry: SchemaRegistry
    account: AdAccount
    world: World
    token: Token
    campaign: Record
    now: float
    existing: dict[str, Any] | None = None  # the stored ad set on update
    changed: frozenset[str] = field(default_factory=frozenset)  # params sent on update
    count: Callable[[ListQuery], int] | None = None  # the repository's count (limits), None where nothing is stored
    version: str | None = None  # the request's API version ("v25.0"); version-gated rules apply to all if None
    raw: dict[str, Any] | None = None  # the create's params as sent, before decoding (check_create's memo key)
    table: dict[str, Any] = field(init=False, repr=False)  # schemas/rules/adset.json, read by every rule
    memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False)  # derived once per request
    tables: AdSetTables = field(init=False, repr=False)  # the tables compiled once (rules/adset_tables.py)

    def __post_init__(self) -> None:
        self.tables = tables = compiled(self.registry)
        self.table = tables.table

    @property
    def objective(self) -> str | None:
        return self.campaign.data.get("objective")

    @property
    def campaign_budget(self) -> str | None:
        """Which budget the parent campaign has (Advantage campaign budget), if any (three rules ask: once)."""
        memo = self.memo
        if "campaign_budget" not in memo:
            memo["campaign_budget"] = first_set(self.campaign.data, self.table["budget"]["fields"])
        return memo["campaign_budget"]

    def touched(self, *names: str) -> bool:
        """On create every param counts; on update only those sent."""
        return self.existing is None or any(n in self.changed for n in names)


Rule = Callable[[Spec, AdSetContext], GraphError | None]


def first_set(values: dict[str, Any], names: list[str]) -> str | None:
    """The first of `names` with a truthy value in `values` (a plain loop: several rules ask on every write)."""
    for name in names:
        if values.get(name):
            return name
    return None


# -- status --------------------------------------------------------------------------------
def creation_status(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 6.1: 'Only ACTIVE and PAUSED are valid during creation.'"""
    status = spec.get("status")
    if ctx.existing is None and status not in ctx.table["creation_statuses"]:
        return GraphError("creation_status_invalid", value=status)
    return None


def campaign_adset_limit(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 8/11 (M-CAMP Limits): 'Max 200 ad sets per campaign' (non-deleted ones; create only).

    The count names the campaign only: its ad sets are all in its account (an ad set is created, or copied, only
    under a campaign of its own account, and campaign_id never changes), and without account_id the store counts
    from its (type, campaign_id, status) index alone, not one table row per ad set (~3x cheaper at 150 ad sets)."""
    rule = ctx.table["limits"]
    if ctx.count is None or ctx.existing is not None:
        return None
    queries = ctx.tables.count_queries  # a frozen ListQuery costs ~1.5 us to build: one per campaign
    query = queries.get(ctx.campaign.id)
    if query is None:
        query = ListQuery("AdSet", campaign_id=ctx.campaign.id, statuses=tuple(rule["counted_statuses"]))
        queries.remember(ctx.campaign.id, query)
    count = ctx.count(query)
    if count >= rule["adsets_per_campaign"]:
        return GraphError("adset_campaign_limit", campaign_id=str(ctx.campaign.id), count=count,
                          limit=rule["adsets_per_campaign"])
    return None


# -- objective, destination, optimization goal, billing event -------------------------------
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


# -- bidding ---------------------------------------------------------------------------------
def strategy_in_force(spec: Spec, ctx: AdSetContext) -> tuple[str, str]:
    """GRAPH-BEHAVIOUR 8: the ad set's bid_strategy, else the campaign's, else the documented default."""
    if spec.get("bid_strategy"):
        return spec["bid_strategy"], ""
    if ctx.campaign.data.get("bid_strategy"):
        return ctx.campaign.data["bid_strategy"], " (from the campaign)"
    return ctx.table["bidding"]["default_strategy"], " (the default when no bid_strategy is set)"


def roas_goal_is_value(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 8: LOWEST_COST_WITH_MIN_ROAS needs optimization_goal VALUE (2490487)."""
    rule = ctx.table["bidding"]["min_roas"]
    if strategy_in_force(spec, ctx)[0] == rule["strategy"] and spec.get("optimization_goal") != rule["goal"]:
        return GraphError("adset_roas_goal_value", value=spec.get("optimization_goal"))
    return None


def roas_floor_required(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """Seed/GRAPH-BEHAVIOUR 8: MIN_ROAS requires bid_constraints.roas_average_floor (2490487)."""
    rule = ctx.table["bidding"]["min_roas"]
    if strategy_in_force(spec, ctx)[0] != rule["strategy"]:
        return None
    if (spec.get("bid_constraints") or {}).get(rule["constraint"]) is None:
        return GraphError("adset_roas_floor_required", field=f"bid_constraints[{rule['constraint']}]")
    return None


def roas_without_bid_amount(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 8: with LOWEST_COST_WITH_MIN_ROAS 'Do not set bid_info or bid_amount'."""
    if strategy_in_force(spec, ctx)[0] == ctx.table["bidding"]["min_roas"]["strategy"] and spec.get("bid_amount") is not None:
        return GraphError("adset_bid_amount_with_roas")
    return None


def bid_amount_required(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """Seed 000: bid_amount 'Required if bid_strategy is set to LOWEST_COST_WITH_BID_CAP or COST_CAP' (2490487)."""
    strategy, inherited = strategy_in_force(spec, ctx)
    if strategy in ctx.table["bidding"]["needs_bid_amount"] and spec.get("bid_amount") is None:
        return GraphError("adset_bid_amount_required", strategy=strategy, inherited=inherited)
    return None


def bid_amount_minimum(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 8: at least 2 US cents per 1,000 impressions, 1 US cent per other billed event."""
    bid = spec.get("bid_amount")
    if bid is None or not ctx.touched("bid_amount", "billing_event"):
        return None
    table, billing = ctx.table["bidding"]["min_bid_usd"], spec.get("billing_event")
    minimum = ctx.tables.minor_units_for_usd(ctx.account.currency, table.get(billing, table["default"]))
    if bid < minimum:
        return GraphError("adset_bid_too_low", value=bid, minimum=minimum, billing_event=billing, currency=ctx.account.currency)
    return None


def billing_event_for_strategy(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 8 (M-BIDS): 'COST_CAP requirements: billing_event must be IMPRESSIONS' (strategy in force).

    Meta documents no code or subcode for this one: graphmock answers code 100 naming billing_event, like the
    other billing_event errors (a choice)."""
    strategy, inherited = strategy_in_force(spec, ctx)
    allowed = ctx.table["bidding"]["billing_events_by_strategy"].get(strategy)
    billing = spec.get("billing_event")
    if allowed is None or billing is None or billing in allowed or not ctx.touched("billing_event", "bid_strategy"):
        return None
    return GraphError("adset_billing_event_for_strategy", value=billing, strategy=strategy, inherited=inherited,
                      allowed=" or ".join(allowed))


# -- budgets and schedule --------------------------------------------------------------------
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


# -- promoted object -------------------------------------------------------------------------
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


_COMMON: tuple[Rule, ...] = (
    destination_for_objective, goal_for_objective, billing_event_for_goal,
    roas_goal_is_value, roas_floor_required, roas_without_bid_amount, bid_amount_required, bid_amount_minimum,
    billing_event_for_strategy,
    budget_not_under_campaign_budget, campaign_budget_only_fields, budget_required, one_budget,
    lifetime_budget_needs_end_time, end_after_start, end_in_future, daily_budget_duration, budget_minimum,
    promoted_object_requirements, promoted_page_known, promoted_app_known,
)
_DSA: tuple[Rule, ...] = (dsa.dsa_payor_required, dsa.dsa_beneficiary_required)
# A create sends the whole targeting: its checks run as they are (the update forms only skip what was not sent).
CREATE_RULES: tuple[Rule, ...] = (execution_options, creation_status, *_COMMON, *targeting.CHECKS, *_DSA,  # type: ignore[arg-type]
                                  campaign_adset_limit)
UPDATE_RULES: tuple[Rule, ...] = (execution_options, *_COMMON, *targeting.RULES, *_DSA)  # type: ignore[arg-type]


# Fills complete the params with documented defaults before the rules run (they change `spec` in place).
Fill = Callable[[Spec, AdSetContext], None]
CREATE_FILLS: tuple[Fill, ...] = (*targeting.FILLS_ON_CREATE, dsa.dsa_account_defaults)
UPDATE_FILLS: tuple[Fill, ...] = (dsa.dsa_account_defaults,)


# The create rules that read nothing but a handful of facts (status, the campaign's objective, destination_type,
# optimization_goal, billing_event, the bid strategy in force, whether bid_amount is sent) and the tables. Which
# fact tuples passed them all is remembered per compiled table (`check_create`): the next create with the same
# facts skips them, whatever else it sends. MIN_ROAS is left out (its rules also read bid_constraints, bid_amount).
BY_FACTS: tuple[Rule, ...] = (
    creation_status, destination_for_objective, goal_for_objective, billing_event_for_goal,
    roas_goal_is_value, roas_floor_required, roas_without_bid_amount, bid_amount_required, billing_event_for_strategy,
)
_CREATE_REST: tuple[Rule, ...] = tuple(rule for rule in CREATE_RULES if rule not in BY_FACTS)


def facts(spec: Spec, ctx: AdSetContext) -> tuple[Any, ...] | None:
    """What the BY_FACTS rules read from a create (None: not remembered, the rules run as they are)."""
    strategy = spec.get("bid_strategy") or ctx.campaign.data.get("bid_strategy") or \
        ctx.table["bidding"]["default_strategy"]  # strategy_in_force without its note
    key = (spec.get("status"), ctx.campaign.data.get("objective"), spec.get("destination_type"),
           spec.get("optimization_goal"), spec.get("billing_event"), strategy)
    for value in key:
        if value is not None and type(value) is not str:  # only enum text: no 1 == True, nothing unhashable
            return None
    if strategy == ctx.table["bidding"]["min_roas"]["strategy"] or ctx.existing is not None:
        return None
    return key + (spec.get("bid_amount") is None,)


# The create rules that read, besides the facts, only the execution_options, promoted_object and targeting params
# (fills applied), the campaign's restricted special ad category and its special_ad_category_country, and whether
# the request's version is under the Advantage+ gate. Keyed by those params as sent (text, decoded the same way
# every time), a create that repeats a passing one skips them all (`request_key`, `check_create`).
BY_REQUEST: tuple[Rule, ...] = (*BY_FACTS, execution_options, promoted_object_requirements,  # type: ignore[arg-type]
                                *targeting.CHECKS)
_CREATE_AFTER_REQUEST: tuple[Rule, ...] = tuple(rule for rule in CREATE_RULES if rule not in BY_REQUEST)
# ... and without the DSA rules, which answer None when the targeting has no EU location (fill_create knows)
_CREATE_AFTER_REQUEST_OUTSIDE_EU: tuple[Rule, ...] = tuple(rule for rule in _CREATE_AFTER_REQUEST if rule not in _DSA)
_KEY_TEXT_LIMIT = 4096
# The budget and schedule rules that answer None for a create with a daily budget and none of lifetime_budget,
# end_time, bid_amount, under a campaign without a budget (`_daily_budget_only`: the common create): skipped then.
_DAILY_ONLY_PASSES: tuple[Rule, ...] = (
    bid_amount_minimum, budget_not_under_campaign_budget, budget_required, one_budget, lifetime_budget_needs_end_time,
    end_after_start, end_in_future, daily_budget_duration)
_AFTER_REQUEST_DAILY = tuple(rule for rule in _CREATE_AFTER_REQUEST if rule not in _DAILY_ONLY_PASSES)
_AFTER_REQUEST_DAILY_OUTSIDE_EU = tuple(rule for rule in _CREATE_AFTER_REQUEST_OUTSIDE_EU if rule not in _DAILY_ONLY_PASSES)


def request_key(key: tuple[Any, ...], ctx: AdSetContext) -> tuple[Any, ...] | None:
    """What the BY_REQUEST rules read from a create whose `facts` are `key` (None: not remembered). The params
    count as sent only when sent as text (a form's value; a JSON body's or a PHP-style key's objects are not)."""
    raw = ctx.raw
    if raw is None:
        return None
    sent = (raw.get("execution_options"), raw.get("promoted_object"), raw.get("targeting"))
    size = 0
    for value in sent:
        if value is not None:
            if type(value) is not str:
                return None
            size += len(value)
    if size > _KEY_TEXT_LIMIT:  # the memo holds up to 512 keys: each stays small
        return None
    category = targeting.restricted_category(ctx)
    countries: tuple[Any, ...] = ()
    if category is not None:  # special_category_radius's fallback countries
        countries = tuple(c for c in ctx.campaign.data.get("special_ad_category_country") or [] if isinstance(c, str))
    return key + sent + (category, countries, ctx.tables.advantage_applies(ctx.version))


def _daily_budget_only(spec: Spec, ctx: AdSetContext) -> bool:
    """Whether each _DAILY_ONLY_PASSES rule answers None for this create: no bid_amount (the bid minimum), no
    campaign budget (the budget conflict), a daily budget, one of the budget fields (budget required), no
    lifetime_budget (both budgets, its end_time) and no end_time (the three schedule rules)."""
    return bool(spec.get("daily_budget")) and spec.get("bid_amount") is None and not spec.get("lifetime_budget") and \
        not spec.get("end_time") and not ctx.campaign_budget and "daily_budget" in ctx.table["budget"]["fields"]


def check_create(spec: Spec, ctx: AdSetContext) -> None:
    """check(CREATE_RULES, ...), skipping the rules a create with the same `request_key`, else the same `facts`,
    passed before (they would answer None again, so the first error raised is the same)."""
    key = facts(spec, ctx)
    wide = request_key(key, ctx) if key is not None else None
    tables = ctx.tables
    if wide is not None and wide in tables.passed_by_request:
        located = ctx.memo.get("dsa")  # (the targeting, its EU locations): rules/dsa.py _dsa_regulated's memo
        outside_eu = located is not None and located[0] is spec.get("targeting") and not located[1]
        if _daily_budget_only(spec, ctx):
            check(_AFTER_REQUEST_DAILY_OUTSIDE_EU if outside_eu else _AFTER_REQUEST_DAILY, spec, ctx)
        else:
            check(_CREATE_AFTER_REQUEST_OUTSIDE_EU if outside_eu else _CREATE_AFTER_REQUEST, spec, ctx)
        return
    passed = tables.passed_by_facts
    if key is not None and key in passed:
        check(_CREATE_REST, spec, ctx)
    else:
        if key is not None and all(rule(spec, ctx) is None for rule in BY_FACTS):
            passed.remember(key)
        check(CREATE_RULES, spec, ctx)
    if wide is not None:  # every rule passed
        tables.passed_by_request.remember(wide)


def fill_create(spec: Spec, ctx: AdSetContext) -> None:
    """fill(CREATE_FILLS, ...), with what the targeting fills work out from a targeting sent as text remembered by
    that text and the Advantage+ gate: whether the advantage_audience default applies, and the EU locations
    (rules/dsa.py). Both read the targeting, the tables and the gate only."""
    raw, sent = ctx.raw, spec.get("targeting")
    text = raw.get("targeting") if raw is not None else None
    if type(text) is not str or len(text) > _KEY_TEXT_LIMIT or not isinstance(sent, dict):
        fill(CREATE_FILLS, spec, ctx)
        return
    tables = ctx.tables
    key = (text, tables.advantage_applies(ctx.version))
    known = tables.targeting_fills.get(key)
    if known is None:
        targeting.advantage_audience_default(spec, ctx)
        known = (spec.get("targeting") is not sent, tuple(dsa.regulated(spec, ctx)))
        tables.targeting_fills.remember(key, known)
    else:
        if known[0]:
            targeting.flag_default(spec, sent, ctx.table["targeting"]["advantage_audience"])
        ctx.memo["dsa"] = (spec.get("targeting"), list(known[1]))
    dsa.dsa_account_defaults(spec, ctx)


def fill(fills: tuple[Fill, ...], spec: Spec, ctx: AdSetContext) -> None:
    for step in fills:
        step(spec, ctx)


def check(rules: tuple[Rule, ...], spec: Spec, ctx: AdSetContext) -> None:
    for rule in rules:
        error = rule(spec, ctx)
        if error is not None:
            raise error
