"""The strategies' public API: pins, labels, encodings, and one breaker per server rule."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract_tests import strategies as s
from contract_tests.cases import Expected
from mock_server.contract.registry import default_registry
from mock_server.domain.rules import ad as ad_rules
from mock_server.domain.rules import adset as adset_rules
from mock_server.domain.rules import campaign as campaign_rules
from mock_server.domain.rules import creative as creative_rules

REGISTRY = default_registry()
TABLE = REGISTRY.rules("campaign")


@settings(max_examples=60)
@given(s.valid_campaign_create(objective="OUTCOME_SALES", status="PAUSED"))
def test_pinned_params_are_respected_and_required_ones_present(payload: dict) -> None:
    assert payload["objective"] == "OUTCOME_SALES" and payload["status"] == "PAUSED"
    assert {"name", "objective", "special_ad_categories"} <= set(payload)
    assert not set(payload) & set(s.OPERATIONS["campaign.create"].not_generated)


@settings(max_examples=100)
@given(s.valid_campaign_create())
def test_valid_payloads_respect_the_rule_table(payload: dict) -> None:
    """Seed 004: OUTCOME_* only, ACTIVE/PAUSED at creation, one budget, bid_strategy needs a budget."""
    assert payload["objective"] in TABLE["creatable_objectives"]
    assert payload.get("status", "ACTIVE") in TABLE["creation_statuses"]
    assert not (payload.get("daily_budget") and payload.get("lifetime_budget"))
    if "bid_strategy" in payload:
        assert payload.get("daily_budget") or payload.get("lifetime_budget")
    assert REGISTRY.get("requests/campaign.create").is_valid(payload)


def test_every_server_rule_has_a_breaker() -> None:
    """A rule added to mock_server/domain/rules/campaign.py without a breaker would go untested."""
    for operation, rules in (("campaign.create", campaign_rules.CREATE_RULES), ("campaign.update", campaign_rules.UPDATE_RULES),
                             ("adset.create", adset_rules.CREATE_RULES), ("adcreative.create", creative_rules.CREATE_RULES),
                             ("ad.create", ad_rules.CREATE_RULES)):
        covered = {name.split("[")[0] for name in s.rules(operation)}  # rule:text_limits[empty] covers text_limits
        missing = {f"rule:{rule.__name__}" for rule in rules} - covered
        if operation == "adcreative.create":
            missing.discard("rule:execution_options")  # creatives only know validate_only: an enum, not a rule
        assert not missing, (operation, missing)


@settings(max_examples=40)
@given(s.invalid_campaign_create(rule="rule:spend_cap_minimum"))
def test_invalid_cases_carry_the_catalogue_error(case: s.Invalid) -> None:
    """Seed 004: spend_cap below $100 -> code 100 subcode 2446307 blaming spend_cap."""
    assert case.rule == "rule:spend_cap_minimum" and case.setup == ()
    assert case.expected == Expected("spend_cap_too_low", 100, 2446307, "spend_cap", 400)
    assert 0 <= case.payload["spend_cap"] < 10000


@settings(max_examples=40)
@given(s.invalid_campaign_create(rule="missing:special_ad_categories"))
def test_required_override_comes_from_the_schema(case: s.Invalid) -> None:
    assert "special_ad_categories" not in case.payload
    assert case.expected.key == "special_ad_categories_required" and case.expected.blame == [["special_ad_categories"]]


@settings(max_examples=30)
@given(s.invalid_campaign_update(rule="rule:bid_strategy_needs_campaign_budget"))
def test_update_breakers_adjust_the_setup(case: s.Invalid) -> None:
    [step] = case.setup
    assert step.operation == "campaign.create"
    assert not (step.payload.get("daily_budget") or step.payload.get("lifetime_budget"))
    assert "bid_strategy" in case.payload and case.expected.subcode == 1885737


def test_unknown_rule_is_refused_with_the_known_ones() -> None:
    with pytest.raises(KeyError, match="rule:one_campaign_budget"):
        s.invalid_campaign_create(rule="rule:nope")


def test_form_encoding_matches_the_python_sdk_wire() -> None:
    """sdk-wire-python.json: seed 004's create as facebook-business 26.0.3 sends it."""
    payload = {"name": "My campaign", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED", "special_ad_categories": [],
               "daily_budget": 5000, "bid_strategy": "LOWEST_COST_WITHOUT_CAP", "is_skadnetwork_attribution": False,
               "promoted_object": {"page_id": "111"}}
    assert urlencode(s.encode(payload, "form")) == (
        "name=My+campaign&objective=OUTCOME_TRAFFIC&status=PAUSED&special_ad_categories=%5B%5D&daily_budget=5000"
        "&bid_strategy=LOWEST_COST_WITHOUT_CAP&is_skadnetwork_attribution=false&promoted_object=%7B%22page_id%22%3A%22111%22%7D")


def test_json_encoding_keeps_native_types_and_quoted_strings_survive_forms() -> None:
    payload = {"name": '"quoted"', "daily_budget": 5000, "special_ad_categories": ["HOUSING"], "flag": True}
    assert s.encode(payload, "json") == payload
    form = s.encode(payload, "form")
    assert json.loads(form["name"]) == '"quoted"' and form["flag"] == "true"
    assert s.request_kwargs(payload, "json") == {"json": payload}
    with pytest.raises(ValueError):
        s.encode(payload, "xml")  # type: ignore[arg-type]


@settings(max_examples=30)
@given(st.data())
def test_update_cases_are_valid_against_their_setup(data: st.DataObject) -> None:
    case = data.draw(s.cases("campaign.update"))
    merged = {**case.setup[0].payload, **case.payload}
    assert not (merged.get("daily_budget") and merged.get("lifetime_budget"))
