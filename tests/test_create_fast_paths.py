"""The create paths' fast forms (issue 18 point 1, docs/cold-writes.md) answer exactly what the plain forms they
replaced answer, for any input a request can bring. Each `_plain_*` function below is the interpretation the
server ran before (the tables read directly, every message built up front); the properties compare them with
the rules and decoders the server runs now: same error key, values and blame, or both None."""

from __future__ import annotations

import json
import math
from datetime import timezone
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server.contract.decoding import ParamDecoder, _decode
from mock_server.contract.registry import default_registry
from mock_server.domain.rules import adset as rules
from mock_server.domain.rules import adset_bidding, adset_budget, adset_promoted_object, targeting
from mock_server.domain.rules.adset import AdSetContext
from mock_server.store.repository import Record
from mock_server.wire.errors import GraphError

REGISTRY = default_registry()
TABLE = REGISTRY.rules("adset")
NOW = 1_900_000_000


# -- the plain forms (as the server ran them before) ------------------------------------------------------------
def _plain_campaign_budget(ctx: AdSetContext) -> str | None:
    return next((f for f in ctx.table["budget"]["fields"] if ctx.campaign.data.get(f)), None)


def _plain_daily_minimum(spec: dict[str, Any], ctx: AdSetContext) -> tuple[int, str]:
    table = ctx.table["budget"]
    billing = spec.get("billing_event") or "IMPRESSIONS"
    strategy = adset_bidding.strategy_in_force(spec, ctx)[0]
    bid = spec.get("bid_amount")
    if strategy in ctx.table["bidding"]["needs_bid_amount"] and bid:
        multiplier = table["manual_bid_multiplier"].get(billing, table["manual_bid_multiplier"]["default"])
        return bid * multiplier, f" (manual bid: {multiplier} x bid_amount)"
    usd = table["min_daily_usd"].get(billing, table["min_daily_usd"]["default"])
    country = adset_budget.account_country(ctx)
    if country in table["double_minimum_countries"] and billing not in table["low_frequency_billing_events"]:
        return ctx.tables.minor_units_for_usd(ctx.account.currency, usd * 2), f" (USD {usd * 2:.2f}, account in {country})"
    return ctx.tables.minor_units_for_usd(ctx.account.currency, usd), f" (USD {usd:.2f})"


def _plain_budget_minimum(spec: dict[str, Any], ctx: AdSetContext) -> GraphError | None:
    if _plain_campaign_budget(ctx):
        return None
    name = next((f for f in ctx.table["budget"]["fields"] if spec.get(f)), None)
    if name is None:
        return None
    daily, basis = _plain_daily_minimum(spec, ctx)
    minimum = daily
    if name == "lifetime_budget" and spec.get("end_time") and spec.get("start_time"):
        days = max(1, math.ceil((spec["end_time"] - spec["start_time"]) / 86400))
        minimum, basis = daily * days, f"{basis}, {days} day(s) x {daily}"
    if spec[name] < minimum:
        return GraphError("adset_budget_too_low", field=name, minimum=minimum, currency=ctx.account.currency,
                          billing_event=spec.get("billing_event"), basis=basis)
    return None


def _plain_budget_required(spec: dict[str, Any], ctx: AdSetContext) -> GraphError | None:
    if _plain_campaign_budget(ctx) or any(spec.get(f) for f in ctx.table["budget"]["fields"]):
        return None
    return GraphError("adset_budget_required")


def _plain_promoted_object_requirements(spec: dict[str, Any], ctx: AdSetContext) -> GraphError | None:
    facts = {"objective": ctx.objective, "destination_type": spec.get("destination_type"),
             "optimization_goal": spec.get("optimization_goal")}
    promoted = spec.get("promoted_object") or {}
    for entry in ctx.tables.requirements(facts):
        if any(all(promoted.get(f) not in (None, "") for f in fields) for fields in entry["any_of"]):
            continue
        missing = next(f for f in entry["any_of"][0] if promoted.get(f) in (None, ""))
        context = " with ".join(f"{key} {facts[key]}" for key in entry["when"])
        needed = " or ".join("+".join(fields) for fields in entry["any_of"])
        return GraphError("adset_promoted_object_required", field=f"promoted_object[{missing}]", context=context,
                          needed=needed)
    return None


def _plain_location_required(spec: dict[str, Any], ctx: AdSetContext) -> GraphError | None:
    table = ctx.table["targeting"]
    geo, sent = targeting._geo(spec), targeting._targeting(spec)
    if any(geo.get(key) for key in table["geo_keys"]) or any(sent.get(k) for k in table["geo_optional_with"]):
        return None
    return GraphError("targeting_geo_required", field="targeting[geo_locations]")


def _plain_restricted_category(ctx: AdSetContext) -> str | None:
    restricted = ctx.table["targeting"]["special_ad_categories"]["categories"]
    return next((c for c in ctx.campaign.data.get("special_ad_categories") or [] if c in restricted), None)


# -- generated ad sets, campaigns and accounts ------------------------------------------------------------------
def _named(fact: str) -> list[str]:
    return sorted({v for entry in TABLE["promoted_object"] for v in entry["when"].get(fact, ())})


_PROMOTED_FIELDS = sorted({f for entry in TABLE["promoted_object"] for fields in entry["any_of"] for f in fields})
_BILLING = sorted(TABLE["budget"]["min_daily_usd"]) + ["UNLISTED"]
_STRATEGIES = [*TABLE["bidding"]["needs_bid_amount"], "LOWEST_COST_WITHOUT_CAP", "LOWEST_COST_WITH_MIN_ROAS"]
_GEO_KEYS = [*TABLE["targeting"]["geo_keys"][:4], "zips", "not_a_geo_key"]
_CATEGORIES = [*TABLE["targeting"]["special_ad_categories"]["categories"], "NONE", "ISSUES_ELECTIONS_POLITICS"]
_money = st.one_of(st.none(), st.just(0), st.integers(1, 10_000_000))
_times = st.one_of(st.none(), st.just(0), st.integers(NOW - 10 * 86400, NOW + 400 * 86400))

_specs = st.fixed_dictionaries({}, optional={
    "daily_budget": _money, "lifetime_budget": _money, "bid_amount": _money,
    "billing_event": st.sampled_from(_BILLING), "bid_strategy": st.sampled_from([*_STRATEGIES, ""]),
    "start_time": _times, "end_time": _times,
    "destination_type": st.sampled_from([*_named("destination_type"), "OTHER"]),
    "optimization_goal": st.sampled_from([*_named("optimization_goal"), "OTHER"]),
    "promoted_object": st.one_of(st.none(), st.dictionaries(st.sampled_from(_PROMOTED_FIELDS),
                                                            st.sampled_from([None, "", "1234", 0]), max_size=4)),
})
_targetings = st.one_of(st.fixed_dictionaries({}, optional={
    "geo_locations": st.one_of(st.dictionaries(st.sampled_from(_GEO_KEYS), st.sampled_from(
        [[], ["US"], {}, "", None, [{"key": "DE:10115"}]]), max_size=3), st.just([])),
    "custom_audiences": st.sampled_from([[], [{"id": "1"}], None])}), st.none(), st.just("not an object"))
_campaigns = st.fixed_dictionaries({"objective": st.sampled_from([*_named("objective"), "OUTCOME_OTHER"])}, optional={
    "daily_budget": _money, "lifetime_budget": _money, "bid_strategy": st.sampled_from(_STRATEGIES),
    "special_ad_categories": st.lists(st.sampled_from(_CATEGORIES), max_size=3)})
_accounts = st.builds(lambda currency, raw: SimpleNamespace(currency=currency, raw=raw, id="act_1", account_id="1"),
                      st.sampled_from(["USD", "EUR", "JPY", "GBP", "BRL", "KRW"]),
                      st.fixed_dictionaries({}, optional={"business_country_code": st.sampled_from(["US", "DE", "IN"]),
                                                          "country": st.sampled_from(["FR", "BR"])}))


def _context(account: Any, campaign: dict[str, Any], existing: dict[str, Any] | None = None,
             changed: frozenset[str] = frozenset()) -> AdSetContext:
    record = Record(id=7, type="Campaign", account_id="1", status="ACTIVE", data=campaign)
    return AdSetContext(REGISTRY, account, None, None, record, NOW, existing, changed)  # type: ignore[arg-type]


def _same(fast: GraphError | None, plain: GraphError | None) -> bool:
    """Both None, or the same error key, values and blame."""
    if plain is None or fast is None:
        return fast is plain
    return (fast.key, dict(fast.values), fast.blame) == (plain.key, dict(plain.values), plain.blame)


@settings(max_examples=60)
@given(_specs, _campaigns, _accounts)
def test_budget_rules_answer_as_the_tables_read_directly(spec: dict[str, Any], campaign: dict[str, Any],
                                                         account: Any) -> None:
    """GRAPH-BEHAVIOUR 8 minimum budgets (1885272, its note built only when refused), budget required, the
    campaign-budget fact: the same answers as the plain forms."""
    ctx = _context(account, campaign)
    assert ctx.campaign_budget == _plain_campaign_budget(ctx)
    assert _same(adset_budget.budget_minimum(spec, ctx), _plain_budget_minimum(spec, ctx))
    assert _same(adset_budget.budget_required(spec, ctx), _plain_budget_required(spec, ctx))
    assert adset_budget.daily_minimum(spec, ctx) == _plain_daily_minimum(spec, ctx)


@settings(max_examples=60)
@given(_specs, _targetings, _campaigns, _accounts)
def test_promoted_object_and_location_rules_answer_as_the_tables_read_directly(
        spec: dict[str, Any], sent: Any, campaign: dict[str, Any], account: Any) -> None:
    """GRAPH-BEHAVIOUR 7.3/7.6 (1885154) and 9 (a location is required), the campaign's restricted special ad
    category: the same answers as the plain forms."""
    spec["targeting"] = sent
    ctx = _context(account, campaign)
    assert _same(adset_promoted_object.promoted_object_requirements(spec, ctx), _plain_promoted_object_requirements(spec, ctx))
    assert _same(targeting.location_required(spec, ctx), _plain_location_required(spec, ctx))
    assert targeting.restricted_category(ctx) == _plain_restricted_category(ctx)


@settings(max_examples=40)
@given(_specs, _targetings, _campaigns, _accounts,
       st.sets(st.sampled_from(["targeting", "dsa_payor", "name", "daily_budget"])))
def test_update_rules_skip_what_was_not_sent(spec: dict[str, Any], sent: Any, campaign: dict[str, Any], account: Any,
                                             changed: set[str]) -> None:
    """On update the DSA locations are worked out only when targeting or a DSA field is sent (GRAPH-BEHAVIOUR 1.1)."""
    from mock_server.domain.rules import dsa
    spec["targeting"] = sent
    ctx = _context(account, campaign, existing={"name": "x"}, changed=frozenset(changed))
    sent = ctx.touched("targeting", *TABLE["dsa"]["fields"])
    plain = targeting.located_in(spec, TABLE["dsa"]["eu_countries"], TABLE["dsa"]["eu_country_groups"]) if sent else []
    assert dsa._dsa_regulated(spec, ctx) == plain


# -- param decoding --------------------------------------------------------------------------------------------
_DECODER = ParamDecoder(REGISTRY, "requests/adset.create")
_raw_text = st.one_of(st.integers(-(10**24), 10**24).map(str),
                      st.text(alphabet="0123456789 \"-+.e٣²\n\t", max_size=22), st.text(max_size=8))


_BOUNDARIES = ["9" * 18, "9" * 19, str(2**64 - 1), str(2**64), "[]", " []", "[ ]", "[1]", "٣", "12 ", '"7"']


def _decoding_differences(raw: str) -> list[str]:
    """The param kinds for which the decoder's answer for `raw` (value, type, relaxed list) differs from `_decode`'s."""
    differ = []
    for kind in ("integer", "string", "numeric-string", "array", "object", "boolean"):
        _DECODER.kinds["probe"] = kind
        try:
            decoded = _DECODER.decode({"probe": raw}, timezone.utc)
        finally:
            del _DECODER.kinds["probe"]
        value, strict = _decode(raw, kind, timezone.utc)
        got = decoded.values["probe"]  # NaN (relaxed JSON reads `NaN`) is not equal to itself: compare its repr too
        if not ((got == value or repr(got) == repr(value)) and type(got) is type(value)
                and decoded.relaxed == ([] if strict else ["probe"])):
            differ.append(kind)
    return differ


@settings(max_examples=60)
@given(st.one_of(_raw_text, st.sampled_from(_BOUNDARIES)))
def test_decoding_fast_paths_equal_the_full_decoder(raw: str) -> None:
    """Plain digits (an integer param), unquoted text (a string or numeric-string param) and `[]` (an array param)
    skip _decode's steps: the value is what _decode answers, and nothing is reported relaxed."""
    assert _decoding_differences(raw) == []


def test_decoding_fast_paths_at_their_boundaries() -> None:
    """The fast paths' edges, every time (the property above samples them)."""
    assert {raw: _decoding_differences(raw) for raw in _BOUNDARIES} == {raw: [] for raw in _BOUNDARIES}


def test_create_and_update_run_the_same_rules_in_the_same_order() -> None:
    """A create runs the targeting checks unwrapped (it sends the whole targeting), an update their when-sent
    forms: the same rules, in the same order, around the same others."""
    created = [rule.__name__ for rule in rules.CREATE_RULES]
    updated = [rule.__name__ for rule in rules.UPDATE_RULES]
    assert created == ["execution_options", "creation_status", *updated[1:], "campaign_adset_limit"]
    assert [r.__wrapped__ for r in targeting.RULES] == list(targeting.CHECKS)  # type: ignore[attr-defined]


_budgets = st.fixed_dictionaries({}, optional={"daily_budget": _money, "lifetime_budget": _money, "name": st.just("x")})


@settings(max_examples=40)
@given(_budgets, st.one_of(st.none(), _budgets))
def test_one_campaign_budget_answers_as_the_merged_campaign(params: dict[str, Any], existing: Any) -> None:
    """Seed 004: daily_budget and lifetime_budget are alternatives, judged on the campaign as it will be (the
    stored one with the params over it), without building that merged copy: the same answer (same
    error key, values and blame, or both None)."""
    from mock_server.domain.rules import campaign as campaign_rules
    ctx = campaign_rules.RuleContext(REGISTRY, SimpleNamespace(currency="USD"), existing)  # type: ignore[arg-type]
    merged = {**(existing or {}), **{k: v for k, v in params.items() if k in ("daily_budget", "lifetime_budget")}}
    plain = GraphError("campaign_budget_both") if merged.get("daily_budget") and merged.get("lifetime_budget") else None
    assert _same(campaign_rules.one_campaign_budget(params, ctx), plain)


# -- the create rules that read only facts, skipped when the same facts passed --------------------------------
_WORLD = SimpleNamespace(pages={"1234": {}}, apps={"1234": {}})
_TOKEN = SimpleNamespace(pages={"1234"})
_OBJECTIVES = sorted(TABLE["objectives"])
_ALL_BILLING = sorted({b for allowed in TABLE["billing_events"]["by_goal"].values() for b in allowed} | {"UNLISTED"})
_ALL_GOALS = sorted({g for row in TABLE["objectives"].values() for goals in [row["without_destination"],
                                                                               *row["destinations"].values()]
                     for g in goals} | {"OTHER"})
_VARIED: dict[str, Any] = {
    "status": st.sampled_from(["ACTIVE", "PAUSED", "ARCHIVED", None]), "billing_event": st.sampled_from(_ALL_BILLING),
    "bid_strategy": st.sampled_from([*_STRATEGIES, ""]), "bid_amount": _money,
    "destination_type": st.sampled_from([*_named("destination_type"), "WEBSITE", "OTHER", None]),
    "optimization_goal": st.sampled_from(_ALL_GOALS), "bid_constraints": st.sampled_from([{}, {"roas_average_floor": 100}]),
    "daily_budget": _money, "targeting": _targetings,
}
# a variant changes one or two params of the run's first create: most share all other facts with it
_variants = st.lists(st.sampled_from(sorted(_VARIED)), min_size=1, max_size=2, unique=True).flatmap(
    lambda names: st.fixed_dictionaries({name: _VARIED[name] for name in names}))


_ROAS_SETUPS = [(objective, destination) for objective, row in sorted(TABLE["objectives"].items())
                for destination in [None, *sorted(row["destinations"])]
                if TABLE["bidding"]["min_roas"]["goal"] in (row["destinations"][destination] if destination
                                                            else row["without_destination"])]


@st.composite
def _fact_runs(draw: Any) -> tuple[list[dict[str, Any]], list[tuple[int, dict[str, Any]]]]:
    """A campaign and a run of creates under it: one that passes the fact rules, then variants of it (each fact
    may change), so a fact left out of the remembered key would let a variant through."""
    roas = TABLE["bidding"]["min_roas"]
    strategy = draw(st.sampled_from(["LOWEST_COST_WITHOUT_CAP", *TABLE["bidding"]["needs_bid_amount"], None, None,
                                     roas["strategy"]]))  # None: the campaign's strategy, else the default
    if strategy == roas["strategy"]:  # MIN_ROAS: goal VALUE where the objective allows it (GRAPH-BEHAVIOUR 8)
        objective, destination = draw(st.sampled_from(_ROAS_SETUPS))
        goal, billing = roas["goal"], "IMPRESSIONS"
    else:
        objective = draw(st.sampled_from(_OBJECTIVES))
        row = TABLE["objectives"][objective]
        destination = draw(st.sampled_from([None, *sorted(row["destinations"])]))
        goal = draw(st.sampled_from((row["destinations"][destination] if destination else row["without_destination"])
                                    or ["REACH"]))
        billing = draw(st.sampled_from(TABLE["billing_events"]["by_goal"].get(goal, TABLE["billing_events"]["default"])))
    base = {"status": "PAUSED", "optimization_goal": goal, "billing_event": billing,
            **({"bid_strategy": strategy} if strategy else {}),
            **({"destination_type": destination} if destination else {}),
            **({"bid_amount": 500} if strategy in TABLE["bidding"]["needs_bid_amount"] else {}),
            **({"bid_constraints": {roas["constraint"]: 100}} if strategy == roas["strategy"] else {})}
    campaign = {"objective": objective, **draw(st.fixed_dictionaries({}, optional={
        "daily_budget": _money, "bid_strategy": st.sampled_from(_STRATEGIES)}))}
    other = {**campaign, "objective": draw(st.one_of(st.just(objective), st.sampled_from(_OBJECTIVES)))}
    other.pop("bid_strategy", None)
    other.update(draw(st.fixed_dictionaries({}, optional={"bid_strategy": st.sampled_from(_STRATEGIES)})))  # its own
    specs = [base] + [{**base, **variant} for variant in draw(st.lists(_variants, min_size=1, max_size=5))]
    for spec in list(specs):  # the same facts, bid_amount sent or not
        toggled = dict(spec)
        if toggled.pop("bid_amount", None) is None:
            toggled["bid_amount"] = 500
        specs.append(toggled)
    first = draw(st.integers(0, 1))  # each create under both campaigns, in a drawn order
    return [campaign, other], [(which, spec) for spec in specs for which in (first, 1 - first)]


def _outcome(run: Any) -> tuple[Any, ...] | None:
    try:
        run()
    except GraphError as error:
        return error.key, dict(error.values), error.blame
    return None


@settings(max_examples=60)
@given(_fact_runs(), _accounts)
def test_create_rules_skip_the_fact_rules_only_as_the_full_rules_would(run: Any, account: Any) -> None:
    """rules/adset.py check_create skips BY_FACTS for a create whose facts passed before: every create in a run
    answers the same error (or none) as check(CREATE_RULES) (GRAPH-BEHAVIOUR 6.1, 7.2-7.5, 8)."""
    campaigns, specs = run
    rules.compiled(REGISTRY).passed_by_facts.keys.clear()
    for which, spec in specs:
        record = Record(id=7 + which, type="Campaign", account_id="1", status="ACTIVE", data=campaigns[which])
        fast = AdSetContext(REGISTRY, account, _WORLD, _TOKEN, record, NOW)  # type: ignore[arg-type]
        plain = AdSetContext(REGISTRY, account, _WORLD, _TOKEN, record, NOW)  # type: ignore[arg-type]
        assert _outcome(lambda: rules.check_create(dict(spec), fast)) == \
            _outcome(lambda: rules.check(rules.CREATE_RULES, dict(spec), plain))


_PASSING: dict[str, Any] = {  # a create every rule passes under an OUTCOME_TRAFFIC campaign
    "status": "PAUSED", "billing_event": "IMPRESSIONS", "optimization_goal": "LINK_CLICKS", "daily_budget": 5000,
    "bid_strategy": "LOWEST_COST_WITHOUT_CAP",
    "targeting": {"geo_locations": {"countries": ["US"]}, "targeting_automation": {"advantage_audience": 0}}}


def test_create_rules_remember_the_facts_that_passed() -> None:
    """A create that passes the fact rules is remembered; one with other facts is not taken for it."""
    tables = rules.compiled(REGISTRY)
    tables.passed_by_facts.keys.clear()
    record = Record(id=7, type="Campaign", account_id="1", status="ACTIVE", data={"objective": "OUTCOME_TRAFFIC"})
    account = SimpleNamespace(currency="USD", raw={}, id="act_1", account_id="1")
    spec = dict(_PASSING)
    ctx = AdSetContext(REGISTRY, account, _WORLD, _TOKEN, record, NOW)  # type: ignore[arg-type]
    rules.check_create(dict(spec), ctx)
    assert rules.facts(spec, ctx) in tables.passed_by_facts
    refused = {**spec, "status": "ARCHIVED"}
    assert rules.facts(refused, ctx) not in tables.passed_by_facts
    outcome = _outcome(lambda: rules.check_create(refused, ctx))
    assert outcome is not None and outcome[0] == "creation_status_invalid"


# -- the create rules keyed by the params as sent (rules/adset.py BY_REQUEST, request_key) -------------------------
_SENT_GEOS = st.sampled_from([
    {"countries": ["US"]}, {"zips": [{"key": "US:94304"}]},
    {"cities": [{"key": "1", "radius": 12, "distance_unit": "mile", "country": "US"}]},
    {"cities": [{"key": "2", "radius": 20, "distance_unit": "kilometer", "country": "DE"}]},
    {"cities": [{"key": "3", "radius": 18, "distance_unit": "kilometer"}]},  # its region from the campaign's
    {"custom_locations": [{"latitude": 1.0, "longitude": 2.0, "radius": 0.5}]}])
_SENT_TARGETINGS = st.one_of(_targetings, st.fixed_dictionaries({"geo_locations": _SENT_GEOS}), st.fixed_dictionaries(
    {"geo_locations": _SENT_GEOS}, optional={
        "age_min": st.sampled_from([13, 18, 30]), "age_max": st.sampled_from([65, 40, 20]),
        "genders": st.sampled_from([[1], [1, 2]]), "interests": st.sampled_from([[{"id": "6003"}]]),
        "excluded_geo_locations": st.sampled_from([{"countries": ["CA"]}]), "not_an_option": st.just(1),
        "targeting_automation": st.sampled_from([{"advantage_audience": 0}, {"advantage_audience": 1}, {}])}))
_SENT: dict[str, Any] = {
    "targeting": _SENT_TARGETINGS,
    "promoted_object": st.one_of(st.none(), st.dictionaries(st.sampled_from(_PROMOTED_FIELDS),
                                                            st.sampled_from([None, "", "1234", "999"]), max_size=3)),
    "execution_options": st.sampled_from([None, [], ["validate_only"], ["include_recommendations"],
                                          ["include_recommendations", "validate_only"]]),
}
_CAMPAIGN_SAC = st.fixed_dictionaries({}, optional={
    "special_ad_categories": st.lists(st.sampled_from(_CATEGORIES), max_size=2),
    "special_ad_category_country": st.sampled_from([["DE"], ["US", "DE"], [], ["FR", 7]])})
_VERSIONS = st.permutations([st.sampled_from([None, "v23.0", "v25.0"]), st.just("v22.0")])


@st.composite
def _request_runs(draw: Any) -> tuple[list[dict[str, Any]], list[tuple[int, str | None, dict[str, Any]]]]:
    """A create that passes, then variants that change one sent param (targeting, promoted_object,
    execution_options) or its facts (`_fact_runs`), each sent twice under five campaigns (their special ad
    categories and countries differ) at two versions: a part left out of the remembered key lets a variant through."""
    (plain, other), runs = draw(_fact_runs())
    plain, other = ({k: v for k, v in campaign.items() if k not in ("daily_budget", "lifetime_budget")}
                    for campaign in (plain, other))
    housing = {**plain, "special_ad_categories": ["HOUSING"]}  # the same facts, a restricted category
    campaigns = [plain, housing, {**housing, "special_ad_category_country": ["DE"]},
                 {**housing, "special_ad_category_country": ["US"]}, {**other, **draw(_CAMPAIGN_SAC)}]
    first = {**runs[0][1], "daily_budget": 5_000_000,
             "bid_strategy": runs[0][1].get("bid_strategy") or "LOWEST_COST_WITHOUT_CAP",  # not a campaign's BID_CAP "promoted_object": {name: "1234" for name in _PROMOTED_FIELDS},
             "targeting": {"geo_locations": {"countries": ["US"]}, "targeting_automation": {"advantage_audience": 0}}}
    specs = [first]
    for name in draw(st.lists(st.sampled_from([*sorted(_SENT), "facts"]), min_size=1, max_size=4)):
        if name == "facts":
            specs.append({**first, **draw(st.sampled_from([spec for _, spec in runs]))})
        else:
            specs.append({**first, name: draw(_SENT[name])})
    versions = [draw(version) for version in draw(_VERSIONS)]  # one below the Advantage+ gate (v23.0)
    order = draw(st.permutations(range(len(campaigns))))
    out = []
    for spec in specs:
        clean = {k: v for k, v in spec.items() if v is not None}
        for which in order:
            for version in versions:
                out += [(which, version, clean)] * 2
    return campaigns, out


def _sent(spec: dict[str, Any]) -> dict[str, Any]:
    """The params as a form sends them: JSON text for each object or list (what the decoder turns into `spec`)."""
    return {name: value if isinstance(value, str) else json.dumps(value) for name, value in spec.items()}


@settings(max_examples=60)
@given(_request_runs(), _accounts)
def test_create_rules_skip_the_request_rules_only_as_the_full_rules_would(run: Any, account: Any) -> None:
    """rules/adset.py check_create skips BY_REQUEST for a create whose sent targeting, promoted_object,
    execution_options, facts, campaign special ad category (and its countries) and Advantage+ gate passed before:
    every create answers the same error (or none) as check(CREATE_RULES) (GRAPH-BEHAVIOUR 7-9, 11)."""
    campaigns, creates = run
    tables = rules.compiled(REGISTRY)
    tables.passed_by_facts.keys.clear()
    tables.passed_by_request.keys.clear()
    for which, version, spec in creates:
        record = Record(id=7 + which, type="Campaign", account_id="1", status="ACTIVE", data=campaigns[which])
        fast = AdSetContext(REGISTRY, account, _WORLD, _TOKEN, record, NOW, version=version,  # type: ignore[arg-type]
                            raw=_sent(spec))
        plain = AdSetContext(REGISTRY, account, _WORLD, _TOKEN, record, NOW, version=version)  # type: ignore[arg-type]
        assert _outcome(lambda: rules.check_create(dict(spec), fast)) == \
            _outcome(lambda: rules.check(rules.CREATE_RULES, dict(spec), plain))


def test_create_rules_remember_the_request_only_when_sent_as_text() -> None:
    """A passing create sent as a form is remembered and a changed targeting is checked again (GRAPH-BEHAVIOUR 9:
    'at least one country'); objects (a JSON body, PHP-style keys) and long texts are never keys."""
    tables = rules.compiled(REGISTRY)
    tables.passed_by_request.keys.clear()
    record = Record(id=7, type="Campaign", account_id="1", status="ACTIVE", data={"objective": "OUTCOME_TRAFFIC"})
    account = SimpleNamespace(currency="USD", raw={}, id="act_1", account_id="1")
    spec = dict(_PASSING)

    def context(raw: dict[str, Any] | None) -> AdSetContext:
        return AdSetContext(REGISTRY, account, _WORLD, _TOKEN, record, NOW, version="v25.0", raw=raw)  # type: ignore[arg-type]
    rules.check_create(dict(spec), context(_sent(spec)))
    assert len(tables.passed_by_request.keys) == 1
    no_country = {**spec, "targeting": {"targeting_automation": {"advantage_audience": 0}}}
    assert _outcome(lambda: rules.check_create(dict(no_country), context(_sent(no_country))))[0] == \
        "targeting_geo_required"  # type: ignore[index]
    assert rules.request_key(rules.facts(spec, context(spec)), context(spec)) is None  # type: ignore[arg-type]
    long = {**spec, "targeting": {**spec["targeting"], "interests": [{"id": str(i)} for i in range(400)]}}
    assert rules.request_key(rules.facts(long, context(_sent(long))), context(_sent(long))) is None  # type: ignore[arg-type]


_HOUSING = {"objective": "OUTCOME_TRAFFIC", "special_ad_categories": ["HOUSING"]}
_CITY = {"geo_locations": {"cities": [{"key": "3", "radius": 18, "distance_unit": "kilometer"}]},
         "targeting_automation": {"advantage_audience": 0}}


@pytest.mark.parametrize(("first", "second", "error"), [
    # (campaign, version, spec) of a passing create, then of one that differs in one part of the key
    (({"objective": "OUTCOME_TRAFFIC"}, "v25.0", _PASSING),
     ({"objective": "OUTCOME_TRAFFIC"}, "v25.0", {**_PASSING, "targeting": {"geo_locations": {}}}),
     "targeting_geo_required"),  # GRAPH-BEHAVIOUR 9: a location
    (({"objective": "OUTCOME_TRAFFIC"}, "v25.0", _PASSING),
     ({"objective": "OUTCOME_TRAFFIC"}, "v25.0", {**_PASSING, "execution_options": ["include_recommendations"]}),
     "include_recommendations_alone"),  # GRAPH-BEHAVIOUR 11
    (({"objective": "OUTCOME_APP_PROMOTION"}, "v25.0",
      {**_PASSING, "optimization_goal": "APP_INSTALLS", "promoted_object": {"application_id": "1234",
                                                                            "object_store_url": "https://x"}}),
     ({"objective": "OUTCOME_APP_PROMOTION"}, "v25.0",
      {**_PASSING, "optimization_goal": "APP_INSTALLS", "promoted_object": {"application_id": "1234"}}),
     "adset_promoted_object_required"),  # GRAPH-BEHAVIOUR 7.6
    (({"objective": "OUTCOME_TRAFFIC"}, "v25.0", {**_PASSING, "targeting": {**_CITY, "age_min": 30}}),
     (_HOUSING, "v25.0", {**_PASSING, "targeting": {**_CITY, "age_min": 30}}),
     "targeting_sac_age"),  # M-SAC: the campaign's restricted category
    (({**_HOUSING, "special_ad_category_country": ["DE"]}, "v25.0", {**_PASSING, "targeting": _CITY}),
     ({**_HOUSING, "special_ad_category_country": ["US"]}, "v25.0", {**_PASSING, "targeting": _CITY}),
     "targeting_sac_radius"),  # M-SAC: 15 km in Europe, 25 km in the US (the campaign's countries)
    (({"objective": "OUTCOME_TRAFFIC"}, "v22.0", {**_PASSING, "targeting": {"geo_locations": {"countries": ["US"]},
                                                                            "age_min": 30}}),
     ({"objective": "OUTCOME_TRAFFIC"}, "v25.0", {**_PASSING, "targeting": {"geo_locations": {"countries": ["US"]},
                                                                            "age_min": 30}}),
     "targeting_advantage_audience_required"),  # M-ADV: from v23.0 on
    (({"objective": "OUTCOME_TRAFFIC"}, "v25.0", _PASSING),
     ({"objective": "OUTCOME_TRAFFIC", "bid_strategy": "COST_CAP"}, "v25.0",
      {k: v for k, v in _PASSING.items() if k != "bid_strategy"}),
     "adset_bid_amount_required"),  # seed 000: the strategy in force, the campaign's
])
def test_create_rules_remembered_by_request_see_each_changed_part(first: Any, second: Any, error: str) -> None:
    """A create that differs from a remembered passing one in any part of `request_key` gets the full rules'
    answer (the error named), not the remembered pass."""
    tables = rules.compiled(REGISTRY)
    tables.passed_by_request.keys.clear()
    tables.passed_by_facts.keys.clear()
    account = SimpleNamespace(currency="USD", raw={}, id="act_1", account_id="1")
    outcomes = []
    for campaign, version, spec in (first, second):
        record = Record(id=7, type="Campaign", account_id="1", status="ACTIVE", data=campaign)
        ctx = AdSetContext(REGISTRY, account, _WORLD, _TOKEN, record, NOW, version=version,  # type: ignore[arg-type]
                           raw=_sent(spec))
        outcomes.append(_outcome(lambda: rules.check_create(dict(spec), ctx)))
        if not outcomes[0] is None:
            break
    assert outcomes[0] is None and len(tables.passed_by_request.keys) == 1
    assert outcomes[1] is not None and outcomes[1][0] == error


# -- the create fills remembered by the targeting sent (rules/adset.py fill_create) ---------------------------------
_FILL_TARGETINGS = st.fixed_dictionaries({}, optional={
    "geo_locations": st.sampled_from([{"countries": ["US"]}, {"countries": ["de", "US"]}, {"country_groups": ["eu"]},
                                      {"regions": [{"key": "3847", "country": "FR"}]}, {"zips": [{"key": "DE:10115"}]},
                                      {}]),
    "age_min": st.sampled_from([18, 30]), "genders": st.sampled_from([[1], [1, 2]]),
    "interests": st.just([{"id": "6003"}]),
    "targeting_automation": st.sampled_from([{"advantage_audience": 0}, {}, {"other": 1}])})
_DSA_ACCOUNTS = st.sampled_from([
    SimpleNamespace(currency="EUR", raw={}, id="act_1", account_id="1"),
    SimpleNamespace(currency="EUR", raw={"default_dsa_payor": "Payor", "default_dsa_beneficiary": "Beneficiary"},
                    id="act_2", account_id="2")])


@settings(max_examples=50)
@given(st.lists(st.tuples(_FILL_TARGETINGS, st.sampled_from([None, "v22.0", "v23.0", "v25.0"]), _DSA_ACCOUNTS,
                          st.sampled_from([{}, {"dsa_payor": "Sent"}, {"dsa_beneficiary": " "}])), min_size=1, max_size=8))
def test_create_fills_remembered_by_the_targeting_sent_fill_as_the_fills_do(creates: Any) -> None:
    """fill_create completes a create exactly as fill(CREATE_FILLS) does (advantage_audience default: M-ADV v23+;
    the account's DSA payor and beneficiary for EU targeting: GRAPH-BEHAVIOUR 9), each create sent twice, so the
    second (and any create with the same targeting text) is answered from the memo; the rules then agree too."""
    rules.compiled(REGISTRY).targeting_fills.answers.clear()
    record = Record(id=7, type="Campaign", account_id="1", status="ACTIVE", data={"objective": "OUTCOME_TRAFFIC"})
    for sent, version, account, dsa_params in creates * 2:
        spec = {"status": "PAUSED", "targeting": json.loads(json.dumps(sent)), **dsa_params}
        fast = AdSetContext(REGISTRY, account, _WORLD, _TOKEN, record, NOW, version=version,  # type: ignore[arg-type]
                            raw=_sent(spec))
        plain = AdSetContext(REGISTRY, account, _WORLD, _TOKEN, record, NOW, version=version)  # type: ignore[arg-type]
        filled, expected = dict(spec), dict(spec)
        rules.fill_create(filled, fast)
        rules.fill(rules.CREATE_FILLS, expected, plain)
        assert filled == expected
        assert json.dumps(sent) == json.dumps(spec["targeting"])  # the params' own targeting left as sent
        for name in ("dsa_payor_required", "dsa_beneficiary_required"):
            rule = getattr(rules.dsa, name)
            assert _same(rule(filled, fast), rule(expected, plain))


def test_record_defaults_are_the_tables_each_record_its_own_copy() -> None:
    """domain/adsets.py build: the table's defaults (graph-node-fields AdSet: pacing_type ["standard"] ...), as
    compiled (adset_tables.defaults, not_stored), fill what the create did not send; a record owns its lists."""
    tables = rules.compiled(REGISTRY)
    assert [(key, value) for key, value, _ in tables.defaults] == list(TABLE["defaults"].items())
    assert tables.not_stored == frozenset(TABLE["not_stored"])
    copies = [copier(value) for _, value, copier in tables.defaults if copier is not None]
    assert copies and all(copy == value and copy is not value
                          for copy, (_, value, copier) in zip(copies, [d for d in tables.defaults if d[2] is not None]))


@settings(max_examples=50)
@given(st.lists(st.tuples(_FILL_TARGETINGS, _DSA_ACCOUNTS), min_size=1, max_size=4),
       st.lists(st.sampled_from([{}, {"dsa_payor": "P", "dsa_beneficiary": "B"}, {"dsa_payor": " "},
                                 {"dsa_beneficiary": "B"}]), min_size=2, max_size=4))
def test_a_remembered_create_skips_the_dsa_rules_only_outside_the_eu(setups: Any, sent_dsa: Any) -> None:
    """adsets.build's fills and rules (fill_create, check_create) answer as fill(CREATE_FILLS) + check(CREATE_RULES)
    when creates repeat a remembered one with other DSA params: the DSA rules are skipped only for a targeting
    without EU locations (GRAPH-BEHAVIOUR 1.1/9: 'No payor provided in DSA regulated region')."""
    tables = rules.compiled(REGISTRY)
    tables.passed_by_request.keys.clear()
    tables.targeting_fills.answers.clear()
    record = Record(id=7, type="Campaign", account_id="1", status="ACTIVE", data={"objective": "OUTCOME_TRAFFIC"})
    for targeting_sent, account in setups:
        geo = targeting_sent.get("geo_locations") or {"countries": ["US"]}
        for dsa_params in sent_dsa * 2:
            spec = {**_PASSING, "targeting": {**targeting_sent, "geo_locations": geo}, **dsa_params}
            fast = AdSetContext(REGISTRY, account, _WORLD, _TOKEN, record, NOW, version="v25.0",  # type: ignore[arg-type]
                                raw=_sent(spec))
            plain = AdSetContext(REGISTRY, account, _WORLD, _TOKEN, record, NOW, version="v25.0")  # type: ignore[arg-type]
            filled, expected = dict(spec), dict(spec)

            def fast_path() -> None:
                rules.fill_create(filled, fast)
                rules.check_create(filled, fast)

            def plain_path() -> None:
                rules.fill(rules.CREATE_FILLS, expected, plain)
                rules.check(rules.CREATE_RULES, expected, plain)
            assert _outcome(fast_path) == _outcome(plain_path)
