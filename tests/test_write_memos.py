"""The write paths' memos (issue 18 point 1, docs/cold-writes.md): each answers exactly what the path it skips
answers, for any input, and stays bounded."""

from __future__ import annotations

import json
from datetime import timezone
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server.contract import decoding
from mock_server.contract.decoding import ParamDecoder, _decode
from mock_server.contract.registry import default_registry

REGISTRY = default_registry()
_DECODER = ParamDecoder(REGISTRY, "requests/adset.create")


def _same(a: Any, b: Any) -> bool:
    """Equal, with the same types throughout and the same key order (what a stored record's JSON shows)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return repr(a) == repr(b)


_leaves = (st.none() | st.booleans() | st.integers(-(10**30), 10**30) | st.floats(allow_nan=False)
           | st.text(max_size=8))
_json = st.recursive(_leaves, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner,
                                                                                        max_size=4), max_leaves=12)
_texts = st.one_of(
    _json.map(json.dumps),
    _json.map(lambda v: json.dumps(v).replace('"', "'")),  # the relaxed reader's single quotes
    _json.map(lambda v: json.dumps(v) + ","),
    st.sampled_from(["[1,]", "{a:1}", '{"a":1,}', "[" * 70 + "]" * 70, '["\\ud800"]', "[18446744073709551616]",
                     "[-0.0]", "[1e400]", '{"a":1,"a":2}', " [1] ", "[1] x", "{}", "[]"]),
    st.text(max_size=12),
)


@settings(max_examples=60)
@given(_texts, st.sampled_from(["array", "object", "any"]))
def test_a_json_param_decodes_the_same_remembered_or_not(raw: str, kind: str) -> None:
    """A container's JSON text remembered as plain (`_PLAIN_JSON`) is read by orjson alone: the value, its types
    and key order, and the relaxed report are _decode's, the first time and every time after; each read is a
    value of its own (the record built from it may be changed in place)."""
    expected, strict = _decode(raw, kind, timezone.utc)
    _DECODER.kinds["probe"] = kind
    try:
        first = _DECODER.decode({"probe": raw}, timezone.utc)
        again = _DECODER.decode({"probe": raw}, timezone.utc)
    finally:
        del _DECODER.kinds["probe"]
    for decoded in (first, again):
        assert _same(decoded.values["probe"], expected)
        assert decoded.relaxed == ([] if strict else ["probe"])
    if isinstance(expected, (dict, list)) and expected:
        assert first.values["probe"] is not again.values["probe"]


def test_plain_json_texts_are_remembered_only_when_orjson_reads_them_alike() -> None:
    """Relaxed or spaced texts, and those orjson refuses (a lone surrogate, a number beyond a double), take the full
    way every time."""
    for raw in ["{a:1}", "[1,]", " [1] ", '["\\ud800"]', "[1e400]"]:
        _DECODER.decode({"targeting": raw}, timezone.utc)
        assert raw not in decoding._PLAIN_JSON
    _DECODER.decode({"targeting": '{"geo_locations":{"countries":["US"]}}'}, timezone.utc)
    assert '{"geo_locations":{"countries":["US"]}}' in decoding._PLAIN_JSON


def test_plain_json_memo_is_bounded() -> None:
    for i in range(decoding._PLAIN_JSON_LIMIT + 10):
        _DECODER.decode({"targeting": json.dumps({"n": i})}, timezone.utc)
    assert 0 < len(decoding._PLAIN_JSON) <= decoding._PLAIN_JSON_LIMIT
    _DECODER.decode({"targeting": json.dumps({"n": "x" * 5000})}, timezone.utc)
    assert json.dumps({"n": "x" * 5000}) not in decoding._PLAIN_JSON


# -- campaign create: the record and the rules ----------------------------------------------------------------------
from mock_server.domain import campaigns  # noqa: E402
from mock_server.domain.rules import campaign as campaign_rules  # noqa: E402
from mock_server.store.repository import Record  # noqa: E402
from mock_server.wire.errors import GraphError  # noqa: E402

_CAMPAIGN_TABLE = REGISTRY.rules("campaign")


def _plain_campaign_build(params: dict[str, Any], ctx: Any, object_id: int, now: float) -> Record:
    """campaigns.build as it ran before the fast forms: every create rule, the defaults read from the dict."""
    campaign_rules.check(campaign_rules.CREATE_RULES, params, ctx)
    table = ctx.table
    data: dict[str, Any] = {k: v for k, v in params.items() if k not in campaigns._NOT_STORED}
    data["status"] = params.get("status", table["default_status"])
    data.setdefault("buying_type", table["default_buying_type"])
    data["special_ad_categories"] = campaigns._categories(params.get("special_ad_categories", []))
    for name, value in campaigns._READ_DEFAULTS.items():
        if name not in data:
            data[name] = value.copy() if isinstance(value, list) else value
    if data.get("spend_cap") == table["spend_cap"]["remove_value"]:
        data.pop("spend_cap")
    data["created_time"] = data["updated_time"] = int(now)
    return Record(id=object_id, type="Campaign", account_id=ctx.account.account_id, status=data["status"], data=data,
                  created=int(now))


def _answer(run: Any) -> Any:
    """What `run` returns, or the error it raises (key, values, blame)."""
    try:
        return run()
    except GraphError as error:
        return error.key, dict(error.values), error.blame


def _built(build: Any, params: dict[str, Any], ctx: Any) -> Any:
    def record() -> Any:
        built = build(dict(params), ctx, 7, 1_900_000_000.5)
        return built, list(built.data.items())  # the key order too: the stored JSON's
    return _answer(record)


_campaign_params = st.fixed_dictionaries({}, optional={
    "name": st.just("c"),
    "objective": st.sampled_from(["OUTCOME_TRAFFIC", "OUTCOME_SALES", "LINK_CLICKS", "CONVERSIONS"]),
    "status": st.sampled_from(["ACTIVE", "PAUSED", "ARCHIVED", "DELETED"]),
    "special_ad_categories": st.lists(st.sampled_from(["NONE", "HOUSING", "EMPLOYMENT"]), max_size=2),
    "special_ad_category_country": st.lists(st.sampled_from(["US", "DE"]), max_size=1),
    "daily_budget": st.sampled_from([0, 100, 5000]), "lifetime_budget": st.sampled_from([0, 10_000]),
    "spend_cap": st.sampled_from([1, 50_000, _CAMPAIGN_TABLE["spend_cap"]["remove_value"]]),
    "bid_strategy": st.sampled_from(["LOWEST_COST_WITHOUT_CAP", "COST_CAP"]),
    "execution_options": st.lists(st.sampled_from(["validate_only", "include_recommendations"]), max_size=2),
    "buying_type": st.sampled_from(["AUCTION", "RESERVED"]),
    "pacing_type": st.just(["no_pacing"]), "can_use_spend_cap": st.booleans(), "adset_budgets": st.just([]),
})


@settings(max_examples=60)
@given(_campaign_params, st.sampled_from(["USD", "JPY", "EUR"]))
def test_campaign_build_answers_as_every_rule_and_the_plain_defaults(params: dict[str, Any], currency: str) -> None:
    """A campaign create builds the same record, key order included, or raises the same first error, whether the
    rules run in full or only the two a plain create can fail (rules/campaign.py `check_create`)."""
    from types import SimpleNamespace
    ctx = campaign_rules.RuleContext(REGISTRY, SimpleNamespace(account_id="42", currency=currency))  # type: ignore[arg-type]
    assert _built(campaigns.build, params, ctx) == _built(_plain_campaign_build, params, ctx)


def test_a_plain_campaign_create_runs_two_rules_and_defaults_each_its_own_list() -> None:
    """Seed 004's create (name, objective, status, special_ad_categories=[]): the record as before, and the
    pacing_type default is each record's own list."""
    from types import SimpleNamespace
    ctx = campaign_rules.RuleContext(REGISTRY, SimpleNamespace(account_id="42", currency="USD"))  # type: ignore[arg-type]
    params = {"name": "seed 004", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED", "special_ad_categories": []}
    first, second = campaigns.build(params, ctx, 1, 10.0), campaigns.build(params, ctx, 2, 10.0)
    assert _built(campaigns.build, params, ctx) == _built(_plain_campaign_build, params, ctx)
    assert first.data["pacing_type"] == ["standard"] and first.data["pacing_type"] is not second.data["pacing_type"]
    bad = {**params, "status": "ARCHIVED"}
    assert _built(campaigns.build, bad, ctx) == _built(_plain_campaign_build, bad, ctx)
    assert _built(campaigns.build, bad, ctx)[0] == "creation_status_invalid"


# -- ad set create: the budget and schedule rules a daily-budget-only create skips ------------------------------------
from types import SimpleNamespace  # noqa: E402

from mock_server.domain.rules import adset as adset_rules  # noqa: E402
from mock_server.domain.rules.adset import AdSetContext  # noqa: E402

_NOW = 1_900_000_000
_PASSING_ADSET: dict[str, Any] = {  # a create every rule passes under an OUTCOME_TRAFFIC campaign without a budget
    "status": "PAUSED", "billing_event": "IMPRESSIONS", "optimization_goal": "LINK_CLICKS", "daily_budget": 5000,
    "bid_strategy": "LOWEST_COST_WITHOUT_CAP", "start_time": _NOW,
    "targeting": {"geo_locations": {"countries": ["US"]}, "targeting_automation": {"advantage_audience": 0}}}
_money_or_none = st.sampled_from([None, 0, 1, 100, 5000, 10**9])
_schedules = st.fixed_dictionaries({}, optional={
    "daily_budget": _money_or_none, "lifetime_budget": _money_or_none, "bid_amount": st.sampled_from([None, 1, 500]),
    "end_time": st.sampled_from([None, 0, _NOW - 10, _NOW + 3600, _NOW + 30 * 86400]),
    "start_time": st.sampled_from([_NOW, _NOW + 100, _NOW + 40 * 86400]),
    "daily_spend_cap": st.sampled_from([None, 0, 1000]), "lifetime_min_spend_target": st.sampled_from([None, 1000])})


@settings(max_examples=60)
@given(st.lists(_schedules, min_size=1, max_size=6),
       st.fixed_dictionaries({}, optional={"daily_budget": st.sampled_from([0, 9000]),
                                           "lifetime_budget": st.sampled_from([0, 90000])}),
       st.sampled_from(["USD", "JPY"]))
def test_a_remembered_create_skips_budget_rules_only_as_the_full_rules_would(
        variants: list[dict[str, Any]], campaign: dict[str, Any], currency: str) -> None:
    """Creates that repeat a passing one's sent params (rules/adset.py `passed_by_request`) with other budgets,
    bid amounts and schedules: each answers the error check(CREATE_RULES) answers, or none (seed 000 budget and
    schedule rules; GRAPH-BEHAVIOUR 8), whether or not `_daily_budget_only` skips the budget rules."""
    tables = adset_rules.compiled(REGISTRY)
    tables.passed_by_request.keys.clear()
    record = Record(id=7, type="Campaign", account_id="1", status="ACTIVE",
                    data={"objective": "OUTCOME_TRAFFIC", **campaign})
    account = SimpleNamespace(currency=currency, raw={}, id="act_1", account_id="1")
    base = {k: v for k, v in _PASSING_ADSET.items() if not (k == "daily_budget" and any(campaign.values()))}
    for variant in [{}, *variants]:
        spec = {k: v for k, v in {**base, **variant}.items() if v is not None}
        raw = {k: v if isinstance(v, str) else json.dumps(v) for k, v in spec.items()}
        fast = AdSetContext(REGISTRY, account, SimpleNamespace(pages={}, apps={}), SimpleNamespace(pages=set()),  # type: ignore[arg-type]
                            record, _NOW, version="v25.0", raw=raw)
        plain = AdSetContext(REGISTRY, account, SimpleNamespace(pages={}, apps={}), SimpleNamespace(pages=set()),  # type: ignore[arg-type]
                             record, _NOW, version="v25.0")
        assert _answer(lambda: adset_rules.check_create(dict(spec), fast)) == \
            _answer(lambda: adset_rules.check(adset_rules.CREATE_RULES, dict(spec), plain))
    assert len(tables.passed_by_request.keys) >= 1  # the passing create was remembered: the variants took its path


def test_the_daily_budget_only_skips_are_the_rules_that_read_those_params() -> None:
    """What `_daily_budget_only` lets a create skip stays within the rules after the request memo (the rest run)."""
    assert set(adset_rules._DAILY_ONLY_PASSES) <= set(adset_rules._CREATE_AFTER_REQUEST)
    kept = [rule.__name__ for rule in adset_rules._AFTER_REQUEST_DAILY]
    assert kept == [r.__name__ for r in adset_rules._CREATE_AFTER_REQUEST if r not in adset_rules._DAILY_ONLY_PASSES]
    assert {"budget_minimum", "campaign_budget_only_fields", "campaign_adset_limit"} <= set(kept)


# -- request params: the known texts' decoded values reused (contract/known_valid.py `KnownValid.decode`) -------------
from zoneinfo import ZoneInfo  # noqa: E402

from mock_server.contract.validate import Contract  # noqa: E402

_PARAM_TEXTS: dict[str, list[Any]] = {  # valid and invalid texts, relaxed JSON, typed (JSON body) values
    "name": ["Ad set", "", "x" * 500, '"quoted"', 7],
    "campaign_id": ["120200000000000001", "abc", 120200000000000001],
    "status": ["ACTIVE", "PAUSED", "NOPE"],
    "billing_event": ["IMPRESSIONS", "BAD"],
    "optimization_goal": ["REACH", "LINK_CLICKS"],
    "daily_budget": ["5000", "-1", "1.5", 5000, "1" * 30],
    "bid_amount": ["100", "0"],
    "is_dynamic_creative": ["true", "1", "false", "maybe", True],
    "targeting": ['{"geo_locations":{"countries":["US"]}}', "{'geo_locations':{'countries':['US']}}", '{"age_min": 5}',
                  '{"geo_locations":{"countries":["US"]},"age_max":40.0}', {"geo_locations": {"countries": ["US"]}}],
    "promoted_object": ['{"page_id":"1"}', '{"page_id": 1}', '"x"'],
    "start_time": ["2026-01-01T00:00:00", "1767225600", "bad"],
    "special_ad_categories": ["[]", '["HOUSING"]', '["NOT_ONE"]', []],
    "objective": ["OUTCOME_TRAFFIC", "TRAFFIC"],
    "execution_options": ['["validate_only"]', "[validate_only]"],
    "not_a_param": ["1"],
}
_param_requests = st.lists(st.dictionaries(st.sampled_from(sorted(_PARAM_TEXTS)), st.sampled_from([0, 0, 0, 1, 2, 3, 4]),
                                           min_size=1, max_size=10), min_size=1, max_size=6)


def _contract_outcome(contract: Contract, schema: str, params: dict[str, Any], tz: Any) -> Any:
    try:
        decoded = contract.decode(schema, params, tz)
    except GraphError as error:
        return error.key, dict(error.values), error.blame, str(error)
    return [(k, type(v).__name__, repr(v)) for k, v in decoded.values.items()], decoded.unknown, decoded.relaxed


@settings(max_examples=60)
@given(st.sampled_from(["requests/adset.create", "requests/campaign.create", "requests/adset.update"]),
       _param_requests, st.sampled_from([timezone.utc, ZoneInfo("America/Los_Angeles"), ZoneInfo("Asia/Tokyo")]))
def test_known_texts_decode_to_the_values_and_errors_a_fresh_decode_answers(
        schema: str, requests: list[dict[str, int]], tz: Any) -> None:
    """Each request of a run, then the run again (its texts known, their values kept), then in another zone:
    the decoded values with their types and order, the unknown and relaxed names, or the first contract error, as
    decoding and validating the whole request afresh answers (datetimes read the zone: never kept)."""
    fast, whole = Contract(REGISTRY), Contract(REGISTRY)
    whole._split = lambda name, decoder: None  # type: ignore[method-assign]  # always the whole validation
    required = REGISTRY.documents[schema].get("required", [])
    for zone in (tz, timezone.utc):
        for picks in requests * 2:  # the required params valid unless drawn: most requests pass
            picks = {**{name: 0 for name in required if name in _PARAM_TEXTS}, **picks}
            params = {name: _PARAM_TEXTS[name][pick % len(_PARAM_TEXTS[name])] for name, pick in picks.items()}
            assert _contract_outcome(fast, schema, params, zone) == _contract_outcome(whole, schema, params, zone)


def test_a_known_container_text_decodes_to_a_value_of_its_own() -> None:
    """A targeting seen before is read again for each request: a record built from one never shares its lists."""
    contract = Contract(REGISTRY)
    params = {"name": "C", "objective": "OUTCOME_TRAFFIC", "special_ad_categories": "[]", "status": "PAUSED"}
    first = contract.decode("requests/campaign.create", params, timezone.utc)
    second = contract.decode("requests/campaign.create", params, timezone.utc)
    assert first == second and first.values["special_ad_categories"] is not second.values["special_ad_categories"]
    split = contract._known["requests/campaign.create"]
    assert split is not None and split.seen["objective"]["OUTCOME_TRAFFIC"] == "OUTCOME_TRAFFIC"
