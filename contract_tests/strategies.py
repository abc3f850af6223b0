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

from contract_tests.cases import Expected, Invalid
from contract_tests.encoding import STYLES, encode, encode_value, request_kwargs
from contract_tests.operations import Context, Operation, all_rules, invalid, registry_of, valid, with_setup
from contract_tests.resources import campaign
from mock_server.contract.registry import SchemaRegistry

__all__ = [
    "Expected", "Invalid", "OPERATIONS", "STYLES", "encode", "encode_value", "request_kwargs", "rules",
    "valid_payloads", "invalid_payloads", "valid_campaign_create", "invalid_campaign_create",
    "valid_campaign_update", "invalid_campaign_update",
]

OPERATIONS: dict[str, Operation] = {op.name: op for op in (campaign.CREATE, campaign.UPDATE)}


def _context(registry: SchemaRegistry | None, currency: str, existing: dict[str, Any] | None,
             pins: dict[str, Any]) -> Context:
    return Context(registry_of(registry), currency, existing, {k: v for k, v in pins.items() if v is not None})


def valid_payloads(operation: str, *, existing: dict[str, Any] | None = None, currency: str = "USD",
                   registry: SchemaRegistry | None = None, **pins: Any) -> st.SearchStrategy[dict[str, Any]]:
    """Accepted payloads of `operation` ("campaign.create", ...); keyword args pin params to fixed values.

    For updates, `existing` is the create payload of the object being updated (a fresh minimal object
    when omitted).
    """
    op = OPERATIONS[operation]
    ctx = _context(registry, currency, existing, pins)
    if op.is_update and existing is None:
        ctx = Context(ctx.registry, ctx.currency, {}, ctx.pins)
    return valid(op, ctx)


def invalid_payloads(operation: str, *, rule: str | None = None, currency: str = "USD",
                     registry: SchemaRegistry | None = None, **pins: Any) -> st.SearchStrategy[Invalid]:
    """Payloads breaking exactly one rule (`rule`, or any of `rules(operation)`), labelled with the error."""
    op = OPERATIONS[operation]
    return invalid(op, _context(registry, currency, None, pins), rule)


def rules(operation: str, registry: SchemaRegistry | None = None) -> list[str]:
    """Names of everything `invalid_payloads(operation, rule=...)` can break (parametrize over these)."""
    return sorted(all_rules(OPERATIONS[operation], registry_of(registry)))


def update_cases(operation: str, *, currency: str = "USD", registry: SchemaRegistry | None = None,
                 **pins: Any) -> st.SearchStrategy[tuple[dict[str, Any], dict[str, Any]]]:
    """(create payload, valid update payload) pairs: the object to make, then the update to apply."""
    op = OPERATIONS[operation]
    ctx = _context(registry, currency, None, pins)
    return with_setup(op, ctx, lambda inner: valid(op, inner).map(lambda p: (inner.existing or {}, p)))


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
    """POST /<campaign_id> payloads breaking exactly one rule; `Invalid.setup` is the campaign to create first."""
    return invalid_payloads("campaign.update", rule=rule, **pins)
