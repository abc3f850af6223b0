"""Rule-aware Hypothesis strategies for Graph ad requests (public API).

Every create/update endpoint has a `valid_…` strategy (payloads the server
must accept: schema-valid and respecting the cross-field rules) and an
`invalid_…` strategy (payloads breaking exactly one rule or schema
constraint, as `Invalid(payload, expected, rule, setup)` where `expected`
names the Graph error: code, subcode, blamed field). Everything is read from
`schemas/` (request schemas, enums, rule tables, error catalogue): the
strategies and the server share one contract.

    from contract_tests.strategies import valid_campaign_create, encode

    @given(valid_campaign_create(objective="OUTCOME_TRAFFIC"))
    def test_my_client(graph_mock, payload):
        requests.post(f"{graph_mock.url}/v25.0/{act}/campaigns", data=encode(payload, "form"), ...)

Payloads hold decoded values (ints, lists, dicts); `encode(payload, "form")`
gives what the Python SDK sends, `encode(payload, "json")` the Node SDK's body.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from contract_tests.cases import Case, Expected, Invalid, Ref, Step
from contract_tests.encoding import STYLES, encode, encode_value, request_kwargs
from contract_tests.images import invalid_adimage_upload, valid_adimage_upload
from contract_tests.operations import Context, all_rules, invalid, registry_of, valid, valid_cases
from contract_tests.resources import OPERATIONS
from mock_server.contract.registry import SchemaRegistry

__all__ = [
    "Case", "Expected", "Invalid", "OPERATIONS", "Ref", "STYLES", "Step", "encode", "encode_value", "request_kwargs",
    "rules", "cases", "valid_payloads", "invalid_payloads", "valid_campaign_create", "invalid_campaign_create",
    "valid_campaign_update", "invalid_campaign_update", "valid_adset_create", "invalid_adset_create", "adset_create_cases",
    "valid_adcreative_create", "invalid_adcreative_create", "ad_create_cases", "invalid_ad_create",
    "adset_update_cases", "invalid_adset_update", "valid_adimage_upload", "invalid_adimage_upload",
]

DEMO_WORLD = {"page_id": "1100000000000001", "app_id": "1200000000000001"}


def _context(registry: SchemaRegistry | None, currency: str, existing: dict[str, Any] | None, pins: dict[str, Any],
             world: dict[str, Any] | None = None) -> Context:
    return Context(registry_of(registry), currency, existing, {k: v for k, v in pins.items() if v is not None},
                   world or DEMO_WORLD)


def valid_payloads(operation: str, *, existing: dict[str, Any] | None = None, currency: str = "USD",
                   registry: SchemaRegistry | None = None, world: dict[str, Any] | None = None,
                   **pins: Any) -> st.SearchStrategy[dict[str, Any]]:
    """Accepted payloads of `operation` ("campaign.create", ...); keyword args pin params to fixed values.

    For updates, `existing` is the create payload of the object being updated (a fresh minimal object
    when omitted). Operations with parents (ad sets) need `cases()` or their own helper.
    """
    op = OPERATIONS[operation]
    ctx = _context(registry, currency, existing, pins, world)
    if op.is_update and existing is None:
        ctx = ctx.replace(existing={})
    return valid(op, ctx)


def cases(operation: str, *, currency: str = "USD", registry: SchemaRegistry | None = None,
          world: dict[str, Any] | None = None, **pins: Any) -> st.SearchStrategy[Case]:
    """Valid `Case(payload, setup)`s: the objects to create first (parents, or the object an update applies
    to), then the payload; `Ref(i)` in a payload stands for the id setup step `i` created."""
    return valid_cases(OPERATIONS[operation], _context(registry, currency, None, pins, world))


def invalid_payloads(operation: str, *, rule: str | None = None, currency: str = "USD",
                     registry: SchemaRegistry | None = None, world: dict[str, Any] | None = None,
                     **pins: Any) -> st.SearchStrategy[Invalid]:
    """Payloads breaking exactly one rule (`rule`, or any of `rules(operation)`), labelled with the error."""
    return invalid(OPERATIONS[operation], _context(registry, currency, None, pins, world), rule)


def rules(operation: str, registry: SchemaRegistry | None = None) -> list[str]:
    """Names of everything `invalid_payloads(operation, rule=...)` can break (parametrize over these)."""
    return sorted(all_rules(OPERATIONS[operation], registry_of(registry)))


# -- campaigns ------------------------------------------------------------------------------------

def valid_campaign_create(objective: str | None = None, *, status: str | None = None, currency: str = "USD",
                          **pins: Any) -> st.SearchStrategy[dict[str, Any]]:
    """POST /act_<id>/campaigns payloads the API accepts (seed 004 'Creating')."""
    return valid_payloads("campaign.create", objective=objective, status=status, currency=currency, **pins)


def invalid_campaign_create(rule: str | None = None, **pins: Any) -> st.SearchStrategy[Invalid]:
    """POST /act_<id>/campaigns payloads breaking exactly one rule, labelled with their Graph error."""
    return invalid_payloads("campaign.create", rule=rule, **pins)


def valid_campaign_update(existing: dict[str, Any] | None = None, *, status: str | None = None,
                          currency: str = "USD", **pins: Any) -> st.SearchStrategy[dict[str, Any]]:
    """POST /<campaign_id> payloads the API accepts for a campaign created with `existing`."""
    return valid_payloads("campaign.update", existing=existing, status=status, currency=currency, **pins)


def invalid_campaign_update(rule: str | None = None, **pins: Any) -> st.SearchStrategy[Invalid]:
    """POST /<campaign_id> payloads breaking exactly one rule; `Invalid.setup` creates the campaign first."""
    return invalid_payloads("campaign.update", rule=rule, **pins)


# -- ad sets ----------------------------------------------------------------------------------------

def valid_adset_create(campaign: dict[str, Any], campaign_id: str, *, status: str | None = None,
                       currency: str = "USD", world: dict[str, Any] | None = None,
                       **pins: Any) -> st.SearchStrategy[dict[str, Any]]:
    """POST /act_<id>/adsets payloads the API accepts under a campaign created with params `campaign`."""
    op = OPERATIONS["adset.create"]
    ctx = _context(None, currency, None, {"status": status, **pins}, world).replace(
        parents={"campaign": campaign}, ready=True)
    return valid(op, ctx).map(lambda p: {**p, "campaign_id": campaign_id})


def adset_create_cases(**pins: Any) -> st.SearchStrategy[Case]:
    """(parent campaign to create, ad set payload) cases; pins: params, or `_objective`, `_cbo`, `_sac`, ..."""
    return cases("adset.create", **pins)


def invalid_adset_create(rule: str | None = None, **pins: Any) -> st.SearchStrategy[Invalid]:
    """POST /act_<id>/adsets payloads breaking exactly one rule; `Invalid.setup` creates the campaign first."""
    return invalid_payloads("adset.create", rule=rule, **pins)


def adset_update_cases(**pins: Any) -> st.SearchStrategy[Case]:
    """(campaign and ad set to create; POST /<adset_id> payload valid for the merged ad set) cases."""
    return cases("adset.update", **pins)


def invalid_adset_update(rule: str | None = None, **pins: Any) -> st.SearchStrategy[Invalid]:
    """POST /<adset_id> payloads breaking exactly one rule of the merged ad set."""
    return invalid_payloads("adset.update", rule=rule, **pins)


# -- ad creatives -----------------------------------------------------------------------------------

def valid_adcreative_create(*, world: dict[str, Any] | None = None, **pins: Any) -> st.SearchStrategy[dict[str, Any]]:
    """POST /act_<id>/adcreatives payloads the API accepts (seed 003), promoting `world`'s Page / posts."""
    return valid_payloads("adcreative.create", world=world, **pins)


def invalid_adcreative_create(rule: str | None = None, **pins: Any) -> st.SearchStrategy[Invalid]:
    """POST /act_<id>/adcreatives payloads breaking exactly one rule (content, Pages, Instagram, text rules)."""
    return invalid_payloads("adcreative.create", rule=rule, **pins)


# -- ads --------------------------------------------------------------------------------------------

def ad_create_cases(**pins: Any) -> st.SearchStrategy[Case]:
    """(campaign, ad set, creative to create; ad payload naming them by Ref) cases for POST /act_<id>/ads."""
    return cases("ad.create", **pins)


def invalid_ad_create(rule: str | None = None, **pins: Any) -> st.SearchStrategy[Invalid]:
    """POST /act_<id>/ads payloads breaking exactly one rule; `Invalid.setup` creates the parents first."""
    return invalid_payloads("ad.create", rule=rule, **pins)
