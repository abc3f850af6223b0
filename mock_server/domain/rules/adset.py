"""Ad set create/update rules (seed 000 ad set table; GRAPH-BEHAVIOUR 7-8): the context they read, the order
they run in, and the memos that let a create skip the ones a like create passed (docs/cold-writes.md).

Each rule is a small function `(spec, context) -> GraphError | None` over the
ad set as it would be after the write (create: the params; update: stored
fields merged with the params). The tables they read are in `schemas/rules/adset.json`. The rules live by area:
`rules/adset_creation.py` (status, the per-campaign limit), `rules/adset_objective.py` (destination, goal,
billing event), `rules/adset_bidding.py`, `rules/adset_budget.py` (budgets and schedule),
`rules/adset_promoted_object.py`, `rules/targeting.py`, `rules/dsa.py`.
The ordered tuples below are what the domain runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mock_server.contract.registry import SchemaRegistry
from mock_server.domain.rules import dsa, targeting
from mock_server.domain.rules.adset_bidding import (bid_amount_minimum, bid_amount_required, billing_event_for_strategy,
                                                    roas_floor_required, roas_goal_is_value, roas_without_bid_amount)
from mock_server.domain.rules.adset_budget import (budget_minimum, budget_not_under_campaign_budget, budget_required,
                                                   campaign_budget_only_fields, daily_budget_duration, end_after_start,
                                                   end_in_future, first_set, lifetime_budget_needs_end_time, one_budget)
from mock_server.domain.rules.adset_creation import campaign_adset_limit, creation_status
from mock_server.domain.rules.adset_objective import billing_event_for_goal, destination_for_objective, goal_for_objective
from mock_server.domain.rules.adset_promoted_object import (promoted_app_known, promoted_object_requirements,
                                                            promoted_page_known)
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
# The create rules that read what a create plan does not hold (domain/adset_plans.py): the world's pages and apps,
# the token's pages, the count of the campaign's ad sets. A planned create runs these again, in CREATE_RULES order.
RECHECKED: tuple[Rule, ...] = (promoted_page_known, promoted_app_known, campaign_adset_limit)
RECHECKED_READS = ("promoted_object",)  # all they read of the spec (a plan keeps only these)
# The campaign's stored keys no create rule, fill or build reads (the campaign's id reaches the ad set through
# ctx.campaign.id, set on every create): campaigns that differ only in these share their create plans.
CAMPAIGN_UNREAD = frozenset({"name", "created_time", "updated_time", "_created"})


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
