"""Per-resource strategy definitions: which params are generated, the repair step, the rule breakers."""

from __future__ import annotations

from contract_tests.operations import Operation
from contract_tests.resources import adcreative, campaign
from contract_tests.resources import ad, adset_breakers, adset_update, edits  # noqa: E402 - build on the modules above
from mock_server.contract.registry import default_registry

OPERATIONS: dict[str, Operation] = {op.name: op for op in (
    campaign.CREATE, campaign.UPDATE, adset_breakers.CREATE, adset_update.UPDATE, adcreative.make(default_registry()),
    edits.creative_update(default_registry()), ad.CREATE, edits.AD_UPDATE)}
